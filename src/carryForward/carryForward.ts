/**
 * A previous round carried into the current edition: each answer placed on its item of today (renamed, split,
 * options renamed, as the edition map says) and classified as keepable (it still fits the item: the respondent
 * may keep it as is) or shown only (for reference: the item was split, asks another kind of answer, lost an
 * option, or is asked anew every round).
 */
import { z } from 'zod';
import type { Definition } from '../../dialogs';
import type { EditionMap } from '../../dialogs/editions/schema';
import type { Item } from '../../dialogs/schema';
import { MAX_TEXT_LENGTH } from '../interview/parse/answer';
import { countryName } from '../interview/parse/country';
import type { AnswerValue } from '../store/port';
import type { DroppedAnswer, PreviousAnswer, PreviousAnswers, PreviousResponse, ShownOnlyReason } from './previousRound';

/**
 * Items asked anew in every round, whatever was answered before: the country (the key of a previous round, so it
 * is known already) and the consent to publish, which is given for one survey.
 */
export const ASKED_AGAIN: ReadonlySet<string> = new Set(['country', 'consent']);

/** The map between an edition and itself: every item keeps its id and options. */
export const sameEdition = (edition: string): EditionMap => ({ from: edition, to: edition, renamed: {}, split: {}, removed: [], options: {} });

/**
 * Places a previous response (answered in `source`) on the items of `current`, with `map` from the one to the
 * other (`sameEdition` when they are the same), and says of each answer whether it may be kept.
 */
export function carryForward(
  previous: PreviousResponse,
  source: Definition,
  current: Definition,
  map: EditionMap,
  options: { importedAt: Date; askedAgain?: ReadonlySet<string> },
): PreviousAnswers {
  const askedAgain = options.askedAgain ?? ASKED_AGAIN;
  const answers: PreviousAnswer[] = [];
  const dropped: DroppedAnswer[] = [];
  for (const { itemId, value } of previous.answers) {
    const before = source.byId.get(itemId);
    if (!before) {
      dropped.push({ itemId, value, reason: 'unknown' });
      continue;
    }
    if (map.removed.includes(itemId)) {
      dropped.push({ itemId, value, reason: 'removed' });
      continue;
    }
    const previousAnswer = { itemId, value: copy(value) };
    const split = map.split[itemId];
    if (split) {
      for (const newId of split) answers.push({ itemId: newId, value: copy(value), fit: 'shownOnly', reason: 'split', previous: previousAnswer });
      continue;
    }
    const after = current.byId.get(map.renamed[itemId] ?? itemId);
    if (!after) {
      // Only when the map was not checked against both editions (checkEditionMap reports it).
      dropped.push({ itemId, value, reason: 'unknown' });
      continue;
    }
    const mapped = renameOptions(value, map.options[itemId] ?? {});
    const reason = askedAgain.has(after.id) ? 'askedAgain' : before.kind !== after.kind ? 'kindChanged' : misfit(after, mapped);
    answers.push({ itemId: after.id, value: mapped, fit: reason ? 'shownOnly' : 'keepable', ...(reason ? { reason } : {}), previous: previousAnswer });
  }
  const order = new Map(current.items.map((item, n) => [item.id, n]));
  answers.sort((a, b) => order.get(a.itemId)! - order.get(b.itemId)!);
  return {
    country: previous.country,
    fromEdition: source.questionnaire.id,
    edition: current.questionnaire.id,
    definitionVersion: current.version,
    responseId: previous.responseId ?? null,
    submittedAt: previous.submittedAt ?? null,
    respondent: previous.respondent ?? null,
    answers,
    dropped,
    importedAt: options.importedAt.toISOString(),
  };
}

/** Option ids renamed as the map says; an option that is gone (null) keeps its old id, so the answer shows what it was. */
function renameOptions(value: AnswerValue, renames: Record<string, string | null>): AnswerValue {
  const rename = (id: string) => renames[id] ?? id;
  if (typeof value === 'string') return rename(value);
  return [...new Set(value.map(rename))];
}

const email = z.email();

/** Why an answer does not fit the item as it is now; undefined when it does. */
function misfit(item: Item, value: AnswerValue): ShownOnlyReason | undefined {
  switch (item.kind) {
    case 'text':
      return typeof value === 'string' && value.trim() !== '' && value.length <= MAX_TEXT_LENGTH ? undefined : 'invalid';
    case 'email':
      return typeof value === 'string' && email.safeParse(value).success ? undefined : 'invalid';
    case 'yesno':
      return value === 'yes' || value === 'no' ? undefined : 'invalid';
    case 'country':
      return typeof value === 'string' && countryName(value, 'en') !== undefined ? undefined : 'invalid';
    case 'choice':
      if (typeof value !== 'string') return 'invalid';
      return item.options?.includes(value) ? undefined : 'optionGone';
    case 'multi':
      if (!Array.isArray(value) || value.length === 0) return 'invalid';
      return value.every((option) => item.options?.includes(option)) ? undefined : 'optionGone';
  }
}

const copy = (value: AnswerValue): AnswerValue => (Array.isArray(value) ? [...value] : value);
