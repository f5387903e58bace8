import { definition } from '../../fixtures/interview';
import { parseAnswer, parseYesNo, MAX_TEXT_LENGTH } from '../../../src/interview/parse/answer';
import { i18n } from '../../fixtures/interview';

const item = (id: string) => definition.byId.get(id)!;
const labels = (itemId: string) => (optionId: string) =>
  (['en', 'es'] as const).map((lng) => i18n.getFixedT(lng)(`questionnaire:option.${itemId}.${optionId}`));
const parse = (id: string, text: string) => parseAnswer(item(id), text, labels(id));

describe('yes/no, in English and Spanish, any case and accents', () => {
  test.each([
    ['yes', 'yes'], ['Y', 'yes'], ['sí', 'yes'], ['SI', 'yes'], ['Sí.', 'yes'], ['yes!', 'yes'], ['  Yes  ', 'yes'], ['¡Sí!', 'yes'],
    ['no', 'no'], ['N', 'no'], ['NO.', 'no'], ['nope', 'no'],
  ])('%s → %s', (text, value) => expect(parseYesNo(text)).toEqual({ ok: true, value }));

  test('a yes that carries the detail keeps the rest verbatim', () => {
    expect(parseYesNo('Yes — Law 5282/2014 https://www.bacn.gov.py/leyes/5282')).toEqual({
      ok: true,
      value: 'yes',
      rest: 'Law 5282/2014 https://www.bacn.gov.py/leyes/5282',
    });
    expect(parseYesNo('Sí, Ley N.º 4017/2010\n\nhttps://a.gov.py\nhttps://b.gov.py')).toMatchObject({ rest: 'Ley N.º 4017/2010\n\nhttps://a.gov.py\nhttps://b.gov.py' });
  });

  test('a no with more text keeps the rest too (the engine decides whether it is asked for)', () => {
    expect(parseYesNo('No, but a bill is in Congress')).toEqual({ ok: true, value: 'no', rest: 'but a bill is in Congress' });
  });

  test.each(['', 'maybe', 'yesterday', 'nothing', 'sin datos', '🙂', 'https://yes.example'])('%j is not yes or no', (text) => {
    expect(parseYesNo(text)).toEqual({ ok: false, reason: { code: 'yesno' } });
  });
});

describe('choices', () => {
  test.each([
    ['3', 'five'], ['five', 'five'], ['Five-year', 'five'], ['FIVE-YEAR', 'five'], ['Tw', 'two'], ['Cinco años', 'five'],
    ['cinco', 'five'], ['other', 'other'], ['Otro', 'other'], ['ten', 'ten'],
  ])('q20: %s → %s', (text, value) => expect(parse('q20', text)).toEqual({ ok: true, value }));

  test('an ambiguous beginning names the options it matches', () => {
    expect(parse('q20', 'T')).toEqual({ ok: false, reason: { code: 'ambiguous', options: ['two', 'three', 'ten'] } });
  });
  test.each(['0', '6', 'weekly', '', '1.5'])('q20: %j is refused with what is expected', (text) => {
    expect(parse('q20', text)).toMatchObject({ ok: false });
  });

  test.each([
    ['1, 3', ['ai', 'blockchain']], ['1 3', ['ai', 'blockchain']], ['3,1', ['ai', 'blockchain']], ['AI and IoT', ['ai', 'iot']],
    ['ai,robotics', ['ai', 'robotics']], ['Robótica; Internet de las cosas', ['robotics', 'iot']], ['5G', ['5g']], ['6', ['others']],
    ['inteligencia artificial y cadenas de bloques', ['ai', 'blockchain']],
  ])('q29 multi: %s → %j', (text, value) => expect(parse('q29', text)).toEqual({ ok: true, value }));

  test.each(['1, 9', 'AI and quantum', ''])('q29 multi: %j is refused', (text) => expect(parse('q29', text)).toMatchObject({ ok: false }));
});

describe('email, country and text', () => {
  test('email is validated', () => {
    expect(parse('respondent.email', 'ana@mitic.gov.py')).toEqual({ ok: true, value: 'ana@mitic.gov.py' });
    expect(parse('respondent.email', 'mailto:ana@mitic.gov.py')).toEqual({ ok: true, value: 'ana@mitic.gov.py' });
    expect(parse('respondent.email', 'ana at mitic')).toEqual({ ok: false, reason: { code: 'email' } });
  });

  test('country names in both languages and ISO codes', () => {
    expect(parse('country', 'República del Paraguay')).toEqual({ ok: true, value: 'PRY' });
    expect(parse('country', 'PRY')).toEqual({ ok: true, value: 'PRY' });
    expect(parse('country', 'Atlantis')).toEqual({ ok: false, reason: { code: 'country' } });
  });

  test('text is kept verbatim: line breaks, Unicode, quotes and every link', () => {
    const text = 'Ley «5282»\n\n“Quoted” — ñandú 🇵🇾\r\nhttps://a.gov.py/x?y=1&z=2\nhttps://b.gov.py';
    expect(parse('q1', text)).toEqual({ ok: true, value: text });
  });

  test(`text up to ${MAX_TEXT_LENGTH} characters; longer is refused with its length`, () => {
    expect(parse('q1', 'a'.repeat(MAX_TEXT_LENGTH))).toMatchObject({ ok: true });
    expect(parse('q1', 'a'.repeat(MAX_TEXT_LENGTH + 1))).toEqual({ ok: false, reason: { code: 'tooLong', length: MAX_TEXT_LENGTH + 1, max: MAX_TEXT_LENGTH } });
    expect(parse('q1', '   \n ')).toEqual({ ok: false, reason: { code: 'empty' } });
  });
});
