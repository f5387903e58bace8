import type { Definition } from '../../dialogs';
import type { SectionId } from '../../dialogs/schema';
import type { Locale, Translator } from '../i18n';
import { countryName } from './parse/country';
import {
  answerMap,
  applicableItems,
  idSet,
  isGroupShort,
  isLastChance,
  questionCount,
  questionsAnswered,
  unansweredRequired,
  whereIs,
  type Answers,
  type DefinedItem,
  type Position,
} from './flow';
import type { Say } from './machine';
import type { Reason } from './parse/answer';
import type { AnswerValue, EngineState } from './state';

/**
 * Where the respondent is, in the printed questionnaire's terms — "Question 17 of 44 · section C" — for
 * progress bars. The number of questions is fixed: it never grows as follow-ups are unlocked.
 */
export interface Progress {
  /** The printed question being asked (17, also for its parts and follow-ups); null in the contact block, at the consent and at submission. */
  question: number | null;
  /** The questions of the printed questionnaire (44). */
  questions: number;
  /** The section: a letter A–H, "respondent" for the country and contact information, null at submission. */
  section: SectionId | null;
  /** Questions answered so far, each counted once whatever its parts (0–44). */
  answered: number;
}

/** What a channel needs to render a question: the metadata sent as `channelData.msq`. */
export interface PromptMeta {
  questionId: string;
  section: SectionId;
  kind: DefinedItem['kind'];
  required: boolean;
  options?: Array<{ id: string; label: string }>;
  progress: Progress;
  /** The previous round's answer may be kept as it is: channels offer a button with this label (it sends `keep`). */
  keep?: { label: string };
  /** The prompt is the follow-up of a thin answer to this item (see probe.ts), not the question itself. */
  probe?: 'link' | 'detail' | 'malformed';
}

/**
 * A reply: a message, or a question with how to answer it and its metadata. `retry` marks the question asked
 * again right after an answer that was not understood (channels that showed it as a card need not repeat it).
 */
export type Reply = { type: 'message'; text: string } | { type: 'prompt'; text: string; hint: string; meta: PromptMeta; retry?: true };

/** Longest answer shown in a review list; the full answer is shown when the item is asked again. */
const REVIEW_LENGTH = 300;

/** Renders a turn's messages and, last, the prompt the respondent is now at, in the state's language. */
export function renderTurn(def: Definition, t: Translator, state: EngineState, outbox: readonly Say[], answers: Answers = answerMap(state.answers)): Reply[] {
  // The answers as a map once for the whole turn (the caller's, when it has one): every message and the prompt look them up.
  const replies: Reply[] = outbox.map((say) => ({ type: 'message', text: renderSay(def, t, state, answers, say) }));
  const prompt = renderPrompt(def, t, state, answers);
  if (!prompt) return replies;
  // A greeting is not a failed answer: whoever greets has usually lost the thread, so the question comes again in full.
  const retry = prompt.type === 'prompt' && outbox.some((say) => say.say === 'invalid' && say.reason.code !== 'greeting');
  return [...replies, retry ? { ...prompt, retry: true } : prompt];
}

/** Where a state is, for progress bars (see Progress). */
export function progressOf(def: Definition, state: EngineState, answers: Answers = answerMap(state.answers)): Progress {
  return { ...whereIs(def, askedItem(state)), questions: questionCount(def), answered: questionsAnswered(def, answers) };
}

/** The item a state is at for progress: none at the submission. */
const askedItem = (state: EngineState): string | null => (state.phase === 'confirmingSubmit' || state.phase === 'submitted' ? null : state.current);

