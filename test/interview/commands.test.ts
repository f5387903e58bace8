import { englishScript } from '../fixtures/answers';
import { answerAll, respondent, type Respondent } from '../fixtures/interview';

function reach(r: Respondent, itemId: string) {
  for (let i = 0; i < 150 && r.at !== itemId; i++) r.say(r.state.locale === 'es' ? 'omitir' : 'skip');
  expect(r.at).toBe(itemId);
}

/** Commands work in either language whatever the current one. */
describe.each([
  ['en', { help: 'help', back: 'back', skip: 'skip', progress: 'progress', review: 'review', edit: 'edit', language: 'language', restart: 'restart', submit: 'submit', yes: 'yes', no: 'no' }],
  ['es', { help: 'ayuda', back: 'atrás', skip: 'omitir', progress: 'progreso', review: 'revisar', edit: 'editar', language: 'idioma', restart: 'reiniciar', submit: 'enviar', yes: 'sí', no: 'no' }],
] as const)('commands typed in %s', (_, words) => {
  test.each(['en', 'es'] as const)('while the conversation is in %s', (locale) => {
    const r = respondent(locale);
    reach(r, 'q1');
    r.say('https://www.gob.example');

    // help: lists the commands, then asks the same question again.
    expect(r.say(words.help)).toMatch(/review|revisar/);
    expect(r.at).toBe('q2.eServices');
    expect(r.state.answers).toHaveLength(1);

    // back: previous item, showing the current answer.
    const back = r.say(words.back);
    expect(r.at).toBe('q1');
    expect(back).toContain('https://www.gob.example');

    // skip on an answered item keeps it; on an optional item it skips; on a required one it defers.
    r.say(words.skip);
    expect(r.answer('q1')).toBe('https://www.gob.example');
    expect(r.at).toBe('q2.eServices');
    r.say(words.skip);
    expect(r.state.skipped).toContain('q2.eServices');
    reach(r, 'q3');
    r.say(words.skip);
    expect(r.state.deferred.at(-1)).toBe('q3');
    expect(r.at).toBe('q4');

    // progress: where, how much, what is deferred.
    const progress = r.say(words.progress);
    expect(progress).toMatch(/4 (of|de) 44/);
    expect(progress).toMatch(/1 (of|de) 44 (questions answered|preguntas respondidas)/);
    expect(progress).toMatch(/3 — /);

    // review [section]: answers so far.
    expect(r.say(`${words.review} A`)).toContain('https://www.gob.example');
    expect(r.say(words.review)).toMatch(/Country and contact information|País e información de contacto/);

    // edit <number>: answer again, then return where you were.
    r.say(`${words.edit} 1`);
    expect(r.at).toBe('q1');
    r.say('https://www.gob.example/v2');
    expect(r.answer('q1')).toBe('https://www.gob.example/v2');
    expect(r.at).toBe('q4');

    // language: switch, keep answers, re-ask in the new language.
    const other = locale === 'en' ? 'es' : 'en';
    const switched = r.say(`${words.language} ${other}`);
    expect(r.state.locale).toBe(other);
    expect(switched).toContain(other === 'es' ? '¿Cuenta su país' : 'Does your country have a Chief Information Officer');
    expect(r.answer('q1')).toBe('https://www.gob.example/v2');

    // restart: only after confirmation.
    r.say(words.restart);
    expect(r.at).toBe('restart');
    r.say(words.no);
    expect(r.at).toBe('q4');
    expect(r.answer('q1')).toBe('https://www.gob.example/v2');
    r.say(words.restart);
    r.say(words.yes);
    expect(r.state.answers).toEqual([]);
    expect(r.at).toBe('country');

    // submit: summary and the submit prompt at any time.
    r.say(words.submit);
    expect(r.at).toBe('submit');
  });
});

