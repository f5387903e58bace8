import fc from 'fast-check';
import { renderReplies, answeredCard } from '../../src/channels';
import { verbatimMarkdown, type MarkdownReader } from '../../src/channels/markdown';
import { splitLinks } from '../../src/channels/links';
import { respondent } from '../fixtures/interview';
import { expectedText, shown } from './shown';

/**
 * Teams and Web Chat messages are markdown that shows exactly what was written: what a respondent typed is
 * never read as formatting, and the web addresses — the bot's own links and those in answers — can be clicked.
 * Checked by rendering with Web Chat's own markdown-it (typographer, linkify, raw HTML on) and a strict
 * CommonMark reader for Teams.
 */

const readers: MarkdownReader[] = ['webchat', 'teams'];

/** Two writings of one address, as a browser reads them (host in punycode, escapes decoded). */
const sameAddress = (a: string, b: string) => {
  const read = (url: string) => {
    try {
      return decodeURIComponent(new URL(url).href);
    } catch {
      return url;
    }
  };
  return read(a) === read(b);
};

/** An answer as pasted from a law's text or a document: everything markdown (and Web Chat's typographer) reads. */
const pasted = [
  'Yes — Law *5282/2014* on _access_ to __public__ information, see [the law](https://www.bacn.gov.py/leyes/5282) or <b>the portal</b>.',
  '# Article 1',
  '1. The State guarantees access.',
  '2) Exceptions: see art. 22.',
  '- item one',
  '+ item two',
  '* item three',
  '> quoted',
  '    indented like code',
  '\tand a tab',
  '```',
  'x = 1',
  '~~~ and ~~struck~~',
  '---',
  'a | b',
  '-|-',
  'Title',
  '===',
  '&amp; &copy; &#169; & AT&T',
  '"quoted" and it\'s (c) (R) (tm) +- a -- b --- c... ,, ???? !!!!',
  '{aria-label="x"} \\*not bold\\* `code` <!-- comment --> <script>alert(1)</script>',
  '[ref]: https://example.org/ref',
  'https://www.paraguay.gov.py/portal_(2022)/a_b*c~d.',
].join('\n');

describe.each(readers)('read by %s', (reader) => {
  test('a pasted answer shows character for character: no emphasis, heading, list, quote, code, table or HTML', () => {
    const view = shown(verbatimMarkdown(pasted, reader), reader);
    expect(view.tags).toEqual(expect.arrayContaining(['p']));
    expect(view.tags.filter((t) => !['p', 'br', 'a'].includes(t))).toEqual([]);
    expect(view.text).toBe(expectedText(pasted));
  });

  test('web addresses are links to themselves; nothing else is', () => {
    const view = shown(verbatimMarkdown(pasted, reader), reader);
    const http = view.links.filter((l) => /^https?:/.test(l.href));
    expect(http).toEqual([
      { href: 'https://www.bacn.gov.py/leyes/5282', text: 'https://www.bacn.gov.py/leyes/5282' },
      { href: 'https://example.org/ref', text: 'https://example.org/ref' },
      { href: 'https://www.paraguay.gov.py/portal_%282022%29/a_b*c~d', text: 'https://www.paraguay.gov.py/portal_(2022)/a_b*c~d' },
    ]);
  });

  test('any text at all shows as written, and every link is an address that is in it', () => {
    const alphabet = fc.constantFrom(...Array.from('*_`[]()<>!#&;:=+-|~\\/"\'{}.,?0123456789 \t\nabcxyzñé’•—𝄞'), 'https://', 'http://x.org/', '(c)', '&amp;', '1. ', '    ', '\u00a0');
    fc.assert(
      fc.property(fc.array(fc.oneof({ weight: 9, arbitrary: alphabet }, { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 3 }) }), { maxLength: 60 }), (pieces) => {
        const text = pieces.join('');
        const view = shown(verbatimMarkdown(text, reader), reader);
        expect(view.tags.filter((t) => !['p', 'br', 'a'].includes(t))).toEqual([]);
        expect(view.text).toBe(expectedText(text));
        for (const link of view.links) {
          expect(text).toContain(link.text);
          // The target is the address shown, as a browser reads both (non-ASCII host names are left to the
          // readers' own IDN mapping).
          if (/^https?:/i.test(link.text) && /^[\x21-\x7e]*$/.test(link.text)) expect(sameAddress(link.href, link.text)).toBe(true);
        }
      }),
      { numRuns: 400, seed: 20221 },
    );
  });
});

describe('the bot’s own links can be clicked', () => {
  test.each([
    ['webchat', 'en'],
    ['directline', 'es'],
    ['msteams', 'en'],
    ['msteams', 'es'],
  ] as const)('%s, %s: the welcome’s glossary and survey links', (channel, locale) => {
    const { first } = respondent(locale);
    const activities = renderReplies(channel, first.replies, { send: 'Send', answered: 'Your answer' });
    const reader: MarkdownReader = channel === 'msteams' ? 'teams' : 'webchat';
    const links = activities.filter((a) => a.textFormat === 'markdown').flatMap((a) => shown(a.text!, reader).links.map((l) => l.href));
    expect(links).toEqual(expect.arrayContaining(['https://publicadministration.un.org/egovkb', 'https://publicadministration.un.org/en/Research/UN-e-Government-Surveys']));
  });

  test('the copy link, with its ~ and base64 characters, is one link to exactly that address', () => {
    const url = 'https://msq.example.org/documents/eyJyIjoiYV9iIn0~Ab-_cd';
    const [activity] = renderReplies('webchat', [{ type: 'message', text: `Here is your questionnaire (PDF): ${url}\nThe link works for 60 minutes.` }], { send: 'Send', answered: 'Your answer' });
    expect(activity.textFormat).toBe('markdown');
    expect(shown(activity.text!, 'webchat').links).toEqual([{ href: url, text: url }]);
  });

  test('on a card, an address is a text run that opens it; the text stays as written', () => {
    const card = answeredCard('17. Link to the law?', 'See *this* https://example.org/a_(b) and [x](y).', { send: 'Send', answered: 'Your answer' });
    const runs = (card.content as { body: Array<{ inlines: Array<Record<string, any>> }> }).body.flatMap((b) => b.inlines);
    expect(runs.map((r) => r.text).join('')).toBe('17. Link to the law?Your answer: See *this* https://example.org/a_(b) and [x](y).');
    expect(runs.filter((r) => r.selectAction)).toEqual([
      { type: 'TextRun', text: 'https://example.org/a_(b)', underline: true, selectAction: { type: 'Action.OpenUrl', url: 'https://example.org/a_(b)' } },
    ]);
  });
});

describe('finding addresses in text', () => {
  test.each([
    ['see https://example.org.', ['https://example.org']],
    ['(https://example.org/a)', ['https://example.org/a']],
    ['https://en.wikipedia.org/wiki/Foo_(bar), next', ['https://en.wikipedia.org/wiki/Foo_(bar)']],
    ['«https://example.org/x»', ['https://example.org/x']],
    ['<https://example.org/y>', ['https://example.org/y']],
    ['http:// nothing, ftp://not.http, https://', []],
    ['two: http://a.org/1,https://b.org/2', ['http://a.org/1,https://b.org/2']],
  ])('%s', (text, urls) => {
    const segments = splitLinks(text);
    expect(segments.map((s) => s.text).join('')).toBe(text);
    expect(segments.filter((s) => s.url).map((s) => s.url)).toEqual(urls);
  });
});
