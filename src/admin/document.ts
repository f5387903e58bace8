/**
 * The filled questionnaire as a document, laid out like the printed MSQ: title and introduction, the response's
 * status and dates, the respondent block, sections A–H with every applicable question numbered and worded in
 * full, ☒/☐ for yes/no and options, follow-ups under their question, "not answered" where empty, the consent.
 * Markdown and PDF draw the same outline (documentModel.ts).
 */
import type { i18n } from 'i18next';
import type { Definition } from '../../dialogs';
import { translatorFor, type Locale } from '../i18n';
import type { ResponseAttribution } from '../session/participants';
import type { ResponseDoc } from '../store/port';
import { documentModel, type DocumentAnswer, type DocumentEntry } from './documentModel';
import { renderPdf, type PdfOptions } from './documentPdf';

export type { PdfOptions, PdfFonts } from './documentPdf';

/** Ticked and empty boxes of the original questionnaire. */
const CHECKED = '☒';
const UNCHECKED = '☐';

/** The filled questionnaire of a response as Markdown, in `locale`. Answers are shown verbatim (see markdownText). */
export function documentMarkdown(doc: ResponseDoc, def: Definition, i18n: i18n, locale: Locale, attribution?: ResponseAttribution): string {
  const model = documentModel(doc, def, i18n, locale, attribution);
  const notAnswered = `_${translatorFor(i18n, locale)('document:notAnswered')}_`;
  const out: string[] = [`# ${model.title}`, ...model.intro.map(markdownText)];
  out.push(`## ${model.metaHeading}`, model.meta.map((m) => `- **${m.label}:** ${markdownText(m.value)}`).join('\n'));
  out.push(`_${model.requiredLegend}_`);
  for (const section of model.sections) {
    out.push(`## ${section.title}`);
    if (section.note) out.push(`_${section.note}_`);
    for (const entry of section.entries) {
      if (entry.heading) out.push(`### ${entry.heading}`);
      out.push(entryHeading(entry), answerMarkdown(entry.answer, notAnswered));
      if (entry.carried) out.push(`_${entry.carried}_`);
    }
    if (section.answeredBy) out.push(`_${markdownText(section.answeredBy)}_`);
  }
  out.push(...model.closing.map(markdownText));
  return `${out.join('\n\n')}\n`;
}

/** The filled questionnaire of a response as a PDF (A4), in `locale`. */
export function documentPdf(doc: ResponseDoc, def: Definition, i18n: i18n, locale: Locale, options: PdfOptions = {}, attribution?: ResponseAttribution): Promise<Buffer> {
  const model = documentModel(doc, def, i18n, locale, attribution);
  const t = translatorFor(i18n, locale);
  return renderPdf(model, {
    notAnswered: t('document:notAnswered'),
    page: (page, pages) => t('document:page', { page, pages }),
    options,
  });
}

/** "**17. Is there…** \*" for a question; a part or follow-up in italics, without a number. */
function entryHeading(entry: DocumentEntry): string {
  const required = entry.required ? ' \\*' : '';
  const wording = entry.number ? `${entry.number}. ${entry.wording}` : entry.wording;
  return entry.level === 0 ? `**${wording}**${required}` : `_${wording}_${required}`;
}

function answerMarkdown(answer: DocumentAnswer, notAnswered: string): string {
  if (answer.kind === 'text') {
    if (answer.text === null) return notAnswered;
    // A quote block keeps the answer apart from the questionnaire's wording; two trailing spaces keep its line breaks.
    return answer.text
      .split(/\r\n|\r|\n/)
      .map((line) => (line.trim() === '' ? '>' : `> ${markdownText(line)}  `))
      .join('\n')
      .replace(/ {2}$/, '');
  }
  const boxes = answer.boxes.map((b) => `${b.checked ? CHECKED : UNCHECKED} ${b.label}`);
  const shown = answer.inline ? boxes.join('   ') : boxes.map((b) => `- ${b}`).join('\n');
  if (answer.answered) return shown;
  return answer.inline ? `${shown} — ${notAnswered}` : `${shown}\n\n${notAnswered}`;
}

/**
 * A respondent's text, shown as typed but unable to change the document's structure: backslashes, `<` and
 * square brackets are escaped (no HTML, links or images from answers), and a line that would start a heading,
 * list, quote, rule, table or code fence has that marker escaped. Emphasis characters are left alone (links keep
 * their underscores).
 */
export function markdownText(line: string): string {
  const escaped = line.replace(/[\\<[\]]/g, (c) => `\\${c}`);
  const ordered = /^(\s*\d{1,9})([.)])/.exec(escaped);
  if (ordered) return `${ordered[1]}\\${ordered[2]}${escaped.slice(ordered[0].length)}`;
  return escaped.replace(/^(\s*)([#>+\-*=|`~])/, '$1\\$2');
}
