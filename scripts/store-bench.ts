/**
 * `npm run bench:store -- [--respondents 200] [--turns 40] [--paused 5000] [--baseline <git ref>]`
 *
 * The embedded store alone, against the nedb store it replaced (the files of `--baseline`, default e82c76c, taken
 * from git into node_modules/.cache and run from there): the same turns through each — claim the activity, read
 * the response, write it with its audit event, mark the activity done (nedb: insert or replace, then append the
 * events) — on file-backed stores in temporary folders. Prints, for each store and as a ratio to nedb:
 *
 * - the time of a turn, one respondent after another (latency) and 50 respondents at once (throughput);
 * - the same with 5,000 responses already stored (does the cost grow with the number of responses?);
 * - the live heap (after a full GC) of a fresh process before and after `--paused` conversations that each answered
 *   5 questions and went quiet (claim, response, event, conversation reference), in a child process per store.
 *
 * Run with node's GC exposed (the npm script does): node --expose-gc --import tsx scripts/store-bench.ts
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';
import { createEmbeddedStore } from '../src/store/embedded';
import type { AnswerEvent, ResponseDoc, Store } from '../src/store/port';
import { englishScript } from '../test/fixtures/answers';
import { responseFrom } from '../test/fixtures/responses';

const ROOT = resolve(__dirname, '..');
const BASELINE_FILES = ['embedded.ts', 'fileAppender.ts', 'codec.ts', 'port.ts', 'invitationLog.ts'];

/** A store as this benchmark drives it: the new one (commitTurn) or the old one (insert/replace + appendEvents). */
interface Driven {
  store: Store;
  /** One turn of a respondent: the bot's store calls for it. */
  turn(doc: ResponseDoc, previous: ResponseDoc | null, activity: string, events: AnswerEvent[]): Promise<void>;
}

type Kind = 'lmdb' | 'nedb';

interface Args {
  respondents: number;
  turns: number;
  paused: number;
  baseline: string;
  child?: { kind: Kind; paused: number };
}

function parse(argv: string[]): Args {
  const args: Args = { respondents: 200, turns: 40, paused: 5000, baseline: 'e82c76c' };
  for (let i = 0; i < argv.length; i++) {
    const value = argv[i + 1];
    if (argv[i] === '--respondents') args.respondents = Number(value);
    else if (argv[i] === '--turns') args.turns = Number(value);
    else if (argv[i] === '--paused') args.paused = Number(value);
    else if (argv[i] === '--baseline') args.baseline = String(value);
    else if (argv[i] === '--child-heap') args.child = { kind: value as Kind, paused: Number(argv[i + 2]) };
    else continue;
    i += argv[i] === '--child-heap' ? 2 : 1;
  }
  return args;
}

/** The old nedb store's files from git, importable (their `../i18n` is this checkout's). */
function baselineModule(ref: string): string {
  const folder = join(ROOT, 'node_modules', '.cache', 'msq-bot', `store-baseline-${ref}`, 'src', 'store');
  if (!existsSync(join(folder, 'embedded.ts'))) {
    mkdirSync(folder, { recursive: true });
    mkdirSync(join(folder, '..', 'i18n'), { recursive: true });
    writeFileSync(join(folder, '..', 'i18n', 'index.ts'), `export * from ${JSON.stringify(join(ROOT, 'src', 'i18n'))};\n`);
    for (const file of BASELINE_FILES) writeFileSync(join(folder, file), execFileSync('git', ['show', `${ref}:src/store/${file}`], { cwd: ROOT }));
  }
  return join(folder, 'embedded.ts');
}

async function open(kind: Kind, dir: string, baseline: string): Promise<Driven> {
  if (kind === 'lmdb') {
    const store = createEmbeddedStore({ dir, purgeIntervalMs: 0 });
    await store.init();
    return {
      store,
      async turn(doc, previous, activity, events) {
        await store.claimActivity(activity, 30);
        await store.findResponseByRespondent(doc.respondentKey);
        const result = await store.commitTurn({ turnId: randomUUID(), response: doc, expectedVersion: previous ? previous.version : null, events, activity: { key: activity, ttlSeconds: 86400 } });
        if (!result.ok) throw new Error('conflict');
      },
    };
  }
  const { createEmbeddedStore: createNedbStore } = (await import(baselineModule(baseline))) as { createEmbeddedStore: (o: { dir: string; compactionIntervalMs: number }) => Store };
  const store = createNedbStore({ dir, compactionIntervalMs: 0 });
  await store.init();
  return {
    store,
    async turn(doc, previous, activity, events) {
      await (store.claimActivity as unknown as (key: string, ttl: number) => Promise<boolean>)(activity, 86400);
      await store.findResponseByRespondent(doc.respondentKey);
      const result = previous ? await store.replaceResponse(doc, previous.version) : await store.insertResponse(doc);
      if (!result.ok) throw new Error('conflict');
      await store.appendEvents(events);
    },
  };
}

/** A realistic response (the engine's state of a whole English run), cut to its first `answered` answers. */
const full = responseFrom(englishScript);
function docAt(respondent: string, id: string, answered: number, version: number): ResponseDoc {
  return { ...full, id, respondentKey: `directline:${respondent}`, answers: full.answers.slice(0, answered), version, createdAt: new Date(), updatedAt: new Date() };
}
const eventOf = (doc: ResponseDoc, version: number): AnswerEvent => {
  const answer = doc.answers.at(-1) ?? { itemId: 'country', value: 'PRY' };
  return { id: `${doc.id}:${version}:0`, responseId: doc.id, itemId: answer.itemId, oldValue: null, newValue: answer.value, who: { channel: 'directline', userId: 'u' }, channel: 'directline', at: new Date(), type: 'answer' };
};

