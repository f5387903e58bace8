import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import i18next, { type i18n, type TFunction } from 'i18next';

/** The languages the bot speaks. */
export const locales = ['en', 'es'] as const;
export type Locale = (typeof locales)[number];

/** The folder of `locales/<lng>/<namespace>.json`, beside `src/` both in the sources and in `dist/`. */
const localesDir = [join(__dirname, '../../locales'), join(__dirname, '../../../locales')].find((dir) => {
  try {
    return readdirSync(dir).includes('en');
  } catch {
    return false;
  }
});

/** Reads every namespace file of every language. */
export function loadResources(dir = localesDir): Record<Locale, Record<string, Record<string, string>>> {
  if (!dir) throw new Error('The locales folder was not found beside the application.');
  const read = (lng: Locale) =>
    Object.fromEntries(
      readdirSync(join(dir, lng))
        .filter((f) => f.endsWith('.json'))
        .map((f) => [f.replace(/\.json$/, ''), JSON.parse(readFileSync(join(dir, lng, f), 'utf8'))]),
    );
  return { en: read('en'), es: read('es') };
}

/**
 * A fresh i18next instance with every text loaded synchronously. Keys are flat (item ids contain dots), the
 * default namespace is `bot`, the questionnaire's wording is `questionnaire:item.q1`.
 */
export function createI18n(): i18n {
  const instance = i18next.createInstance();
  const resources = loadResources();
  void instance.init({
    resources,
    lng: 'en',
    fallbackLng: 'en',
    supportedLngs: [...locales],
    // Every file of locales/<lng>/ is a namespace (bot, questionnaire, document, …): a new file needs no change here.
    ns: Object.keys(resources.en),
    defaultNS: 'bot',
    keySeparator: false,
    nsSeparator: ':',
    interpolation: { escapeValue: false },
    returnNull: false,
    initAsync: false,
  });
  return instance;
}

/** One translator for one turn, fixed to the respondent's language (never a global language switch). */
export type Translator = TFunction;
export const translatorFor = (i18n: i18n, locale: Locale): Translator => i18n.getFixedT(locale);

/** Maps a channel or browser locale ("es-PY", "es", "en-US") to a language the bot speaks. */
export function pickLocale(tag: string | undefined | null, fallback: Locale = 'en'): Locale {
  if (!tag) return fallback;
  const lower = tag.toLowerCase();
  if (lower.startsWith('es')) return 'es';
  if (lower.startsWith('en')) return 'en';
  return fallback;
}