/** The question the respondent is at, or null once submitted. */
export function renderPrompt(def: Definition, t: Translator, state: EngineState, answers: Answers = answerMap(state.answers)): Reply | null {
  if (state.phase === 'submitted') return null;
  const progress = progressOf(def, state, answers);
  const item = state.current ? def.byId.get(state.current) : undefined;
  const yesNo = (questionId: string, text: string, hint = t('hint.yesno')): Reply => ({
    type: 'prompt',
    text,
    hint,
    meta: { questionId, section: item?.section ?? 'H', kind: 'yesno', required: true, options: yesNoOptions(t), progress },
  });
  switch (state.phase) {
    case 'confirmingSubmit':
      return yesNo('submit', t('submit.question'));
    case 'confirmingRestart':
      return yesNo('restart', t('restart.confirm'));
    case 'confirmingErase':
      return yesNo('erase', t('erase.confirm'));
    case 'confirmingAnswer': {
      const pending = state.pending;
      const target = pending ? def.byId.get(pending.itemId) : undefined;
      if (!pending || !target) return item ? itemPrompt(def, t, state, item, answers, progress) : null;
      const answer = displayValue(t, state.locale, target, pending.value);
      const question = target.kind === 'text' ? t('confirm.textAsYesNo', { answer, question: itemLabel(t, target) }) : t('confirm.interpreted', { answer });
      return yesNo(target.id, question, t('hint.confirm'));
    }
    case 'asking':
    case 'revising':
      return item ? itemPrompt(def, t, state, item, answers, progress) : null;
  }
}

function itemPrompt(def: Definition, t: Translator, state: EngineState, item: DefinedItem, answers: Answers, progress: Progress): Reply {
  const current = answers.get(item.id);
  const lines = item.heading ? [t(`questionnaire:item.${item.id}.heading`)] : [];
  lines.push(questionText(t, item));
  const previous = current === undefined ? state.previous?.answers.find((a) => a.itemId === item.id) : undefined;
  if (current !== undefined) {
    const answer = displayValue(t, state.locale, item, current);
    lines.push(t(state.carried?.includes(item.id) ? 'carry.currentKept' : 'prompt.currentAnswer', { answer }));
  } else if (previous && state.previous) {
    const params = { country: countryName(state.previous.country, state.locale) ?? state.previous.country, answer: previousText(t, state.locale, item, previous.value) };
    lines.push(t(previous.fit === 'keepable' ? 'carry.lastTime' : previous.reason === 'askedAgain' ? 'carry.lastTimeAskedAgain' : 'carry.lastTimeShown', params));
  }
  const probe = state.probe?.itemId === item.id ? state.probe : null;
  if (probe) {
    lines.push(t(`probe.${probe.reason}`, { link: probe.link ?? '' }));
    return { type: 'prompt', text: lines.join('\n\n'), hint: t('probe.hint'), meta: { questionId: item.id, section: item.section, kind: item.kind, required: item.required, progress, probe: probe.reason } };
  }
  const keepable = previous?.fit === 'keepable';
  const hints = [
    t(item.kind === 'yesno' && item.inlineDetail ? 'hint.yesnoDetail' : `hint.${item.kind}`),
    keepable ? t('carry.hint') : requirementHint(def, t, state, item, answers),
  ];
  const options =
    item.kind === 'yesno'
      ? yesNoOptions(t)
      : item.options?.map((id) => ({ id, label: t(`questionnaire:option.${item.id}.${id}`) }));
  return {
    type: 'prompt',
    text: lines.join('\n\n'),
    hint: hints.join(' '),
    meta: { questionId: item.id, section: item.section, kind: item.kind, required: item.required, ...(options ? { options } : {}), progress, ...(keepable ? { keep: { label: t('carry.keepButton') } } : {}) },
  };
}

/** Longest previous answer shown in a question; the whole answer is kept with `keep`. */
const PREVIOUS_LENGTH = 1500;

/**
 * A previous answer as the respondent reads it. One that is shown only may hold what the item no longer offers
 * (an option that is gone, a text where a yes or no is asked): such values are shown as they were written.
 */
function previousText(t: Translator, locale: Locale, item: DefinedItem, value: AnswerValue): string {
  const values = Array.isArray(value) ? value : [value];
  const fits =
    item.kind === 'yesno'
      ? values.length === 1 && (values[0] === 'yes' || values[0] === 'no')
      : item.kind === 'choice' || item.kind === 'multi'
        ? values.every((v) => item.options?.includes(v))
        : item.kind === 'country'
          ? typeof value === 'string' && countryName(value, locale) !== undefined
          : true;
  const text = fits ? displayValue(t, locale, item, value) : values.join('; ');
  return text.length > PREVIOUS_LENGTH ? `${text.slice(0, PREVIOUS_LENGTH)}…` : text;
}

