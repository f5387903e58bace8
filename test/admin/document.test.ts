import { documentMarkdown, documentPdf, markdownText } from '../../src/admin/document';
import { findSystemFonts } from '../../src/admin/documentPdf';
import { adminView } from '../../src/admin/view';
import { translatorFor, type Locale } from '../../src/i18n';
import { applicableItems, answerMap } from '../../src/interview/flow';
import type { ResponseDoc } from '../../src/store/port';
import { englishScript, longLegalAnswer } from '../fixtures/answers';
import { definition, i18n } from '../fixtures/interview';
import { pdfTexts } from '../fixtures/pdfText';
import { englishTricky, responseFrom, spanishTricky } from '../fixtures/responses';

const english = responseFrom(englishTricky);
const spanish = responseFrom(spanishTricky, { locale: 'es' });
const partial = responseFrom(englishScript, { stopAfter: 'q9', now: new Date('2026-11-30T08:00:00Z') });

/** Every line of every text answer, as the Markdown shows it. */
const textAnswerLines = (doc: ResponseDoc): string[] => {
  const view = adminView(doc, definition);
  return definition.items
    .filter((item) => item.kind === 'text' || item.kind === 'email')
    .flatMap((item) => {
      const value = view.answers[item.id];
      return typeof value === 'string' ? value.split('\n').filter((line) => line.trim() !== '') : [];
    });
};

const applicable = (doc: ResponseDoc) => applicableItems(definition, answerMap(doc.answers));
const wording = (locale: Locale, id: string) => translatorFor(i18n, locale)(`questionnaire:item.${id}`);

