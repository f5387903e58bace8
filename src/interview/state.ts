import { z } from 'zod';
import { locales } from '../i18n';

/** An answer as stored: "yes"/"no", an option id, option ids (multi), an ISO alpha-3 code, or text. */
export const answerValueSchema = z.union([z.string(), z.array(z.string())]);
export type AnswerValue = z.infer<typeof answerValueSchema>;

/** Answers are a list, never an object keyed by item id: ids have dots and must not become field paths. */
export const storedAnswerSchema = z.object({ itemId: z.string(), value: answerValueSchema });
export type StoredAnswer = z.infer<typeof storedAnswerSchema>;

/**
 * The phases of the conversation; the item being asked lives in `current`. `confirmingAnswer`: the bot read a
 * typed answer one way (a country from part of its name) and asks whether that is right before storing it.
 */
export const phaseSchema = z.enum(['asking', 'confirmingAnswer', 'confirmingRestart', 'confirmingErase', 'confirmingSubmit', 'submitted']);
export type Phase = z.infer<typeof phaseSchema>;

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
});

/**
 * The engine's persisted state: plain JSON a store can save. Versioned; older versions are upgraded here on
 * read (add a `stateV2` and a transform from `stateV1` when the shape changes).
 */
export const engineStateSchema = stateV1;
export type EngineState = z.infer<typeof engineStateSchema>;
