/**
 * `npm run bench:engine -- [--rounds 15] [--baseline <git ref>] [--profile] [--only <variant>]`
 *
 * The interview engine and the rendering alone, in one process, without HTTP or a store: whole questionnaires
 * (English and Spanish; rendered for Teams, Direct Line and plain text) turn by turn, as the bot does a turn —
 * `load` the saved state, `handle` the message, `describe` the question just answered, render the replies for
 * the channel. Every turn is timed; heap allocation is measured from V8's GC statistics.
 *
 * Variants, interleaved round by round in the same run so that the machine's noise hits them alike:
 * - `engine`: one `createInterview` for the process, as the bot does it;
 * - `cold engine`: `createInterview` on every turn (nothing that does not change between turns is reused);
 * - `baseline <ref>` (with --baseline): the engine of another commit, extracted with `git archive` into a
 *   temporary folder and loaded beside this one; its outputs must be the same as this engine's, turn by turn.
 * --profile adds a CPU profile (node:inspector) of each variant and its self time per module.
 */
import { execSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { Session } from 'node:inspector';
import { cpus, tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { performance } from 'node:perf_hooks';
import { GCProfiler } from 'node:v8';
import type { Definition } from '../dialogs';
import type { Locale } from '../src/i18n';
import type { Interview } from '../src/interview/engine';
import type { EngineState } from '../src/interview/state';
import { englishScript, spanishScript } from '../test/fixtures/answers';
import { percentiles } from './lib/respondent';

const ROOT = join(__dirname, '..');
const SCRIPTS: Record<Locale, Record<string, string>> = { en: englishScript, es: spanishScript };
const SKIP: Record<Locale, string> = { en: 'skip', es: 'omitir' };
const YES: Record<Locale, string> = { en: 'yes', es: 'sí' };
/** Teams cards, Web Chat suggested actions and cards, and plain text (any other channel id). */
const CHANNELS = ['msteams', 'directline', 'test'] as const;
const NOW = new Date('2026-11-28T10:00:00Z');
/** Passes of the workload profiled per variant (--profile), apart from the timed rounds. */
const PROFILE_PASSES = 10;

/** The modules of one checkout that a turn goes through, and its definition and wording, built once. */
interface Kit {
  root: string;
  createInterview: (def: Definition, i18n: import('i18next').i18n) => Interview;
  currentPromptId: (state: EngineState) => string | null;
  translatorFor: typeof import('../src/i18n').translatorFor;
  renderReplies: typeof import('../src/channels').renderReplies;
  answeredCard: typeof import('../src/channels').answeredCard;
  definition: Definition;
  i18n: import('i18next').i18n;
}

interface Variant {
  name: string;
  kit: Kit;
  /** The engine a turn uses. */
  interview: () => Interview;
}

interface Sample {
  turns: number;
  micros: number[];
  allocated: number;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const kit = await loadKit(ROOT);
  const shared = kit.createInterview(kit.definition, kit.i18n);
  let variants: Variant[] = [
    { name: 'engine', kit, interview: () => shared },
    { name: 'cold engine', kit, interview: () => kit.createInterview(kit.definition, kit.i18n) },
  ];
  const extracted = args.baseline ? extract(args.baseline) : null;
  try {
    if (extracted && args.baseline) {
      const base = await loadKit(extracted);
      const engine = base.createInterview(base.definition, base.i18n);
      variants.push({ name: `baseline ${args.baseline}`, kit: base, interview: () => engine });
    }
    if (args.only) variants = variants.filter((v) => v.name === args.only || v.name.startsWith(`${args.only} `));
    if (variants.length === 0) throw new Error(`no variant named "${args.only}"`);
    log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, node ${process.version}; ${args.rounds} rounds (+1 warm-up) of ${CHANNELS.length * 2} questionnaires per variant`);

    // Warm-up, and the check that every variant says and stores exactly the same, turn by turn.
    const outputs = variants.map((v) => {
      const trace: string[] = [];
      runAll(v, (turn) => trace.push(turn));
      return trace;
    });
    const differing = variants.filter((_, i) => outputs[i].join('\n') !== outputs[0].join('\n')).map((v) => v.name);
    log(differing.length ? `outputs DIFFER from ${variants[0].name}'s: ${differing.join(', ')}` : `outputs identical across variants (${outputs[0].length} turns each)`);

    const samples = new Map<string, Sample[]>(variants.map((v) => [v.name, []]));
    for (let round = 0; round < args.rounds; round++) {
      // A different order each round, so that no variant always runs right after another's garbage.
      const order = variants.map((_, i) => variants[(i + round) % variants.length]);
      for (const v of order) samples.get(v.name)?.push(measure(v));
    }
    printResults(variants, samples);
    if (args.profile) for (const v of variants) printProfile(v, profile(v, PROFILE_PASSES));
    if (differing.length) process.exitCode = 1;
  } finally {
    if (extracted) rmSync(extracted, { recursive: true, force: true });
  }
}

/** Every questionnaire of the workload once; `onTurn` receives a fingerprint of each turn's output. */
function runAll(v: Variant, onTurn: (fingerprint: string) => void = () => undefined, onTime: (micros: number) => void = () => undefined): number {
  let turns = 0;
  for (const locale of ['en', 'es'] as const) for (const channel of CHANNELS) turns += questionnaire(v, locale, channel, onTurn, onTime);
  return turns;
}

/**
 * One respondent from the greeting to the submission, answering from the test scripts and skipping the rest
 * (as `npm run bench` does over HTTP). A turn is what the session service and the bot do with the engine.
 */
function questionnaire(v: Variant, locale: Locale, channel: string, onTurn: (fingerprint: string) => void, onTime: (micros: number) => void): number {
  const { kit } = v;
  let started = performance.now();
  const first = v.interview().start(locale, NOW);
  const firstActivities = render(kit, channel, first.state.locale, first.replies);
  onTime((performance.now() - started) * 1000);
  onTurn(JSON.stringify([first.state, firstActivities]));
  let state: EngineState = first.state;
  let at = questionIdOf(firstActivities);
  let turns = 1;
  for (; turns < 400 && at; turns++) {
    const text = at === 'submit' ? YES[locale] : (SCRIPTS[locale][at] ?? SKIP[locale]);
    started = performance.now();
    const interview = v.interview();
    const loaded = interview.load(state);
    if (!loaded) throw new Error(`${v.name}: a saved state did not load`);
    const turn = interview.handle(loaded, { text }, NOW);
    const promptId = kit.currentPromptId(loaded);
    const isAnswered = promptId !== null && (turn.changes.some((c) => c.itemId === promptId) || (promptId === 'submit' && turn.state.phase === 'submitted'));
    const answered = isAnswered && promptId ? interview.describe(turn.state, promptId) : null;
    const activities = render(kit, channel, turn.state.locale, turn.replies);
    const updated = answered && channel === 'msteams' ? kit.answeredCard(answered.question, answered.answer, words(kit, turn.state.locale)) : null;
    onTime((performance.now() - started) * 1000);
    onTurn(JSON.stringify([turn.state, turn.changes, turn.effects, answered, activities, updated]));
    state = turn.state;
    at = at === 'submit' ? undefined : questionIdOf(activities);
  }
  if (state.phase !== 'submitted') throw new Error(`${v.name}: the ${locale} questionnaire on ${channel} did not end submitted`);
  return turns;
}

/** The activities the bot sends for a turn's replies (`MsqBot.turn`). */
function render(kit: Kit, channel: string, locale: Locale, replies: Parameters<Kit['renderReplies']>[1]) {
  return kit.renderReplies(channel, replies, words(kit, locale));
}

function words(kit: Kit, locale: Locale) {
  const t = kit.translatorFor(kit.i18n, locale);
  return { send: t('card.send'), answered: t('card.answered') };
}

const questionIdOf = (activities: ReturnType<Kit['renderReplies']>): string | undefined => {
  const msq = activities.at(-1)?.channelData?.msq as { questionId?: string } | undefined;
  return msq?.questionId;
};

/** One timed pass of the workload, with the bytes allocated meanwhile (heap growth plus what GC freed). */
function measure(v: Variant): Sample {
  const micros: number[] = [];
  const gc = new GCProfiler();
  const before = process.memoryUsage().heapUsed;
  gc.start();
  const turns = runAll(v, undefined, (t) => micros.push(t));
  const after = process.memoryUsage().heapUsed;
  const stats = gc.stop()?.statistics ?? [];
  const freed = stats.reduce((sum, s) => sum + s.beforeGC.heapStatistics.usedHeapSize - s.afterGC.heapStatistics.usedHeapSize, 0);
  return { turns, micros, allocated: after - before + freed };
}

function printResults(variants: Variant[], samples: Map<string, Sample[]>): void {
  const rows = variants.map((v) => {
    const list = samples.get(v.name) ?? [];
    const perRound = list.map((s) => s.micros.reduce((a, b) => a + b, 0) / s.turns);
    const all = list.flatMap((s) => s.micros);
    const turns = list.reduce((sum, s) => sum + s.turns, 0);
    const micros = median(perRound);
    const { p50, p99 } = percentiles(all);
    const kb = list.reduce((sum, s) => sum + s.allocated, 0) / turns / 1024;
    return { name: v.name, turns, micros, p50, p99, kb };
  });
  console.log('\n| variant | turns | µs per turn (median of rounds) | turns/s | p50 | p99 | heap allocated per turn |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of rows) {
    console.log(`| ${r.name} | ${r.turns} | ${r.micros.toFixed(0)} µs | ${(1e6 / r.micros).toFixed(0)} | ${r.p50.toFixed(0)} µs | ${r.p99.toFixed(0)} µs | ${r.kb.toFixed(0)} KB |`);
  }
  const [engine, ...others] = rows;
  if (engine && others.length) {
    console.log('');
    for (const o of others) {
      console.log(
        `${engine.name} against ${o.name}: ${(o.micros / engine.micros).toFixed(2)}× the turns per second, p99 ${(engine.p99 / o.p99).toFixed(2)}×, ` +
          `allocation ${(engine.kb / o.kb).toFixed(2)}×`,
      );
    }
  }
}

/** CPU self time per module over a few passes of the workload (sampled every 100 µs by V8's profiler). */
function profile(v: Variant, passes: number): { time: Map<string, number>; turns: number } {
  const session = new Session();
  session.connect();
  // A session in the same thread is answered synchronously: each step is done before the next line runs.
  const post = (method: string, params?: object): unknown => {
    let answer: { error: Error | null; result?: unknown } | undefined;
    session.post(method, params, (error, result) => (answer = { error, result }));
    if (!answer) throw new Error(`the inspector did not answer ${method} synchronously`);
    if (answer.error) throw answer.error;
    return answer.result;
  };
  try {
    post('Profiler.enable');
    post('Profiler.setSamplingInterval', { interval: 100 });
    post('Profiler.start');
    let turns = 0;
    for (let i = 0; i < passes; i++) turns += runAll(v);
    const { profile } = post('Profiler.stop') as { profile: CpuProfile };
    return { time: selfTimeByModule(profile, v.kit.root), turns };
  } finally {
    session.disconnect();
  }
}

interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { url: string; functionName: string }; children?: number[] }>;
  samples: number[];
  timeDeltas: number[];
}

