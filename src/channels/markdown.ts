import { remember } from '../interview/remember';
import { splitLinks } from './links';

/**
 * Which markdown reads the text. Both follow CommonMark (backslash escapes any ASCII punctuation); Web Chat's
 * (markdown-it) also has a typographer — straight quotes become curly, `(c)` becomes ©, `--` a dash, `...` an
 * ellipsis — and reads `{aria-label=…}` as an attribute, so those are escaped for it as well.
 */
export type MarkdownReader = 'webchat' | 'teams';

/**
 * A message's text as markdown that shows exactly the given text — every `*`, `_`, `[x](y)`, `<b>`, `#`, `1.`
 * or indentation as typed, line breaks kept — with its http(s) addresses as links. The bot's messages mix its own
 * wording with what respondents typed (answers echoed in a review, a summary, a question asked again): nothing a
 * respondent typed is ever read as formatting, and the links the bot gives (the glossary, the survey's site, a
 * `copy` link) can be clicked.
 */
export function verbatimMarkdown(text: string, reader: MarkdownReader): string {
  return rendered[reader](text);
}

/** Each reader's renderings, remembered: most messages are the bot's own wording, rendered again on every turn. */
const rendered: Record<MarkdownReader, (text: string) => string> = {
  teams: remember((text) => render(text, 'teams'), { longest: 5_000, chars: 500_000 }),
  webchat: remember((text) => render(text, 'webchat'), { longest: 5_000, chars: 500_000 }),
};

function render(text: string, reader: MarkdownReader): string {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const out: string[] = [];
  for (const [i, line] of lines.entries()) {
    const blank = line.trim() === '';
    if (blank) {
      // A blank line ends the paragraph; several are one.
      if (out.length > 0 && out.at(-1) !== '') out.push('');
      continue;
    }
    const rendered = renderLine(line, reader);
    // Two spaces before a newline: a line break inside the paragraph (a bare newline would read as a space).
    const nextIsText = i + 1 < lines.length && lines[i + 1].trim() !== '';
    out.push(nextIsText ? `${rendered}  ` : rendered);
  }
  while (out.at(-1) === '') out.pop();
  return out.join('\n');
}

function renderLine(line: string, reader: MarkdownReader): string {
  // Leading spaces or tabs would make an indented code block (or a list's continuation), and a paragraph drops
  // its leading whitespace: as entities (spaces as no-break spaces) the indentation shows as typed. Trailing
  // whitespace shows as nothing anyway.
  const indent = /^\s*/.exec(line)![0];
  const body = line.slice(indent.length).trimEnd();
  const lead = [...indent].map((c) => (c === ' ' ? '&nbsp;' : c === '\t' ? '&nbsp;'.repeat(4) : `&#x${c.codePointAt(0)!.toString(16)};`)).join('');
  const segments = splitLinks(body);
  const parts = segments.map((segment, index) => {
    if (segment.url) return link(segment.url, reader);
    // A "!" just before a link would make it an image.
    const bang = segments[index + 1]?.url !== undefined && segment.text.endsWith('!');
    const escaped = escapeText(bang ? segment.text.slice(0, -1) : segment.text, reader, index === 0);
    return bang ? `${escaped}\\!` : escaped;
  });
  return lead + parts.join('');
}

/** `[address](address)`: the address shown as written, and as the link's target. */
function link(url: string, reader: MarkdownReader): string {
  // Parentheses percent-encoded keep the target in one piece for any reader; an `&` that would start an entity
  // is escaped, as entities are decoded in targets too.
  const target = url
    .replace(/[()]/g, (c) => (c === '(' ? '%28' : '%29'))
    .replace(/&(?=#?[A-Za-z0-9]+;)/g, '\\&');
  return `[${escapeText(url, reader, false)}](${target})`;
}

/**
 * Inline syntax anywhere: escapes, emphasis, code, links and images, raw HTML and autolinks, strikethrough,
 * table cells; `&` only where it would start an entity (&amp;, &#169;).
 */
const INLINE = /[\\`*_[\]<>~|]|&(?=#?[A-Za-z0-9]+;)/.source;
/**
 * Web Chat's typographer — "" '' (c) (r) (tm) +- .. ,, -- ???? !!!! —, its {aria-label=…} attributes, and its
 * linkify, which reads any `scheme://` in the raw text (escapes included) as the start of a link.
 */
const TYPOGRAPHER = /["'{]|\((?=(?:c|r|tm)\))|\+(?=-)|\.{2,}|,{2,}|-{2,}|\?{4,}|!{4,}|:(?=\/\/)/.source;

const PATTERNS: Record<MarkdownReader, RegExp> = {
  teams: new RegExp(INLINE, 'g'),
  webchat: new RegExp(`${INLINE}|${TYPOGRAPHER}`, 'gi'),
};

/** Plain text with every character that markdown could read as syntax escaped (in one pass: nothing twice). */
function escapeText(text: string, reader: MarkdownReader, lineStart: boolean): string {
  let out = text.replace(PATTERNS[reader], (match) => {
    // An entity is not a brace to Web Chat's attribute reader, which runs before markdown does.
    if (match === '{') return '&#123;';
    return match.replace(/./g, '\\$&');
  });
  if (lineStart && !out.startsWith('\\')) {
    // Block syntax at the start of a line: headings, quotes, list items, setext underlines, ordered lists.
    out = out.replace(/^[#>+=-]/, '\\$&').replace(/^(\d{1,9})([.)])/, '$1\\$2');
  }
  return out;
}
