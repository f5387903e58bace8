import type { Definition } from '../../dialogs';
import type { SectionId } from '../../dialogs/schema';
import type { Locale, Translator } from '../i18n';
import { countryName } from './parse/country';
import { answerMap, applicableItems, progressOf, questionCount, unansweredRequired, type Answers, type DefinedItem } from './flow';
import type { Say } from './machine';
import type { Reason } from './parse/answer';
import type { AnswerValue, EngineState } from './state';

/** What a channel needs to render a question: the metadata sent as `channelData.msq`. */
export interface PromptMeta {
  questionId: string;
  section: SectionId;
  kind: DefinedItem['kind'];
  required: boolean;
  options?: Array<{ id: string; label: string }>;
  progress: { answered: number; total: number };
}

/**
 * A reply: a message, or a question with how to answer it and its metadata. `retry` marks the question asked
 * again right after an answer that was not understood (channels that showed it as a card need not repeat it).
 */
export type Reply = { type: 'message'; text: string } | { type: 'prompt'; text: string; hint: string; meta: PromptMeta; retry?: true };

/** Longest answer shown in a review list; the full answer is shown when the item is asked again. */
const REVIEW_LENGTH = 300;

/** Renders a turn's messages and, last, the prompt the respondent is now at, in the state's language. */
export function renderTurn(def: Definition, t: Translator, state: EngineState, outbox: readonly Say[]): Reply[] {
  const answers = answerMap(state.answers);
  const replies: Reply[] = outbox.map((say) => ({ type: 'message', text: renderSay(def, t, state, answers, say) }));
  const prompt = renderPrompt(def, t, state);
  if (!prompt) return replies;
  const retry = prompt.type === 'prompt' && outbox.some((say) => say.say === 'invalid');
  return [...replies, retry ? { ...prompt, retry: true } : prompt];
}

/** The question the respondent is at, or null once submitted. */
export function renderPrompt(def: Definition, t: Translator, state: EngineState): Reply | null {
  const answers = answerMap(state.answers);
  const progress = progressOf(def, answers);
  const yesNo = (questionId: string, key: string): Reply => ({
    type: 'prompt',
    text: t(key),
    hint: t('hint.yesno'),
    meta: { questionId, section: 'H', kind: 'yesno', required: true, options: yesNoOptions(t), progress },
  });
  switch (state.phase) {
    case 'submitted':
      return null;
    case 'confirmingSubmit':
      return yesNo('submit', 'submit.question');
    case 'confirmingRestart':
      return yesNo('restart', 'restart.confirm');
    case 'confirmingErase':
      return yesNo('erase', 'erase.confirm');
    case 'asking': {
      const item = state.current ? def.byId.get(state.current) : undefined;
      return item ? itemPrompt(t, state.locale, item, answers, progress) : null;
    }
  }
}

function itemPrompt(t: Translator, locale: Locale, item: DefinedItem, answers: Answers, progress: PromptMeta['progress']): Reply {
  const current = answers.get(item.id);
  const lines = [questionText(t, item)];
  if (current !== undefined) lines.push(t('prompt.currentAnswer', { answer: displayValue(t, locale, item, current) }));
  const hints = [t(item.kind === 'yesno' && item.inlineDetail ? 'hint.yesnoDetail' : `hint.${item.kind}`)];
  hints.push(t(current !== undefined ? 'hint.keep' : item.required ? 'hint.required' : 'hint.optional'));
  const options =
    item.kind === 'yesno'
      ? yesNoOptions(t)
      : item.options?.map((id) => ({ id, label: t(`questionnaire:option.${item.id}.${id}`) }));
  return {
    type: 'prompt',
    text: lines.join('\n\n'),
    hint: hints.join(' '),
    meta: { questionId: item.id, section: item.section, kind: item.kind, required: item.required, ...(options ? { options } : {}), progress },
  };
}

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
    case 'section': {
      const title = t('section.announce', { title: t(`questionnaire:section.${say.section}.title`) });
      const hasNote = def.questionnaire.sections.find((s) => s.id === say.section)?.hasNote;
      return hasNote ? `${title}\n\n${t(`questionnaire:section.${say.section}.note`)}` : title;
    }
    case 'invalid':
      return invalidText(t, def, state, say.reason);
    case 'help':
      return [t('help.commands'), t('help.answering')].join('\n\n');
    case 'progress':
      return progressText(def, t, state, answers);
    case 'review':
      return reviewText(def, t, state.locale, answers, say.section);
    case 'summary':
      return summaryText(def, t, answers);
  }
}

function invalidText(t: Translator, def: Definition, state: EngineState, reason: Reason): string {
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
    default:
      return t(`invalid.${reason.code}`);
  }
}

/** Where the respondent is: section, question number, items answered, deferred items. */
export function whereText(def: Definition, t: Translator, state: EngineState): string {
  const item = state.current ? def.byId.get(state.current) : undefined;
  if (state.phase === 'submitted') return t('where.submitted', { date: state.submittedAt?.slice(0, 10) ?? '' });
  if (!item) return t('where.atSubmit');
  const section = t(`questionnaire:section.${item.section}.title`);
  return item.number
    ? t('where.atQuestion', { number: item.number, count: questionCount(def), section })
    : t('where.atSection', { section });
}

function progressText(def: Definition, t: Translator, state: EngineState, answers: Answers): string {
  const { answered, total } = progressOf(def, answers);
  const lines = [whereText(def, t, state), t('progress.answered', { answered, total })];
  const deferred = state.deferred.map((id) => def.byId.get(id)).filter((i): i is DefinedItem => i !== undefined);
  lines.push(deferred.length ? `${t('progress.deferred')}\n${deferred.map((i) => `• ${itemLabel(t, i)}`).join('\n')}` : t('progress.noDeferred'));
  return lines.join('\n');
}

/** "17 — Legislation on digital signature" (number and short label) to name an item in lists. */
export const itemLabel = (t: Translator, item: DefinedItem): string => {
  const short = t(`questionnaire:item.${item.id}.short`);
  return item.number ? `${item.number} — ${short}` : short;
};

function reviewText(def: Definition, t: Translator, locale: Locale, answers: Answers, only: SectionId | null): string {
  const items = applicableItems(def, answers);
  const sections = def.questionnaire.sections.filter((s) => only === null || s.id === only);
  const blocks = sections.map((section) => {
    const lines = items
      .filter((i) => i.section === section.id)
      .map((item) => {
        const value = answers.get(item.id);
        const shown = value === undefined ? t('review.notAnswered') : truncate(displayValue(t, locale, item, value));
        return `• ${itemLabel(t, item)} [${item.id}]: ${shown}`;
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
    ? `${t('summary.missing', { count: missing.length })}\n${missing.map((i) => `• ${itemLabel(t, i)}`).join('\n')}\n\n${t('summary.missingChoice')}`
    : t('summary.complete');
  return [t('summary.title'), counts.join('\n'), missingText].join('\n\n');
}
