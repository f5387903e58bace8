import fc from 'fast-check';
import { interview } from '../fixtures/interview';
import type { EngineState } from '../../src/interview/state';

const nasty = fc.constantFrom(
  '', ' ', '\n\t ', '{ "$gt": "" }', '__proto__', 'constructor', 'x'.repeat(100_000), '🙂🇵🇾👩‍💻', '\u0000\u0007\u001b[31m',
  'yes', 'no', 'skip', 'back', 'edit 4', 'edit q4.cio.email', 'review', 'review Z', 'idioma es', 'language en', 'restart', 'reiniciar',
  'submit', 'delete my answers', 'sí', '1, 3', 'Paraguay', 'a@b.org', 'help', '?', 'edit', 'edit q999', 'progress', 'omitir',
);
const input = fc.record({
  text: fc.oneof(nasty, fc.string({ maxLength: 200 }), fc.string({ unit: 'grapheme', maxLength: 50 })),
  questionId: fc.option(fc.constantFrom('q4', 'submit', 'country', '__proto__'), { nil: undefined }),
});

describe('any sequence of messages', () => {
  test('never throws and always leaves a state that saves and loads', () => {
    fc.assert(
      fc.property(fc.constantFrom('en' as const, 'es' as const), fc.array(input, { maxLength: 40 }), (locale, inputs) => {
        let state: EngineState = interview.start(locale, new Date()).state;
        for (const message of inputs) {
          const turn = interview.handle(state, message, new Date());
          expect(turn.replies.length).toBeGreaterThan(0);
          const loaded = interview.load(JSON.parse(JSON.stringify(turn.state)));
          expect(loaded).toEqual(turn.state);
          state = loaded!;
        }
      }),
      { numRuns: 150 },
    );
  });
});
