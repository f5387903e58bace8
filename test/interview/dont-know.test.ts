/**
 * "I don't know" is never an answer — above all never a No, which "no sé" begins with. On a yes/no question the
 * bot offers, in one sentence, to skip it (optional) or leave it for later (required), and stores nothing.
 */
import { parseYesNo } from '../../src/interview/parse/answer';
import { respondent, type Respondent } from '../fixtures/interview';

const phrasings = [
  // English
  "I don't know", 'i dont know', 'I do not know', "Don't know.", 'DUNNO', 'dunno!', 'idk', 'No idea', 'no idea...', 'Not sure',
  'not sure yet', "I'm not sure", 'Unsure', 'Not certain', 'No clue', 'Unknown', 'Hmm, not sure', "No, I don't know",
  "Sorry, I don't know", 'I don’t know', "Can't say", "We don't know",
  // Spanish, with and without accents, punctuation and capitals
  'no sé', 'No sé.', 'no se', 'No se', 'NO SE', 'no sé!', '¿No sé?', 'no se...', 'no lo sé', 'No lo se', 'ni idea', 'Ni idea.',
  'desconozco', 'Lo desconozco', 'no estoy seguro', 'No estoy segura', 'no sabemos', 'No lo sabemos', 'no sé si existe',
  'no se si existe', 'La verdad, no sé', 'Pues no sé', 'no tengo idea', 'No tengo ni idea', 'quién sabe', 'No, no sé',
  'Se desconoce', 'no se sabe', 'no se, creo que no',
  // typed in a hurry
  'nose', 'Nosé', 'nolose', 'NS/NC', 'ns',
];

describe('"I don\'t know", in English and Spanish', () => {
  test('the table has at least 30 phrasings', () => expect(phrasings.length).toBeGreaterThanOrEqual(30));

  test.each(phrasings)('%j is read as "don\'t know", never as yes or no', (text) => {
    expect(parseYesNo(text)).toEqual({ ok: false, reason: { code: 'dontKnow' } });
  });

  test.each([
    ['No', 'no'],
    ['No.', 'no'],
    ['no se ha aprobado ninguna ley', 'no'],
    ['No se cuenta con legislación específica', 'no'],
    ['No, but a bill is in Congress', 'no'],
    ['Yes — we are not sure of the date, Law 5282/2014', 'yes'],
    ['Sí, aunque no sé la fecha exacta: Ley 4017/2010 https://www.mic.gov.py', 'yes'],
  ])('%j is still a plain %s', (text, value) => {
    expect(parseYesNo(text)).toMatchObject({ ok: true, value });
  });
});

/** Walks to an item by skipping everything before it. */
function reach(r: Respondent, itemId: string) {
  for (let i = 0; i < 150 && r.at !== itemId; i++) r.say(r.state.locale === 'es' ? 'omitir' : 'skip');
  expect(r.at).toBe(itemId);
}

describe('a respondent who does not know', () => {
  test.each([
    ['en', 'no idea', 'q9', 'this question is required, so type skip to leave it for later'],
    ['en', 'not sure', 'q36', 'this question is optional, so type skip to leave it blank'],
    ['es', 'no sé', 'q9', 'esta pregunta es obligatoria, así que escriba omitir para dejarla para más tarde'],
    ['es', 'No se', 'q36', 'esta pregunta es opcional, así que escriba omitir para dejarla en blanco'],
  ] as const)('(%s) says %j at %s: the bot offers to skip it in one sentence and stores nothing', (locale, text, itemId, offer) => {
    const r = respondent(locale);
    reach(r, itemId);
    const before = r.state.answers.length;
    const reply = r.say(text);
    expect(reply).toContain(offer);
    expect(reply).not.toMatch(/Saved|Guardado/);
    expect(r.answer(itemId)).toBeUndefined();
    expect(r.state.answers).toHaveLength(before);
    expect(r.at).toBe(itemId);
    expect(r.turn.changes).toEqual([]);
  });

  test('a text question: "No sé." alone is not an answer, a text that goes on is kept verbatim', () => {
    const r = respondent('es');
    reach(r, 'q3');
    expect(r.say('No sé.')).toContain('esta pregunta es obligatoria, así que escriba omitir');
    expect(r.answer('q3')).toBeUndefined();
    expect(r.at).toBe('q3');
    reach(r, 'q7');
    const text = 'No estoy seguro del monto; la Ley 6524/2020 asignó fondos de emergencia: https://www.hacienda.gov.py/ley-6524';
    r.say(text);
    expect(r.answer('q7')).toBe(text);
  });

  test('"no sé" at a choice, the country or an email is not an answer either', () => {
    const r = respondent('es');
    expect(r.say('no sé')).toContain('escriba omitir para dejarla para más tarde');
    expect(r.at).toBe('country');
    reach(r, 'q20');
    r.say('ni idea');
    expect(r.answer('q20')).toBeUndefined();
    expect(r.at).toBe('q20');
  });
});
