import { memberStates, type MemberState } from '../../../dialogs/countries';
import { isCommandWord } from './command';
import { isGreeting } from './greeting';
import { normalize } from './normalize';

/**
 * The outcome of reading a country: its ISO 3166-1 alpha-3 code, or why not. `exact`: the input was a name,
 * alias or code of the state; otherwise it was completed from its beginning ("Parag"), and the bot confirms.
 */
export type CountryParseResult = { ok: true; value: string; exact: boolean } | { ok: false; reason: 'country' };

/** Longer (trimmed) input is not a country name (the longest formal name is under 60 characters); rejected before any work. */
const MAX_INPUT_LENGTH = 200;

/** A typed beginning shorter than this is never completed to a state's English or Spanish name. */
const MIN_PREFIX_LENGTH = 4;

/**
 * Nor shorter than this to one of its other names: "hola" begins "Holanda", "alem" could be anything. Aliases
 * are many and loose, so only a longer beginning is taken as meant.
 */
const MIN_ALIAS_PREFIX_LENGTH = 6;

/** Leading articles dropped from names and input alike ("The Gambia", "Los Países Bajos"). */
const ARTICLES = new Set(['the', 'la', 'el', 'los', 'las']);

const REJECTED: CountryParseResult = { ok: false, reason: 'country' };

/**
 * The matching key of a name: lower case, no accents, no leading article, only letters and digits
 * ("The Côte d'Ivoire" → "cotedivoire", "EE. UU." → "eeuu", "Antigua & Barbuda" → "antiguaandbarbuda").
 */
export function countryKey(text: string): string {
  const words = text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/&/g, ' and ')
    .split(/[^a-z0-9]+/)
    .filter((word) => word !== '');
  if (words.length > 1 && ARTICLES.has(words[0])) words.shift();
  return words.join('');
}

/** Every name and alias of a state. */
const namesOf = (state: MemberState): string[] => [state.en, state.es, ...state.aliases];

/** Name key → code; a key shared by two states would map to null (never matched), which the tests rule out. */
function buildNameIndex(names: (state: MemberState) => string[]): ReadonlyMap<string, string | null> {
  const index = new Map<string, string | null>();
  for (const state of memberStates) {
    for (const key of names(state).map(countryKey)) {
      const known = index.get(key);
      index.set(key, known === undefined || known === state.code ? state.code : null);
    }
  }
  return index;
}

const byName = buildNameIndex(namesOf);
const byMainName = buildNameIndex((state) => [state.en, state.es]);
const byCode: ReadonlyMap<string, MemberState> = new Map(memberStates.map((state) => [state.code, state]));

/** The one state with a name starting with `key` (its main names from 4 letters, any name from 6), or undefined. */
function byUniquePrefix(key: string): string | undefined {
  if (key.length < MIN_PREFIX_LENGTH) return undefined;
  const codes = new Set<string>();
  for (const [name, code] of key.length < MIN_ALIAS_PREFIX_LENGTH ? byMainName : byName) {
    if (code !== null && name.startsWith(key)) codes.add(code);
  }
  return codes.size === 1 ? [...codes][0] : undefined;
}

/**
 * Reads a UN Member State from its English or Spanish name, an alias or its alpha-3 code, ignoring case,
 * accents, punctuation and a leading article (`exact`). A unique beginning is completed ("Parag" → PRY, not
 * exact: to be confirmed), from 4 letters of a main name or 6 of another name — never for a greeting or a
 * command word ("Hola" is not "Holanda"). Never throws.
 */
export function parseCountry(input: string): CountryParseResult {
  if (typeof input !== 'string') return REJECTED;
  const trimmed = input.trim();
  if (trimmed.length > MAX_INPUT_LENGTH) return REJECTED;
  const key = countryKey(trimmed);
  if (key === '') return REJECTED;
  const exact = byName.get(key) ?? (byCode.has(key.toUpperCase()) ? key.toUpperCase() : undefined);
  if (exact) return { ok: true, value: exact, exact: true };
  if (isGreeting(trimmed) || isCommandWord(normalize(trimmed))) return REJECTED;
  const completed = byUniquePrefix(key);
  return completed ? { ok: true, value: completed, exact: false } : REJECTED;
}

/** The common name of a Member State in a language, or undefined for an unknown code. */
export function countryName(code: string, locale: 'en' | 'es'): string | undefined {
  return byCode.get(code.toUpperCase())?.[locale];
}
