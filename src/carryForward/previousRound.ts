/**
 * A previous round's answers: as read back from one of the bot's own exports (PreviousResponse, in the edition
 * it was answered in), and mapped to the current edition with what may be kept (PreviousAnswers).
 */
import { z } from 'zod';
import { editionIdSchema } from '../../dialogs/editions/schema';
import { answerValueSchema, responseStatusSchema, storedAnswerSchema } from '../store/port';

/** An ISO 3166 alpha-3 code. */
export const countryCodeSchema = z.string().regex(/^[A-Z]{3}$/);

/** The respondent block of a previous response; null where it was not answered. */
export const previousRespondentSchema = z.object({
  name: z.string().nullable(),
  title: z.string().nullable(),
  organization: z.string().nullable(),
  email: z.string().nullable(),
});

/** One response of a previous round, as its export holds it, in the edition it was answered in. */
export const previousResponseSchema = z.object({
  /** The response's id in the export (`response_id`), when it has one. */
  responseId: z.string().optional(),
  country: countryCodeSchema,
  edition: editionIdSchema,
  status: responseStatusSchema.optional(),
  submittedAt: z.iso.datetime().nullable().optional(),
  updatedAt: z.iso.datetime().optional(),
  respondent: previousRespondentSchema.optional(),
  /** The answers by item id of `edition`, in questionnaire order; multi-choices as arrays of option ids. */
  answers: z.array(storedAnswerSchema),
});
/** One response of a previous round, as its export holds it. */
export type PreviousResponse = z.infer<typeof previousResponseSchema>;

/** Why a previous answer is shown but not offered for keeping. */
export const shownOnlyReasonSchema = z.enum([
  /** The item was split into several: the old answer belongs to none of them alone. */
  'split',
  /** The item asks for another kind of answer now (e.g. text → yes/no). */
  'kindChanged',
  /** An option of the answer is no longer offered. */
  'optionGone',
  /** The answer does not fit the item as it is (an invalid e-mail, an unknown country, too long). */
  'invalid',
  /** Asked anew in every round (the country, the consent). */
  'askedAgain',
]);
export type ShownOnlyReason = z.infer<typeof shownOnlyReasonSchema>;

/** A previous answer placed on an item of the current edition. */
export const previousAnswerSchema = z.object({
  /** The item of the current edition. */
  itemId: z.string(),
  /** The answer in the current edition's terms (renamed option ids); as it was when it cannot be kept. */
  value: answerValueSchema,
  /** "keepable": it still fits the item, the respondent may keep it as is; "shownOnly": shown for reference. */
  fit: z.enum(['keepable', 'shownOnly']),
  reason: shownOnlyReasonSchema.optional(),
  /** The answer as given in the previous round: its item id and value in that edition. */
  previous: z.object({ itemId: z.string(), value: answerValueSchema }),
});
export type PreviousAnswer = z.infer<typeof previousAnswerSchema>;

/** A previous answer that has no place in the current edition. */
export const droppedAnswerSchema = z.object({
  itemId: z.string(),
  value: answerValueSchema,
  /** "removed": the edition map removes the item; "unknown": not an item of the previous edition. */
  reason: z.enum(['removed', 'unknown']),
});
export type DroppedAnswer = z.infer<typeof droppedAnswerSchema>;

/** A country's previous round, mapped to the current edition: what the interview offers to keep or shows. */
export const previousAnswersSchema = z.object({
  country: countryCodeSchema,
  /** The edition the previous round was answered in, and the edition it was mapped to. */
  fromEdition: editionIdSchema,
  edition: editionIdSchema,
  /** The current definition's version (its hash) when it was mapped: a changed definition can map again from `previous`. */
  definitionVersion: z.string(),
  responseId: z.string().nullable(),
  submittedAt: z.iso.datetime().nullable(),
  respondent: previousRespondentSchema.nullable(),
  /** In the current edition's order; a split item gives one entry per new item. */
  answers: z.array(previousAnswerSchema),
  dropped: z.array(droppedAnswerSchema),
  importedAt: z.iso.datetime(),
});
/** A country's previous round, mapped to the current edition. */
export type PreviousAnswers = z.infer<typeof previousAnswersSchema>;
