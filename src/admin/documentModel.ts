/**
 * The filled questionnaire as a language-independent outline: what the Markdown and PDF documents show, in
 * which order, worded in one language. Both renderers draw this model, so they never disagree on content.
 */
import type { i18n } from 'i18next';
import type { Definition } from '../../dialogs';
import type { SectionId } from '../../dialogs/schema';
import { translatorFor, type Locale, type Translator } from '../i18n';
import type { DefinedItem } from '../interview/flow';
import { answerMap, applicableItems } from '../interview/flow';
import { countryName } from '../interview/parse/country';
import type { AnswerValue, ResponseDoc } from '../store/port';
import type { ResponseAttribution } from '../session/participants';
import { adminView } from './view';

/** A filled questionnaire, worded in one language. */
export interface DocumentModel {
  locale: Locale;
  title: string;
  /** The questionnaire's introduction, glossary and survey links, and whom to contact. */
  intro: string[];
  /** "About this response": country, status, dates, completion. */
  metaHeading: string;
  meta: Array<{ label: string; value: string }>;
  requiredLegend: string;
  sections: DocumentSection[];
  /** The questionnaire's closing words and its optional satisfaction survey, after the last section. */
  closing: string[];
  /** The page footer: title and country. */
  footer: string;
}

/** A section: its title, its note (if any) and its applicable items. */
export interface DocumentSection {
  id: SectionId;
  title: string;
  note?: string;
  entries: DocumentEntry[];
  /** The section's footnote: who answered its questions ("Answered by: ana@… (9, 10); luis@… (11)"). */
  answeredBy?: string;
}

/** One item with its answer. */
export interface DocumentEntry {
  itemId: string;
  /** A subheading of the printed questionnaire that stands before this item ("Sectoral agencies/…" before q5). */
  heading?: string;
  /** The printed question number, on the first item of a question only ("17"). */
  number?: string;
  wording: string;
  required: boolean;
  /** 0: a question (or an item of the respondent block); 1: a part or follow-up of the question above. */
  level: 0 | 1;
  answer: DocumentAnswer;
  /** Set when the answer is the previous round's, kept by the respondent: the mark, worded. */
  carried?: string;
}

/**
 * An answer: tick boxes (yes/no, choices; `answered` false when none is ticked) or text (null: not answered).
 * Yes/no boxes sit on one line (`inline`), options one per line.
 */
export type DocumentAnswer =
  | { kind: 'boxes'; boxes: Array<{ label: string; checked: boolean }>; answered: boolean; inline: boolean }
  | { kind: 'text'; text: string | null };

