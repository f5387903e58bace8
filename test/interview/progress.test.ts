/**
 * Progress a person understands: "Question 17 of 44 · section C" in the progress bar's data, the `progress`
 * command and the welcome back; 44 is the printed questionnaire's count and never grows as follow-ups unlock;
 * no message ever names an item by its internal id.
 */
import { englishScript } from '../fixtures/answers';
import { interview, respondent, type Respondent } from '../fixtures/interview';
import type { Reply } from '../../src/interview/render';

function reach(r: Respondent, itemId: string) {
  for (let i = 0; i < 150 && r.at !== itemId; i++) r.say(r.state.locale === 'es' ? 'omitir' : 'skip');
  expect(r.at).toBe(itemId);
}

const progressOf = (r: Respondent) => {
  const last = r.turn.replies.at(-1) as Extract<Reply, { type: 'prompt' }>;
  return last.meta.progress;
};

describe('where the respondent is', () => {
  test('channelData.msq.progress: the question number, of 44, its section, and the questions answered', () => {
    const r = respondent('en');
    expect(progressOf(r)).toEqual({ question: null, questions: 44, section: 'respondent', answered: 0 });
    r.say('Paraguay');
    reach(r, 'q1');
    r.say('https://www.paraguay.gov.py');
    expect(progressOf(r)).toEqual({ question: 2, questions: 44, section: 'A', answered: 1 });
    reach(r, 'q17');
    expect(progressOf(r)).toMatchObject({ question: 17, questions: 44, section: 'C' });
    reach(r, 'consent');
    expect(progressOf(r)).toMatchObject({ question: null, questions: 44, section: 'H' });
  });

  test('the count never grows as follow-ups unlock: a yes to q4 adds four CIO questions but it stays 44', () => {
    const r = respondent('en');
    reach(r, 'q4');
    expect(progressOf(r)).toMatchObject({ question: 4, questions: 44 });
    r.say('yes');
    expect(r.at).toBe('q4.cio.name');
    expect(progressOf(r)).toMatchObject({ question: 4, questions: 44, section: 'A' });
    r.say('edit 29');
    r.say('1, 2, 3, 4, 5, 6');
    expect(progressOf(r)).toMatchObject({ question: 29, questions: 44, section: 'D' });
  });

  test.each([
    ['en', 'progress', 'Question 17 of 44 · section C'],
    ['es', 'progreso', 'Pregunta 17 de 44 · sección C'],
  ] as const)('(%s) the %s command says %j', (locale, command, where) => {
    const r = respondent(locale);
    reach(r, 'q17');
    const said = r.say(command);
    expect(said.split('\n')[0]).toBe(where);
    expect(said).toMatch(/^0 (of|de) 44 (questions answered|preguntas respondidas)\.$/m);
  });

  test.each([
    ['en', 'Welcome back. Your answers are saved.\nQuestion 17 of 44 · section C'],
    ['es', 'Le damos nuevamente la bienvenida. Sus respuestas están guardadas.\nPregunta 17 de 44 · sección C'],
  ] as const)('(%s) a returning respondent reads %j', (locale, text) => {
    const r = respondent(locale);
    reach(r, 'q17');
    const resumed = interview.resume(r.state);
    expect(resumed.replies[0]).toEqual({ type: 'message', text });
  });

  test('in the contact block and at the consent, where the printed questionnaire has no number', () => {
    const r = respondent('en');
    expect(r.say('progress').split('\n')[0]).toBe('Country and contact information · before the 44 questions');
    reach(r, 'consent');
    expect(r.say('progress').split('\n')[0]).toBe('Section H · after the 44 questions');
  });
});

/** An item id: "q4.cio.email", "respondent.capacity", "q2.eServices", "(country)". */
const INTERNAL_ID = /\b(?:q\d+\.[A-Za-z0-9.]+|respondent\.[A-Za-z]+)\b|\((?:country|consent|q\d+)\)/;

describe('no message names an item by its internal id', () => {
  test.each(['en', 'es'] as const)('(%s) a whole run with review, progress, edit, a stale button, deferrals and the summary', (locale) => {
    const r = respondent(locale);
    const said: string[] = [r.say('help')];
    for (let i = 0; i < 200 && r.at !== 'submit'; i++) {
      const id = r.at!;
      const answer = englishScript[id];
      // Leave the CIO block and capacity unanswered, so that they are deferred and listed by name.
      said.push(r.say(answer === undefined || id.startsWith('q4.cio') || id === 'respondent.capacity' ? (locale === 'es' ? 'omitir' : 'skip') : answer));
      if (id === 'q17') {
        said.push(r.say('no', { questionId: 'q4.cio.email' }), r.say('edit q99'), r.say('edit'), r.say('progress'), r.say('review A'));
      }
    }
    said.push(r.say('review'), r.say('progress'), r.turn.replies.map((x) => x.text).join('\n'));
    const all = said.join('\n');
    expect(all).toContain(locale === 'es' ? '4 — CIO — correo electrónico' : '4 — CIO — email');
    expect(all.match(INTERNAL_ID)).toBeNull();
  });

  test('a click on an earlier question\'s button names it by number and short label', () => {
    const r = respondent('en');
    reach(r, 'q18');
    expect(r.say('yes', { questionId: 'q17' })).toContain('That button belongs to an earlier question (17 — Legislation on open government data)');
  });
});
