/**
 * `npm run bench -- [--respondents 50] [--rounds 2] [--paused 500] [--mongodb] [--out bench/RESULTS.md] [--cpu-prof DIR]`
 *
 * N concurrent respondents each complete the whole questionnaire over HTTP (`POST /api/messages`,
 * `deliveryMode: "expectReplies"`) against MSQ Bot on the embedded store in a temporary DATA_DIR (or MongoDB
 * with --mongodb: MONGODB_URI's server, or FerretDB started for the run); then the very same activities are replayed against a bare echo bot on the
 * same stack (scripts/echo-bot.ts: restify + CloudAdapter + ActivityHandler); the rounds alternate the two.
 * Both servers run as child processes (peak RSS from /proc/<pid>/status); the load comes from this process.
 * Prints turns per second, p50/p95/p99 latency and peak RSS for both, the ratios against the targets, and the
 * live heap of a fresh bot process after M paused conversations compared with none. With --cpu-prof, both servers of
 * the throughput rounds write a V8 CPU profile into DIR (`node --cpu-prof`; open it in Chrome's DevTools).
 */
import { execFileSync, execSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { availableParallelism, cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { englishScript, spanishScript } from '../test/fixtures/answers';
import { FERRETDB_VERSION, startFerretDb } from './lib/ferretdb';
import { cpuTimeOf, memoryOf, ROOT, startBotProcess, type BotProcess } from '../test/fixtures/process';
import { completeQuestionnaire, connections, createRespondent, openConnection, percentiles, postActivity, type Channel, type Lang, type SentActivity } from './lib/respondent';

const SCRIPTS: Record<Lang, Record<string, string>> = { en: englishScript, es: spanishScript };
/** Limits far above the load, so that the rate limiter runs but never refuses (its cost is part of the measure). */
const UNLIMITED = { RATE_LIMIT_IP_PER_MINUTE: '100000000', RATE_LIMIT_IP_BURST: '100000000', RATE_LIMIT_CONVERSATION_PER_MINUTE: '100000000', RATE_LIMIT_CONVERSATION_BURST: '100000000' };

interface Args {
  respondents: number;
  rounds: number;
  paused: number;
  mongodb: boolean;
  out?: string;
  /** Where the servers of the throughput rounds write their CPU profiles. */
  cpuProf?: string;
}

interface RunResult {
  turns: number;
  seconds: number;
  turnsPerSecond: number;
  latency: { p50: number; p95: number; p99: number; max: number };
  latencies: number[];
  peakRssMb: number;
  /** The server's CPU time (user + system) per turn, in ms: what the turn costs, whatever else runs on the machine. */
  cpuMsPerTurn: number;
  errors: number;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  // --mongodb: the server of MONGODB_URI, or FerretDB (a MongoDB-protocol server) started here for the run.
  const ferret = args.mongodb && !process.env.MONGODB_URI ? await startFerretDb() : null;
  const mongoUri = args.mongodb ? (process.env.MONGODB_URI ?? ferret!.uri) : null;
  const machine = describeMachine();
  const channel = await startChannel();
  const storeLabel = !args.mongodb ? 'embedded (file-backed, temporary DATA_DIR)' : ferret ? `MongoDB protocol: FerretDB ${FERRETDB_VERSION} (SQLite backend) on this machine` : 'MongoDB (MONGODB_URI)';
  log(`machine: ${machine.join('; ')}`);
  log(`store: ${storeLabel}; ${args.respondents} concurrent respondents`);

  const mongo = mongoUri ? { MONGODB_URI: mongoUri, MONGODB_DB: `msq-bench-${Date.now()}` } : null;
  const dirs: string[] = [];
  const dataDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'msq-bench-'));
    dirs.push(dir);
    return dir;
  };

  try {
    // Rounds alternate MSQ Bot and the echo bot, each on a fresh process, so that a disturbance of the machine
    // (other work on it) tends to hit both; the figures pool the rounds.
    const msqRounds: RunResult[] = [];
    const echoRounds: RunResult[] = [];
    for (let round = 1; round <= args.rounds; round++) {
      const { result, recorded } = await runMsq(args.respondents, round, channel.url, dataDir(), mongo, profiling(args));
      msqRounds.push(result);
      log(`round ${round}, MSQ Bot: ${format(result)}`);
      const echo = await runEcho(recorded, profiling(args));
      echoRounds.push(echo);
      log(`round ${round}, echo bot: ${format(echo)}`);
    }
    const msq = pool(msqRounds);
    const base = pool(echoRounds);

    // Memory with paused conversations, on a fresh process (state lives in the store).
    const paused = await pausedMemory(args.paused, channel.url, mongo, dataDir);

    const report = renderReport({ args, machine, storeLabel, msq, base, msqRounds, echoRounds, paused, cardUpdates: channel.count() });
    console.log(report);
    if (args.out) writeFileSync(args.out, report);
  } finally {
    await channel.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    if (mongo) await dropDatabases(mongo.MONGODB_URI, [...Array.from({ length: args.rounds }, (_, i) => `${mongo.MONGODB_DB}-${i + 1}`), `${mongo.MONGODB_DB}-paused`]);
    await ferret?.stop();
  }
}