/** "(Required. …)", "(Optional. …)", "keep" for an answered item, or what a group of items asks for. */
function requirementHint(def: Definition, t: Translator, state: EngineState, item: DefinedItem, answers: Answers): string {
  if (answers.has(item.id)) return t('hint.keep');
  const group = def.groupOf.get(item.id);
  if (group && isGroupShort(def, group, answers)) {
    const key = isLastChance(def, positionOf(state, answers), item) ? 'hint.groupLast' : 'hint.group';
    return t(key, { number: item.number ?? '', count: group.atLeast });
  }
  return t(item.required ? 'hint.required' : 'hint.optional');
}

const positionOf = (state: EngineState, answers: Answers): Position => ({
  answers,
  skipped: idSet(state.skipped),
  deferred: idSet(state.deferred),
  resolving: state.resolving,
});

/** "17. Is there any legislation…" for a numbered question; follow-ups carry no number. */
export function questionText(t: Translator, item: DefinedItem): string {
  const wording = t(`questionnaire:item.${item.id}`);
  return item.number && !item.when ? `${item.number}. ${wording}` : wording;
}

const yesNoOptions = (t: Translator) => [
  { id: 'yes', label: t('answer.yes') },
  { id: 'no', label: t('answer.no') },
];

/** An answer as a respondent reads it: Yes/No, option labels, the country's name, or the text. */
export function displayValue(t: Translator, locale: Locale, item: DefinedItem, value: AnswerValue): string {
  const values = Array.isArray(value) ? value : [value];
  switch (item.kind) {
    case 'yesno':
      return t(value === 'yes' ? 'answer.yes' : 'answer.no');
    case 'choice':
    case 'multi':
      return values.map((v) => t(`questionnaire:option.${item.id}.${v}`)).join('; ');
    case 'country':
      return countryName(String(value), locale) ?? String(value);
    default:
      return String(value);
  }
}

function renderSay(def: Definition, t: Translator, state: EngineState, answers: Answers, say: Say): string {
  switch (say.say) {
    case 'message':
      return t(say.key, say.params);
    case 'carried': {
      const item = def.byId.get(say.itemId);
      const value = answers.get(say.itemId);
      if (!item || value === undefined) return t('answer.saved');
      return t('carry.kept', { answer: truncate(displayValue(t, state.locale, item, value)).replace(/[.\s]+$/, '') });
    }
    case 'saved': {
      const item = def.byId.get(say.itemId);
      const value = answers.get(say.itemId);
      if (!say.echo || !item || value === undefined) return t('answer.saved');
      return t('answer.savedValue', { answer: displayValue(t, state.locale, item, value).replace(/[.\s]+$/, '') });
    }
    case 'stale': {
      const item = def.byId.get(say.questionId);
      return item ? t('stale', { question: itemLabel(t, item) }) : t('stale.confirmation');
    }
    case 'section': {
      const title = t('section.announce', { title: t(`questionnaire:section.${say.section}.title`) });
      const hasNote = def.questionnaire.sections.find((s) => s.id === say.section)?.hasNote;
      return hasNote ? `${title}\n\n${t('questionnaire:noteLabel')} ${t(`questionnaire:section.${say.section}.note`)}` : title;
    }
    case 'invalid':
      return invalidText(t, def, state, answers, say.reason);
    case 'flagged': {
      const item = def.byId.get(say.itemId);
      return t('revise.flagged', { question: item ? itemLabel(t, item) : say.itemId, comment: say.comment });
    }
    case 'help':
      return [t('help.commands'), t('help.answering'), t('questionnaire:contact')].join('\n\n');
    case 'progress':
      return progressText(def, t, state);
    case 'review':
      return reviewText(def, t, state.locale, answers, say.section, new Set(state.carried ?? []));
    case 'summary':
      return summaryText(def, t, answers);
  }
}

function invalidText(t: Translator, def: Definition, state: EngineState, answers: Answers, reason: Reason): string {
  switch (reason.code) {
    case 'ambiguous': {
      const item = state.current ? def.byId.get(state.current) : undefined;
      const labels = reason.options.map((o) => (item ? t(`questionnaire:option.${item.id}.${o}`) : o));
      return t('invalid.ambiguous', { options: labels.join('; ') });
    }
    case 'choice':
    case 'multi':
      return t(`invalid.${reason.code}`, { count: reason.count });
    case 'tooLong':
      return t('invalid.tooLong', { length: reason.length, max: reason.max });
    case 'dontKnow': {
      // One sentence: skip it (optional), or leave it for later (it must be answered before submission).
      const item = state.current ? def.byId.get(state.current) : undefined;
      return t(item && isLastChance(def, positionOf(state, answers), item) ? 'dontKnow.defer' : 'dontKnow.skip');
    }
    default:
      return t(`invalid.${reason.code}`);
  }
}