/** `turns` turns for each of `respondents` respondents, `concurrency` respondents at a time; ms per turn, and CPU ms per turn (all threads). */
async function run(driven: Driven, label: string, respondents: number, turns: number, concurrency: number): Promise<number> {
  return (await measure(driven, label, respondents, turns, concurrency)).ms;
}

async function measure(driven: Driven, label: string, respondents: number, turns: number, concurrency: number): Promise<{ ms: number; cpuMs: number }> {
  const ids = Array.from({ length: respondents }, () => randomUUID());
  const previous: Array<ResponseDoc | null> = ids.map(() => null);
  const cpu = process.cpuUsage();
  const started = performance.now();
  for (let t = 0; t < turns; t++) {
    for (let i = 0; i < respondents; i += concurrency) {
      await Promise.all(
        ids.slice(i, i + concurrency).map(async (id, k) => {
          const n = i + k;
          const version = t + 1;
          const doc = docAt(`${label}-${n}`, id, t + 1, version);
          await driven.turn(doc, previous[n], `act-${label}-${n}-${t}`, [eventOf(doc, version)]);
          previous[n] = { ...doc, version };
        }),
      );
    }
  }
  const used = process.cpuUsage(cpu);
  return { ms: (performance.now() - started) / (respondents * turns), cpuMs: (used.user + used.system) / 1000 / (respondents * turns) };
}

/** Child process: the live heap before and after `paused` conversations that answered 5 questions each. */
async function heapChild(kind: Kind, paused: number, baseline: string): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc');
  const dir = mkdtempSync(join(tmpdir(), `msq-store-bench-${kind}-`));
  try {
    const driven = await open(kind, dir, baseline);
    await run(driven, 'warm', 20, 5, 20); // code paths loaded
    const heap = () => {
      gc();
      gc();
      return process.memoryUsage().heapUsed;
    };
    const before = heap();
    for (let i = 0; i < paused; i += 50) {
      await Promise.all(
        Array.from({ length: Math.min(50, paused - i) }, async (_, k) => {
          const n = i + k;
          const id = randomUUID();
          let previous: ResponseDoc | null = null;
          for (let t = 0; t < 5; t++) {
            const doc = docAt(`paused-${n}`, id, t + 1, t + 1);
            await driven.turn(doc, previous, `paused-${n}-${t}`, [eventOf(doc, t + 1)]);
            previous = doc;
          }
          await driven.store.saveConversation({ id: `directline:conv-${n}`, respondentKey: `directline:paused-${n}`, reference: { conversation: { id: `conv-${n}` }, serviceUrl: 'https://directline.botframework.com/' }, updatedAt: new Date() });
        }),
      );
    }
    const after = heap();
    await driven.store.close();
    process.stdout.write(`${JSON.stringify({ beforeMb: before / 2 ** 20, afterMb: after / 2 ** 20 })}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function heapOf(kind: Kind, paused: number, baseline: string): { beforeMb: number; afterMb: number } {
  const child = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', __filename, '--child-heap', kind, String(paused), '--baseline', baseline], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 20 });
  if (child.status !== 0) throw new Error(`heap measurement of ${kind} failed: ${child.stderr}`);
  return JSON.parse(child.stdout.trim().split('\n').at(-1)!) as { beforeMb: number; afterMb: number };
}

async function main(): Promise<void> {
  const args = parse(process.argv.slice(2));
  if (args.child) return heapChild(args.child.kind, args.child.paused, args.baseline);
  const results: Record<Kind, Record<string, number>> = { lmdb: {}, nedb: {} };
  for (const kind of ['nedb', 'lmdb'] as const) {
    const dir = mkdtempSync(join(tmpdir(), `msq-store-bench-${kind}-`));
    try {
      const driven = await open(kind, dir, args.baseline);
      await run(driven, 'warm', 20, 5, 20);
      results[kind]['sequential ms/turn'] = await run(driven, 'seq', 10, args.turns, 1);
      const concurrent = await measure(driven, 'conc', args.respondents, args.turns, 50);
      results[kind]['50 at once ms/turn'] = concurrent.ms;
      results[kind]['50 at once, CPU ms/turn'] = concurrent.cpuMs;
      // 5,000 responses stored (5 answers each), then the same turns again.
      await run(driven, 'fill', 5000, 1, 100);
      results[kind]['50 at once ms/turn, 5,000 more responses stored'] = await run(driven, 'big', args.respondents, args.turns, 50);
      await driven.store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const heap = heapOf(kind, args.paused, args.baseline);
    results[kind][`heap growth MB, 0 → ${args.paused} paused conversations`] = heap.afterMb - heap.beforeMb;
    console.error(`[store-bench] ${kind}: ${JSON.stringify(results[kind])}`);
  }
  console.log(`| measure | nedb (${args.baseline}) | LMDB | LMDB / nedb |`);
  console.log('| --- | ---: | ---: | ---: |');
  for (const measure of Object.keys(results.lmdb)) {
    const [old, now] = [results.nedb[measure]!, results.lmdb[measure]!];
    console.log(`| ${measure} | ${old.toFixed(3)} | ${now.toFixed(3)} | ${(now / old).toFixed(2)} |`);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.stack : error);
  process.exit(1);
});
