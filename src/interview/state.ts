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
});

/**
 * The engine's persisted state: plain JSON a store can save. Versioned; older versions are upgraded here on
 * read (add a `stateV2` and a transform from `stateV1` when the shape changes).
 */
export const engineStateSchema = stateV1;
export type EngineState = z.infer<typeof engineStateSchema>;
