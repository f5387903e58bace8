import type { Definition } from '../../dialogs';
import type { Condition, Item, SectionId } from '../../dialogs/schema';
import type { AnswerValue, StoredAnswer } from './state';

export type DefinedItem = Item & { section: SectionId };
export type Answers = ReadonlyMap<string, AnswerValue>;

/** The answers of a state as a map, for look-ups. */
export const answerMap = (answers: readonly StoredAnswer[]): Map<string, AnswerValue> =>
  new Map(answers.map((a) => [a.itemId, a.value]));

/** Whether a condition holds for the answers given so far. */
export function conditionHolds(condition: Condition, answers: Answers): boolean {
  const value = answers.get(condition.item);
  if (value === undefined) return false;
  return condition.op === 'equals' ? value === condition.value : Array.isArray(value) && value.includes(condition.value);
}

/** Whether an item is asked: it has no condition, or its condition holds and its parent is asked too. */
export function isApplicable(def: Definition, item: DefinedItem, answers: Answers): boolean {
  if (!item.when) return true;
  const parent = def.byId.get(item.when.item);
  return parent !== undefined && isApplicable(def, parent, answers) && conditionHolds(item.when, answers);
}

/** The items asked for these answers, in order. */
export const applicableItems = (def: Definition, answers: Answers): DefinedItem[] =>
  def.items.filter((item) => isApplicable(def, item, answers));

/** What the walker needs to know of a state to move on. */
export interface Position {
  answers: Answers;
  skipped: ReadonlySet<string>;
  deferred: ReadonlySet<string>;
  resolving: boolean;
}

const isVisited = (p: Position, id: string) => p.answers.has(id) || p.skipped.has(id) || p.deferred.has(id);

/** Required and applicable, but without an answer. */
export const unansweredRequired = (def: Definition, answers: Answers): DefinedItem[] =>
  applicableItems(def, answers).filter((item) => item.required && !answers.has(item.id));

/**
 * The next item to ask after `fromId` (null: from the start). Normally the next applicable item not yet
 * answered, skipped or deferred, wrapping round to any earlier one left open; when resolving after the
 * summary, the next unanswered required item (no wrap). Null when there is nothing left to ask.
 */
export function nextItem(def: Definition, p: Position, fromId: string | null): DefinedItem | null {
  const items = applicableItems(def, p.answers);
  const start = fromId === null ? 0 : def.items.findIndex((i) => i.id === fromId) + 1;
  const after = items.filter((item) => def.items.indexOf(item) >= start);
  if (p.resolving) return after.find((item) => item.required && !p.answers.has(item.id)) ?? null;
  return after.find((item) => !isVisited(p, item.id)) ?? items.find((item) => !isVisited(p, item.id)) ?? null;
}

/** The applicable item before `fromId` (null: the last one), or null at the first item. */
export function previousItem(def: Definition, answers: Answers, fromId: string | null): DefinedItem | null {
  const items = applicableItems(def, answers);
  if (fromId === null) return items.at(-1) ?? null;
  const index = def.items.findIndex((i) => i.id === fromId);
  return items.filter((item) => def.items.indexOf(item) < index).at(-1) ?? null;
}

/** Items answered and items asked, for progress bars. */
export function progressOf(def: Definition, answers: Answers): { answered: number; total: number } {
  const items = applicableItems(def, answers);
  return { answered: items.filter((i) => answers.has(i.id)).length, total: items.length };
}

/** The highest question number of the printed questionnaire (44 for the 2022 MSQ). */
export const questionCount = (def: Definition): number =>
  Math.max(0, ...def.items.map((i) => (i.number ? Number(i.number) : 0)));

/**
 * An item named by a respondent: its id ("q4.cio.email", "Q17"), or a question number ("17" → its first
 * item).
 */
export function findItem(def: Definition, reference: string): DefinedItem | undefined {
  const ref = reference.trim().replace(/^#/, '');
  const exact = def.items.find((i) => i.id.toLowerCase() === ref.toLowerCase());
  if (exact) return exact;
  const number = /^(?:q|p|pregunta|question)?\s*(\d+)$/i.exec(ref)?.[1];
  return number ? def.items.find((i) => i.number === String(Number(number))) : undefined;
}
