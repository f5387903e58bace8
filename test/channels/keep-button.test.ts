/**
 * The Keep button of a question whose previous answer may be kept: in Teams a card button that sends `keep`
 * without the card's inputs (no option need be ticked), in the web chat a suggested action that types its label.
 */
import { renderTeams } from '../../src/channels/teams';
import { renderWebChat } from '../../src/channels/webchat';
import { readCardSubmit } from '../../src/channels';
import type { Reply } from '../../src/interview/render';

const words = { send: 'Send', answered: 'Your answer' };
const progress = { question: 3, questions: 44, section: 'A' as const, answered: 2 };
const prompt = (kind: 'text' | 'yesno' | 'choice', keep?: string): Extract<Reply, { type: 'prompt' }> => ({
  type: 'prompt',
  text: '3. National agency in charge of e-government\n\nLast time Paraguay answered: MITIC — keep it, or type the new answer.',
  hint: 'Type your answer. (Type keep to keep the previous answer as it is.)',
  meta: {
    questionId: 'q3',
    section: 'A',
    kind,
    required: true,
    progress,
    ...(kind === 'yesno' ? { options: [{ id: 'yes', label: 'Yes' }, { id: 'no', label: 'No' }] } : {}),
    ...(kind === 'choice' ? { options: Array.from({ length: 8 }, (_, i) => ({ id: `o${i}`, label: `A rather long option label number ${i}` })) } : {}),
    ...(keep ? { keep: { label: keep } } : {}),
  },
});

const keepActionOf = (activity: any) => activity.attachments?.[0]?.content.actions?.find((a: any) => a.title === 'Keep' || a.title === 'Mantener');

test.each(['text', 'yesno', 'choice'] as const)('Teams, %s question: a Keep button that sends keep, without the inputs', (kind) => {
  const activity = renderTeams(prompt(kind, 'Keep'), words) as any;
  const action = keepActionOf(activity);
  expect(action).toEqual({ type: 'Action.Submit', title: 'Keep', data: { msq: { questionId: 'q3', answer: 'keep' } }, associatedInputs: 'none' });
  expect(readCardSubmit(action.data)).toEqual({ text: 'keep', questionId: 'q3' });
});

test('Teams: no Keep button (and a typed question stays text) when there is nothing to keep', () => {
  expect(renderTeams(prompt('text'), words)).not.toHaveProperty('attachments');
  expect(keepActionOf(renderTeams(prompt('yesno'), words))).toBeUndefined();
});

test('web chat: Keep after the options, or alone under a typed question', () => {
  expect((renderWebChat(prompt('yesno', 'Mantener'), words) as any).suggestedActions.actions.map((a: any) => a.value)).toEqual(['Yes', 'No', 'Mantener']);
  expect((renderWebChat(prompt('text', 'Keep'), words) as any).suggestedActions.actions).toEqual([{ type: 'imBack', title: 'Keep', value: 'Keep' }]);
  expect(renderWebChat(prompt('text'), words)).not.toHaveProperty('suggestedActions');
  expect(keepActionOf(renderWebChat(prompt('choice', 'Keep'), words))).toMatchObject({ data: { msq: { answer: 'keep' } } });
});