/** Builds the outline of a response's document in `locale`. Only the items that apply to the response are listed. */
export function documentModel(doc: ResponseDoc, def: Definition, i18n: i18n, locale: Locale, attribution?: ResponseAttribution): DocumentModel {
  const t = translatorFor(i18n, locale);
  const view = adminView(doc, def, attribution);
  const carried = new Set(view.carriedForward);
  const answers = answerMap(doc.answers);
  const applicable = applicableItems(def, answers);
  const country = view.country
    ? t('document:countryValue', { name: countryName(view.country.code, locale) ?? view.country.name, code: view.country.code })
    : t('document:noCountry');
  const date = (iso: string | null, otherwise: string) => (iso ? t('document:date', { date: formatDate(iso, locale) }) : otherwise);
  const missing = view.unansweredRequired.map((id) => def.byId.get(id)).filter((i): i is DefinedItem => i !== undefined);

  const sections = def.questionnaire.sections.map((section): DocumentSection => {
    let lastNumber: string | undefined;
    const entries = applicable
      .filter((item) => item.section === section.id)
      .map((item): DocumentEntry => {
        const first = item.number !== undefined && item.number !== lastNumber && !item.when;
        if (item.number !== undefined) lastNumber = item.number;
        const isPart = item.when !== undefined || (item.number !== undefined && !first);
        return {
          itemId: item.id,
          ...(item.heading ? { heading: t(`questionnaire:item.${item.id}.heading`) } : {}),
          ...(first ? { number: item.number } : {}),
          wording: t(`questionnaire:item.${item.id}`),
          required: item.required,
          level: isPart ? 1 : 0,
          answer: answerOf(t, locale, item, view.answers[item.id]),
          ...(carried.has(item.id) ? { carried: t('document:carried') } : {}),
        };
      });
    const answeredBy = view.answeredBy ? sectionAuthors(t, entries, view.answeredBy, def) : undefined;
    return {
      id: section.id,
      title: t(`questionnaire:section.${section.id}.title`),
      ...(section.hasNote ? { note: t(`questionnaire:section.${section.id}.note`) } : {}),
      entries,
      ...(answeredBy ? { answeredBy } : {}),
    };
  });

  const title = t('questionnaire:title');
  return {
    locale,
    title,
    intro: [t('questionnaire:intro'), t('questionnaire:glossary'), t('questionnaire:surveyInfo'), t('questionnaire:contact')],
    metaHeading: t('document:heading.response'),
    meta: [
      { label: t('document:label.country'), value: country },
      { label: t('document:label.status'), value: t(`document:status.${view.status}`) },
      { label: t('document:label.createdAt'), value: date(view.createdAt, '') },
      { label: t('document:label.updatedAt'), value: date(view.updatedAt, '') },
      { label: t('document:label.submittedAt'), value: date(view.submittedAt, t('document:notSubmitted')) },
      { label: t('document:label.language'), value: t(`document:language.${view.locale}`) },
      { label: t('document:label.completion'), value: t('document:completion', { answered: view.answered, total: view.total }) },
      {
        label: t('document:label.unansweredRequired'),
        value: missing.length ? missing.map((item) => item.number ?? t(`questionnaire:item.${item.id}.short`)).filter(unique).join(', ') : t('document:noneMissing'),
      },
      { label: t('document:label.responseId'), value: view.id },
    ],
    requiredLegend: t('document:requiredLegend'),
    sections,
    closing: [t('questionnaire:closing'), t('questionnaire:satisfactionSurvey')],
    footer: t('document:footer', { title, country }),
  };
}

/** "Answered by: ana@… (9, 10); luis@… (11)": who answered a section's questions (numbers, or the items' short names). */
function sectionAuthors(t: Translator, entries: DocumentEntry[], answeredBy: Record<string, string>, def: Definition): string | undefined {
  const by = new Map<string, string[]>();
  for (const entry of entries) {
    const who = answeredBy[entry.itemId];
    if (!who) continue;
    const item = def.byId.get(entry.itemId);
    const label = item?.number ?? t(`questionnaire:item.${entry.itemId}.short`);
    const list = by.get(who) ?? [];
    if (!list.includes(label)) list.push(label);
    by.set(who, list);
  }
  if (by.size === 0) return undefined;
  return t('document:answeredBy', { who: [...by].map(([who, items]) => `${who} (${items.join(', ')})`).join('; ') });
}

/** An answer as ticked boxes or text, worded in the document's language. */
function answerOf(t: Translator, locale: Locale, item: DefinedItem, value: AnswerValue | undefined): DocumentAnswer {
  const chosen = new Set(value === undefined ? [] : Array.isArray(value) ? value : [value]);
  switch (item.kind) {
    case 'yesno':
      return {
        kind: 'boxes',
        inline: true,
        answered: chosen.size > 0,
        boxes: ['yes', 'no'].map((id) => ({ label: t(`document:answer.${id}`), checked: chosen.has(id) })),
      };
    case 'choice':
    case 'multi':
      return {
        kind: 'boxes',
        inline: false,
        answered: chosen.size > 0,
        boxes: (item.options ?? []).map((id) => ({ label: t(`questionnaire:option.${item.id}.${id}`), checked: chosen.has(id) })),
      };
    case 'country': {
      const code = typeof value === 'string' ? value : null;
      return { kind: 'text', text: code ? t('document:countryValue', { name: countryName(code, locale) ?? code, code }) : null };
    }
    default:
      return { kind: 'text', text: value === undefined ? null : Array.isArray(value) ? value.join('; ') : value };
  }
}

/** "28 November 2026, 10:00" / "28 de noviembre de 2026, 10:00", in UTC. */
export function formatDate(iso: string, locale: Locale): string {
  const format = new Intl.DateTimeFormat(locale === 'es' ? 'es' : 'en-GB', { dateStyle: 'long', timeStyle: 'short', timeZone: 'UTC' });
  return format.format(new Date(iso));
}

const unique = <T>(value: T, index: number, all: T[]) => all.indexOf(value) === index;
