import { z } from 'zod';

/** The kinds of item the MSQ has. `country` is a UN Member State, stored as its ISO 3166 alpha-3 code. */
export const itemKindSchema = z.enum(['text', 'email', 'yesno', 'choice', 'multi', 'country']);
export type ItemKind = z.infer<typeof itemKindSchema>;

/** Where a follow-up depends on an earlier answer: a yes/no or choice `equals` a value, a multi `includes` one. */
export const conditionSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('equals'), item: z.string(), value: z.string() }),
  z.object({ op: z.literal('includes'), item: z.string(), value: z.string() }),
]);
export type Condition = z.infer<typeof conditionSchema>;

const itemIdSchema = z.string().regex(/^[a-z][A-Za-z0-9]*(\.[A-Za-z0-9]+)*$/, 'ids are dotted words, e.g. q4.cio.name');

export const itemSchema = z
  .object({
    id: itemIdSchema,
    kind: itemKindSchema,
    required: z.boolean(),
    /** The question number of the printed MSQ ("17" for q17 and its follow-ups); none in the respondent block. */
    number: z.string().regex(/^\d+$/).optional(),
    /** Option ids, in order (choice and multi only); labels live in the locales. */
    options: z.array(z.string().regex(/^[a-z0-9]+$/)).min(2).optional(),
    /** Ask this item only when the condition holds. */
    when: conditionSchema.optional(),
    /**
     * yes/no only: the text item that takes what follows the yes or no typed in the same answer ("Yes — Law
     * 5282"), when that item is asked after such an answer.
     */
    inlineDetail: itemIdSchema.optional(),
    /** A subheading of the printed questionnaire stands before this item (locale key `item.<id>.heading`). */
    heading: z.literal(true).optional(),
    /** text only: the question asks for a link; an answer without one gets one friendly follow-up (a probe). */
    asksForLink: z.literal(true).optional(),
    /** text only: the question asks for detail; an answer of a word or two (links aside) gets one probe. */
    asksForDetail: z.literal(true).optional(),
  })
  .strict();
export type Item = z.infer<typeof itemSchema>;

export const sectionIdSchema = z.enum(['respondent', 'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H']);
export type SectionId = z.infer<typeof sectionIdSchema>;

/**
 * Items that are optional one by one but required together: at least `atLeast` of them must be answered (the
 * printed `*` on question 2 as a whole). Its short label is the locale key `group.<id>.short`.
 */
export const groupSchema = z
  .object({
    id: z.string().regex(/^[a-z][A-Za-z0-9]*$/),
    items: z.array(itemIdSchema).min(2),
    atLeast: z.number().int().min(1),
  })
  .strict();
export type Group = z.infer<typeof groupSchema>;

export const sectionSchema = z
  .object({
    id: sectionIdSchema,
    /** The section has a note shown when it is announced (locale key `section.<id>.note`). */
    hasNote: z.boolean().default(false),
    items: z.array(itemSchema).min(1),
    groups: z.array(groupSchema).default([]),
  })
  .strict();
export type Section = z.infer<typeof sectionSchema>;

/** The whole questionnaire, checked for the rules a walker relies on; each problem names its item. */
export const questionnaireSchema = z
  .object({ id: z.string(), sections: z.array(sectionSchema).min(1) })
  .strict()
  .superRefine((q, ctx) => {
    const seen = new Map<string, Item>();
    const problem = (message: string) => ctx.addIssue({ code: 'custom', message });
    for (const section of q.sections) {
      for (const item of section.items) {
        if (seen.has(item.id)) problem(`item "${item.id}": the id is used twice`);
        const hasOptions = item.options !== undefined;
        if ((item.kind === 'choice' || item.kind === 'multi') !== hasOptions) {
          problem(`item "${item.id}": options are required for choice/multi items and allowed only there`);
        }
        if (item.options && new Set(item.options).size !== item.options.length) {
          problem(`item "${item.id}": an option id is listed twice`);
        }
        if (item.when) {
          const parent = seen.get(item.when.item);
          if (!parent) {
            problem(`item "${item.id}": its condition refers to "${item.when.item}", which is not an earlier item`);
          } else if (item.when.op === 'equals' && parent.kind === 'yesno' && !['yes', 'no'].includes(item.when.value)) {
            problem(`item "${item.id}": a yes/no condition must be "yes" or "no"`);
          } else if (parent.kind !== 'yesno' && !parent.options?.includes(item.when.value)) {
            problem(`item "${item.id}": "${item.when.value}" is not an option of "${parent.id}"`);
          } else if (item.when.op === 'includes' && parent.kind !== 'multi') {
            problem(`item "${item.id}": "includes" needs a multi-choice item, "${parent.id}" is ${parent.kind}`);
          }
        }
        if ((item.asksForLink || item.asksForDetail) && item.kind !== 'text') {
          problem(`item "${item.id}": only text items ask for a link or detail`);
        }
        if (item.inlineDetail !== undefined && item.kind !== 'yesno') {
          problem(`item "${item.id}": only yes/no items take an inline detail`);
        }
        seen.set(item.id, item);
      }
    }
    for (const item of seen.values()) {
      if (item.inlineDetail !== undefined && seen.get(item.inlineDetail)?.kind !== 'text') {
        problem(`item "${item.id}": its inline detail "${item.inlineDetail}" must be a text item`);
      }
    }
    const grouped = new Set<string>();
    for (const section of q.sections) {
      const own = new Set(section.items.map((i) => i.id));
      for (const group of section.groups) {
        if (seen.has(group.id)) problem(`group "${group.id}": the id is an item's id`);
        if (group.atLeast > group.items.length) problem(`group "${group.id}": atLeast is more than its ${group.items.length} items`);
        for (const id of group.items) {
          if (!own.has(id)) problem(`group "${group.id}": "${id}" is not an item of section ${section.id}`);
          else if (seen.get(id)?.required) problem(`group "${group.id}": "${id}" is required on its own, so the group adds nothing`);
          if (grouped.has(id)) problem(`group "${group.id}": "${id}" is already in another group`);
          grouped.add(id);
        }
      }
    }
  });
export type Questionnaire = z.infer<typeof questionnaireSchema>;
export type QuestionnaireInput = z.input<typeof questionnaireSchema>;
export type SectionInput = z.input<typeof sectionSchema>;
