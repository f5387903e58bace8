import type { Definition } from '../../../dialogs';
import { sectionIdSchema, type SectionId } from '../../../dialogs/schema';
import type { Locale } from '../../i18n';
import { findItem } from '../flow';
import { normalize } from './normalize';

/** What a respondent can ask for at any prompt, in either language. */
export type Command =
  | { type: 'HELP' }
  | { type: 'BACK' }
  | { type: 'SKIP' }
  | { type: 'KEEP' }
  | { type: 'PROGRESS' }
  | { type: 'REVIEW'; section: SectionId | null }
  /** `whole`: a question or block was named ("edit 4", "edit contact"), not one item by its id; `itemId` is its first item. */
  | { type: 'EDIT'; itemId: string | null; unknown?: string; whole?: boolean }
  | { type: 'LANGUAGE'; locale: Locale | null }
  | { type: 'RESTART' }
  | { type: 'SUBMIT' }
  | { type: 'ERASE' }
  | { type: 'COPY' }
  /** `stop reminders` / `sin recordatorios` (on: false), `reminders on` / `con recordatorios` (on: true). */
  | { type: 'REMINDERS'; on: boolean }
  /** A one-time code to continue the same response in another channel. */
  | { type: 'LINK' };

const WORDS = new Map<string, Command['type']>(Object.entries({
  help: 'HELP', ayuda: 'HELP', '?': 'HELP',
  back: 'BACK', atras: 'BACK', volver: 'BACK', previous: 'BACK', anterior: 'BACK',
  skip: 'SKIP', omitir: 'SKIP', saltar: 'SKIP', 'skip for now': 'SKIP', 'omitir por ahora': 'SKIP',
  keep: 'KEEP', mantener: 'KEEP', conservar: 'KEEP', 'keep it': 'KEEP',
  progress: 'PROGRESS', progreso: 'PROGRESS',
  restart: 'RESTART', reiniciar: 'RESTART', 'start over': 'RESTART', 'empezar de nuevo': 'RESTART',
  submit: 'SUBMIT', enviar: 'SUBMIT',
  'delete my answers': 'ERASE', 'borrar mis respuestas': 'ERASE',
  link: 'LINK', vincular: 'LINK', 'link channel': 'LINK', 'vincular canal': 'LINK',
  copy: 'COPY', copia: 'COPY', 'my copy': 'COPY', 'mi copia': 'COPY', 'send me a copy': 'COPY', 'enviame una copia': 'COPY',
} as const));
/** Typed only (not in the Teams command menu). */
const REMINDERS = new Map<string, boolean>(Object.entries({
  'stop reminders': false, 'no reminders': false, 'reminders off': false, 'no more reminders': false,
  'sin recordatorios': false, 'no mas recordatorios': false, 'recordatorios no': false, 'detener recordatorios': false,
  'reminders on': true, 'start reminders': true, 'with reminders': true,
  'con recordatorios': true, 'recordatorios si': true, 'activar recordatorios': true,
}));
const REVIEW = new Set(['review', 'revisar']);
const EDIT = new Set(['edit', 'editar', 'change', 'cambiar']);
const LANGUAGE = new Set(['language', 'idioma', 'lang']);
const LANGUAGES = new Map<string, Locale>(Object.entries({
  en: 'en', english: 'en', ingles: 'en',
  es: 'es', spanish: 'es', espanol: 'es', castellano: 'es',
} as const));
const SECTION_NAMES = new Map<string, SectionId>([['respondent', 'respondent'], ['contact', 'respondent'], ['contacto', 'respondent'], ['encuestado', 'respondent']]);
/** Parts without a question number, named for `edit`: the contact block and the consent. */
const UNNUMBERED = new Map<string, SectionId>([...SECTION_NAMES, ['consent', 'H'], ['consentimiento', 'H']]);

/**
 * Whether a (normalized) word or phrase is a command or a command's first word, in either language: such a word
 * is never read as the beginning of an answer (a country's name).
 */
export const isCommandWord = (text: string): boolean =>
  WORDS.has(text) || REVIEW.has(text) || EDIT.has(text) || LANGUAGE.has(text) || REMINDERS.has(text);

/**
 * A command, when the whole message is one ("ayuda", "edit q17", "review C", "idioma en"); otherwise null and
 * the message is an answer. Arguments must make sense ("Review of the law…" stays an answer).
 */
export function parseCommand(def: Definition, input: string): Command | null {
  if (input.length > 200) return null;
  const text = input.trim() === '?' ? '?' : normalize(input);
  const word = WORDS.get(text);
  if (word) return { type: word } as Command;
  const reminders = REMINDERS.get(text);
  if (reminders !== undefined) return { type: 'REMINDERS', on: reminders };
  const [head, ...rest] = text.split(' ');
  const arg = rest.join(' ');
  if (REVIEW.has(head)) {
    if (!arg) return { type: 'REVIEW', section: null };
    const section = SECTION_NAMES.get(arg) ?? sectionIdSchema.safeParse(arg.toUpperCase()).data;
    return section ? { type: 'REVIEW', section } : null;
  }
  if (EDIT.has(head)) {
    if (!arg) return { type: 'EDIT', itemId: null };
    const raw = input.trim().split(/\s+/).slice(1).join(' ');
    const byId = def.items.find((i) => i.id.toLowerCase() === raw.toLowerCase());
    if (byId) return { type: 'EDIT', itemId: byId.id };
    const section = UNNUMBERED.get(arg);
    const item = findItem(def, raw) ?? findItem(def, arg) ?? (section ? def.items.find((i) => i.section === section) : undefined);
    if (item) return { type: 'EDIT', itemId: item.id, whole: true };
    // "edit q99" is a mistaken command, "Edit the draft law…" an answer.
    return /^(q?\d+|[a-z]+\.[\w.]+)$/i.test(raw) ? { type: 'EDIT', itemId: null, unknown: raw } : null;
  }
  if (LANGUAGE.has(head)) {
    if (!arg) return { type: 'LANGUAGE', locale: null };
    const locale = LANGUAGES.get(arg);
    return locale ? { type: 'LANGUAGE', locale } : null;
  }
  return null;
}
