/**
 * The links in an answer, as data: officials paste addresses with and without a scheme ("www.gov.py/x"), inside
 * sentences, in parentheses, followed by a full stop. A law number ("Law 5282/2014"), an e-mail address or a
 * file name ("informe.pdf") is not a link.
 */
import type { AnswerValue } from '../../store/port';

/** One link found in an answer. */
export interface FoundLink {
  /** The link as written, without the punctuation around it ("www.mitic.gov.py/x", "https://…"). */
  url: string;
  /**
   * The address to open: the URL itself, or `https://` + a link written without a scheme. Null when the link is
   * not a well-formed http(s) URL (another scheme, "http:/x", an empty or invalid host name, a bad port).
   */
  href: string | null;
}

/** Every link of an answer (each once, in order of appearance); none in option ids, yes/no or country codes. */
export function extractLinks(value: AnswerValue): FoundLink[] {
  const texts = Array.isArray(value) ? value : [value];
  const found = new Map<string, FoundLink>();
  for (const text of texts) {
    for (const token of text.split(TOKEN_SEPARATORS)) {
      // "a.gov.py,https://b.gov.py": a comma or semicolon right before a new link separates two links.
      for (const part of token.split(/[,;](?=https?:\/\/|www\.)/i)) {
        const link = linkIn(part);
        if (link && !found.has(link.url)) found.set(link.url, link);
      }
    }
  }
  return [...found.values()];
}

/** Characters that never belong to a link as people write it: spaces, angle brackets, quotation marks. */
const TOKEN_SEPARATORS = /[\s<>"«»“”‘’`]+/u;

/** A scheme and "//" ("https://", "ftp://"): the start of a link, wherever it is in the token ("(https://…"). */
const SCHEME = /[a-z][a-z0-9+.-]{1,15}:\/\//i;
/** "www." at the start of a word. */
const WWW = /(?:^|[^\p{L}\p{N}._@-])(www\.)/iu;
/** "http:/x", "http:x", "http//x", "http:///x": meant as a link, but not one. */
const BROKEN_SCHEME = /(?<![\p{L}\p{N}])https?(?::\/?|\/\/|:\/{3,})(?=[\p{L}\p{N}])/iu;
/** A host name written without scheme or "www." ("mitic.gov.py/normativa"), with an optional port and path. */
const BARE_HOST = /^((?:[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?\.)+)([a-z]{2,63})(?::\d{1,5})?(?:[/?#].*)?$/iu;
/** Top-level domains that make a bare "name.tld" a link; other ones ("informe.pdf") need more (see bareHost). */
const GENERIC_TLDS = new Set([
  'com', 'org', 'net', 'gov', 'edu', 'int', 'mil', 'info', 'biz', 'io', 'app', 'dev', 'online', 'site', 'website', 'tech',
  'digital', 'global', 'eu', 'asia', 'africa', 'lat', 'news', 'media', 'cloud', 'services', 'agency', 'network',
]);

/** The link in one token, or null. */
function linkIn(token: string): FoundLink | null {
  const scheme = SCHEME.exec(token);
  if (scheme) {
    const url = trimTrailing(token.slice(scheme.index));
    return { url, href: hrefOf(url) };
  }
  const broken = BROKEN_SCHEME.exec(token);
  if (broken) return { url: trimTrailing(token.slice(broken.index)), href: null };
  const www = WWW.exec(token);
  if (www) {
    const url = trimTrailing(token.slice(www.index + www[0].length - www[1].length));
    return { url, href: hrefOf(`https://${url}`) };
  }
  // An e-mail address or a handle ("@mitic_py") is not a link.
  if (token.includes('@')) return null;
  const url = trimTrailing(token.replace(/^[^\p{L}\p{N}]+/u, ''));
  return isBareHost(url) ? { url, href: hrefOf(`https://${url}`) } : null;
}

/**
 * "mitic.gov.py", "un.org/egovkb", "gob.mx/tramites" are links; "informe.pdf", "e.g", "U.S.A", "No.5282/2014"
 * are not. A country-code domain alone needs a third label or a path, so that "notes.md" stays a file name.
 */
function isBareHost(text: string): boolean {
  const match = BARE_HOST.exec(text);
  if (!match) return false;
  const tld = match[2].toLowerCase();
  if (GENERIC_TLDS.has(tld)) return true;
  const labels = match[1].split('.').length - 1;
  return tld.length === 2 && (labels >= 2 || text.length > match[1].length + tld.length);
}

/** Punctuation that ends a sentence or a clause, never a link; a closing bracket only when unbalanced. */
function trimTrailing(text: string): string {
  let end = text.length;
  for (;;) {
    const last = text[end - 1];
    if (last === undefined) break;
    if (".,;:!?'*…".includes(last)) {
      end--;
      continue;
    }
    const open = { ')': '(', ']': '[', '}': '{' }[last];
    if (open !== undefined && count(text.slice(0, end), open) < count(text.slice(0, end), last)) {
      end--;
      continue;
    }
    break;
  }
  return text.slice(0, end);
}

const count = (text: string, char: string): number => text.split(char).length - 1;

/** The absolute http(s) URL, or null when the text is not one with a valid host (labels, top-level domain, port). */
function hrefOf(text: string): string | null {
  if (!/^https?:\/\/[^/]/i.test(text)) return null;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  return isValidHost(url.hostname) ? url.href : null;
}

/** An IPv4 or IPv6 address, or a DNS name of two or more labels whose top-level domain is letters (or IDN). */
function isValidHost(host: string): boolean {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.startsWith('[')) return true;
  const labels = host.replace(/\.$/, '').split('.');
  if (labels.length < 2) return false;
  const tld = labels[labels.length - 1];
  return labels.every((label) => /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(label)) && /^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/.test(tld);
}