describe('documentMarkdown', () => {
  test.each([
    ['en', english],
    ['es', spanish],
  ] as const)('in %s: every applicable question, worded in full, and every answer', (locale, doc) => {
    const md = documentMarkdown(doc, definition, i18n, locale);
    const t = translatorFor(i18n, locale);
    expect(md.startsWith(`# ${t('questionnaire:title')}\n`)).toBe(true);
    for (const section of definition.questionnaire.sections) expect(md).toContain(`## ${t(`questionnaire:section.${section.id}.title`)}`);
    for (const item of applicable(doc)) expect(md).toContain(wording(locale, item.id));
    for (const line of textAnswerLines(doc)) expect(md).toContain(`> ${markdownText(line)}`);
    // A follow-up that does not apply is not shown.
    expect(md).not.toContain(wording(locale, 'q29.robotics.detail'));
    expect(md).not.toContain(`_${wording(locale, 'respondent.capacityOther')}_`);
  });

  test('English: numbers, ticked boxes, the country, "not answered", consent, status and dates', () => {
    const md = documentMarkdown(english, definition, i18n, 'en');
    expect(md).toContain(`**1. ${wording('en', 'q1')}** \\*`);
    expect(md).toContain(`**44. ${wording('en', 'q44')}**`);
    expect(md.match(/\*\*2\. /g)).toHaveLength(1); // q2 is numbered once, its parts follow it
    expect(md).toContain(`_${wording('en', 'q2.openData')}_`);
    expect(md).toContain('> Paraguay (PRY)');
    expect(md).toContain(`**4. ${wording('en', 'q4')}** \\*\n\n☒ Yes   ☐ No`);
    expect(md).toContain(`**12. ${wording('en', 'q12')}** \\*\n\n☐ Yes   ☒ No`);
    expect(md).toContain(`_${wording('en', 'q4.cio.name')}_ \\*\n\n> Gustavo Pérez`);
    expect(md).toContain('- ☒ I am authorized and fully knowledgeable to respond to this questionnaire.\n- ☒ A group of government agencies');
    expect(md).toContain('- ☒ Artificial intelligence (AI)\n- ☐ Robotics\n- ☐ Blockchains\n- ☐ 5G\n- ☒ Internet of Things (IoT)\n- ☐ Others');
    expect(md).toContain('- ☐ Ten-year\n- ☒ Other');
    expect(md).toContain(`**22. ${wording('en', 'q22')}**\n\n_Not answered_`);
    expect(md).toContain(`## H. Consent to publish this Questionnaire\n\n**${wording('en', 'consent')}** \\*\n\n☒ Yes   ☐ No`);
    expect(md).toContain('- **Status:** Submitted');
    expect(md).toContain('- **Submitted:** 28 November 2026 at 10:00 (UTC)');
    expect(md).toContain('- **Required items without an answer:** None');
    // Line breaks of a long answer are kept.
    const body = longLegalAnswer.replace(/^Yes — /, '').split('\n');
    expect(md).toContain(`> ${body[0]}  \n> ${body[1]}  \n>\n> ${body[3]}`);
  });

  test('Spanish: Sí/No, options, "sin respuesta", status and dates in formal Spanish', () => {
    const md = documentMarkdown(spanish, definition, i18n, 'es');
    expect(md).toContain('## A. Marco institucional / organizativo');
    expect(md).toContain(`**9. ${wording('es', 'q9')}** \\*\n\n☒ Sí   ☐ No`);
    expect(md).toContain('> Ley N.º 5282/2014 «De libre acceso ciudadano a la información pública y transparencia gubernamental».');
    expect(md).toContain('- ☒ Estoy autorizado/a y tengo pleno conocimiento para responder a este cuestionario.');
    expect(md).toContain('- ☐ Diez años\n- ☒ Otro');
    expect(md).toContain('_Sin respuesta_');
    expect(md).not.toContain('Not answered');
    expect(md).toContain('- **Estado:** Enviada');
    expect(md).toContain('- **Enviada:** 28 de noviembre de 2026 a las 10:00 (UTC)');
    expect(md).toContain('_Las preguntas marcadas con * son obligatorias._');
  });

  test('an unfinished response: not submitted, the required items still open, yes/no left blank', () => {
    const md = documentMarkdown(partial, definition, i18n, 'es');
    expect(md).toContain('- **Estado:** En curso (aún no enviada)');
    expect(md).toContain('- **Enviada:** Aún no enviada');
    expect(md).toMatch(/- \*\*Preguntas obligatorias sin respuesta:\*\* 10, 11, .*, 43, Consentimiento para publicar las respuestas/);
    expect(md).toContain(`**10. ${wording('es', 'q10')}** \\*\n\n☐ Sí   ☐ No — _Sin respuesta_`);
  });

  test.each(['en', 'es'] as const)("in %s: the UN's contact line, the subheading before question 5, the closing and the satisfaction survey", (locale) => {
    const md = documentMarkdown(locale === 'en' ? english : spanish, definition, i18n, locale);
    const t = translatorFor(i18n, locale);
    const intro = md.indexOf(markdownText(t('questionnaire:contact')));
    expect(intro).toBeGreaterThan(0);
    expect(intro).toBeLessThan(md.indexOf('## A.'));
    expect(md).toContain(`### ${t('questionnaire:item.q5.planning.heading')}\n\n**5. ${wording(locale, 'q5.planning')}**`);
    expect(md.trimEnd().endsWith(`${markdownText(t('questionnaire:closing'))}\n\n${markdownText(t('questionnaire:satisfactionSurvey'))}`)).toBe(true);
  });

  test("a respondent's text cannot inject HTML, links or structure", () => {
    const doc: ResponseDoc = {
      ...english,
      answers: english.answers.map((a) =>
        a.itemId === 'q44' ? { itemId: 'q44', value: '# Title\n<script>alert(1)</script>\n[click](javascript:alert(1)) ![x](https://t.example/p.png)\n1. one\n- two\nC:\\docs' } : a,
      ),
    };
    const md = documentMarkdown(doc, definition, i18n, 'en');
    expect(md).toContain('> \\# Title  \n> \\<script>alert(1)\\</script>  \n> \\[click\\](javascript:alert(1)) !\\[x\\](https://t.example/p.png)  \n> 1\\. one  \n> \\- two  \n> C:\\\\docs');
    expect(md).not.toMatch(/(^|[^\\])<script>/m);
    expect(markdownText('https://www.mitic.gov.py/sandbox_(beta) — Ley 4017/2010')).toBe('https://www.mitic.gov.py/sandbox_(beta) — Ley 4017/2010');
  });
});

