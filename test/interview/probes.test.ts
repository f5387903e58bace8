/**
 * Probes: one friendly follow-up when an answer is thin — a "Yes" whose detail has no link where the question asks
 * for one, a detail of a word or two, or a link that is not a well-formed web address. Declinable with skip / no,
 * never more than once per item, and recorded (probeAsked, probeAnswered, probeDeclined changes).
 */
import { probeFor } from '../../src/interview/probe';
import { definition, interview, promptOf, respondent, textOf } from '../fixtures/interview';

test('the questionnaire marks what asks for a link and for detail, as data', () => {
  expect(definition.items.filter((i) => i.asksForLink).map((i) => i.id)).toEqual([
    'q3',
    ...['6', '9', '10', '11', '12', '13', '14', '15', '16', '17', '18', '19', '33', '34', '35', '36', '37', '38', '39', '40', '41', '42'].map((n) => `q${n}.detail`),
  ]);
  expect(definition.items.filter((i) => i.asksForDetail).every((i) => i.asksForLink && i.when?.value === 'yes')).toBe(true);
});

test.each([
  // [item, answer, probe]
  ['q9.detail', 'Law 5282/2014 on access to public information', 'link'],
  ['q9.detail', 'Ley 5282/2014', 'link'],
  ['q9.detail', 'https://www.bacn.gov.py/leyes/5282', 'detail'],
  ['q9.detail', 'Ley 5282 — https://www.bacn.gov.py/leyes/5282', 'detail'],
  ['q9.detail', 'Law 5282/2014, see www.bacn.gov.py/leyes/5282', null],
  ['q9.detail', 'Ley 5282/2014 de acceso a la información: https://www.bacn.gov.py/leyes/5282', null],
  ['q9.detail', 'Law 5282/2014 at http:/bacn.gov.py/5282', 'malformed'],
  ['q9.detail', 'Law 5282/2014 at https://bacn..gov.py/5282', 'malformed'],
  ['q3', 'MITIC', 'link'],
  ['q3', 'MITIC — https://www.mitic.gov.py', null],
  ['q3', 'MITIC — mitic.gov.py', null],
  ['q1', 'The national portal, whose address I will send later', null],
  ['q1', 'https://www.paraguay.gov.py', null],
  ['q1', 'https:/www.paraguay.gov.py', 'malformed'],
] as const)('%# %s: %j → %s', (item, answer, probe) => {
  expect(probeFor(definition.byId.get(item)!, answer)?.reason ?? null).toBe(probe);
});

test('a "Yes" with a detail but no link: one follow-up, answered — the link is added to the answer', () => {
  const r = respondent();
  const state = { ...r.state, current: 'q9', lastSection: 'C' };
  let turn = interview.handle(state, { text: 'Yes — Law 5282/2014 on access to public information' }, new Date());
  expect(promptOf(turn.replies)?.meta.questionId).toBe('q9.detail');
  expect(textOf(turn.replies)).toContain('Could you add the link to the law, the portal or the document?');
  expect(turn.changes).toEqual([
    { itemId: 'q9', oldValue: null, newValue: 'yes' },
    { itemId: 'q9.detail', oldValue: null, newValue: 'Law 5282/2014 on access to public information' },
    { itemId: 'q9.detail', oldValue: 'Law 5282/2014 on access to public information', newValue: 'Law 5282/2014 on access to public information', kind: 'probeAsked' },
  ]);
  // The section after is not announced while the follow-up is asked.
  turn = interview.handle(turn.state, { text: 'https://www.bacn.gov.py/leyes/5282' }, new Date());
  expect(textOf(turn.replies)).toContain('Thank you, that is added to your answer.');
  expect(turn.changes).toEqual([
    { itemId: 'q9.detail', oldValue: 'Law 5282/2014 on access to public information', newValue: 'Law 5282/2014 on access to public information\nhttps://www.bacn.gov.py/leyes/5282', kind: 'probeAnswered' },
  ]);
  expect(promptOf(turn.replies)?.meta.questionId).toBe('q10');
  expect(turn.state.probe).toBeNull();
});

