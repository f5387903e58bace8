/**
 * Carry forward in the engine: the previous round comes in through the turn's context (the engine loads nothing),
 * is kept in the state, and each item with a previous answer offers it. `keep` records it as confirmed (a change
 * marked carriedForward); a new answer replaces it; a shown-only answer is shown, never kept.
 */
import type { PreviousRound } from '../../src/interview/state';
import { interview, promptOf, textOf } from '../fixtures/interview';

const now = new Date('2026-11-28T10:00:00Z');
const paraguay: PreviousRound = {
  country: 'PRY',
  answers: [
    { itemId: 'respondent.name', value: 'Ana María Giménez Núñez', fit: 'keepable' },
    { itemId: 'respondent.title', value: 'Directora General', fit: 'keepable' },
    { itemId: 'respondent.organization', value: 'MITIC', fit: 'shownOnly', reason: 'optionGone' },
    { itemId: 'q20', value: 'biennial', fit: 'shownOnly', reason: 'optionGone' },
    { itemId: 'no-such-item', value: 'dropped', fit: 'keepable' },
  ],
};

/** A Paraguay respondent whose country answer brought the previous round in (as the session service does). */
function started() {
  let turn = interview.start('en', now);
  turn = interview.handle(turn.state, { text: 'Paraguay' }, now);
  expect(interview.needsPrevious(turn.state)).toBe('PRY');
  const first = interview.start('en', now);
  turn = interview.handle(first.state, { text: 'Paraguay' }, now, { previous: paraguay });
  expect(interview.needsPrevious(turn.state)).toBeNull();
  return turn;
}

test('the previous round is kept in the state once the country is known; an unknown item is left out; another country is ignored', () => {
  const turn = started();
  expect(turn.state.previous?.answers.map((a) => a.itemId)).toEqual(['respondent.name', 'respondent.title', 'respondent.organization', 'q20']);
  const ignored = interview.handle(interview.start('en', now).state, { text: 'Uruguay' }, now, { previous: paraguay });
  expect(ignored.state.previous).toBeUndefined();
  expect(interview.needsPrevious(ignored.state)).toBe('URY');
  expect(interview.needsPrevious(interview.start('en', now).state)).toBeNull();
});

test('keep records the previous answer as confirmed, marked carried forward; never before', () => {
  const asked = started();
  expect(textOf(asked.replies)).toContain('Last time Paraguay answered: Ana María Giménez Núñez — keep it, or type the new answer.');
  expect(promptOf(asked.replies)?.meta.keep).toEqual({ label: 'Keep' });
  expect(asked.state.answers.map((a) => a.itemId)).toEqual(['country']);

  const kept = interview.handle(asked.state, { text: 'keep' }, now);
  expect(textOf(kept.replies)).toContain('Kept from last time: Ana María Giménez Núñez.');
  expect(kept.changes).toEqual([{ itemId: 'respondent.name', oldValue: null, newValue: 'Ana María Giménez Núñez', carriedForward: true }]);
  expect(kept.state.carried).toEqual(['respondent.name']);

  // A new answer to the next item is an ordinary change.
  const typed = interview.handle(kept.state, { text: 'Vice Minister' }, now);
  expect(typed.changes).toEqual([{ itemId: 'respondent.title', oldValue: null, newValue: 'Vice Minister' }]);

  // Editing a kept answer anew removes its mark; going back to it shows it as kept.
  const back = interview.handle(typed.state, { text: 'back' }, now);
  const again = interview.handle(back.state, { text: 'back' }, now);
  expect(textOf(again.replies)).toContain('Your current answer (kept from last time): Ana María Giménez Núñez');
  const retyped = interview.handle(again.state, { text: 'Ana M. Giménez' }, now);
  expect(retyped.state.carried).toEqual([]);
  expect(retyped.changes[0]).not.toHaveProperty('carriedForward');
});

test('a shown-only answer is shown as it was, for reference, and keep is refused without changing anything', () => {
  const kept = interview.handle(started().state, { text: 'keep' }, now);
  const title = interview.handle(kept.state, { text: 'keep' }, now);
  expect(promptOf(title.replies)?.meta.questionId).toBe('respondent.organization');
  expect(textOf(title.replies)).toContain('Last time Paraguay answered: MITIC (shown for reference only: the question has changed, so please answer it again).');
  expect(promptOf(title.replies)?.meta.keep).toBeUndefined();
  const refused = interview.handle(title.state, { text: 'keep' }, now);
  expect(textOf(refused.replies)).toContain('The previous answer cannot be kept as it is, because the question has changed.');
  expect(refused.state.answers).toEqual(title.state.answers);
  expect(refused.changes).toEqual([]);
});

test('a choice whose option is gone shows the old value as written', () => {
  const state = { ...started().state, current: 'q20', lastSection: 'D' };
  const turn = interview.handle(state, { text: 'progress' }, now);
  expect(textOf(turn.replies)).toContain('Last time Paraguay answered: biennial (shown for reference only');
});

test('restart clears the marks of kept answers', () => {
  const kept = interview.handle(started().state, { text: 'keep' }, now);
  const asked = interview.handle(kept.state, { text: 'restart' }, now);
  const restarted = interview.handle(asked.state, { text: 'yes' }, now);
  expect(restarted.state.carried).toEqual([]);
  expect(restarted.state.answers).toEqual([]);
});

test('in Spanish', () => {
  let turn = interview.start('es', now);
  turn = interview.handle(turn.state, { text: 'Paraguay' }, now, { previous: paraguay });
  expect(textOf(turn.replies)).toContain('La última vez Paraguay respondió: Ana María Giménez Núñez — puede mantenerla o escribir la nueva respuesta.');
  expect(promptOf(turn.replies)?.meta.keep).toEqual({ label: 'Mantener' });
  expect(textOf(interview.handle(turn.state, { text: 'mantener' }, now).replies)).toContain('Se mantuvo la respuesta de la vez anterior: Ana María Giménez Núñez.');
});
