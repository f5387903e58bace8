import type { Definition } from '../../dialogs';
import type { Condition, Group, Item, SectionId } from '../../dialogs/schema';
import type { AnswerValue, StoredAnswer } from './state';

export type DefinedItem = Item & { section: SectionId };
export type Answers = ReadonlyMap<string, AnswerValue>;

/** What the walker looks up in a definition, computed once per definition (a definition never changes). */
interface FlowIndex {
  /** Each item's place in questionnaire order. */
  position: ReadonlyMap<string, number>;
  /** The place of the item each item's condition refers to: -1 without a condition, -2 when it is not in the definition. */
  parentAt: Int32Array;
  /** The places of the items that can be required: required ones, and members of groups. */
  requirable: Int32Array;
  /** The highest question number of the printed questionnaire. */
  questionCount: number;
  /** The items with a question number (questions, their parts and follow-ups), in order. */
  numbered: ReadonlyArray<DefinedItem & { number: string }>;
  /** Each question number's slot (0, 1, …), and the slot of each numbered item, in the order of `numbered`. */
  slotOf: ReadonlyMap<string, number>;
  numberedSlots: Int32Array;
}

const indexes = new WeakMap<Definition, FlowIndex>();

/** The look-ups of a definition, built the first time they are needed. */
function indexOf(def: Definition): FlowIndex {
  let index = indexes.get(def);
  if (!index) {
    const position = new Map(def.items.map((item, at) => [item.id, at]));
    const numbered = def.items.filter((i): i is DefinedItem & { number: string } => Boolean(i.number));
    const slotOf = new Map([...new Set(numbered.map((i) => i.number))].map((number, slot) => [number, slot]));
    index = {
      position,
      requirable: Int32Array.from(def.items.flatMap((item, at) => (item.required || def.groupOf.has(item.id) ? [at] : []))),
      parentAt: Int32Array.from(def.items, (item) => (item.when ? (position.get(item.when.item) ?? -2) : -1)),
      questionCount: Math.max(0, ...def.items.map((i) => (i.number ? Number(i.number) : 0))),
      numbered,
      slotOf,
      numberedSlots: Int32Array.from(numbered, (item) => slotOf.get(item.number) ?? -1),
    };
    indexes.set(def, index);
  }
  return index;
}

/** An item's place in questionnaire order; -1 for an id the definition does not have. */
const positionOf = (def: Definition, id: string): number => indexOf(def).position.get(id) ?? -1;

/**
 * What is worked out from one set of answers for one definition, kept with the answers (see AnswerIndex) so that a
 * turn works each of it out once: which items apply (0 not known yet, 1 applies, 2 does not), the required items
 * left unanswered, the questions answered.
 */
interface Derived {
  def: Definition;
  applies: Uint8Array;
  unanswered?: readonly DefinedItem[];
  answered?: number;
}

/**
 * The answers of a state as a map, remembering what was worked out from them (Derived); changing the map
 * forgets it.
 */
class AnswerIndex extends Map<string, AnswerValue> {
  derived: Derived | undefined;
  override set(key: string, value: AnswerValue): this {
    this.derived = undefined;
    return super.set(key, value);
  }
  override delete(key: string): boolean {
    this.derived = undefined;
    return super.delete(key);
  }
  override clear(): void {
    this.derived = undefined;
    super.clear();
  }
}

/** The answers of a state as a map, for look-ups. */
export const answerMap = (answers: readonly StoredAnswer[]): Map<string, AnswerValue> => {
  const map = new AnswerIndex();
  for (const a of answers) map.set(a.itemId, a.value);
  return map;
};

const NO_ANSWERS: Answers = new Map();

/**
 * answerMap remembering its last list: the same list (the same array, not an equal one) gives the same map, and
 * with it what was worked out from it, until `forget`. For the span of one turn, while nothing changes a list in
 * place; the engine forgets at the start and end of each turn.
 */
export function answerMemo(): ((answers: readonly StoredAnswer[]) => Answers) & { forget(): void } {
  let list: readonly StoredAnswer[] | null = null;
  let map: Answers = NO_ANSWERS;
  const answersOf = (answers: readonly StoredAnswer[]): Answers => {
    if (answers !== list) {
      map = answerMap(answers);
      list = answers;
    }
    return map;
  };
  return Object.assign(answersOf, {
    forget() {
      list = null;
      map = NO_ANSWERS;
    },
  });
}

/** What was worked out from these answers for this definition; null for a map answerMap did not make. */
function derivedOf(def: Definition, answers: Answers): Derived | null {
  if (!(answers instanceof AnswerIndex)) return null;
  let derived = answers.derived;
  if (derived?.def !== def) {
    derived = { def, applies: new Uint8Array(def.items.length) };
    answers.derived = derived;
  }
  return derived;
}

/** Whether the item at `at` of the definition applies (see isApplicable), remembered in `derived`. */
function appliesAt(def: Definition, answers: Answers, derived: Derived, at: number): boolean {
  const known = derived.applies[at];
  if (known !== 0) return known === 1;
  const item = def.items[at];
  const parentAt = indexOf(def).parentAt[at];
  const applies = !item.when || (parentAt >= 0 && appliesAt(def, answers, derived, parentAt) && conditionHolds(item.when, answers));
  derived.applies[at] = applies ? 1 : 2;
  return applies;
}