/** Text without any whitespace: line wrapping moves spaces and line breaks, never letters. */
const squash = (text: string) => text.replace(/\s+/g, '');

describe('documentPdf', () => {
  const hasDejaVu = findSystemFonts() !== null;
  const texts: Record<string, string> = {};
  const pdfs: Record<string, Buffer> = {};

  beforeAll(async () => {
    pdfs.en = await documentPdf(english, definition, i18n, 'en');
    pdfs.es = await documentPdf(spanish, definition, i18n, 'es');
    pdfs.builtin = await documentPdf(spanish, definition, i18n, 'es', { fonts: 'builtin' });
    pdfs.partial = await documentPdf(partial, definition, i18n, 'en');
    const keys = Object.keys(pdfs);
    const extracted = await pdfTexts(keys.map((k) => pdfs[k]));
    keys.forEach((k, n) => (texts[k] = extracted[n]));
  });

  test.each([
    ['en', english, 'Yes', 'Page 1 of'],
    ['es', spanish, 'Sí', 'Página 1 de'],
  ] as const)('in %s: a valid PDF whose text holds the wording and every answer, accents intact', (locale, doc, yes, page) => {
    const pdf = pdfs[locale];
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdf.subarray(-6).toString('latin1')).toContain('%%EOF');
    const text = texts[locale];
    const flat = squash(text);
    expect(text).toContain(translatorFor(i18n, locale)('questionnaire:section.H.title'));
    for (const item of applicable(doc)) expect(flat).toContain(squash(wording(locale, item.id)));
    for (const line of textAnswerLines(doc).map((l) => l.replace('日本', '??'))) expect(flat).toContain(squash(line));
    expect(text).toContain('Ana María Giménez Núñez');
    expect(text).toContain('«Cooperación» — ñandutí, €');
    expect(text).toContain(page);
    expect(text).toContain(hasDejaVu ? `☒ ${yes}` : `[X] ${yes}`);
    expect(text).toContain('Paraguay (PRY)');
  });

  test.each(['en', 'es'] as const)("in %s: the contact line first, the subheading right before question 5, the satisfaction survey last", (locale) => {
    const t = translatorFor(i18n, locale);
    const flat = squash(texts[locale]);
    const at = (text: string) => flat.indexOf(squash(text));
    expect(at(t('questionnaire:contact'))).toBeGreaterThan(0);
    expect(at(t('questionnaire:contact'))).toBeLessThan(at(t('questionnaire:section.A.title')));
    expect(flat).toContain(squash(`${t('questionnaire:item.q5.planning.heading')}5. ${wording(locale, 'q5.planning')}`));
    expect(at(t('questionnaire:satisfactionSurvey'))).toBeGreaterThan(at(t('questionnaire:section.H.title')));
    expect(at(t('questionnaire:closing'))).toBeGreaterThan(at(t('questionnaire:section.H.title')));
  });

  test('Spanish wording and accents come out of the PDF as written', () => {
    for (const words of ['Cuestionario para los Estados Miembros', 'Electrónico', 'País e información de contacto', '¿Existe alguna legislación', 'Ministerio de Educación y Ciencias', 'Consentimiento', 'Enviada', 'noviembre']) {
      expect(texts.es).toContain(words);
    }
  });

  test("pdfkit's built-in Helvetica (no font installed) keeps every Spanish letter; boxes become [X] / [ ]", () => {
    expect(texts.builtin).toContain('[X] Sí [ ] No');
    for (const words of ['Ana María Giménez Núñez', '¿Existe alguna legislación', '«Cooperación» — ñandutí, €, ??', '¡sí!']) expect(texts.builtin).toContain(words);
  });

  test('an unfinished response shows what is missing', () => {
    expect(texts.partial).toContain('In progress (not yet submitted)');
    expect(texts.partial).toContain('Not answered');
    expect(squash(texts.partial)).toContain(squash(englishScript.q1));
  });
});
