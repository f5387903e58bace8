import { createHash } from 'node:crypto';
import { questionnaireSchema, type Group, type Item, type Questionnaire, type QuestionnaireInput, type SectionId } from './schema';
import { respondent } from './sections/respondent';
import { institutional } from './sections/a-institutional';
import { covid } from './sections/b-covid';
import { legal } from './sections/c-legal';
import { strategy } from './sections/d-strategy';
import { inclusion } from './sections/e-inclusion';
import { usage } from './sections/f-usage';
import { other } from './sections/g-other';
import { consent } from './sections/h-consent';

/** The 2022 MSQ, in the order of the printed questionnaire. */
export const msq2022: QuestionnaireInput = {
  id: 'msq-2022',
  sections: [respondent, institutional, covid, legal, strategy, inclusion, usage, other, consent],
};

/** A validated questionnaire with the look-ups the engine needs. */
export interface Definition {
  questionnaire: Questionnaire;
  /** Every item in order, each with its section. */
  items: ReadonlyArray<Item & { section: SectionId }>;
  byId: ReadonlyMap<string, Item & { section: SectionId }>;
  /** The group an item belongs to (items required together, such as the five links of question 2). */
  groupOf: ReadonlyMap<string, Group>;
  /** A short hash of the definition: saved with each state, so a changed questionnaire is noticed on load. */
  version: string;
}

/** Thrown when a definition does not pass its schema; the message names each item at fault. */
export class DefinitionError extends Error {}

/** Validates a questionnaire definition and indexes it; a malformed one throws a DefinitionError naming the items. */
export function loadDefinition(input: QuestionnaireInput = msq2022): Definition {
  const parsed = questionnaireSchema.safeParse(input);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const where = describePath(input, issue.path);
      return `  - ${where}${issue.message}`;
    });
    throw new DefinitionError(`The questionnaire definition "${input.id}" is invalid:\n${lines.join('\n')}`);
  }
  const questionnaire = parsed.data;
  const items = questionnaire.sections.flatMap((s) => s.items.map((item) => ({ ...item, section: s.id })));
  const version = createHash('sha256').update(JSON.stringify(questionnaire)).digest('hex').slice(0, 12);
  const groupOf = new Map(questionnaire.sections.flatMap((s) => s.groups.flatMap((g) => g.items.map((id) => [id, g] as const))));
  return { questionnaire, items, byId: new Map(items.map((i) => [i.id, i])), groupOf, version };
}

/** "item "q4" (kind): " for an issue inside an item, so the message names the item even for shape errors. */
function describePath(input: QuestionnaireInput, path: ReadonlyArray<PropertyKey>): string {
  const [s, sectionIndex, i, itemIndex, ...rest] = path;
  if (s === 'sections' && i === 'items' && typeof sectionIndex === 'number' && typeof itemIndex === 'number') {
    const item = input.sections[sectionIndex]?.items[itemIndex] as { id?: unknown } | undefined;
    const field = rest.length ? ` (${rest.join('.')})` : '';
    return `item "${String(item?.id ?? `#${itemIndex + 1} of section ${sectionIndex + 1}`)}"${field}: `;
  }
  return path.length ? `${path.join('.')}: ` : '';
}
