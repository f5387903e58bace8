/**
 * `npm run soak -- [--respondents 200] [--restarts 2] [--seed 1] [--max-pause 200]`
 *
 * Many respondents complete the whole questionnaire at once over HTTP (`/api/messages`, expectReplies) against
 * the bot as a child process on a file-backed DATA_DIR, with random pauses, duplicate deliveries (the same
 * activity posted twice, one after the other or concurrently), language switches (`idioma es` / `language en`),
 * returns in a new conversation, and server restarts by SIGKILL along the way (a request cut off by the kill
 * is retried with the same activity id, as a channel does). Every answer the bot acknowledged ("Saved." /
 * "Guardado.") is remembered; at the end the server is stopped, the store is read, and the script prints
 * "acknowledged N, stored N, lost 0" (exit code 1 when an acknowledged answer is missing).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createEmbeddedStore } from '../src/store/embedded';
import { englishScript, spanishScript } from '../test/fixtures/answers';
import { freePort, startBotProcess, type BotProcess } from '../test/fixtures/process';
import { connections, createRespondent, postActivity, SAVED, SKIP, SUBMIT_YES, type Channel, type Lang, type Respondent, type SentActivity, type TurnReply } from './lib/respondent';

export interface SoakOptions {
  respondents: number;
  /** Server restarts by SIGKILL, spread over the run. */
  restarts: number;
  seed: number;
  /** The longest random pause between two turns of a respondent (ms); a few pauses are 10× longer. */
  maxPauseMs: number;
  /** Share of turns delivered twice (half of them concurrently). */
  duplicateRate: number;
  /** Share of turns preceded by a language switch. */
  switchRate: number;
  /** Share of turns after which the respondent comes back in a new conversation. */
  reconnectRate: number;
  /** Acknowledged answers per respondent over a whole questionnaire, roughly: spreads the restarts. */
  expectedAcksPerRespondent: number;
  log?: (message: string) => void;
}

export interface SoakResult {
  acknowledged: number;
  stored: number;
  lost: number;
  /** Stored, but not the text that was acknowledged (a free-text answer overwritten silently). */
  changed: number;
  submitted: { acknowledged: number; stored: number };
  failures: string[];
  stats: Record<string, number>;
  seconds: number;
}

export const DEFAULTS: SoakOptions = {
  respondents: 200,
  restarts: 2,
  seed: 1,
  maxPauseMs: 200,
  duplicateRate: 0.08,
  switchRate: 0.02,
  reconnectRate: 0.01,
  expectedAcksPerRespondent: 60,
};

const SCRIPTS: Record<Lang, Record<string, string>> = { en: englishScript, es: spanishScript };
const UNLIMITED = { RATE_LIMIT_IP_PER_MINUTE: '0', RATE_LIMIT_CONVERSATION_PER_MINUTE: '0' };

interface Ack {
  key: string;
  itemId: string;
  kind: string;
  text: string;
}

