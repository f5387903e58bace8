/**
 * `npm run soak -- [--respondents 200] [--restarts 2] [--seed 1] [--max-pause 200] [--mongodb]`
 *
 * Many respondents complete the whole questionnaire at once over HTTP (`/api/messages`, expectReplies) against
 * the bot as a child process on a file-backed DATA_DIR, with random pauses, duplicate deliveries (the same
 * activity posted twice, one after the other or concurrently), language switches (`idioma es` / `language en`),
 * returns in a new conversation, and server restarts by SIGKILL along the way (a request cut off by the kill
 * is retried with the same activity id, as a channel does). Each respondent remembers which question it answered
 * with which text, and which answers the bot acknowledged ("Saved." / "Guardado."); at the end the server is
 * stopped, the survey team's export (`npm run export -- --format json`, on the same DATA_DIR) is read, and every
 * respondent's answers are compared with what they said, item by item. It prints
 * "acknowledged N, stored N, misplaced 0, lost 0": lost = an acknowledged answer missing; misplaced = a stored
 * answer that is not what the respondent said to that question (e.g. an answer stored under the next question).
 * Exit code 1 when either is not 0. With --mongodb the bot and the export use MongoDB instead: MONGODB_URI's server
 * (a database of the soak's own, dropped afterwards), or FerretDB started for the run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadDefinition, type Definition } from '../dialogs';
import type { AdminResponse } from '../src/admin/view';
import { createI18n } from '../src/i18n';
import { createStore, type Store } from '../src/store';
import { parseAnswer } from '../src/interview/parse/answer';
import type { AnswerValue } from '../src/store/port';
import { englishScript, spanishScript } from '../test/fixtures/answers';
import { main as exportMain } from './export';
import { freePort, startBotProcess, type BotProcess } from '../test/fixtures/process';
import { startFerretDb } from './lib/ferretdb';
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
  /** Where the bot keeps its answers; default: the embedded store in a new temporary DATA_DIR. */
  storage?: SoakStorage;
}

/** A store for the soak: the environment the bot process and the export read, and a store on it for the check. */
export interface SoakStorage {
  env: Record<string, string>;
  open(): Store;
}

