import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createI18n } from '../../src/i18n';

/**
 * English and Spanish stay in step: the same files, the same keys, no empty texts, the same {{placeholders}}
 * and $t(...) nestings. The folders are read from disk, so a namespace file added later is covered too.
 */

const localesDir = join(__dirname, '../../locales');
const languages = ['en', 'es'] as const;
type Language = (typeof languages)[number];

const jsonFiles = (lng: Language): string[] =>
  readdirSync(join(localesDir, lng))
    .filter((f) => f.endsWith('.json'))
    .sort();

const filesOf: Record<Language, string[]> = { en: jsonFiles('en'), es: jsonFiles('es') };
const allFiles = [...new Set([...filesOf.en, ...filesOf.es])].sort();

/** The parsed file, or the parse error's message (reported by its own test, never thrown while collecting). */
function read(lng: Language, file: string): Record<string, unknown> | string {
  try {
    const parsed: unknown = JSON.parse(readFileSync(join(localesDir, lng, file), 'utf8'));
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return 'not a JSON object';
    return parsed as Record<string, unknown>;
  } catch (error) {
    return (error as Error).message;
  }
}

const dictionary = (lng: Language, file: string): Record<string, unknown> => {
  const parsed = read(lng, file);
  return typeof parsed === 'string' ? {} : parsed;
};

/** Every `{{placeholder}}` and `$t(...)` of a text, as written (whitespace inside braces ignored). */
function tokens(value: unknown): string[] {
  if (typeof value !== 'string') return [];
  const placeholders = [...value.matchAll(/\{\{\s*([^{}]+?)\s*\}\}/g)].map((m) => `{{${m[1]}}}`);
  const nestings = [...value.matchAll(/\$t\(([^()]*)\)/g)].map((m) => `$t(${m[1].trim()})`);
  return [...new Set([...placeholders, ...nestings])].sort();
}

describe('locale parity (locales/en ↔ locales/es)', () => {
  it('both languages have at least one namespace file', () => {
    expect(filesOf.en.length).toBeGreaterThan(0);
    expect(filesOf.es.length).toBeGreaterThan(0);
  });

  it('every file exists in both languages', () => {
    const missing = {
      en: filesOf.es.filter((f) => !filesOf.en.includes(f)),
      es: filesOf.en.filter((f) => !filesOf.es.includes(f)),
    };
    expect(missing).toEqual({ en: [], es: [] });
  });

  it.each(languages.flatMap((lng) => filesOf[lng].map((file) => [`${lng}/${file}`, lng, file] as const)))(
    '%s parses as a JSON object of strings',
    (_, lng, file) => {
      const parsed = read(lng, file);
      expect(typeof parsed === 'string' ? parsed : 'ok').toBe('ok');
      const notStrings = Object.entries(parsed as Record<string, unknown>)
        .filter(([, v]) => typeof v !== 'string')
        .map(([k]) => k);
      expect(notStrings).toEqual([]);
    },
  );

  it('every file has exactly the same keys in both languages', () => {
    // { "bot.json": { missingInEn: [...], missingInEs: [...] } } for every file that differs.
    const differences: Record<string, { missingInEn: string[]; missingInEs: string[] }> = {};
    for (const file of allFiles) {
      const en = Object.keys(dictionary('en', file));
      const es = Object.keys(dictionary('es', file));
      const missingInEn = es.filter((k) => !en.includes(k));
      const missingInEs = en.filter((k) => !es.includes(k));
      if (missingInEn.length || missingInEs.length) differences[file] = { missingInEn, missingInEs };
    }
    expect(differences).toEqual({});
  });

  it('no text is empty', () => {
    const empty = languages.flatMap((lng) =>
      filesOf[lng].flatMap((file) =>
        Object.entries(dictionary(lng, file))
          .filter(([, v]) => typeof v !== 'string' || v.trim() === '')
          .map(([k]) => `${lng}/${file}: ${k}`),
      ),
    );
    expect(empty).toEqual([]);
  });

  it('every {{placeholder}} and $t(...) of a text appears in the other language too', () => {
    const mismatches: string[] = [];
    for (const file of allFiles) {
      const en = dictionary('en', file);
      const es = dictionary('es', file);
      for (const key of Object.keys(en).filter((k) => k in es)) {
        const enTokens = tokens(en[key]);
        const esTokens = tokens(es[key]);
        const missingInEs = enTokens.filter((t) => !esTokens.includes(t));
        const missingInEn = esTokens.filter((t) => !enTokens.includes(t));
        if (missingInEs.length) mismatches.push(`es/${file} ${key}: missing ${missingInEs.join(', ')}`);
        if (missingInEn.length) mismatches.push(`en/${file} ${key}: missing ${missingInEn.join(', ')}`);
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('plural forms come in pairs (_one with _other) in every language', () => {
    const unpaired = languages.flatMap((lng) =>
      filesOf[lng].flatMap((file) => {
        const keys = Object.keys(dictionary(lng, file));
        return keys
          .filter((k) => k.endsWith('_one'))
          .filter((k) => !keys.includes(k.replace(/_one$/, '_other')))
          .map((k) => `${lng}/${file}: ${k}`);
      }),
    );
    expect(unpaired).toEqual([]);
  });
});

describe("through the app's own i18n", () => {
  // Created per test, so a file that does not parse fails here without hiding the parity reports above.
  let i18n: ReturnType<typeof createI18n>;
  beforeEach(() => {
    i18n = createI18n();
  });
  const closing = (lng: Language) => dictionary(lng, 'questionnaire.json').closing as string;

  it('nests the questionnaire closing into submit.done in Spanish', () => {
    const text = i18n.getFixedT('es')('submit.done');
    expect(closing('es')).toBeTruthy();
    expect(text).toContain(closing('es'));
    expect(text).not.toContain('$t(');
    expect(text).not.toContain(closing('en'));
  });

  it('nests the questionnaire closing into submit.done in English', () => {
    expect(i18n.getFixedT('en')('submit.done')).toContain(closing('en'));
  });

  it('resolves every Spanish bot text without leftover nestings and picks the Spanish plural forms', () => {
    const t = i18n.getFixedT('es');
    const unresolved = Object.keys(dictionary('es', 'bot.json'))
      .filter((k) => !/_(zero|one|two|few|many|other)$/.test(k))
      .filter((k) => t(k).includes('$t('));
    expect(unresolved).toEqual([]);
    const bot = dictionary('es', 'bot.json');
    expect(t('summary.missing', { count: 1 })).toBe((bot['summary.missing_one'] as string).replace('{{count}}', '1'));
    expect(t('summary.missing', { count: 3 })).toBe((bot['summary.missing_other'] as string).replace('{{count}}', '3'));
  });
});
