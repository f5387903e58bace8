import { remember } from '../interview/remember';

/** A piece of a line of text: plain text, or a web address (`url` set, `text` as written). */
export interface Segment {
  text: string;
  url?: string;
}

/** An http(s) address as people write it in text: up to the next space, quote, angle bracket or backslash. */
const URL_PATTERN = /https?:\/\/[^\s<>"\\]+/gi;
/** Punctuation that ends a sentence rather than the address ("see https://example.org."). */
const TRAILING = /[.,;:!?'’”»›)\]}*_~]+$/;

/**
 * Splits text into plain pieces and the http(s) addresses in it, so that channels can make the addresses
 * clickable while showing every character as written. A closing parenthesis stays part of an address when it
 * closes one opened inside it (https://en.wikipedia.org/wiki/Foo_(bar)).
 */
export const splitLinks: (text: string) => readonly Segment[] = remember(split);

function split(text: string): Segment[] {
  const segments: Segment[] = [];
  let at = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    const url = trimUrl(match[0]);
    if (!isWebAddress(url)) continue;
    const start = match.index;
    if (start > at) segments.push({ text: text.slice(at, start) });
    segments.push({ text: url, url });
    at = start + url.length;
  }
  if (at < text.length) segments.push({ text: text.slice(at) });
  return segments;
}

/** A parseable address whose host is a host name (letters, digits, hyphens and dots, in any script) or an IP. */
function isWebAddress(url: string): boolean {
  if (!URL.canParse(url)) return false;
  const { hostname } = new URL(url);
  return /^[a-z0-9-]+(\.[a-z0-9-]+)*\.?$/.test(hostname) || /^\[[0-9a-f:.]+\]$/.test(hostname);
}

/** The address without the punctuation that follows it in a sentence; balanced parentheses are kept. */
function trimUrl(candidate: string): string {
  let url = candidate;
  for (;;) {
    const trailing = TRAILING.exec(url)?.[0];
    if (!trailing) return url;
    // Give back one character at a time: a ")" closing a "(" of the address itself belongs to it.
    const last = url.at(-1)!;
    if (last === ')' && count(url, '(') >= count(url, ')')) return url;
    url = url.slice(0, -1);
  }
}

const count = (text: string, char: string) => text.split(char).length - 1;
