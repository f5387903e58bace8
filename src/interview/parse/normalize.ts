import { remember } from '../remember';

/**
 * Lower case, no accents, punctuation as spaces, single spaces: "¿Sí, señor?" → "si senor". The last few texts are
 * remembered: a message is normalized by several readers in one turn (commands, greetings, yes/no, options).
 */
export const normalize: (text: string) => string = remember(normalizeText, { max: 32 });

function normalizeText(text: string): string {
  // ASCII has no accents to take apart and drop.
  return (ASCII.test(text) ? text : text.normalize('NFD').replace(/\p{M}/gu, ''))
    .toLowerCase()
    .replace(/[^\p{L}\p{N}@.]+/gu, ' ')
    .replace(/(^|\s)\.+|\.+(\s|$)/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

const ASCII = /^[\x00-\x7f]*$/;

/** Removes control characters other than tab and line breaks (they are never part of an answer). */
export const stripControl = (text: string): string =>
  // eslint-disable-next-line no-control-regex
  text.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g, '');
