/** Texts read and rendered again and again are worked out once, within bounds, and the results cannot be changed. */
import { splitLinks } from '../../src/channels/links';
import { verbatimMarkdown } from '../../src/channels/markdown';
import { isDontKnow } from '../../src/interview/parse/dontKnow';
import { normalize } from '../../src/interview/parse/normalize';
import { remember } from '../../src/interview/remember';

test('a text is worked out once; a long one every time; when full, everything is forgotten at once', () => {
  const calls: string[] = [];
  const upper = remember((text) => (calls.push(text), text.toUpperCase()), { max: 2, longest: 5 });
  expect([upper('sí'), upper('sí'), upper('no')]).toEqual(['SÍ', 'SÍ', 'NO']);
  expect(calls).toEqual(['sí', 'no']);
  upper('a long text');
  upper('a long text');
  expect(calls.filter((c) => c === 'a long text')).toHaveLength(2);
  // Full with "sí" and "no": a third text makes room by forgetting both.
  upper('skip');
  upper('sí');
  expect(calls.filter((c) => c === 'sí')).toHaveLength(2);
});

test('at most so many characters of texts are kept: past them, everything is forgotten at once', () => {
  const calls: string[] = [];
  const upper = remember((text) => (calls.push(text), text.toUpperCase()), { chars: 10 });
  upper('abcdef');
  upper('abcdef');
  expect(calls).toEqual(['abcdef']);
  upper('ghijkl'); // 12 characters would be over: "abcdef" is forgotten
  upper('ghijkl');
  upper('abcdef');
  expect(calls).toEqual(['abcdef', 'ghijkl', 'abcdef']);
});

test('a remembered result is shared, so it is frozen: a caller that tried to change it would fail loudly', () => {
  const segments = splitLinks('See https://publicadministration.un.org for the survey.');
  expect(segments.map((s) => s.url)).toEqual([undefined, 'https://publicadministration.un.org', undefined]);
  expect(splitLinks('See https://publicadministration.un.org for the survey.')).toBe(segments);
  expect(Object.isFrozen(segments) && Object.isFrozen(segments[1])).toBe(true);
});

test('remembered readings and renderings are the same as fresh ones, whatever came in between', () => {
  const texts = ['No sé', 'Yes — Law 5282/2014', '¿Sí, señor?', '*bold* [x](y) 1. item', ...Array.from({ length: 50 }, (_, i) => `answer ${i}`)];
  const first = texts.map((t) => [normalize(t), isDontKnow(t), verbatimMarkdown(t, 'teams'), verbatimMarkdown(t, 'webchat')]);
  const again = [...texts].reverse().map((t) => [normalize(t), isDontKnow(t), verbatimMarkdown(t, 'teams'), verbatimMarkdown(t, 'webchat')]).reverse();
  expect(again).toEqual(first);
  expect(first[0][1]).toBe(true);
  expect(first[2][0]).toBe('si senor');
});
