import { z } from 'zod';
import type { Item } from '../../../dialogs/schema';
import type { AnswerValue } from '../state';
import { parseCountry } from './country';
import { isDontKnow, isOnlyDontKnow } from './dontKnow';
import { normalize, stripControl } from './normalize';

/** The longest text answer kept, in characters (answers are pasted laws and links; 20,000 is the documented floor). */
export const MAX_TEXT_LENGTH = 20_000;

/** Why an answer was not understood; the re-prompt says what is expected. */
export type Reason =
  | { code: 'yesno' }
  | { code: 'choice'; count: number }
  | { code: 'multi'; count: number }
  | { code: 'ambiguous'; options: string[] }
  | { code: 'email' }
  | { code: 'country' }
  | { code: 'empty' }
  | { code: 'tooLong'; length: number; max: number }
  /** "No sé", "not sure": never an answer; the bot offers to skip (or defer) the question. */
  | { code: 'dontKnow' }
  /** "Hola!": a greeting, never an answer. */
  | { code: 'greeting' };

/**
 * An understood answer. `rest` is what followed a yes or no in the same message ("Yes — Law 5282/2014");
 * `confirm` means the bot read the answer from part of a name, so the respondent confirms it before it is stored.
 */
export type Parsed =
  | { ok: true; value: AnswerValue; rest?: string; confirm?: boolean }
  | { ok: false; reason: Reason };

/** Labels of an option in every language, for matching typed answers. */
export type OptionLabels = (optionId: string) => string[];

/** Understands a typed (or clicked) answer to an item, in English or Spanish. Never throws. */
export function parseAnswer(item: Item, input: string, labels: OptionLabels): Parsed {
  const text = stripControl(input).trim();
  if (item.kind !== 'text' && text.length > MAX_TEXT_LENGTH) return { ok: false, reason: { code: 'tooLong', length: text.length, max: MAX_TEXT_LENGTH } };
  // A free text may say it does not know and go on ("Not sure yet; a bill is being drafted…"): kept verbatim.
  if (item.kind === 'text' ? isOnlyDontKnow(text) : isDontKnow(text)) return { ok: false, reason: { code: 'dontKnow' } };
  switch (item.kind) {
    case 'yesno':
      return parseYesNo(text);
    case 'choice':
      return parseChoice(item.options ?? [], text, labels);
    case 'multi':
      return parseMulti(item.options ?? [], text, labels);
    case 'email':
      return parseEmail(text);
    case 'country': {
      const country = parseCountry(text);
      return country.ok ? { ok: true, value: country.value, ...(country.exact ? {} : { confirm: true }) } : { ok: false, reason: { code: 'country' } };
    }
    case 'text':
      return parseText(text);
  }
}

const YES = new Set(['yes', 'y', 'yeah', 'yep', 'yup', 'si', 'claro', 'afirmativo', 'true', 'verdadero']);
const NO = new Set(['no', 'n', 'nope', 'negativo', 'false', 'falso']);

/**
 * "yes", "Sí", "No." — and "Yes — Law 5282/2014 https://…": yes with the rest kept verbatim. "No sé", "not
 * sure" and the like are not an answer at all (never a No).
 */
export function parseYesNo(text: string): Parsed {
  if (isDontKnow(text)) return { ok: false, reason: { code: 'dontKnow' } };
  const match = /^[\s¡¿"'“«(]*([\p{L}]+)/u.exec(text);
  const word = match ? normalize(match[1]) : '';
  const answer = YES.has(word) ? 'yes' : NO.has(word) ? 'no' : undefined;
  if (!answer || !match) return { ok: false, reason: { code: 'yesno' } };
  const rest = text.slice(match[0].length).replace(/^[\s,;:.!?)\-–—]+/u, '').trim();
  return rest ? { ok: true, value: answer, rest } : { ok: true, value: answer };
}