export interface SoakResult {
  acknowledged: number;
  /** Acknowledged answers found in the export as they were given. */
  stored: number;
  lost: number;
  /** Answers in the export that are not what the respondent said to that question. */
  misplaced: number;
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

/** What one respondent said: the last text sent to each question, and the questions whose answer was acknowledged. */
interface Said {
  texts: Map<string, string>;
  acknowledged: Set<string>;
}

/** Runs the soak in a temporary DATA_DIR and checks the store against every acknowledgement. */
export async function runSoak(partial: Partial<SoakOptions> = {}): Promise<SoakResult> {
  const options = { ...DEFAULTS, ...partial };
  const log = options.log ?? (() => undefined);
  const random = mulberry32(options.seed);
  const dir = mkdtempSync(join(tmpdir(), 'msq-soak-'));
  const storage: SoakStorage = options.storage ?? { env: { DATA_DIR: dir, MONGODB_URI: '', MONGODB_DB: '' }, open: () => createStore({ dataDir: dir }) };
  const port = await freePort();
  const stats: Record<string, number> = { turns: 0, duplicatesSequential: 0, duplicatesConcurrent: 0, duplicatesIgnored: 0, languageSwitches: 0, reconnections: 0, resyncs: 0, retriedAfterKill: 0, restarts: 0 };
  const said = new Map<string, Said>();
  const acknowledgedCount = () => [...said.values()].reduce((n, s) => n + s.acknowledged.size, 0);
  const submittedAcks = new Set<string>();
  const failures: string[] = [];
  const started = performance.now();

  let server: BotProcess = await startBotProcess({ port, env: { ...UNLIMITED, ...storage.env } });
  let restarting: Promise<void> | null = null;
  const thresholds = Array.from({ length: options.restarts }, (_, i) => Math.round(((i + 1) / (options.restarts + 1)) * options.respondents * options.expectedAcksPerRespondent));

  /** SIGKILL in the middle of whatever is in flight, then the same store and port again. */
  function maybeRestart() {
    if (restarting || stats.restarts >= thresholds.length || acknowledgedCount() < thresholds[stats.restarts]) return;
    stats.restarts += 1;
    const n = stats.restarts;
    restarting = (async () => {
      log(`restart ${n}: SIGKILL with ${acknowledgedCount()} answers acknowledged`);
      await server.kill('SIGKILL');
      server = await startBotProcess({ port, env: { ...UNLIMITED, ...storage.env } });
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
    const mine: Said = { texts: new Map(), acknowledged: new Set() };
    said.set(key, mine);
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
      if (at !== 'submit') mine.texts.set(at, text);
      reply = await send(r.message(text));
      if (at === 'submit') {
        if (reply.activities.length > 0 && !reply.questionId) {
          submittedAcks.add(key);
          return;
        }
        continue;
      }
      if (reply.text.includes(SAVED.en) || reply.text.includes(SAVED.es)) mine.acknowledged.add(at);
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

  // The survey team's export, read after the server is gone, against what every respondent said.
  const exported = await exportedAnswers(storage);
  rmSync(dir, { recursive: true, force: true });
  const expectationsOf = expectations();
  let stored = 0;
  let lost = 0;
  let misplaced = 0;
  let acknowledged = 0;
  let submittedStored = 0;
  for (const [key, { texts, acknowledged: acked }] of said) {
    const response = exported.get(key);
    const answers = response?.answers ?? {};
    const expected = expectationsOf(texts);
    acknowledged += acked.size;
    for (const itemId of acked) {
      if (answers[itemId] === undefined) {
        lost += 1;
        failures.push(`lost: ${key} ${itemId}`);
      } else if (sameValue(answers[itemId], expected.get(itemId))) stored += 1;
    }
    // Every answer stored must be what the respondent said to that very question.
    for (const [itemId, value] of Object.entries(answers)) {
      if (!sameValue(value, expected.get(itemId))) {
        misplaced += 1;
        failures.push(`misplaced: ${key} ${itemId} = ${JSON.stringify(value).slice(0, 80)}, said ${JSON.stringify(texts.get(itemId) ?? null)?.slice(0, 80)}`);
      }
    }
  }
  for (const key of submittedAcks) {
    if (exported.get(key)?.status === 'submitted') submittedStored += 1;
    else failures.push(`submission lost: ${key}`);
  }
  return {
    acknowledged,
    stored,
    lost,
    misplaced,
    submitted: { acknowledged: submittedAcks.size, stored: submittedStored },
    failures,
    stats,
    seconds: (performance.now() - started) / 1000,
  };
}

/** The export of every response (`npm run export -- --format json`), by respondent (the export has no respondent keys: the store tells whose each response is). */
async function exportedAnswers(storage: SoakStorage): Promise<Map<string, AdminResponse>> {
  let json = '';
  const code = await exportMain(['--format', 'json'], { stdout: (data) => (json += data), stderr: () => undefined }, { MONGODB_URI: '', ...storage.env });
  if (code !== 0) throw new Error(`the export failed with exit code ${code}`);
  const store = storage.open();
  try {
    const keyOf = new Map((await store.listResponses()).map((r) => [r.id, r.respondentKey]));
    return new Map((JSON.parse(json) as AdminResponse[]).map((r) => [keyOf.get(r.id) ?? r.id, r]));
  } finally {
    await store.close();
  }
}

/**
 * What must be stored, item by item, for what a respondent said to each question: what the bot's parser makes of
 * the text (an option id, an ISO code, "yes"…) and, for "Yes — <detail>", the detail in the follow-up it fills;
 * nothing for a skip or a text that is not an answer; nothing for a question the respondent never answered.
 */
function expectations(): (texts: Map<string, string>) => Map<string, AnswerValue> {
  const def: Definition = loadDefinition();
  const i18n = createI18n();
  const labels = (itemId: string) => (optionId: string) => (['en', 'es'] as const).map((lng) => i18n.getFixedT(lng)(`questionnaire:option.${itemId}.${optionId}`));
  return (texts) => {
    const expected = new Map<string, AnswerValue>();
    const inline = new Map<string, AnswerValue>();
    for (const [itemId, text] of texts) {
      const item = def.byId.get(itemId);
      if (!item || text === SKIP.en || text === SKIP.es) continue;
      const parsed = parseAnswer(item, text, labels(itemId));
      if (!parsed.ok) continue;
      expected.set(itemId, parsed.value);
      // The text after a yes or no goes to the follow-up (when it applies: the export lists only the items that do).
      if (parsed.rest && item.inlineDetail) inline.set(item.inlineDetail, parsed.rest);
    }
    // A follow-up answered inline is not asked; one answered on its own keeps its own text.
    for (const [itemId, value] of inline) if (!expected.has(itemId)) expected.set(itemId, value);
    return expected;
  };
}

const sameValue = (a: AnswerValue | undefined, b: AnswerValue | undefined) => JSON.stringify(a) === JSON.stringify(b);

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

function parseArgs(argv: string[]): Partial<SoakOptions> & { mongodb?: boolean } {
  const options: Partial<SoakOptions> & { mongodb?: boolean } = {};
  const names: Record<string, keyof SoakOptions> = { '--respondents': 'respondents', '--restarts': 'restarts', '--seed': 'seed', '--max-pause': 'maxPauseMs' };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--mongodb') {
      options.mongodb = true;
      continue;
    }
    const name = names[argv[i]];
    const value = Number(argv[i + 1]);
    if (!name || !Number.isInteger(value) || value < 0) throw new Error(`usage: npm run soak -- [--respondents N] [--restarts N] [--seed N] [--max-pause MS] [--mongodb]`);
    (options as Record<string, number>)[name] = value;
    i += 1;
  }
  return options;
}

async function main(): Promise<void> {
  const { mongodb, ...parsed } = parseArgs(process.argv.slice(2));
  const options = { ...DEFAULTS, ...parsed };
  const log = (message: string) => console.error(`[soak] ${message}`);
  const ferret = mongodb && !process.env.MONGODB_URI ? await startFerretDb() : null;
  const uri = mongodb ? (process.env.MONGODB_URI ?? ferret!.uri) : null;
  const dbName = `msq_soak_${Date.now()}`;
  const storage: SoakStorage | undefined = uri ? { env: { MONGODB_URI: uri, MONGODB_DB: dbName }, open: () => createStore({ mongodbUri: uri, mongodbDb: dbName, dataDir: null }) } : undefined;
  log(`${options.respondents} respondents, ${options.restarts} restarts by SIGKILL, seed ${options.seed}, store: ${ferret ? 'FerretDB' : uri ? 'MONGODB_URI' : 'embedded'}`);
  const result = await runSoak({ ...options, log, storage }).finally(async () => {
    if (uri && !ferret) await dropDatabase(uri, dbName);
    await ferret?.stop();
  });
  log(`${result.seconds.toFixed(0)} s; ${Object.entries(result.stats).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  log(`submitted: acknowledged ${result.submitted.acknowledged}, stored ${result.submitted.stored}`);
  for (const failure of result.failures.slice(0, 50)) log(failure);
  console.log(`acknowledged ${result.acknowledged}, stored ${result.stored}, misplaced ${result.misplaced}, lost ${result.lost}`);
  if (result.lost > 0 || result.misplaced > 0 || result.failures.length > 0) process.exit(1);
}

async function dropDatabase(uri: string, dbName: string): Promise<void> {
  const { MongoClient } = await import('mongodb');
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 5000 });
  try {
    await client.db(dbName).dropDatabase();
  } finally {
    await client.close();
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.stack : error);
    process.exit(1);
  });
}