/**
 * Sampled self time per module: a file of src/ or dialogs/, a package of node_modules, node itself, GC. Time
 * in V8's built-ins (a regular expression, JSON, Array.prototype.filter) counts for the module that called them.
 */
function selfTimeByModule(profile: CpuProfile, root: string): Map<string, number> {
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const moduleOf = (id: number): string => {
    const frame = byId.get(id)?.callFrame;
    if (!frame) return '(unknown)';
    if (frame.url) return moduleName(frame.url, root);
    if (frame.functionName === '(garbage collector)') return 'garbage collection';
    if (frame.functionName.startsWith('(')) return frame.functionName;
    // The inspector's own work (serialising the profile when it stops), not the workload's.
    if (frame.functionName === 'dispatch') return '(profiler)';
    const parent = parentOf.get(id);
    return parent === undefined ? 'V8 built-ins' : moduleOf(parent);
  };
  const time = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const name = moduleOf(id);
    time.set(name, (time.get(name) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  for (const ignored of ['(idle)', '(program)', '(root)', '(profiler)', 'bench-engine']) time.delete(ignored);
  return time;
}

function moduleName(url: string, root: string): string {
  const path = url.replace(/^file:\/\//, '');
  const packageAt = path.lastIndexOf(`node_modules${sep}`);
  if (packageAt >= 0) {
    const [scope, name] = path.slice(packageAt + `node_modules${sep}`.length).split(sep);
    return scope.startsWith('@') ? `${scope}/${name}` : scope;
  }
  if (path.endsWith(`scripts${sep}bench-engine.ts`)) return 'bench-engine';
  const inRoot = relative(root, path);
  return path.startsWith('/') && !inRoot.startsWith('..') ? inRoot : 'node internals';
}

function printProfile(v: Variant, { time, turns }: { time: Map<string, number>; turns: number }): void {
  const total = [...time.values()].reduce((a, b) => a + b, 0);
  console.log(`\nCPU profile, ${v.name} (self time per module, ${(total / 1000).toFixed(0)} ms sampled over ${turns} turns, ${(total / turns).toFixed(0)} µs per turn):\n`);
  console.log('| share | µs per turn | module |');
  console.log('| ---: | ---: | --- |');
  for (const [name, micros] of [...time].sort((a, b) => b[1] - a[1]).filter(([, m]) => m / total >= 0.01)) {
    console.log(`| ${((100 * micros) / total).toFixed(1)}% | ${(micros / turns).toFixed(1)} | ${name} |`);
  }
}

/** The engine's checkout at a git ref, in a temporary folder that resolves packages from this one's node_modules. */
function extract(ref: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'msq-engine-baseline-'));
  execSync(`git archive --format=tar ${JSON.stringify(ref)} src dialogs locales | tar -x -C ${JSON.stringify(dir)}`, { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return dir;
}

async function loadKit(root: string): Promise<Kit> {
  const dialogs = (await import(join(root, 'dialogs'))) as typeof import('../dialogs');
  const i18nModule = (await import(join(root, 'src/i18n'))) as typeof import('../src/i18n');
  const engine = (await import(join(root, 'src/interview/engine'))) as typeof import('../src/interview/engine');
  const channels = (await import(join(root, 'src/channels'))) as typeof import('../src/channels');
  return {
    root,
    createInterview: engine.createInterview,
    currentPromptId: engine.currentPromptId,
    translatorFor: i18nModule.translatorFor,
    renderReplies: channels.renderReplies,
    answeredCard: channels.answeredCard,
    definition: dialogs.loadDefinition(),
    i18n: i18nModule.createI18n(),
  };
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

function parseArgs(argv: string[]): { rounds: number; baseline?: string; profile: boolean; only?: string } {
  const value = (name: string) => {
    const at = argv.indexOf(`--${name}`);
    return at >= 0 ? argv[at + 1] : undefined;
  };
  const rounds = Number(value('rounds') ?? 15);
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error('--rounds must be a positive integer');
  return { rounds, baseline: value('baseline'), profile: argv.includes('--profile'), only: value('only') };
}

const log = (message: string) => console.log(`[bench:engine] ${message}`);

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