/** One option: by id (button value), number, label or its unambiguous beginning, or a word of its label. */
export function parseChoice(options: readonly string[], text: string, labels: OptionLabels): Parsed {
  const one = matchOption(options, text, labels);
  if (one.ok) return { ok: true, value: one.id };
  return { ok: false, reason: one.ambiguous ? { code: 'ambiguous', options: one.ambiguous } : { code: 'choice', count: options.length } };
}

/** Any options: "1, 3", "1 3", "AI and IoT", "ai,iot" (card value), each matched like a single choice. */
export function parseMulti(options: readonly string[], text: string, labels: OptionLabels): Parsed {
  const invalid: Parsed = { ok: false, reason: { code: 'multi', count: options.length } };
  const whole = matchOption(options, text, labels);
  if (whole.ok) return { ok: true, value: [whole.id] };
  const numbers = /^\d+(\s+\d+)+$/.test(normalize(text)) ? normalize(text).split(' ') : null;
  const parts = numbers ?? text.split(/[,;\n]|\s+(?:and|y|e|&)\s+/i).map((p) => p.trim()).filter(Boolean);
  if (parts.length === 0) return invalid;
  const chosen = new Set<string>();
  for (const part of parts) {
    const match = matchOption(options, part, labels);
    if (!match.ok) return match.ambiguous ? { ok: false, reason: { code: 'ambiguous', options: match.ambiguous } } : invalid;
    chosen.add(match.id);
  }
  return { ok: true, value: options.filter((o) => chosen.has(o)) };
}

type OptionMatch = { ok: true; id: string } | { ok: false; ambiguous?: string[] };

function matchOption(options: readonly string[], text: string, labels: OptionLabels): OptionMatch {
  const input = normalize(text);
  if (!input) return { ok: false };
  if (options.includes(text.trim())) return { ok: true, id: text.trim() };
  if (/^\d+$/.test(input)) {
    const index = Number(input) - 1;
    return index >= 0 && index < options.length ? { ok: true, id: options[index] } : { ok: false };
  }
  const names = options.map((id) => ({ id, names: [id, ...labels(id)].map(normalizedName) }));
  const tests: Array<(name: string) => boolean> = [
    (name) => name === input,
    (name) => name.startsWith(input),
    (name) => ` ${name} `.includes(` ${input} `),
  ];
  for (const test of tests) {
    const found = names.filter((o) => o.names.some(test)).map((o) => o.id);
    if (found.length === 1) return { ok: true, id: found[0] };
    if (found.length > 1) return { ok: false, ambiguous: found };
  }
  return { ok: false };
}

/** Option ids and labels already normalized: they come from the definition and the locale files, a few hundred at most. */
const normalizedNames = new Map<string, string>();
const MAX_NORMALIZED_NAMES = 5_000;

/** An option's id or label as matched against typed text; each is normalized once, not on every answer. */
function normalizedName(name: string): string {
  let normalized = normalizedNames.get(name);
  if (normalized === undefined) {
    normalized = normalize(name);
    if (normalizedNames.size < MAX_NORMALIZED_NAMES) normalizedNames.set(name, normalized);
  }
  return normalized;
}

const emailSchema = z.email();

/** An email address, validated with zod ("mailto:" and surrounding <> are tolerated). */
export function parseEmail(text: string): Parsed {
  const candidate = text.replace(/^mailto:/i, '').replace(/^<(.*)>$/, '$1').trim();
  return emailSchema.safeParse(candidate).success ? { ok: true, value: candidate } : { ok: false, reason: { code: 'email' } };
}

/** Free text, kept verbatim (line breaks, Unicode, every link), up to MAX_TEXT_LENGTH characters. */
export function parseText(text: string): Parsed {
  if (!text) return { ok: false, reason: { code: 'empty' } };
  if (text.length > MAX_TEXT_LENGTH) return { ok: false, reason: { code: 'tooLong', length: text.length, max: MAX_TEXT_LENGTH } };
  return { ok: true, value: text };
}
