/**
 * A saved state of the current version is read without zod on every turn (readCurrentState); zod reads anything
 * else. Both readings must agree: whatever the fast one accepts, zod accepts and reads the same (same fields, same
 * order, the same optional fields present but undefined); whatever zod refuses, the fast one refuses.
 */
import fc from 'fast-check';
import { engineStateSchema, readCurrentState, type EngineState } from '../../src/interview/state';
import { answerAll, interview, respondent } from '../fixtures/interview';
import { englishScript } from '../fixtures/answers';

const now = new Date('2026-11-28T10:00:00Z');

/** States as conversations leave them: mid-way, confirming, probing, with a previous round, submitted and flagged. */
function conversationStates(): EngineState[] {
  const states: EngineState[] = [];
  const r = respondent('es');
  states.push(r.state);
  for (const text of ['Paraguay', 'Ana', 'Director', 'MITIC', 'ana@mitic.gov.py', '1', 'back', 'edit 4', 'stop reminders']) {
    r.say(text);
    states.push(r.state);
  }
  const withPrevious = interview.handle(respondent('en').state, { text: 'Paraguay' }, now, {
    previous: { country: 'PRY', answers: [{ itemId: 'q1', value: 'yes', fit: 'keepable' }, { itemId: 'q2.portal', value: 'x', fit: 'shownOnly', reason: 'askedAgain' }] },
  });
  states.push(withPrevious.state);
  const whole = respondent('en');
  answerAll(whole, englishScript);
  states.push(whole.state);
  whole.say('yes');
  states.push(whole.state);
  const flagged = interview.flag(whole.state, { id: 'f1', itemId: 'q1', comment: 'Which portal?' }, now);
  if (flagged) states.push(flagged.state);
  // Every optional field at once, as no single conversation leaves them.
  states.push({
    ...(flagged?.state ?? whole.state),
    locked: ['country'],
    focus: ['C'],
    pending: { itemId: 'q1', value: ['a'] },
    revisiting: { by: 'edit', question: '4' },
    remindersOff: true,
    previous: withPrevious.state.previous,
    carried: ['q1'],
    probe: { itemId: 'q13', reason: 'malformed', link: 'www.x' },
    probed: ['q13'],
  });
  return states.map((s) => JSON.parse(JSON.stringify(s)) as EngineState);
}

/** A copy as a store gives it back (structuredClone would make objects of another realm under jest, which only zod reads). */
const copyOf = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** The fields of a value with their order, undefined ones included (JSON would drop them). */
const shape = (value: unknown): unknown =>
  Array.isArray(value)
    ? value.map(shape)
    : value && typeof value === 'object'
      ? Object.entries(value).map(([k, v]) => [k, v === undefined ? 'undefined' : shape(v)])
      : value;

function expectSameReading(input: unknown): EngineState | undefined {
  const fast = readCurrentState(input);
  const zod = engineStateSchema.safeParse(input);
  if (fast !== undefined) {
    expect(zod.success).toBe(true);
    expect(shape(fast)).toEqual(shape(zod.data));
  }
  if (!zod.success) expect(fast).toBeUndefined();
  return fast;
}

const states = conversationStates();

test('every state a conversation leaves is read without zod, exactly as zod reads it', () => {
  expect(states.length).toBeGreaterThan(10);
  for (const state of states) {
    const read = expectSameReading(state);
    expect(read).toBeDefined();
    // A copy: changing what was read leaves what was saved as it was.
    expect(read).not.toBe(state);
    expect(read?.answers).not.toBe(state.answers);
  }
  const all = states.at(-1)!;
  expect(Object.keys(all).sort()).toEqual(Object.keys(engineStateSchema.shape).sort());
  expect(all.flags?.length).toBe(1);
});

test('a state with unknown fields, or optional fields present but undefined, is read as zod reads it', () => {
  const [state] = states;
  expectSameReading({ ...state, junk: 1, answers: [{ itemId: 'q1', value: 'yes', extra: true }], pending: undefined, probe: undefined });
  expectSameReading({ ...state, revisiting: { by: 'back', question: 'left over' } });
  expectSameReading({ ...state, previous: { country: 'PRY', answers: [{ itemId: 'q1', value: ['a'], fit: 'keepable', reason: undefined }] } });
});

test('anything broken anywhere in a state is refused by both readings, or read the same by both', () => {
  /** Somewhere in a state (a path of keys and indexes) and what is put there, or the key taken away. */
  const damage = fc.record({
    state: fc.constantFrom(...states),
    steps: fc.array(fc.nat(), { minLength: 1, maxLength: 4 }),
    value: fc.oneof(fc.constant(undefined), fc.constant(null), fc.jsonValue(), fc.constantFrom('delete' as const, '', 'x', 1, true, [], {}, ['x'], [1])),
  });
  fc.assert(
    fc.property(damage, ({ state, steps, value }) => {
      const copy = copyOf(state) as unknown as Record<string, unknown>;
      let at: Record<string, unknown> = copy;
      for (const [n, step] of steps.entries()) {
        const keys = Object.keys(at);
        if (keys.length === 0) break;
        const key = keys[step % keys.length];
        const inner = at[key];
        if (n === steps.length - 1 || !inner || typeof inner !== 'object') {
          if (value === 'delete') delete at[key];
          else at[key] = value;
          break;
        }
        at = inner as Record<string, unknown>;
      }
      expectSameReading(copy);
    }),
    { numRuns: 2000 },
  );
});

test('every field of a state, each broken in every way in turn, is refused by both readings or read the same by both', () => {
  const all = states.at(-1)!;
  /** Every place in a value: the keys and indexes that lead to it. */
  const places = (value: unknown, path: Array<string | number> = []): Array<Array<string | number>> =>
    value && typeof value === 'object' ? Object.entries(value).flatMap(([k, v]) => [[...path, k], ...places(v, [...path, k])]) : [];
  const damages: unknown[] = ['delete', undefined, null, '', 'x', 0, 1, true, [], {}, ['x'], [1], { by: 'back' }];
  let checked = 0;
  let accepted = 0;
  for (const path of places(all)) {
    for (const damage of damages) {
      const copy = copyOf(all) as unknown as Record<string | number, unknown>;
      const parent = path.slice(0, -1).reduce<Record<string | number, unknown>>((at, key) => at[key] as Record<string | number, unknown>, copy);
      const key = path.at(-1)!;
      if (damage === 'delete') delete parent[key];
      else parent[key] = damage;
      if (expectSameReading(copy)) accepted++;
      checked++;
    }
  }
  expect(checked).toBeGreaterThan(500);
  expect(accepted).toBeGreaterThan(checked / 10);
});

test('what is not a state at all is left to zod, which refuses it', () => {
  for (const junk of [null, 42, 'x', [], {}, { schemaVersion: 99 }, Object.create({ schemaVersion: 1 }), { ...states[0], schemaVersion: '1' }]) {
    expect(readCurrentState(junk)).toBeUndefined();
    expect(interview.load(junk)).toBeNull();
  }
});
