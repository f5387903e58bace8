/** An interview started with prefilled answers (the country of an invitation): recorded, never asked, locked. */
import { interview, promptOf, textOf } from '../fixtures/interview';
import type { Turn } from '../../src/interview/engine';

const now = new Date('2026-11-28T10:00:00Z');
const start = () => interview.start('en', now, { prefill: [{ itemId: 'country', value: 'PRY' }, { itemId: 'no.such.item', value: 'x' }] });
const say = (turn: Turn, text: string) => interview.handle(turn.state, { text }, now);

describe('an interview started with a prefilled country', () => {
  test('starts at the first item not prefilled, with the country answered and locked', () => {
    const turn = start();
    expect(turn.state.answers).toEqual([{ itemId: 'country', value: 'PRY' }]);
    expect(turn.state.locked).toEqual(['country']);
    expect(promptOf(turn.replies)?.meta).toMatchObject({ questionId: 'respondent.name', progress: { question: null, section: 'respondent', questions: 44 } });
    expect(textOf(turn.replies)).toContain('Section: Country and contact information');
    expect(interview.load(JSON.parse(JSON.stringify(turn.state)))).toEqual(turn.state);
  });

  test('refuses to edit the country, and back does not reach it', () => {
    const turn = start();
    const edit = say(turn, 'edit country');
    expect(textOf(edit.replies)).toContain('comes from your invitation and cannot be changed');
    expect(edit.state).toEqual(turn.state);
    const back = say(turn, 'back');
    expect(back.state.current).toBe('respondent.name');
    expect(textOf(back.replies)).toContain('This is the first question');
  });

  test('a restart keeps the country and records no change of it', () => {
    let turn = say(start(), 'Ana');
    turn = say(turn, 'restart');
    turn = say(turn, 'yes');
    expect(turn.state.answers).toEqual([{ itemId: 'country', value: 'PRY' }]);
    expect(turn.state.current).toBe('respondent.name');
    expect(turn.changes).toEqual([{ itemId: 'respondent.name', oldValue: 'Ana', newValue: null }]);
  });

  test('without prefill nothing is locked (the country is asked first)', () => {
    const turn = interview.start('en', now);
    expect(turn.state.locked).toBeUndefined();
    expect(promptOf(turn.replies)?.meta.questionId).toBe('country');
    expect(say(say(turn, 'Paraguay'), 'edit country').state.current).toBe('country');
  });
});