/** Runs the soak in a temporary DATA_DIR and checks the store against every acknowledgement. */
export async function runSoak(partial: Partial<SoakOptions> = {}): Promise<SoakResult> {
  const options = { ...DEFAULTS, ...partial };
  const log = options.log ?? (() => undefined);
  const random = mulberry32(options.seed);
  const dir = mkdtempSync(join(tmpdir(), 'msq-soak-'));
  const port = await freePort();
  const stats: Record<string, number> = { turns: 0, duplicatesSequential: 0, duplicatesConcurrent: 0, duplicatesIgnored: 0, languageSwitches: 0, reconnections: 0, resyncs: 0, retriedAfterKill: 0, restarts: 0 };
  const acks = new Map<string, Ack>();
  const submittedAcks = new Set<string>();
  const failures: string[] = [];
  const started = performance.now();

  let server: BotProcess = await startBotProcess({ dataDir: dir, port, env: UNLIMITED });
  let restarting: Promise<void> | null = null;
  const thresholds = Array.from({ length: options.restarts }, (_, i) => Math.round(((i + 1) / (options.restarts + 1)) * options.respondents * options.expectedAcksPerRespondent));

  /** SIGKILL in the middle of whatever is in flight, then the same store and port again. */
  function maybeRestart() {
    if (restarting || stats.restarts >= thresholds.length || acks.size < thresholds[stats.restarts]) return;
    stats.restarts += 1;
    const n = stats.restarts;
    restarting = (async () => {
      log(`restart ${n}: SIGKILL with ${acks.size} answers acknowledged`);
      await server.kill('SIGKILL');
      server = await startBotProcess({ dataDir: dir, port, env: UNLIMITED });
      log(`restart ${n}: back up`);
    })().finally(() => (restarting = null));
  }

  const agents = new Map<string, ReturnType<typeof connections>>();
  /** Each respondent's own keep-alive connections (a few, so that a duplicate can be delivered concurrently). */
  const agentOf = (sent: SentActivity) => {
    const key = String((sent.from as { id?: string } | undefined)?.id);
    let agent = agents.get(key);
    if (!agent) agents.set(key, (agent = connections()));
    return agent;
  };

  /** Posts until the server answers: a connection cut by a kill is retried with the same activity (same id). */
  async function deliver(sent: SentActivity): Promise<TurnReply> {
    for (let attempt = 1; ; attempt++) {
      try {
        if (restarting) await restarting;
        const reply = await postActivity(server.url, sent, agentOf(sent));
        if (reply.status === 200) return reply;
        throw new Error(`HTTP ${reply.status}: ${reply.text.slice(0, 200)}`);
      } catch (error) {
        if (attempt > 100 || (error instanceof Error && error.message.startsWith('HTTP'))) throw error;
        stats.retriedAfterKill += 1;
        await sleep(Math.min(1000, 50 * attempt));
      }
    }
  }

  /** Sends one activity, sometimes twice (in turn or at once); the replies of the delivery that was processed. */
  async function send(sent: SentActivity): Promise<TurnReply> {
    stats.turns += 1;
    // Messages are processed exactly once; a greeting (conversationUpdate) is answered every time, by design.
    const roll = sent.type === 'message' ? random() : 1;
    if (roll < options.duplicateRate / 2) {
      stats.duplicatesConcurrent += 1;
      const replies = await Promise.all([deliver(sent), deliver(sent)]);
      const ignored = replies.filter((r) => r.activities.length === 0).length;
      stats.duplicatesIgnored += ignored;
      if (ignored === 0) failures.push(`${String(sent.id)}: a message delivered twice at once was processed twice`);
      return replies.find((r) => r.activities.length > 0) ?? replies[0];
    }
    const reply = await deliver(sent);
    if (roll < options.duplicateRate) {
      stats.duplicatesSequential += 1;
      const again = await deliver(sent);
      if (again.activities.length === 0) stats.duplicatesIgnored += 1;
      else failures.push(`${String(sent.id)}: a redelivered message was processed again: ${JSON.stringify(again.text.slice(0, 120))}`);
    }
    return reply;
  }

  async function respondentRun(i: number): Promise<void> {
    const channel: Channel = i % 2 === 0 ? 'msteams' : 'directline';
    let lang: Lang = i % 4 < 2 ? 'en' : 'es';
    const userId = `soak-${options.seed}-${i}`;
    const key = `${channel}:${userId}`;
    // Activities are built here and posted by deliver() (which waits out restarts; the port stays the same).
    const r: Respondent = createRespondent({ botUrl: server.url, userId, channel, locale: lang, serviceUrl: 'http://127.0.0.1:9/' });
    let reply = await send(r.greeting());
    for (let step = 0; step < 600; step++) {
      maybeRestart();
      await pause(random, options.maxPauseMs);
      const prompt = reply.activities.filter((a) => a?.channelData?.msq?.questionId).at(-1)?.channelData.msq;
      if (!prompt) {
        // A redelivery that was ignored (the first delivery was processed before a kill): ask where we are.
        stats.resyncs += 1;
        reply = await send(r.greeting());
        continue;
      }
      const at = String(prompt.questionId);
      if (random() < options.switchRate) {
        lang = lang === 'en' ? 'es' : 'en';
        stats.languageSwitches += 1;
        reply = await send(r.message(lang === 'es' ? 'idioma es' : 'language en'));
        continue;
      }
      if (random() < options.reconnectRate) {
        stats.reconnections += 1;
        r.newConversation(`${channel === 'msteams' ? 'a:' : ''}conv-${userId}-${step}`);
        reply = await send(r.greeting());
        const back = reply.activities.filter((a) => a?.channelData?.msq?.questionId).at(-1)?.channelData.msq.questionId;
        if (back !== undefined && back !== at) failures.push(`${userId}: came back at ${String(back)}, expected ${at}`);
        continue;
      }
      const text = at === 'submit' ? SUBMIT_YES[lang] : (SCRIPTS[lang][at] ?? SKIP[lang]);
      reply = await send(r.message(text));
      if (at === 'submit') {
        if (reply.activities.length > 0 && !reply.questionId) {
          submittedAcks.add(key);
          return;
        }
        continue;
      }
      if (reply.text.includes(SAVED.en) || reply.text.includes(SAVED.es)) acks.set(`${key}\u0000${at}`, { key, itemId: at, kind: String(prompt.kind), text });
    }
    failures.push(`${userId}: did not finish`);
  }

  try {
    await Promise.all(
      Array.from({ length: options.respondents }, (_, i) =>
        respondentRun(i).catch((error: unknown) => {
          failures.push(`soak-${options.seed}-${i}: ${error instanceof Error ? error.message : String(error)}`);
        }),
      ),
    );
    if (restarting) await restarting;
  } finally {
    for (const agent of agents.values()) agent.destroy();
    const exit = await server.kill('SIGTERM');
    if (exit.code !== 0) failures.push(`the server did not stop cleanly: ${JSON.stringify(exit)}`);
  }

  // The store as the survey team would export it, read after the server is gone.
  const store = createEmbeddedStore({ dir });
  let stored = 0;
  let changed = 0;
  let submittedStored = 0;
  try {
    const responses = new Map((await store.listResponses()).map((r) => [r.respondentKey, r]));
    for (const ack of acks.values()) {
      const answer = responses.get(ack.key)?.answers.find((a) => a.itemId === ack.itemId);
      if (!answer) {
        failures.push(`lost: ${ack.key} ${ack.itemId}`);
        continue;
      }
      stored += 1;
      if (ack.kind === 'text' && answer.value !== ack.text) {
        changed += 1;
        failures.push(`changed: ${ack.key} ${ack.itemId}`);
      }
    }
    for (const key of submittedAcks) {
      if (responses.get(key)?.status === 'submitted') submittedStored += 1;
      else failures.push(`submission lost: ${key}`);
    }
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return {
    acknowledged: acks.size,
    stored,
    lost: acks.size - stored,
    changed,
    submitted: { acknowledged: submittedAcks.size, stored: submittedStored },
    failures,
    stats,
    seconds: (performance.now() - started) / 1000,
  };
}

/** Mostly short pauses; one in fifty ten times longer (a respondent who stops to look something up). */
async function pause(random: () => number, maxMs: number): Promise<void> {
  const long = random() < 0.02;
  const ms = random() * maxMs * (long ? 10 : 1);
  if (ms >= 1) await sleep(ms);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A small seeded generator, so that a run can be repeated. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function parseArgs(argv: string[]): Partial<SoakOptions> {
  const options: Partial<SoakOptions> = {};
  const names: Record<string, keyof SoakOptions> = { '--respondents': 'respondents', '--restarts': 'restarts', '--seed': 'seed', '--max-pause': 'maxPauseMs' };
  for (let i = 0; i < argv.length; i++) {
    const name = names[argv[i]];
    const value = Number(argv[i + 1]);
    if (!name || !Number.isInteger(value) || value < 0) throw new Error(`usage: npm run soak -- [--respondents N] [--restarts N] [--seed N] [--max-pause MS]`);
    (options as Record<string, number>)[name] = value;
    i += 1;
  }
  return options;
}

async function main(): Promise<void> {
  const options = { ...DEFAULTS, ...parseArgs(process.argv.slice(2)) };
  const log = (message: string) => console.error(`[soak] ${message}`);
  log(`${options.respondents} respondents, ${options.restarts} restarts by SIGKILL, seed ${options.seed}`);
  const result = await runSoak({ ...options, log });
  log(`${result.seconds.toFixed(0)} s; ${Object.entries(result.stats).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  log(`submitted: acknowledged ${result.submitted.acknowledged}, stored ${result.submitted.stored}`);
  for (const failure of result.failures.slice(0, 50)) log(failure);
  console.log(`acknowledged ${result.acknowledged}, stored ${result.stored}, lost ${result.lost}`);
  if (result.lost > 0 || result.failures.length > 0) process.exit(1);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.stack : error);
    process.exit(1);
  });
}
