import { z } from 'zod';

/** An edition of the questionnaire: the definition's id ("msq-2022"); never "--", which separates a map's file name. */
export const editionIdSchema = z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'an edition id is lower-case words joined by single hyphens, e.g. msq-2022');

/**
 * How the items of one edition became those of the next, for carrying answers forward (file
 * `dialogs/editions/<from>--<to>.json`). An item of `from` not listed here keeps its id; an item of `from` that is
 * not in `to` must be renamed, split or removed (checkEditionMap says which ones are missing).
 */
export const editionMapSchema = z
  .object({
    /** JSON has no comments: a note for the people who edit the file. */
    $comment: z.string().optional(),
    from: editionIdSchema,
    to: editionIdSchema,
    /** Old item id → new item id: the same question under another id; its answer carries over. */
    renamed: z.record(z.string().min(1), z.string().min(1)).default({}),
    /** Old item id → the new items it became: its answer is shown with each of them, never kept for them. */
    split: z.record(z.string().min(1), z.array(z.string().min(1)).min(2)).default({}),
    /** Old item ids with no successor: their answers are not carried. */
    removed: z.array(z.string().min(1)).default([]),
    /**
     * Choice and multi-choice items (by their id in `from`): old option id → new option id, or null for an option
     * that is gone. An option not listed keeps its id.
     */
    options: z.record(z.string().min(1), z.record(z.string().min(1), z.string().min(1).nullable())).default({}),
  })
  .strict();
/** A map between two editions, validated (see editionMapSchema). */
export type EditionMap = z.infer<typeof editionMapSchema>;