/** Respondents alternate between Teams and Web Chat (Direct Line), English and Spanish. */
function profile(i: number): { channel: Channel; lang: Lang } {
  return { channel: i % 2 === 0 ? 'msteams' : 'directline', lang: i % 4 < 2 ? 'en' : 'es' };
}

/** MSQ Bot on a fresh process: whole questionnaires; every activity sent is recorded for the replay. */
async function runMsq(respondents: number, round: number, serviceUrl: string, dir: string, mongo: Record<string, string> | null, nodeArgs: string[]): Promise<{ result: RunResult; recorded: SentActivity[][] }> {
  const bot = await startBotProcess({ dataDir: dir, nodeArgs, env: { ...UNLIMITED, ...(mongo ? { ...mongo, MONGODB_DB: `${mongo.MONGODB_DB}-${round}` } : {}) } });
  const recorded: SentActivity[][] = [];
  try {
    await warmUp(bot, serviceUrl, `warm-${round}`);
    const people = Array.from({ length: respondents }, (_, i) => {
      const { channel, lang } = profile(i);
      return { lang, respondent: createRespondent({ botUrl: bot.url, userId: `bench-${round}-${i}`, channel, locale: lang, serviceUrl }) };
    });
    await Promise.all(people.map(({ respondent }) => openConnection(bot.url, respondent.agent)));
    const result = await measure(bot, async (record) => {
      await Promise.all(
        people.map(async ({ lang, respondent }, i) => {
          const sent: SentActivity[] = [];
          recorded[i] = sent;
          const run = await completeQuestionnaire(respondent, SCRIPTS, lang, (activity, reply) => {
            sent.push(activity);
            record(reply.latencyMs, reply.status);
          });
          if (!run.submitted) throw new Error(`${respondent.userId} did not submit`);
        }),
      );
    });
    for (const { respondent } of people) respondent.agent.destroy();
    return { result, recorded };
  } finally {
    await bot.kill('SIGTERM');
  }
}

/** The echo bot on a fresh process: the same activities, in the same order per respondent. */
async function runEcho(recorded: SentActivity[][], nodeArgs: string[]): Promise<RunResult> {
  const echo = await startBotProcess({ entry: 'scripts/echo-bot.ts', nodeArgs });
  try {
    await warmUpEcho(echo, recorded[0] ?? []);
    const agents = recorded.map(() => connections());
    await Promise.all(agents.map((agent) => openConnection(echo.url, agent)));
    try {
      return await measure(echo, async (record) => {
        await Promise.all(
          recorded.map(async (sequence, i) => {
            for (const activity of sequence) {
              const reply = await postActivity(echo.url, activity, agents[i]);
              record(reply.latencyMs, reply.status);
            }
          }),
        );
      });
    } finally {
      for (const agent of agents) agent.destroy();
    }
  } finally {
    await echo.kill('SIGTERM');
  }
}

