/**
 * Answers the bot has to read: a greeting is never an answer; a country typed in part is confirmed before it is
 * stored; and whenever the bot read a typed answer one way (a number, part of a label, "yeah", a code), its
 * "Saved" says what it stored.
 */
import { respondent, type Respondent } from '../fixtures/interview';

function reach(r: Respondent, itemId: string) {
  for (let i = 0; i < 150 && r.at !== itemId; i++) r.say(r.state.locale === 'es' ? 'omitir' : 'skip');
  expect(r.at).toBe(itemId);
}

describe('a greeting at the first question', () => {
  test.each([
    ['es', 'Hola', '¡Hola! Responda la pregunta'],
    ['es', '¡Hola!', '¡Hola! Responda la pregunta'],
    ['es', 'Buenos días', '¡Hola! Responda la pregunta'],
    ['en', 'hola', 'Hello! Please answer the question below'],
    ['en', 'Hello', 'Hello! Please answer the question below'],
  ] as const)('(%s) %j is a greeting, not the Netherlands: nothing is stored', (locale, text, reply) => {
    const r = respondent(locale);
    const said = r.say(text);
    expect(said).toContain(reply);
    expect(said).not.toMatch(/Saved|Guardado|Netherlands|Países Bajos/);
    expect(r.state.answers).toEqual([]);
    expect(r.at).toBe('country');
  });

  test('a greeting is not an answer to a text question either', () => {
    const r = respondent();
    reach(r, 'q1');
    r.say('Hello');
    expect(r.answer('q1')).toBeUndefined();
    expect(r.at).toBe('q1');
  });
});

describe('a country typed in part is confirmed before it is stored', () => {
  test('"Parag" → "Paraguay — is that right?" → yes → "Saved: Paraguay."', () => {
    const r = respondent('en');
    const asked = r.say('Parag');
    expect(asked).toContain('Paraguay — is that right?');
    expect(asked).not.toContain('Saved');
    expect(r.state.answers).toEqual([]);
    expect(r.turn.changes).toEqual([]);
    expect(r.turn.replies.at(-1)).toMatchObject({ type: 'prompt', meta: { questionId: 'country', kind: 'yesno' } });

    const saved = r.say('yes');
    expect(saved).toContain('Saved: Paraguay.');
    expect(r.answer('country')).toBe('PRY');
    expect(r.turn.changes).toEqual([{ itemId: 'country', oldValue: null, newValue: 'PRY' }]);
    expect(r.at).toBe('respondent.name');
  });

  test('no → the question again, nothing stored', () => {
    const r = respondent('en');
    r.say('Urug');
    expect(r.say('no')).toContain('Then please type your answer again.');
    expect(r.at).toBe('country');
    expect(r.state.phase).toBe('asking');
    expect(r.state.answers).toEqual([]);
  });

  test('another answer instead of yes or no is read as a new answer to the question', () => {
    const r = respondent('en');
    r.say('Urug');
    expect(r.say('Paraguay')).toContain('Saved.');
    expect(r.answer('country')).toBe('PRY');

    const s = respondent('en');
    s.say('Urug');
    expect(s.say('Atlantis')).toContain('I could not find that country');
    expect(s.at).toBe('country');
    expect(s.state.answers).toEqual([]);
  });

  test('en español: «Parag» → «Paraguay: ¿es correcto?» → sí → «Guardado: Paraguay.»', () => {
    const r = respondent('es');
    expect(r.say('Parag')).toContain('Paraguay: ¿es correcto?');
    expect(r.say('sí')).toContain('Guardado: Paraguay.');
    expect(r.answer('country')).toBe('PRY');
  });

  test('a name or code typed in full is stored at once, saying what it stored when it was not the name itself', () => {
    const r = respondent('en');
    expect(r.say('PRY')).toContain('Saved: Paraguay.');
    expect(r.answer('country')).toBe('PRY');
    const s = respondent('en');
    const saved = s.say('Paraguay');
    expect(saved).toContain('Saved.');
    expect(saved).not.toContain('Saved:');
  });
});

