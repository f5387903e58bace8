/**
 * "I don't know" in English and Spanish — "no sé", "ni idea", "not sure", "dunno", "desconozco"… — which must
 * never be read as an answer (least of all as No, which "no sé" starts with). The engine offers to skip or
 * defer the question instead.
 */

import { remember } from '../remember';

/** Phrases as words: lower case, no accents, except "sé" (I know), which keeps its accent to tell it from "se". */
const PHRASES: ReadonlyArray<readonly string[]> = [
  // English
  ['i', "don't", 'know'], ["don't", 'know'], ['dont', 'know'], ['do', 'not', 'know'], ['dunno'], ['idk'],
  ['no', 'idea'], ['not', 'sure'], ["i'm", 'not', 'sure'], ['unsure'], ['not', 'certain'], ['no', 'clue'],
  ['unknown'], ['not', 'known'], ["can't", 'say'], ['cannot', 'say'], ['hard', 'to', 'say'],
  // Spanish
  ['no', 'sé'], ['no', 'lo', 'sé'], ['no', 'lo', 'se'], ['no', 'sabemos'], ['no', 'lo', 'sabemos'], ['no', 'se', 'sabe'],
  ['no', 'sabria'], ['ni', 'idea'], ['no', 'tengo', 'idea'], ['no', 'tengo', 'ni', 'idea'], ['sin', 'idea'],
  ['desconozco'], ['lo', 'desconozco'], ['desconocemos'], ['lo', 'desconocemos'], ['se', 'desconoce'], ['desconocido'],
  ['no', 'estoy', 'seguro'], ['no', 'estoy', 'segura'], ['no', 'estamos', 'seguros'], ['no', 'estamos', 'seguras'],
  ['no', 'tengo', 'certeza'], ['quien', 'sabe'], ['no', 'tengo', 'conocimiento'],
  // Spanish as typed in a hurry: "nose", "nosé", "nolose", and the surveys' own "NS/NC" (no sabe / no contesta)
  ['nose'], ['nolose'], ['ns'], ['nsnc'], ['ns', '/', 'nc'],
];

/** The phrases by their first word, so that each word of a message is compared only with the phrases it can begin. */
const PHRASES_BY_FIRST_WORD = new Map<string, ReadonlyArray<readonly string[]>>();
for (const phrase of PHRASES) PHRASES_BY_FIRST_WORD.set(phrase[0], [...(PHRASES_BY_FIRST_WORD.get(phrase[0]) ?? []), phrase]);

/**
 * "no se" without its accent is also how "no se ha aprobado" (it has not been passed — a No) begins, so it
 * counts only when nothing follows it but punctuation or "si", "bien", "exactamente", "nada", "que".
 */
const BARE_NO_SE_FOLLOWERS = new Set(['si', 'bien', 'exactamente', 'nada', 'que', 'cual', 'cuando', 'como', 'donde']);

/** Words said before the phrase that do not change it ("No, no sé", "Sorry, not sure", "La verdad, no sé"). */
const FILLERS = new Set(['no', 'hmm', 'hm', 'mmm', 'um', 'uh', 'eh', 'ah', 'well', 'sorry', 'honestly', 'ok', 'okay',
  'pues', 'bueno', 'la', 'verdad', 'perdon', 'lo', 'siento', 'honestamente', 'sinceramente', 'disculpe']);

/** Words that open a yes: "Yes, but not sure of the date" is a yes with a detail, not a "don't know". */
const YES_WORDS = new Set(['yes', 'yeah', 'yep', 'si', 'sí', 'claro']);

const ASCII = /^[\x00-\x7f]*$/;

const PUNCTUATION = /^[,.;:!?…¡¿()"“”«»-]+$/;

/** A short message, where a "don't know" anywhere is the gist of it. */
const SHORT = 8;

/**
 * Whether a message says "I don't know" (at its start, or anywhere in a short message that does not open with yes).
 * The last few messages are remembered: a turn asks it of the same message several times (the answer, then yes or
 * no, then a bare yes).
 */
export const isDontKnow: (text: string) => boolean = remember(saysDontKnow, { max: 16 });

function saysDontKnow(text: string): boolean {
  if (text.length > 500) return false;
  const tokens = tokenize(text);
  const words = tokens.filter((t) => !PUNCTUATION.test(t));
  if (words.length === 0) return false;
  let start = 0;
  while (start < tokens.length && (PUNCTUATION.test(tokens[start]) || FILLERS.has(tokens[start]))) start++;
  for (let at = 0; at < tokens.length; at++) {
    if (!(PHRASES_BY_FIRST_WORD.get(tokens[at]) ?? []).some((phrase) => matches(tokens, at, phrase)) && !bareNoSe(tokens, at)) continue;
    if (at <= start || (words.length <= SHORT && !YES_WORDS.has(words[0]))) return true;
  }
  return false;
}

/**
 * Whether a whole message is only "I don't know" ("No sé.", "Not sure", "no sé si existe"): never a text
 * answer either, while a longer text that starts so ("Not sure yet; a bill is being drafted…") is kept.
 */
export const isOnlyDontKnow: (text: string) => boolean = remember((text) => isDontKnow(text) && tokenize(text).filter((t) => !PUNCTUATION.test(t)).length <= ONLY, { max: 16 });

/** The most words a message that only says "I don't know" has ("no lo sé todavía, la verdad"). */
const ONLY = 6;

/** Lower-case words and punctuation marks; accents dropped except on "sé"; curly apostrophes made straight. */
const tokenize: (text: string) => readonly string[] = remember(tokens, { max: 16 });

function tokens(text: string): string[] {
  const found = (ASCII.test(text) ? text : text.normalize('NFC')).toLowerCase().replace(/[’‘`´]/g, "'").match(/[\p{L}\p{N}']+|[^\s\p{L}\p{N}']+/gu) ?? [];
  // Only words with letters beyond ASCII can carry accents to drop.
  return found.map((t) => (t === 'sé' || ASCII.test(t) ? t : t.normalize('NFD').replace(/\p{M}/gu, '')));
}

const matches = (tokens: readonly string[], at: number, phrase: readonly string[]) => phrase.every((word, i) => tokens[at + i] === word);

function bareNoSe(tokens: readonly string[], at: number): boolean {
  if (tokens[at] !== 'no' || tokens[at + 1] !== 'se') return false;
  const next = tokens[at + 2];
  return next === undefined || PUNCTUATION.test(next) || BARE_NO_SE_FOLLOWERS.has(next);
}
