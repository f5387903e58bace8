import { z } from 'zod';
import { locales } from '../i18n';

/** An answer as stored: "yes"/"no", an option id, option ids (multi), an ISO alpha-3 code, or text. */
export const answerValueSchema = z.union([z.string(), z.array(z.string())]);
export type AnswerValue = z.infer<typeof answerValueSchema>;

/** Answers are a list, never an object keyed by item id: ids have dots and must not become field paths. */
export const storedAnswerSchema = z.object({ itemId: z.string(), value: answerValueSchema });
export type StoredAnswer = z.infer<typeof storedAnswerSchema>;

/**
 * A previous round's answer as the interview offers it (see src/carryForward): `keepable` answers may be kept as
 * they are with `keep`; `shownOnly` ones are shown for reference and must be answered anew.
 */
export const previousAnswerSchema = z.object({
  itemId: z.string(),
  value: answerValueSchema,
  fit: z.enum(['keepable', 'shownOnly']),
  /** Why a shown-only answer cannot be kept; only `askedAgain` (the item is answered anew every round) is worded apart. */
  reason: z.string().optional(),
});
export type PreviousAnswer = z.infer<typeof previousAnswerSchema>;

/** A country's previous round, as the interview keeps it: the answers it offers, by item of the current edition. */
export const previousRoundSchema = z.object({ country: z.string(), answers: z.array(previousAnswerSchema) });
export type PreviousRound = z.infer<typeof previousRoundSchema>;

/**
 * A follow-up of a thin answer: a link is asked for and there is none (`link`), a detail of a word or two
 * (`detail`), or a link that is not a well-formed web address (`malformed`, with the link as written).
 */
export const probeSchema = z.object({ itemId: z.string(), reason: z.enum(['link', 'detail', 'malformed']), link: z.string().optional() });
export type Probe = z.infer<typeof probeSchema>;

/**
 * The phases of the conversation; the item being asked lives in `current`. `confirmingAnswer`: the bot read a
 * typed answer one way (a country from part of its name) and asks whether that is right before storing it.
 * `revising`: a submitted response of which the survey team flagged items; only those are asked, and answering
 * the last one submits it again.
 */
export const phaseSchema = z.enum(['asking', 'confirmingAnswer', 'confirmingRestart', 'confirmingErase', 'confirmingSubmit', 'submitted', 'revising']);
export type Phase = z.infer<typeof phaseSchema>;

/** An item of a submitted response the survey team asks about: open until it is answered again. */
export const flagSchema = z.object({
  id: z.string().min(1),
  itemId: z.string().min(1),
  comment: z.string(),
  /** ISO date of the flag. */
  at: z.string(),
  /** ISO date of the answer that resolved it, or null while open. */
  resolvedAt: z.string().nullable(),
});
export type Flag = z.infer<typeof flagSchema>;

const stateV1 = z.object({
  schemaVersion: z.literal(1),
  /** The definition the state was saved under; a different one makes the engine re-derive its position. */
  definitionVersion: z.string(),
  locale: z.enum(locales),
  phase: phaseSchema,
  /** The item being asked (asking), or null. */
  current: z.string().nullable(),
  /** The section last announced, so a section is announced once when entered. */
  lastSection: z.string().nullable(),
  answers: z.array(storedAnswerSchema),
  /** Optional items passed over with "skip". */
  skipped: z.array(z.string()),
  /** Required items deferred with "skip", listed before submission. */
  deferred: z.array(z.string()),
  /** After the summary: walking the unanswered required items only. */
  resolving: z.boolean(),
  startedAt: z.string(),
  submittedAt: z.string().nullable(),
  /** Items answered for the respondent when the interview started (e.g. the country of an invitation): kept, never asked or changed. */
  locked: z.array(z.string()).optional(),
  /** Sections walked first (a team's participant's assigned sections). */
  focus: z.array(z.string()).optional(),
  /** confirmingAnswer: the answer as the bot read it, stored only once the respondent says yes. */
  pending: z.object({ itemId: z.string(), value: answerValueSchema }).nullable().optional(),
  /**
   * Going through answers already given, item by item: after `back`, until the first item not yet visited;
   * after `edit`, through the parts of the edited question, then back to where the respondent was.
   */
  revisiting: z
    .discriminatedUnion('by', [z.object({ by: z.literal('back') }), z.object({ by: z.literal('edit'), question: z.string() })])
    .nullable()
    .optional(),
  /** `stop reminders`: no proactive reminders of the deadline (absent: reminded). */
  remindersOff: z.boolean().optional(),
  /** The survey team's questions about items of the submitted response ("the link in q13 returns 404"). */
  flags: z.array(flagSchema).optional(),
  /**
   * The previous round of the respondent's country, as it stood when the country became known (an empty list when
   * none was imported); absent until it was looked up. Kept in the state so the interview offers the same answers
   * all along, and looked up once.
   */
  previous: previousRoundSchema.optional(),
  /** Items whose answer the respondent kept from the previous round (`keep`), until answered anew. */
  carried: z.array(z.string()).optional(),
  /** The follow-up being asked about a thin answer to the current item (see probe.ts); null or absent otherwise. */
  probe: probeSchema.nullable().optional(),
  /** Items whose answer was followed up once already: never again. */
  probed: z.array(z.string()).optional(),
});