test.each(['skip', 'no', 'No.', 'keep', 'omitir', "I don't know"])('declined with %j: the answer stays, recorded, and the interview goes on', (decline) => {
  const r = respondent();
  const state = { ...r.state, current: 'q9', lastSection: 'C' };
  const asked = interview.handle(state, { text: 'yes, Ley 5282' }, new Date());
  expect(asked.state.probe).toEqual({ itemId: 'q9.detail', reason: 'link' });
  const turn = interview.handle(asked.state, { text: decline }, new Date());
  expect(turn.changes).toEqual([{ itemId: 'q9.detail', oldValue: 'Ley 5282', newValue: 'Ley 5282', kind: 'probeDeclined' }]);
  expect(textOf(turn.replies)).toContain('All right, your answer is kept as it is.');
  expect(promptOf(turn.replies)?.meta.questionId).toBe('q10');
  expect(turn.state.answers.find((a) => a.itemId === 'q9.detail')?.value).toBe('Ley 5282');
});

test('never more than once per item: the same thin answer again is not followed up', () => {
  const r = respondent();
  const state = { ...r.state, current: 'q9', lastSection: 'C' };
  const asked = interview.handle(state, { text: 'yes, Ley 5282' }, new Date());
  const declined = interview.handle(asked.state, { text: 'skip' }, new Date());
  const again = interview.handle(declined.state, { text: 'edit 9' }, new Date());
  const yes = interview.handle(again.state, { text: 'yes' }, new Date());
  expect(promptOf(yes.replies)?.meta.questionId).toBe('q9.detail');
  const retyped = interview.handle(yes.state, { text: 'Ley 5282, otra vez' }, new Date());
  expect(retyped.state.probe ?? null).toBeNull();
  expect(retyped.changes.map((c) => c.kind)).toEqual([undefined]);
});

test('a bare yes is asked to type it; help and review are answered without leaving the follow-up; back leaves it', () => {
  const r = respondent();
  const state = { ...r.state, current: 'q9', lastSection: 'C' };
  const asked = interview.handle(state, { text: 'yes, Ley 5282' }, new Date());
  const yes = interview.handle(asked.state, { text: 'yes' }, new Date());
  expect(textOf(yes.replies)).toContain('Please type the link or the detail here');
  expect(yes.state).toEqual(asked.state);
  const help = interview.handle(asked.state, { text: 'help' }, new Date());
  expect(help.state.probe).toEqual(asked.state.probe);
  expect(textOf(help.replies)).toContain('Could you add the link');
  const back = interview.handle(asked.state, { text: 'back' }, new Date());
  expect(back.state.probe).toBeNull();
});

test('a malformed link is pointed out, in Spanish too', () => {
  const r = respondent('es');
  const state = { ...r.state, current: 'q1', lastSection: 'A' };
  const turn = interview.handle(state, { text: 'https:/www.paraguay.gov.py' }, new Date());
  expect(textOf(turn.replies)).toContain('El enlace https:/www.paraguay.gov.py no parece una dirección web completa');
  expect(textOf(turn.replies)).toContain('(Lo que escriba se agregará a su respuesta. Escriba omitir o no para dejarla tal como está.)');
  const fixed = interview.handle(turn.state, { text: 'https://www.paraguay.gov.py' }, new Date());
  expect(fixed.state.answers.find((a) => a.itemId === 'q1')?.value).toBe('https:/www.paraguay.gov.py\nhttps://www.paraguay.gov.py');
});

test('answers kept from the previous round are not followed up', () => {
  let turn = interview.start('en', new Date());
  turn = interview.handle(turn.state, { text: 'Paraguay' }, new Date(), {
    previous: { country: 'PRY', answers: [{ itemId: 'respondent.name', value: 'Ana', fit: 'keepable' }] },
  });
  const state = { ...turn.state, current: 'q3', lastSection: 'A', previous: { country: 'PRY', answers: [{ itemId: 'q3', value: 'MITIC', fit: 'keepable' as const }] } };
  const kept = interview.handle(state, { text: 'keep' }, new Date());
  expect(kept.state.probe ?? null).toBeNull();
  expect(kept.changes.map((c) => c.kind)).toEqual(['carriedForward']);
});