/** Whether a condition holds for the answers given so far. */
export function conditionHolds(condition: Condition, answers: Answers): boolean {
  return holds(condition, answers.get(condition.item));
}

/** Whether a condition holds for the answer to its item (undefined: not answered). */
function holds(condition: Condition, value: AnswerValue | undefined): boolean {
  if (value === undefined) return false;
  return condition.op === 'equals' ? value === condition.value : Array.isArray(value) && value.includes(condition.value);
}

/**
 * isApplicable for answers as stored, a list (the last answer to an item counts, as in answerMap): for one item,
 * cheaper than making the map.
 */
export function isApplicableToList(def: Definition, item: DefinedItem, answers: readonly StoredAnswer[]): boolean {
  if (!item.when) return true;
  const parent = def.byId.get(item.when.item);
  if (parent === undefined || !isApplicableToList(def, parent, answers)) return false;
  let value: AnswerValue | undefined;
  for (const answer of answers) if (answer.itemId === item.when.item) value = answer.value;
  return holds(item.when, value);
}

/** Whether an item is asked: it has no condition, or its condition holds and its parent is asked too. */
export function isApplicable(def: Definition, item: DefinedItem, answers: Answers): boolean {
  if (!item.when) return true;
  const derived = derivedOf(def, answers);
  const at = derived ? positionOf(def, item.id) : -1;
  if (derived && at >= 0 && def.items[at] === item) return appliesAt(def, answers, derived, at);
  const parent = def.byId.get(item.when.item);
  return parent !== undefined && isApplicable(def, parent, answers) && conditionHolds(item.when, answers);
}

/** A test of the item at a place of the definition: whether it applies to these answers. */
function appliesTo(def: Definition, answers: Answers): (at: number) => boolean {
  const derived = derivedOf(def, answers);
  return derived ? (at) => appliesAt(def, answers, derived, at) : (at) => isApplicable(def, def.items[at], answers);
}

/** The items asked for these answers, in order. */
export const applicableItems = (def: Definition, answers: Answers): DefinedItem[] => {
  const applies = appliesTo(def, answers);
  return def.items.filter((_, at) => applies(at));
};

/**
 * The question an item belongs to: its number in the printed questionnaire ("4" for q4 and its CIO fields),
 * or its section for the unnumbered items (the contact block, the consent).
 */
export const questionKey = (item: DefinedItem): string => item.number ?? item.section;

/** What the walker needs to know of a state to move on. */
export interface Position {
  answers: Answers;
  skipped: ReadonlySet<string>;
  deferred: ReadonlySet<string>;
  resolving: boolean;
  /** Sections walked first (a team's participant's assigned sections); the rest follows in order. */
  focus?: ReadonlySet<string>;
}

const NO_IDS: ReadonlySet<string> = new Set();

/** Ids as a set for look-ups; an empty list (most often) gives the one shared empty set. */
export const idSet = (ids: readonly string[]): ReadonlySet<string> => (ids.length === 0 ? NO_IDS : new Set(ids));

const isVisited = (p: Position, id: string) => p.answers.has(id) || p.skipped.has(id) || p.deferred.has(id);

/** A group still short of answers (question 2 with none of its links). */
export function isGroupShort(def: Definition, group: Group, answers: Answers): boolean {
  let answered = 0;
  let open = 0;
  for (const id of group.items) {
    if (answers.has(id)) answered += 1;
    const item = def.byId.get(id);
    if (item && isApplicable(def, item, answers)) open += 1;
  }
  return open > 0 && answered < Math.min(group.atLeast, open);
}

/** Required on its own, or part of a group still short of answers. */
export function isRequiredNow(def: Definition, item: DefinedItem, answers: Answers): boolean {
  if (item.required) return true;
  const group = def.groupOf.get(item.id);
  return group !== undefined && isGroupShort(def, group, answers);
}

/**
 * Whether leaving this item unanswered leaves something required unanswered: it is required, or it is the last
 * item of a group still short of answers that has not been passed over yet (skipping an earlier one of the
 * group leaves the others to answer).
 */
export function isLastChance(def: Definition, p: Position, item: DefinedItem): boolean {
  if (item.required) return true;
  const group = def.groupOf.get(item.id);
  if (!group || !isGroupShort(def, group, p.answers)) return false;
  const later = group.items.slice(group.items.indexOf(item.id) + 1).map((id) => def.byId.get(id));
  return later.every((i) => i === undefined || !isApplicable(def, i, p.answers) || isVisited(p, i.id));
}

/**
 * Required and applicable, but without an answer. A group short of answers is represented once, by its first
 * applicable item.
 */
export function unansweredRequired(def: Definition, answers: Answers): DefinedItem[] {
  return [...missingRequired(def, answers)];
}

