import { dirname } from 'node:path';
import type { MarkdownReader } from '../../src/channels/markdown';

/**
 * What a respondent sees of a markdown message: the markdown-it that Web Chat itself bundles, with Web Chat's
 * own options (typographer, linkify, raw HTML), and a strict CommonMark reader standing in for Teams.
 */

interface MarkdownIt {
  render(markdown: string): string;
}
// The copy Web Chat depends on (whatever version it resolves), not one of our own.
const MarkdownItClass = require(require.resolve('markdown-it', { paths: [dirname(require.resolve('botframework-webchat'))] })) as new (...args: unknown[]) => MarkdownIt;

const readers: Record<MarkdownReader, MarkdownIt> = {
  // botframework-webchat/lib/markdown/renderMarkdown.js
  webchat: new MarkdownItClass({ breaks: false, html: true, linkify: true, typographer: true, xhtmlOut: true }),
  teams: new MarkdownItClass('commonmark', { html: true, xhtmlOut: true }),
};

export interface Shown {
  /** The text as displayed: line breaks as \n, paragraphs separated by a blank line. */
  text: string;
  /** Every link: its target and its text. */
  links: Array<{ href: string; text: string }>;
  /** The HTML elements the markdown produced (only p, br and a when nothing was read as formatting). */
  tags: string[];
  html: string;
}

const decode = (html: string) => html.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&');

export function shown(markdown: string, reader: MarkdownReader): Shown {
  const html = readers[reader].render(markdown);
  const tags = [...new Set([...html.matchAll(/<([a-z][a-z0-9]*)\b/g)].map((m) => m[1]))].sort();
  const links = [...html.matchAll(/<a href="([^"]*)">([\s\S]*?)<\/a>/g)].map((m) => ({ href: decode(m[1]), text: decode(m[2]) }));
  const text = decode(
    html
      .replace(/<\/p>\n<p>/g, '\n\n')
      .replace(/<br \/>\n/g, '\n')
      .replace(/<[^>]+>/g, ''),
  ).replace(/\n$/, '');
  return { text, links, tags, html };
}

/**
 * The text a respondent should see for a message: every line as written, indentation kept (spaces as no-break
 * spaces), trailing whitespace and runs of blank lines dropped (as in any paragraph).
 */
export function expectedText(text: string): string {
  const lines = text
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .map((line) => {
      if (line.trim() === '') return '';
      const indented = line.replace(/^\s+/, (lead) => lead.replace(/\t/g, '    ').replace(/ /g, '\u00a0'));
      return indented.trimEnd();
    });
  return lines.join('\n').replace(/\n{3,}/g, '\n\n').replace(/^\n+|\n+$/g, '');
}
