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

/** Translators already made, per resource store (a re-initialised i18next has a new one) and language. */
const translators = new WeakMap<object, Map<Locale, Translator>>();

/** Texts remembered per translator at most: every key of the locale files fits many times over. */
const MAX_REMEMBERED = 10_000;

/**
 * The translator of a language, fixed to it (`getFixedT`): made once per i18next instance and language and
 * reused by every turn, since it never changes between turns. A text without parameters is looked up by
 * i18next once and then remembered (i18next spends far more on each call than the text is worth); texts with
 * parameters (plurals, interpolation) are i18next's every time. Adding or removing resources forgets them all.
 */
export function translatorFor(i18n: i18n, locale: Locale): Translator {
  const store: object | undefined = i18n.store;
  if (!store) return i18n.getFixedT(locale);
  let byLocale = translators.get(store);
  if (!byLocale) {
    const made = new Map<Locale, Translator>();
    i18n.store.on('added', () => made.clear());
    i18n.store.on('removed', () => made.clear());
    translators.set(store, made);
    byLocale = made;
  }
  let t = byLocale.get(locale);
  if (!t) {
    t = remembering(i18n.getFixedT(locale));
    byLocale.set(locale, t);
  }
  return t;
}

/** Texts with parameters remembered per translator at most (each up to a few hundred characters; all forgotten when full). */
const MAX_REMEMBERED_WITH_PARAMETERS = 2_000;

/** Parameters longer than this (an answer quoted in full) are not worth remembering a text for. */
const LONGEST_REMEMBERED_PARAMETER = 200;

/**
 * A translator that remembers its texts: without parameters, and with parameters that are a few short strings and
 * numbers (the text is i18next's for that key and those parameters, whatever else is asked in between). Any other
 * call goes to i18next as it is.
 */
function remembering(fixed: TFunction): Translator {
  const texts = new Map<string, string>();
  const withParameters = new Map<string, string>();
  // `arguments` rather than a rest parameter: no array is made for the common call, t(key).
  const t = function (key: unknown, options?: unknown): unknown {
    if (typeof key !== 'string' || arguments.length > 2) return Reflect.apply(fixed, undefined, arguments) as unknown;
    if (options !== undefined) {
      const id = parametersId(key, options);
      if (id === null) return fixed(key, options as Record<string, unknown>);
      const known = withParameters.get(id);
      if (known !== undefined) return known;
      const text: unknown = fixed(key, options as Record<string, unknown>);
      if (typeof text === 'string') {
        if (withParameters.size >= MAX_REMEMBERED_WITH_PARAMETERS) withParameters.clear();
        withParameters.set(id, text);
      }
      return text;
    }
    const known = texts.get(key);
    if (known !== undefined) return known;
    const text: unknown = fixed(key);
    if (typeof text === 'string' && texts.size < MAX_REMEMBERED) texts.set(key, text);
    return text;
  };
  // Same call signatures as i18next's own fixed translator, which answers every call the remembering one does not.
  return Object.assign(t, fixed) as unknown as Translator;
}

/**
 * A key and its parameters as one string (each name and value, in order), when every parameter is a short string
 * or a finite number in a plain object; null otherwise (objects, functions, long texts: i18next every time).
 */
function parametersId(key: string, options: unknown): string | null {
  if (typeof options !== 'object' || options === null || Object.getPrototypeOf(options) !== Object.prototype) return null;
  let id = key;
  for (const name in options) {
    if (!Object.hasOwn(options, name)) return null;
    const value: unknown = (options as Record<string, unknown>)[name];
    if (typeof value === 'number' ? !Number.isFinite(value) : typeof value !== 'string' || value.length > LONGEST_REMEMBERED_PARAMETER) return null;
    // A separator that is in no key or name, then the kind of value and its length: no two calls share an id.
    const text = String(value);
    id += `\u0001${name}\u0001${typeof value === 'number' ? 'n' : 's'}${text.length}:${text}`;
  }
  return id;
}

/** Maps a channel or browser locale ("es-PY", "es", "en-US") to a language the bot speaks. */
export function pickLocale(tag: string | undefined | null, fallback: Locale = 'en'): Locale {
  if (!tag) return fallback;
  const lower = tag.toLowerCase();
  if (lower.startsWith('es')) return 'es';
  if (lower.startsWith('en')) return 'en';
  return fallback;
}