describe('moving around', () => {
  test('back and edit across a section boundary', () => {
    const r = respondent();
    reach(r, 'q6');
    expect(r.say('back')).toContain('A. Institutional / Organizational Framework');
    expect(r.at).toBe('q5.industry');
    r.say('Ministerio de Industria y Comercio');
    expect(r.say('back')).toBeTruthy();
    expect(r.at).toBe('q5.industry');
    r.say('skip');
    expect(r.at).toBe('q6');
    const edit = r.say('edit respondent.email');
    expect(edit).toContain('Country and contact information');
    r.say('new@example.gov');
    expect(r.at).toBe('q6');
    expect(r.answer('respondent.email')).toBe('new@example.gov');
  });

  test('back at the first question says so', () => {
    const r = respondent();
    expect(r.say('back')).toContain('first question');
    expect(r.at).toBe('country');
  });

  test('edit of an unknown item or an item that does not apply changes nothing', () => {
    const r = respondent();
    expect(r.say('edit q99')).toContain('could not find');
    expect(r.say('edit q4.cio.name')).toContain('not asked');
    expect(r.say('edit')).toContain('edit 17');
    expect(r.at).toBe('country');
    expect(r.state.answers).toEqual([]);
  });

  test('language switch mid-section keeps every answer and re-asks in Spanish', () => {
    const r = respondent('en');
    reach(r, 'q9');
    r.say('yes');
    const text = r.say('idioma es');
    expect(text).toContain('A partir de ahora');
    expect(text).toContain('En caso afirmativo');
    expect(r.at).toBe('q9.detail');
    expect(r.answer('q9')).toBe('yes');
    r.say('Ley 5282/2014');
    expect(r.answer('q9.detail')).toBe('Ley 5282/2014');
  });

  test('a click on an old card changes nothing', () => {
    const r = respondent();
    reach(r, 'q4');
    r.say('yes', { questionId: 'q4' });
    expect(r.at).toBe('q4.cio.name');
    expect(r.say('no', { questionId: 'q4' })).toContain('earlier question');
    expect(r.answer('q4')).toBe('yes');
    expect(r.at).toBe('q4.cio.name');
  });
});

describe('deferral and submission', () => {
  test('required items deferred, listed before submission, then submitted anyway', () => {
    const r = respondent();
    for (let i = 0; i < 150 && r.at !== 'submit'; i++) r.say('skip');
    const summary = r.turn.replies.map((x) => x.text).join('\n');
    expect(summary).toMatch(/required answers are missing/);
    expect(summary).toContain('33 — ');
    expect(r.state.deferred).toContain('consent');

    // "no": answer them now — only the unanswered required items are asked.
    r.say('no');
    expect(r.at).toBe('country');
    r.say('Paraguay');
    expect(r.at).toBe('respondent.name');
    r.say('skip');
    expect(r.at).toBe('respondent.title');
    r.say('submit');
    expect(r.at).toBe('submit');
    r.say('yes');
    expect(r.state.phase).toBe('submitted');
    expect(r.answer('country')).toBe('PRY');

    // read-only after submission; review still works.
    expect(r.say('edit 1')).toContain('can no longer be changed');
    expect(r.say('Some answer')).toContain('can no longer be changed');
    expect(r.say('review A')).toContain('(not answered)');
    expect(r.say('restart')).toContain('can no longer be changed');
    expect(r.state.answers).toEqual([{ itemId: 'country', value: 'PRY' }]);
  });

  test('answering the deferred items after the summary returns to the summary', () => {
    const r = respondent();
    answerAll(r, { ...englishScript, consent: 'skip' });
    expect(r.at).toBe('submit');
    expect(r.turn.replies.map((x) => x.text).join('\n')).toContain('1 required answer is missing');
    r.say('no');
    expect(r.at).toBe('consent');
    const back = r.say('yes');
    expect(back).toContain('All required questions are answered.');
    expect(r.at).toBe('submit');
    expect(r.state.deferred).toEqual([]);
  });
});

describe('copy / copia', () => {
  test.each([
    ['en', 'copy'],
    ['es', 'copia'],
    ['en', 'mi copia'],
  ] as const)('in a conversation in %s, "%s" asks the channel for a copy and changes nothing', (locale, word) => {
    const r = respondent(locale);
    reach(r, 'q1');
    const before = JSON.stringify(r.state);
    r.say(word);
    expect(r.turn.effects).toEqual(['copy']);
    expect(JSON.stringify(r.state)).toBe(before);
    expect(r.turn.replies.at(-1)).toMatchObject({ type: 'prompt', meta: { questionId: 'q1' } });
  });

  test('after submission a copy can still be asked for', () => {
    const r = respondent('en');
    answerAll(r, englishScript);
    r.say('yes');
    expect(r.state.phase).toBe('submitted');
    r.say('copy');
    expect(r.turn.effects).toEqual(['copy']);
  });
});