/** Runs the load and summarises it; peak RSS is the server's high-water mark (VmHWM). */
async function measure(server: BotProcess, load: (record: (ms: number, status: number) => void) => Promise<void>): Promise<RunResult> {
  const latencies: number[] = [];
  let errors = 0;
  const cpuBefore = cpuTimeOf(server.pid) ?? NaN;
  const started = performance.now();
  await load((ms, status) => {
    latencies.push(ms);
    if (status !== 200) errors += 1;
  });
  const seconds = (performance.now() - started) / 1000;
  const cpu = (cpuTimeOf(server.pid) ?? NaN) - cpuBefore;
  const memory = memoryOf(server.pid);
  return {
    turns: latencies.length,
    seconds,
    turnsPerSecond: latencies.length / seconds,
    latency: percentiles(latencies),
    latencies,
    peakRssMb: (memory?.peak ?? NaN) / 2 ** 20,
    cpuMsPerTurn: cpu / latencies.length,
    errors,
  };
}

/** Several rounds as one: turns over the total time, percentiles of all latencies, the highest peak. */
function pool(rounds: RunResult[]): RunResult {
  const latencies = rounds.flatMap((r) => r.latencies);
  const turns = latencies.length;
  const seconds = rounds.reduce((sum, r) => sum + r.seconds, 0);
  return {
    turns,
    seconds,
    turnsPerSecond: turns / seconds,
    latency: percentiles(latencies),
    latencies,
    peakRssMb: Math.max(...rounds.map((r) => r.peakRssMb)),
    cpuMsPerTurn: rounds.reduce((sum, r) => sum + r.cpuMsPerTurn * r.turns, 0) / turns,
    errors: rounds.reduce((sum, r) => sum + r.errors, 0),
  };
}

/** Two questionnaires before measuring: the JIT warms up and the store's files exist. */
async function warmUp(bot: BotProcess, serviceUrl: string, prefix: string): Promise<void> {
  await Promise.all(
    [0, 1].map((i) => {
      const { channel, lang } = profile(i);
      return completeQuestionnaire(createRespondent({ botUrl: bot.url, userId: `${prefix}-${i}`, channel, locale: lang, serviceUrl }), SCRIPTS, lang);
    }),
  );
}

async function warmUpEcho(echo: BotProcess, sequence: SentActivity[]): Promise<void> {
  for (let i = 0; i < 2; i++) for (const activity of sequence) await postActivity(echo.url, { ...activity, id: `warm-${i}-${String(activity.id)}` });
}

interface PausedMemory {
  counts: number[];
  rssMb: number[];
  heapMb: number[];
  turnsEach: number;
  /** The store's data (files compacted at shutdown) for all of them, in MB. */
  dataMb: number;
  /** The heap a fresh embedded store takes with those files loaded, in MB (the store's share of the growth). */
  storeHeapMb: number;
  respondents: number;
}

/**
 * A fresh bot process (with a full GC on SIGUSR2, see gc-probe.cjs); its live heap and RSS after a full GC with
 * no respondent yet, then after `count`/2 and `count` respondents who each answered a few questions and went
 * away. The bot keeps nothing per conversation; the embedded store (LMDB) keeps its data in its memory-mapped
 * file, not in the heap: the heap a fresh store takes with the same file is reported beside (MongoDB keeps the
 * data in the database).
 */
/** How many respondents pause before the "0" sample of the paused-memory run (see pausedMemory). */
const PAUSED_WARM_UP = 200;

