import en from '../../locales/en/questionnaire.json';
import es from '../../locales/es/questionnaire.json';
import { loadDefinition } from '../../dialogs';

/** The questionnaire's wording in English and Spanish: the same keys, one for every item, option and section. */

const definition = loadDefinition();
const locales: Record<'en' | 'es', Record<string, string>> = { en, es };

/** Every key the definition calls for, in questionnaire order. */
function expectedKeys(): string[] {
  const keys = ['title', 'intro', 'glossary', 'surveyInfo', 'contact', 'noteLabel'];
  for (const section of definition.questionnaire.sections) {
    keys.push(`section.${section.id}.title`);
    if (section.hasNote) keys.push(`section.${section.id}.note`);
    for (const item of section.items) {
      if (item.heading) keys.push(`item.${item.id}.heading`);
      keys.push(`item.${item.id}`, `item.${item.id}.short`);
      for (const option of item.options ?? []) keys.push(`option.${item.id}.${option}`);
      // A group's short label follows its last item.
      for (const group of section.groups.filter((g) => g.items.at(-1) === item.id)) keys.push(`group.${group.id}.short`);
    }
  }
  keys.push('closing', 'satisfactionSurvey');
  return keys;
}

describe('questionnaire wording (locales/*/questionnaire.json)', () => {
  it('has exactly the same keys in English and Spanish', () => {
    const enKeys = new Set(Object.keys(en));
    const esKeys = new Set(Object.keys(es));
    const missingInEs = [...enKeys].filter((k) => !esKeys.has(k));
    const missingInEn = [...esKeys].filter((k) => !enKeys.has(k));
    expect({ missingInEs, missingInEn }).toEqual({ missingInEs: [], missingInEn: [] });
  });

  it.each(['en', 'es'] as const)('%s: has item.<id> and item.<id>.short for every item of the definition', (lang) => {
    const dict = locales[lang];
    const missing = definition.items.flatMap((item) =>
      [`item.${item.id}`, `item.${item.id}.short`].filter((k) => !(k in dict)),
    );
    expect(missing).toEqual([]);
    expect(definition.items).toHaveLength(99);
  });

  it.each(['en', 'es'] as const)('%s: has a label for every option of every choice/multi item', (lang) => {
    const dict = locales[lang];
    const missing = definition.items.flatMap((item) =>
      (item.options ?? []).map((o) => `option.${item.id}.${o}`).filter((k) => !(k in dict)),
    );
    expect(missing).toEqual([]);
  });

  it.each(['en', 'es'] as const)('%s: has every section title, the section E note and the front matter', (lang) => {
    const dict = locales[lang];
    const wanted = [
      'title',
      'intro',
      'glossary',
      'surveyInfo',
      'contact',
      'closing',
      'satisfactionSurvey',
      'section.E.note',
      ...definition.questionnaire.sections.map((s) => `section.${s.id}.title`),
    ];
    expect(wanted.filter((k) => !(k in dict))).toEqual([]);
  });

  it.each(['en', 'es'] as const)('%s: has no empty value and no key the definition does not know', (lang) => {
    const dict = locales[lang];
    const empty = Object.entries(dict)
      .filter(([, v]) => typeof v !== 'string' || v.trim() === '')
      .map(([k]) => k);
    expect(empty).toEqual([]);
    const expected = new Set(expectedKeys());
    const unknown = Object.keys(dict).filter((k) => !expected.has(k) && !/^section\.[A-Za-z]+\.[a-z]+$/.test(k));
    expect(unknown).toEqual([]);
  });

  it.each(['en', 'es'] as const)('%s: lists the keys in questionnaire order', (lang) => {
    expect(Object.keys(locales[lang])).toEqual(expectedKeys());
  });

  // Spanish runs about a fifth longer than English; a short label that drops content to fit is worse.
  it.each([['en', 60], ['es', 72]] as const)('%s: keeps the short labels short (at most %i characters)', (lang, max) => {
    const long = Object.entries(locales[lang]).filter(([k, v]) => k.endsWith('.short') && v.length > max);
    expect(long).toEqual([]);
  });

  it('keeps the UN English wording verbatim', () => {
    expect(en['item.q1']).toBe(
      'What is the official e-government portal at the national level? If more than one exists, please list all.',
    );
    expect(en['item.q15']).toBe(
      'Is there any legislation, law or regulation on digitally publishing government expenditure? (Note: This is related to SDG Indicator 16.6.1)',
    );
    expect(en['item.q39.detail']).toBe(
      'If yes, please provide link and detail if social media is used for (i) e-information; (ii) e-consultation; and/or (iii) e-decision-making',
    );
    expect(en['item.consent']).toBe('I/We authorize UN DESA to publish my/our responses as deemed necessary.');
    expect(en['closing']).toBe(
      'Thank you for taking time to complete this important questionnaire. We very much appreciate your participation.',
    );
    expect(en['intro']).toBe(
      'The objective of this questionnaire is to gather information from Member States in preparation of the United Nations E-Government Survey 2022. Please note that these responses do not directly affect the UN E-Government Development Index (EGDI), which is a composite index of the Online Service Index (OSI), Telecommunications Infrastructure Index (TII) and Human Capital Index (HCI). UNDESA assesses national portals with the assistance of independent researchers to construct the OSI, and requests data from the International Telecommunications Union (ITU) and the United Nations Educational, Scientific and Cultural Organization (UNESCO) to construct TII and HCI respectively. Inputs to the MSQ will be used by the United Nations E-Government Survey 2022 team for more in-depth country analysis, fact-checking and data quality assurance.',
    );
    expect(en['title']).toBe('Member States Questionnaire (MSQ) for the United Nations E-Government Survey 2022');
  });

  it('translates every value into Spanish, except values that are only URLs or codes', () => {
    const onlyUrlsOrCodes = (v: string) => /^(\s*(https?:\/\/\S+|[A-Z0-9][A-Z0-9.\-]*)\s*)+$/.test(v);
    const untranslated = Object.keys(en).filter(
      (k) => k in es && (es as Record<string, string>)[k] === (en as Record<string, string>)[k] && !onlyUrlsOrCodes((en as Record<string, string>)[k]),
    );
    expect(untranslated).toEqual([]);
    expect(es['item.q15']).toContain('(Nota: Esto se relaciona con el indicador 16.6.1 de los ODS)');
    expect(es['title']).toBe(
      'Cuestionario para los Estados Miembros (MSQ) de la Encuesta de las Naciones Unidas sobre Gobierno Electrónico 2022',
    );
  });

  it('keeps the URLs unchanged in Spanish', () => {
    const urls = (v: string) => v.match(/https?:\/\/\S+/g) ?? [];
    const changed = Object.keys(en).filter(
      (k) => JSON.stringify(urls((en as Record<string, string>)[k])) !== JSON.stringify(urls((es as Record<string, string>)[k] ?? '')),
    );
    expect(changed).toEqual([]);
  });
});
