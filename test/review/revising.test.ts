import { englishScript } from '../fixtures/answers';
import { interview } from '../fixtures/interview';
import { responseFrom } from '../fixtures/responses';
import type { EngineState } from '../../src/interview/state';

/** The engine while the survey team's questions are open (phase `revising`), and the reminder commands. */

const at = new Date('2026-12-01T10:00:00Z');
const submitted = (locale: 'en' | 'es' = 'en'): EngineState => {
  const doc = responseFrom(englishScript);
  return interview.load({ ...doc.engine, answers: doc.answers, deferred: doc.deferred, locale })!;
};
const text = (turn: { replies: Array<{ text: string }> }) => turn.replies.map((r) => r.text).join('\n');

test('a flagged yes/no question: commands other than help, review, progress, copy and language are refused; a bad answer is explained; "no" submits again', () => {
  const flagged = interview.flag(submitted(), { id: 'f1', itemId: 'q4', comment: 'Is there really a CIO?' }, at)!;
  expect(flagged.state.phase).toBe('revising');
  expect(text(flagged)).toContain('“Is there really a CIO?”');

  const help = interview.handle(flagged.state, { text: 'help' }, at);
  expect(text(help)).toContain('Commands you can type');
  expect(help.state).toEqual(flagged.state);

  for (const refused of ['edit 5', 'submit', 'restart', 'back', 'skip']) {
    const turn = interview.handle(flagged.state, { text: refused }, at);
    expect(text(turn)).toContain('look again only at the question below');
    expect(turn.state).toEqual(flagged.state);
  }

  const invalid = interview.handle(flagged.state, { text: 'perhaps' }, at);
  expect(invalid.changes).toEqual([]);
  expect(invalid.state.phase).toBe('revising');

  const spanish = interview.handle(flagged.state, { text: 'idioma es' }, at);
  expect(spanish.state.locale).toBe('es');
  expect(spanish.state.phase).toBe('revising');

  const answered = interview.handle(flagged.state, { text: 'no' }, new Date('2026-12-02T10:00:00Z'));
  expect(answered.changes).toEqual([{ itemId: 'q4', oldValue: 'yes', newValue: 'no' }]);
  expect(answered.state.phase).toBe('submitted');
  expect(answered.state.submittedAt).toBe('2026-12-02T10:00:00.000Z');
  expect(answered.state.flags).toEqual([expect.objectContaining({ id: 'f1', resolvedAt: '2026-12-02T10:00:00.000Z' })]);
  expect(text(answered)).toContain('submitted again');
});

test('only a submitted response, and only an item that applies to it, can be flagged', () => {
  expect(interview.flag(interview.start('en', at).state, { id: 'f', itemId: 'q3', comment: 'x' }, at)).toBeNull();
  expect(interview.flag(submitted(), { id: 'f', itemId: 'no.such.item', comment: 'x' }, at)).toBeNull();
  const noCio = interview.handle(interview.flag(submitted(), { id: 'f1', itemId: 'q4', comment: 'x' }, at)!.state, { text: 'no' }, at).state;
  expect(interview.flag(noCio, { id: 'f2', itemId: 'q4.cio.name', comment: 'x' }, at)).toBeNull();
});

test.each([
  ['en', 'stop reminders', 'You will receive no more reminders', 'reminders on', 'Reminders are on'],
  ['es', 'sin recordatorios', 'No recibirá más recordatorios', 'con recordatorios', 'Los recordatorios están activados'],
] as const)('%s: "%s" turns reminders off ("%s…"), "%s" back on ("%s…"); the question stays', (locale, off, offSaid, on, onSaid) => {
  const start = interview.start(locale, at).state;
  const stopped = interview.handle(start, { text: off }, at);
  expect(stopped.state.remindersOff).toBe(true);
  expect(text(stopped)).toContain(offSaid);
  expect(stopped.state.current).toBe(start.current);
  const again = interview.handle(stopped.state, { text: on }, at);
  expect(again.state.remindersOff).toBe(false);
  expect(text(again)).toContain(onSaid);
});