/**
 * The engine's persisted state: plain JSON a store can save. Versioned; older versions are upgraded here on
 * read (add a `stateV2` and a transform from `stateV1` when the shape changes).
 */
export const engineStateSchema = stateV1;
export type EngineState = z.infer<typeof engineStateSchema>;

/** Something the fast reading of a state is not sure of: zod decides. */
const UNSURE = Symbol('unsure');
type Read<T> = T | typeof UNSURE;

/**
 * A saved state of the current schema version read without zod: the same result as `engineStateSchema.safeParse`
 * gives for it (the schema's fields only, in the schema's order, objects and lists copied, an optional field that
 * is present but undefined kept so), or undefined for anything it is not sure of (any doubt, any invalid value) —
 * the caller then asks zod, whose answer stands. A state is read on every turn, and zod's general machinery
 * costs more than most of the turn's own work; tests check that both readings agree.
 */
export function readCurrentState(input: unknown): EngineState | undefined {
  if (!isPlainObject(input) || input.schemaVersion !== 1) return undefined;
  const s = input;
  const definitionVersion = s.definitionVersion;
  const locale = s.locale;
  const phase = s.phase;
  const current = s.current;
  const lastSection = s.lastSection;
  const answers = listOf(s.answers, readAnswer);
  const skipped = strings(s.skipped);
  const deferred = strings(s.deferred);
  const resolving = s.resolving;
  const startedAt = s.startedAt;
  const submittedAt = s.submittedAt;
  if (
    typeof definitionVersion !== 'string' ||
    (locale !== 'en' && locale !== 'es') ||
    typeof phase !== 'string' ||
    !PHASES.has(phase) ||
    !isStringOrNull(current) ||
    !isStringOrNull(lastSection) ||
    answers === UNSURE ||
    skipped === UNSURE ||
    deferred === UNSURE ||
    typeof resolving !== 'boolean' ||
    typeof startedAt !== 'string' ||
    !isStringOrNull(submittedAt)
  ) {
    return undefined;
  }
  const state: EngineState = {
    schemaVersion: 1,
    definitionVersion,
    locale,
    phase: phase as Phase,
    current,
    lastSection,
    answers,
    skipped,
    deferred,
    resolving,
    startedAt,
    submittedAt,
  };
  return optional(s, state, 'locked', strings) &&
    optional(s, state, 'focus', strings) &&
    optional(s, state, 'pending', (v) => (v === null ? null : readAnswer(v))) &&
    optional(s, state, 'revisiting', readRevisiting) &&
    optional(s, state, 'remindersOff', (v) => (typeof v === 'boolean' ? v : UNSURE)) &&
    optional(s, state, 'flags', (v) => listOf(v, readFlag)) &&
    optional(s, state, 'previous', readPrevious) &&
    optional(s, state, 'carried', strings) &&
    optional(s, state, 'probe', (v) => (v === null ? null : readProbe(v))) &&
    optional(s, state, 'probed', strings)
    ? state
    : undefined;
}