/** Respondents who each answer a few questions (turnsEach turns with the greeting), then go quiet and close their connection; 25 at a time. */
async function pauseRespondents(userIds: string[], bot: BotProcess, serviceUrl: string, turnsEach: number): Promise<void> {
  for (let i = 0; i < userIds.length; i += 25) {
    await Promise.all(
      userIds.slice(i, i + 25).map(async (userId, k) => {
        const { channel, lang } = profile(i + k);
        const r = createRespondent({ botUrl: bot.url, userId, channel, locale: lang, serviceUrl });
        let reply = await r.post(r.greeting());
        for (let t = 1; t < turnsEach && reply.questionId; t++) reply = await r.post(r.message(SCRIPTS[lang][reply.questionId] ?? 'skip'));
        r.agent.destroy(); // gone quiet: its connection closes, as a channel's idle connection does
      }),
    );
  }
}

async function pausedMemory(count: number, serviceUrl: string, mongo: Record<string, string> | null, dataDir: () => string): Promise<PausedMemory> {
  const dir = dataDir();
  const bot = await startBotProcess({
    dataDir: dir,
    nodeArgs: ['--expose-gc', '--require', './scripts/lib/gc-probe.cjs'],
    env: { ...UNLIMITED, ...(mongo ? { ...mongo, MONGODB_DB: `${mongo.MONGODB_DB}-paused` } : {}) },
  });
  const turnsEach = 6;
  const result: PausedMemory = { counts: [], rssMb: [], heapMb: [], turnsEach, dataMb: NaN, storeHeapMb: NaN, respondents: 0 };
  try {
    // The same warm-up as the throughput run, then PAUSED_WARM_UP respondents who pause like the counted ones (not
    // counted), so that "0" has the code paths of a new respondent compiled and the process's own pools at their
    // working size: what grows after it grows with the paused conversations.
    await warmUp(bot, serviceUrl, 'warm-paused');
    await pauseRespondents(Array.from({ length: PAUSED_WARM_UP }, (_, k) => `warm-paused-${k}`), bot, serviceUrl, turnsEach);
    const sample = async (n: number) => {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const heap = await probeHeap(bot);
      result.counts.push(n);
      result.heapMb.push(heap / 2 ** 20);
      result.rssMb.push((memoryOf(bot.pid)?.rss ?? NaN) / 2 ** 20);
      log(`paused conversations: ${n}, heap after GC ${result.heapMb.at(-1)!.toFixed(1)} MB, RSS ${result.rssMb.at(-1)!.toFixed(1)} MB`);
    };
    await sample(0);
    let started = 0;
    for (const target of [Math.floor(count / 4), Math.floor(count / 2), count]) {
      await pauseRespondents(Array.from({ length: target - started }, (_, k) => `paused-${started + k}`), bot, serviceUrl, turnsEach);
      started = target;
      await sample(target);
    }
  } finally {
    await bot.kill('SIGTERM');
  }
  if (!mongo) {
    result.dataMb = folderSize(dir) / 2 ** 20;
    const footprint = JSON.parse(
      execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', 'scripts/lib/store-footprint.ts', dir], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim().split('\n').at(-1)!,
    ) as { heapBytes: number; responses: number };
    result.storeHeapMb = footprint.heapBytes / 2 ** 20;
    result.respondents = footprint.responses;
  }
  return result;
}