/** Where the respondent is, as in the printed questionnaire: "Question 17 of 44 · section C". */
export function whereText(def: Definition, t: Translator, state: EngineState): string {
  if (state.phase === 'submitted') return t('where.submitted', { date: state.submittedAt?.slice(0, 10) ?? '' });
  if (state.phase === 'revising') return t('where.revising', { count: (state.flags ?? []).filter((f) => f.resolvedAt === null).length });
  // Only where the respondent is: counting the questions answered is not needed here.
  const { question, section } = whereIs(def, askedItem(state));
  const questions = questionCount(def);
  if (section === null) return t('where.atSubmit');
  if (question !== null) return t('where.atQuestion', { number: question, count: questions, section });
  return section === 'respondent' ? t('where.atContact', { count: questions }) : t('where.atSection', { section, count: questions });
}

function progressText(def: Definition, t: Translator, state: EngineState): string {
  const { answered, questions } = progressOf(def, state);
  const lines = [whereText(def, t, state), t('progress.answered', { answered, count: questions })];
  const deferred = state.deferred.map((id) => def.byId.get(id)).filter((i): i is DefinedItem => i !== undefined);
  const labels = [...new Set(deferred.map((i) => requiredLabel(def, t, i)))];
  lines.push(labels.length ? `${t('progress.deferred')}\n${labels.map((l) => `• ${l}`).join('\n')}` : t('progress.noDeferred'));
  return lines.join('\n');
}

/** An item or, for an item of a group (question 2's links), the group, as listed among what is still required. */
function requiredLabel(def: Definition, t: Translator, item: DefinedItem): string {
  const group = def.groupOf.get(item.id);
  if (!group) return itemLabel(t, item);
  const short = t(`questionnaire:group.${group.id}.short`);
  return item.number ? `${item.number} — ${short}` : short;
}

/** "17 — Legislation on digital signature" (number and short label) to name an item in lists. */
export const itemLabel = (t: Translator, item: DefinedItem): string => {
  const short = t(`questionnaire:item.${item.id}.short`);
  return item.number ? `${item.number} — ${short}` : short;
};

function reviewText(def: Definition, t: Translator, locale: Locale, answers: Answers, only: SectionId | null, carried: ReadonlySet<string>): string {
  const items = applicableItems(def, answers);
  const sections = def.questionnaire.sections.filter((s) => only === null || s.id === only);
  const blocks = sections.map((section) => {
    const lines = items
      .filter((i) => i.section === section.id)
      .map((item) => {
        const value = answers.get(item.id);
        const shown = value === undefined ? t('review.notAnswered') : truncate(displayValue(t, locale, item, value));
        return `• ${itemLabel(t, item)}: ${shown}${value !== undefined && carried.has(item.id) ? ` ${t('review.carried')}` : ''}`;
      });
    return [t(`questionnaire:section.${section.id}.title`), ...lines].join('\n');
  });
  return [t('review.title'), ...blocks, t('review.editHint')].join('\n\n');
}

const truncate = (text: string) => (text.length > REVIEW_LENGTH ? `${text.slice(0, REVIEW_LENGTH)}…` : text);

function summaryText(def: Definition, t: Translator, answers: Answers): string {
  const items = applicableItems(def, answers);
  const counts = def.questionnaire.sections.map((section) => {
    const inSection = items.filter((i) => i.section === section.id);
    const answered = inSection.filter((i) => answers.has(i.id)).length;
    return `• ${t(`questionnaire:section.${section.id}.title`)}: ${t('summary.count', { answered, total: inSection.length })}`;
  });
  const missing = unansweredRequired(def, answers);
  const missingText = missing.length
    ? `${t('summary.missing', { count: missing.length })}\n${missing.map((i) => `• ${requiredLabel(def, t, i)}`).join('\n')}\n\n${t('summary.missingChoice')}`
    : t('summary.complete');
  return [t('summary.title'), counts.join('\n'), missingText].join('\n\n');
}