/** unansweredRequired, remembered with the answers: not to be changed. */
function missingRequired(def: Definition, answers: Answers): readonly DefinedItem[] {
  const derived = derivedOf(def, answers);
  if (derived?.unanswered) return derived.unanswered;
  const applies = appliesTo(def, answers);
  const missing: DefinedItem[] = [];
  // A group is looked at once, at its first applicable item without an answer: that item stands for it if it is short.
  const seenGroups: string[] = [];
  // Only the items that can be required (required ones and members of groups), in order.
  for (const at of indexOf(def).requirable) {
    const item = def.items[at];
    if (answers.has(item.id) || !applies(at)) continue;
    if (item.required) {
      missing.push(item);
      continue;
    }
    const group = def.groupOf.get(item.id);
    if (!group || seenGroups.includes(group.id)) continue;
    seenGroups.push(group.id);
    if (isGroupShort(def, group, answers)) missing.push(item);
  }
  if (derived) derived.unanswered = missing;
  return missing;
}

/** An item the walker stops at: not yet visited; when resolving after the summary, required and unanswered. */
export function isOpen(def: Definition, p: Position, item: DefinedItem): boolean {
  return p.resolving ? !p.answers.has(item.id) && isRequiredNow(def, item, p.answers) : !isVisited(p, item.id);
}

/**
 * The next item to ask after `fromId` (null: from the start). Normally the next applicable item not yet
 * answered, skipped or deferred, wrapping round to any earlier one left open; when resolving after the
 * summary, the next unanswered required item (no wrap). Null when there is nothing left to ask.
 */
export function nextItem(def: Definition, p: Position, fromId: string | null): DefinedItem | null {
  const start = fromId === null ? 0 : positionOf(def, fromId) + 1;
  const applies = appliesTo(def, p.answers);
  const stopsAt = (at: number) => applies(at) && isOpen(def, p, def.items[at]);
  if (p.focus?.size) {
    const focus = p.focus;
    const inFocus = (at: number) => focus.has(def.items[at].section) && stopsAt(at);
    const focused = findFrom(def.items, start, def.items.length, inFocus) ?? findFrom(def.items, 0, start, inFocus);
    if (focused) return focused;
  }
  // Item by item from where the respondent is, so that only the items passed over are looked at.
  const after = findFrom(def.items, start, def.items.length, stopsAt);
  return after ?? (p.resolving ? null : findFrom(def.items, 0, start, stopsAt));
}

/** The applicable item right after `fromId` in questionnaire order, whatever its answer; null after the last. */
export function followingItem(def: Definition, answers: Answers, fromId: string): DefinedItem | null {
  return findFrom(def.items, positionOf(def, fromId) + 1, def.items.length, appliesTo(def, answers));
}

/** The applicable item before `fromId` (null: the last one), or null at the first item. */
export function previousItem(def: Definition, answers: Answers, fromId: string | null): DefinedItem | null {
  const before = fromId === null ? def.items.length : positionOf(def, fromId);
  const applies = appliesTo(def, answers);
  for (let at = before - 1; at >= 0; at--) {
    if (applies(at)) return def.items[at];
  }
  return null;
}

/** The first item of `items[from..to)` whose place passes `test`, or null. */
function findFrom(items: readonly DefinedItem[], from: number, to: number, test: (at: number) => boolean): DefinedItem | null {
  for (let at = from; at < to; at++) {
    if (test(at)) return items[at];
  }
  return null;
}

/** The highest question number of the printed questionnaire (44 for the 2022 MSQ). */
export const questionCount = (def: Definition): number => indexOf(def).questionCount;

/**
 * Printed questions answered: a question counts once it has an answer and none of its required parts (or
 * groups) is left unanswered, however many parts and follow-ups it has.
 */
export function questionsAnswered(def: Definition, answers: Answers): number {
  const derived = derivedOf(def, answers);
  if (derived?.answered !== undefined) return derived.answered;
  // By slot rather than by number: flags in two small arrays instead of two sets of strings.
  const { numbered, slotOf, numberedSlots } = indexOf(def);
  const missing: number[] = [];
  for (const item of missingRequired(def, answers)) {
    const slot = slotOf.get(questionKey(item));
    if (slot !== undefined) missing.push(slot);
  }
  // Missing questions are few: a list; the questions counted, flags by slot.
  const counted = new Uint8Array(slotOf.size);
  let answered = 0;
  for (let n = 0; n < numbered.length; n++) {
    const slot = numberedSlots[n];
    if (counted[slot] === 0 && answers.has(numbered[n].id) && !missing.includes(slot)) {
      counted[slot] = 1;
      answered += 1;
    }
  }
  if (derived) derived.answered = answered;
  return answered;
}

/**
 * Where a respondent stands, in the printed questionnaire's terms: the question number of the item (null in
 * the contact block and at the consent, which have none), the section, and the fixed number of questions.
 */
export function whereIs(def: Definition, itemId: string | null): { question: number | null; section: SectionId | null } {
  const item = itemId ? def.byId.get(itemId) : undefined;
  if (!item) return { question: null, section: null };
  return { question: item.number ? Number(item.number) : null, section: item.section };
}

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