/** Asks the process for a full GC and its heap in use afterwards (bytes). */
async function probeHeap(bot: BotProcess): Promise<number> {
  const before = bot.output().length;
  bot.child.kill('SIGUSR2');
  for (let i = 0; i < 100; i++) {
    const line = /\[gc-probe\] (\{.*\})/.exec(bot.output().slice(before));
    if (line) return (JSON.parse(line[1]) as { heapUsed: number }).heapUsed;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return NaN;
}

function folderSize(dir: string): number {
  return readdirSync(dir).reduce((sum, name) => sum + statSync(join(dir, name)).size, 0);
}

/** The connector API the bot would send card updates to (with expectReplies, replies come in the HTTP body). */
async function startChannel(): Promise<{ url: string; count(): number; close(): Promise<void> }> {
  let calls = 0;
  const server: Server = createServer((req, res) => {
    calls += 1;
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: `sent-${calls}` }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    count: () => calls,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function describeMachine(): string[] {
  const nproc = (() => {
    try {
      return execSync('nproc', { encoding: 'utf8' }).trim();
    } catch {
      return String(availableParallelism());
    }
  })();
  return [`nproc ${nproc}`, `CPU ${cpus()[0]?.model ?? 'unknown'}`, `node ${process.version}`, `RAM ${(totalmem() / 2 ** 30).toFixed(1)} GiB`, `${process.platform} ${process.arch}`];
}

async function dropDatabases(uri: string, names: string[]): Promise<void> {
  const { MongoClient } = await import('mongodb');
  const client = new MongoClient(uri);
  try {
    for (const name of names) await client.db(name).dropDatabase();
  } finally {
    await client.close();
  }
}

const ms = (v: number) => `${v.toFixed(1)} ms`;
const format = (r: RunResult) =>
  `${r.turns} turns in ${r.seconds.toFixed(1)} s = ${r.turnsPerSecond.toFixed(0)} turns/s; p50 ${ms(r.latency.p50)}, p95 ${ms(r.latency.p95)}, p99 ${ms(r.latency.p99)}; peak RSS ${r.peakRssMb.toFixed(0)} MB; CPU ${r.cpuMsPerTurn.toFixed(2)} ms/turn; errors ${r.errors}`;

function renderReport(input: {
  args: Args;
  machine: string[];
  storeLabel: string;
  msq: RunResult;
  base: RunResult;
  msqRounds: RunResult[];
  echoRounds: RunResult[];
  paused: PausedMemory;
  cardUpdates: number;
}): string {
  const { args, machine, storeLabel, msq, base, paused } = input;
  const throughput = msq.turnsPerSecond / base.turnsPerSecond;
  const p99 = msq.latency.p99 / base.latency.p99;
  const row = (name: string, r: RunResult) =>
    `| ${name} | ${r.turns} | ${r.turnsPerSecond.toFixed(0)} | ${ms(r.latency.p50)} | ${ms(r.latency.p95)} | ${ms(r.latency.p99)} | ${ms(r.latency.max)} | ${r.peakRssMb.toFixed(0)} MB | ${r.cpuMsPerTurn.toFixed(2)} ms | ${r.errors} |`;
  const heapGrowth = paused.counts.length > 1 && paused.counts.at(-1)! > 0 ? ((paused.heapMb.at(-1)! - paused.heapMb[0]) * 1024) / paused.counts.at(-1)! : NaN;
  const lines = [
    `# Benchmark: MSQ Bot against a bare echo bot on the same stack`,
    ``,
    `\`npm run bench -- --respondents ${args.respondents} --rounds ${args.rounds} --paused ${args.paused}${args.mongodb ? ' --mongodb' : ''}\`, ${new Date().toISOString().slice(0, 10)}`,
    ``,
    `Machine: ${machine.join(', ')}. Both servers run as child processes (\`node --import tsx\`) on this machine, the load`,
    `generator (node:http, one keep-alive connection per respondent, opened before the clock starts) in the parent`,
    `process. ${args.respondents} concurrent respondents each complete the whole questionnaire`,
    `(Teams and Web Chat, English and Spanish, alternating) through \`POST /api/messages\` with`,
    `\`deliveryMode: "expectReplies"\`; the echo bot (scripts/echo-bot.ts: restify + CloudAdapter + ActivityHandler) gets the`,
    `very same activities. ${args.rounds} round(s), alternating MSQ Bot and echo bot on fresh processes, pooled. MSQ Bot's store:`,
    `${storeLabel}; its rate limiter runs with limits far above the load.`,
    ``,
    `| server | turns | turns/s | p50 | p95 | p99 | max | peak RSS | CPU per turn | errors |`,
    `| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |`,
    row('MSQ Bot', msq),
    row('echo bot', base),
    ...(input.msqRounds.length > 1 ? input.msqRounds.flatMap((r, i) => [row(`MSQ Bot, round ${i + 1}`, r), row(`echo bot, round ${i + 1}`, input.echoRounds[i])]) : []),
    ``,
    `| ratio | value | target | met |`,
    `| --- | ---: | ---: | --- |`,
    `| throughput MSQ / echo | ${(throughput * 100).toFixed(0)}% | ≥ 50% | ${throughput >= 0.5 ? 'yes' : 'no'} |`,
    `| p99 MSQ / echo | ${p99.toFixed(2)}× | ≤ 3× | ${p99 <= 3 ? 'yes' : 'no'} |`,
    `| CPU per turn echo / MSQ (the throughput share a server-bound run would give) | ${((base.cpuMsPerTurn / msq.cpuMsPerTurn) * 100).toFixed(0)}% | — | — |`,
    `| peak RSS MSQ / echo | ${(msq.peakRssMb / base.peakRssMb).toFixed(2)}× | — | — |`,
    ``,
    `Memory with paused conversations: a fresh MSQ Bot process; each respondent answered ${paused.turnsEach - 1} questions, then`,
    `went quiet; figures after a full garbage collection (\`--expose-gc\`, scripts/lib/gc-probe.cjs). Before "0", the process ran the`,
    `warm-up questionnaires and ${PAUSED_WARM_UP} respondents who paused the same way (not counted), so that one-off growth (compiled`,
    `code, the process's pools reaching their working size) is not counted as growth per conversation.`,
    ``,
    `| paused conversations | live heap | RSS |`,
    `| ---: | ---: | ---: |`,
    ...paused.counts.map((n, i) => `| ${n} | ${paused.heapMb[i].toFixed(1)} MB | ${paused.rssMb[i].toFixed(1)} MB |`),
    ``,
    `Heap growth: ${heapGrowth.toFixed(1)} KB per paused conversation, ${(paused.heapMb.at(-1)! - paused.heapMb[0]).toFixed(1)} MB for ${paused.counts.at(-1)}` +
      ` (from ${paused.counts.at(-3)} to ${paused.counts.at(-1)}: ${(paused.heapMb.at(-1)! - paused.heapMb.at(-3)!).toFixed(1)} MB).` +
      (Number.isNaN(paused.storeHeapMb)
        ? ''
        : ` The embedded store (LMDB) keeps its data in its memory-mapped file: the same data opened by a fresh store takes` +
          ` ${paused.storeHeapMb.toFixed(1)} MB of heap (${paused.respondents} responses: the paused ones, the ${PAUSED_WARM_UP} paused before "0" and the 2 complete warm-up ones;` +
          ` ${paused.dataMb.toFixed(1)} MB on disk); growth minus the store's heap:` +
          ` ${(paused.heapMb.at(-1)! - paused.heapMb[0] - paused.storeHeapMb).toFixed(1)} MB (what the bot itself would keep per conversation, within the noise).`),
    ``,
    `Card updates sent to the channel during the runs: ${input.cardUpdates}.`,
    ``,
  ];
  return lines.join('\n');
}

/** The node options of a throughput round's server: a CPU profile into --cpu-prof's folder, or none. */
function profiling(args: Args): string[] {
  return args.cpuProf ? ['--cpu-prof', '--cpu-prof-dir', args.cpuProf] : [];
}

function parseArgs(argv: string[]): Args {
  const args: Args = { respondents: 50, rounds: 2, paused: 500, mongodb: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--respondents') args.respondents = positive(value(), a);
    else if (a === '--paused') args.paused = positive(value(), a);
    else if (a === '--rounds') args.rounds = positive(value(), a);
    else if (a === '--mongodb') args.mongodb = true;
    else if (a === '--out') args.out = value();
    else if (a === '--cpu-prof') args.cpuProf = value();
    else throw new Error(`unknown option ${a} (use --respondents N, --rounds R, --paused M, --mongodb, --out FILE, --cpu-prof DIR)`);
  }
  return args;
}

function positive(v: string, name: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer`);
  return n;
}

const log = (message: string) => console.error(`[bench] ${message}`);

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