const PHASES: ReadonlySet<string> = new Set(phaseSchema.options);

/** An object as JSON gives it (zod's own reading decides anything else: arrays, class instances, odd prototypes). */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

const isStringOrNull = (value: unknown): value is string | null => value === null || typeof value === 'string';

/** An optional field: absent stays absent, present but undefined stays so (as zod gives it); false when unsure. */
function optional<K extends keyof EngineState>(from: Record<string, unknown>, to: EngineState, key: K, read: (value: unknown) => Read<EngineState[K]>): boolean {
  if (!(key in from)) return true;
  const value = from[key];
  if (value === undefined) {
    to[key] = undefined as EngineState[K];
    return true;
  }
  const read_ = read(value);
  if (read_ === UNSURE) return false;
  to[key] = read_;
  return true;
}

function listOf<T>(value: unknown, read: (element: unknown) => Read<T>): Read<T[]> {
  if (!Array.isArray(value)) return UNSURE;
  const list: T[] = new Array<T>(value.length);
  for (let at = 0; at < value.length; at++) {
    const element = read(value[at]);
    if (element === UNSURE) return UNSURE;
    list[at] = element;
  }
  return list;
}

function strings(value: unknown): Read<string[]> {
  if (!Array.isArray(value)) return UNSURE;
  for (let at = 0; at < value.length; at++) if (typeof value[at] !== 'string') return UNSURE;
  return (value as string[]).slice();
}

function readValue(value: unknown): Read<AnswerValue> {
  return typeof value === 'string' ? value : strings(value);
}

function readAnswer(value: unknown): Read<StoredAnswer> {
  if (!isPlainObject(value) || typeof value.itemId !== 'string') return UNSURE;
  const answer = readValue(value.value);
  return answer === UNSURE ? UNSURE : { itemId: value.itemId, value: answer };
}

function readRevisiting(value: unknown): Read<EngineState['revisiting']> {
  if (value === null) return null;
  if (!isPlainObject(value)) return UNSURE;
  if (value.by === 'back') return { by: 'back' };
  return value.by === 'edit' && typeof value.question === 'string' ? { by: 'edit', question: value.question } : UNSURE;
}

function readFlag(value: unknown): Read<Flag> {
  if (!isPlainObject(value)) return UNSURE;
  const { id, itemId, comment, at, resolvedAt } = value;
  if (typeof id !== 'string' || id.length < 1 || typeof itemId !== 'string' || itemId.length < 1) return UNSURE;
  if (typeof comment !== 'string' || typeof at !== 'string' || !isStringOrNull(resolvedAt)) return UNSURE;
  return { id, itemId, comment, at, resolvedAt };
}

function readPrevious(value: unknown): Read<PreviousRound> {
  if (!isPlainObject(value) || typeof value.country !== 'string') return UNSURE;
  const answers = listOf(value.answers, readPreviousAnswer);
  return answers === UNSURE ? UNSURE : { country: value.country, answers };
}

function readPreviousAnswer(value: unknown): Read<PreviousAnswer> {
  if (!isPlainObject(value) || typeof value.itemId !== 'string' || (value.fit !== 'keepable' && value.fit !== 'shownOnly')) return UNSURE;
  const answer = readValue(value.value);
  if (answer === UNSURE) return UNSURE;
  const read: PreviousAnswer = { itemId: value.itemId, value: answer, fit: value.fit };
  if (!('reason' in value)) return read;
  if (value.reason !== undefined && typeof value.reason !== 'string') return UNSURE;
  read.reason = value.reason;
  return read;
}

function readProbe(value: unknown): Read<Probe> {
  if (!isPlainObject(value) || typeof value.itemId !== 'string') return UNSURE;
  const { reason } = value;
  if (reason !== 'link' && reason !== 'detail' && reason !== 'malformed') return UNSURE;
  const read: Probe = { itemId: value.itemId, reason };
  if (!('link' in value)) return read;
  if (value.link !== undefined && typeof value.link !== 'string') return UNSURE;
  read.link = value.link;
  return read;
}