describe('"Saved" says what was stored when the bot read the answer', () => {
  test.each([
    ['q20', '3', 'Saved: Five-year.'],
    ['q20', 'Tw', 'Saved: Two-year.'],
    ['q20', 'five', 'Saved: Five-year.'],
    ['q29', '1, 3', 'Saved: Artificial intelligence (AI); Blockchains.'],
    ['q9', 'yeah', 'Saved: Yes.'],
    ['q9', 'nope', 'Saved: No.'],
    ['respondent.capacity', '1', 'Saved: I am authorized and fully knowledgeable to respond to this questionnaire.'],
  ])('%s: %j → %j', (itemId, text, saved) => {
    const r = respondent('en');
    reach(r, itemId);
    expect(r.say(text)).toContain(saved);
  });

  test.each([
    ['q20', 'Five-year'],
    ['q9', 'Yes'],
    ['q9', 'no'],
    ['q1', 'https://www.paraguay.gov.py'],
  ])('%s: %j, typed as it is shown, is just "Saved."', (itemId, text) => {
    const r = respondent('en');
    reach(r, itemId);
    const said = r.say(text);
    expect(said).toContain('Saved.');
    expect(said).not.toContain('Saved:');
  });
});

describe('a yes or no with more text', () => {
  test('q4 "No — …": the rest is stored as question 4\'s details (asked whatever the answer), not dropped, and not asked again', () => {
    const r = respondent('en');
    reach(r, 'q4');
    const said = r.say('No — coordination goes through the Digital Government Board (Decree 2274/2019).');
    expect(r.answer('q4')).toBe('no');
    expect(r.answer('q4.details')).toBe('coordination goes through the Digital Government Board (Decree 2274/2019).');
    expect(said).toContain('I have also saved the rest of your message');
    expect(said).not.toContain('only after a Yes');
    expect(r.at).toBe('q5.planning');
  });

  test('q9 "No, but …": the detail is asked only after a yes, so the rest is not kept, and the bot says so', () => {
    const r = respondent('en');
    reach(r, 'q9');
    const said = r.say('No, but a bill is in Congress');
    expect(r.answer('q9')).toBe('no');
    expect(r.answer('q9.detail')).toBeUndefined();
    expect(said).toContain('The rest of your message was not kept: the link and detail are asked for only after a Yes.');
  });
});

describe('a bare yes or no where a text is asked is confirmed before it is stored', () => {
  test('(es) «sí» at «Su nombre» → asked first; «no» → the question again; the name typed → «Guardado.»', () => {
    const r = respondent('es');
    reach(r, 'respondent.name');
    const asked = r.say('sí');
    expect(asked).toContain('¿Desea guardar «sí» como respuesta a «Su nombre»?');
    expect(asked).not.toContain('Guardado');
    expect(r.answer('respondent.name')).toBeUndefined();
    expect(r.say('no')).toContain('En ese caso, escriba de nuevo su respuesta.');
    expect(r.at).toBe('respondent.name');
    expect(r.say('Ana Pérez')).toContain('Guardado.');
    expect(r.answer('respondent.name')).toBe('Ana Pérez');
  });

  test('(en) "No" at question 44, confirmed with yes, is stored as typed', () => {
    const r = respondent('en');
    reach(r, 'q44');
    expect(r.say('No')).toContain('Save “No” as the answer to “44 — ');
    expect(r.answer('q44')).toBeUndefined();
    r.say('yes');
    expect(r.answer('q44')).toBe('No');
  });

  test('a text that starts with yes or no is an answer at once', () => {
    const r = respondent('en');
    reach(r, 'q44');
    expect(r.say('No, nothing to add.')).toContain('Saved');
    expect(r.answer('q44')).toBe('No, nothing to add.');
  });
});
