/**
 * Going back, then answering: the bot goes on with the next question in order, showing its current answer
 * ("keep" leaves it as it is), until the respondent is back where they were — never jumping to the first
 * unanswered question further on, which would leave a wrong earlier answer unseen.
 */
import { respondent, type Respondent } from '../fixtures/interview';

/** Answers the contact block and questions 1–3, so that the respondent stands at question 4. */
function atQuestion4(locale: 'en' | 'es' = 'en'): Respondent {
  const r = respondent(locale);
  for (const text of ['Paraguay', 'Ana', 'Director', 'MITIC', 'ana@mitic.gov.py', '1', 'https://www.paraguay.gov.py']) r.say(text);
  for (const text of ['https://www.tramites.gov.py', 'https://participa.gov.py', 'https://www.datos.gov.py', 'https://www.contrataciones.gov.py', 'https://www.gov.py/otros']) r.say(text);
  r.say('MITIC — https://www.mitic.gov.py');
  expect(r.at).toBe('q4');
  return r;
}

describe('back, then a new answer', () => {
  test('continues with the next item in order, showing its current answer, and "keep" keeps it', () => {
    const r = atQuestion4();
    r.say('back'); // q3
    r.say('back'); // q2.others
    const back = r.say('back');
    expect(r.at).toBe('q2.procurement');
    expect(back).toContain('Your current answer: https://www.contrataciones.gov.py');

    // A corrected answer: the bot goes to q2.others (the next item), not to q4 (the first unanswered one).
    const next = r.say('https://www.dncp.gov.py');
    expect(r.answer('q2.procurement')).toBe('https://www.dncp.gov.py');
    expect(r.at).toBe('q2.others');
    expect(next).toContain('Your current answer: https://www.gov.py/otros');
    expect(next).toContain('Type keep to leave your current answer as it is.');

    // "keep": the answer stays, on to q3, shown with its answer too; then q4, where the respondent was.
    expect(r.say('keep')).toContain('Your current answer: MITIC — https://www.mitic.gov.py');
    expect(r.answer('q2.others')).toBe('https://www.gov.py/otros');
    expect(r.at).toBe('q3');
    r.say('MITIC and the Digital Agency — https://www.mitic.gov.py');
    expect(r.at).toBe('q4');
    expect(r.turn.changes).toEqual([{ itemId: 'q3', oldValue: 'MITIC — https://www.mitic.gov.py', newValue: 'MITIC and the Digital Agency — https://www.mitic.gov.py' }]);
  });

  test('after several backs, skip also goes to the next item in order', () => {
    const r = atQuestion4();
    for (let i = 0; i < 4; i++) r.say('back');
    expect(r.at).toBe('q2.openData');
    r.say('skip');
    expect(r.at).toBe('q2.procurement');
    r.say('skip');
    expect(r.at).toBe('q2.others');
    r.say('omitir');
    expect(r.at).toBe('q3');
    r.say('mantener');
    expect(r.at).toBe('q4');
    // Skipping an answered item kept every answer.
    expect(r.answer('q2.openData')).toBe('https://www.datos.gov.py');
  });

  test('en español: «mantener» conserva la respuesta y sigue con la pregunta siguiente', () => {
    const r = atQuestion4('es');
    r.say('atrás');
    r.say('atrás');
    expect(r.at).toBe('q2.others');
    const next = r.say('mantener');
    expect(next).toContain('Se mantiene su respuesta actual.');
    expect(next).toContain('Su respuesta actual: MITIC — https://www.mitic.gov.py');
    expect(next).toContain('Escriba mantener para dejar su respuesta actual tal como está.');
    expect(r.at).toBe('q3');
  });

  test('"keep" where there is no answer yet changes nothing and says so', () => {
    const r = respondent();
    expect(r.say('keep')).toContain('There is no answer to keep yet');
    expect(r.at).toBe('country');
    expect(r.state.answers).toEqual([]);
  });

  test('back past a yes that opened follow-ups walks through them too', () => {
    const r = atQuestion4();
    r.say('yes');
    for (const text of ['Gustavo Pérez', 'Viceminister', 'MITIC', 'gperez@mitic.gov.py', 'Decree 2274/2019']) r.say(text);
    expect(r.at).toBe('q5.planning');
    for (let i = 0; i < 6; i++) r.say('back');
    expect(r.at).toBe('q4');
    r.say('yes');
    const asked = [r.at];
    for (let i = 0; i < 5; i++) {
      r.say('keep');
      asked.push(r.at);
    }
    expect(asked).toEqual(['q4.cio.name', 'q4.cio.title', 'q4.cio.organization', 'q4.cio.email', 'q4.details', 'q5.planning']);
  });
});

describe('edit <number> goes through that question, then back to where the respondent was', () => {
  test('edit 4 walks q4 and its CIO fields with their answers, then returns to question 6', () => {
    const r = atQuestion4();
    r.say('yes');
    for (const text of ['Gustavo Pérez', 'Viceminister', 'MITIC', 'gperez@mitic.gov.py', 'Decree 2274/2019']) r.say(text);
    for (let i = 0; i < 9; i++) r.say(`Ministry ${i}`);
    expect(r.at).toBe('q6');
    r.say('edit 4');
    expect(r.at).toBe('q4');
    r.say('keep');
    expect(r.at).toBe('q4.cio.name');
    r.say('Gustavo Pérez Benítez');
    for (let i = 0; i < 4; i++) r.say('keep');
    expect(r.at).toBe('q6');
    expect(r.answer('q4.cio.name')).toBe('Gustavo Pérez Benítez');
  });

  test('edit contact goes through the contact block', () => {
    const r = atQuestion4();
    r.say('edit contact');
    expect(r.at).toBe('country');
    r.say('keep');
    expect(r.at).toBe('respondent.name');
    r.say('Ana María Giménez');
    expect(r.at).toBe('respondent.title');
  });
});
