import { runSoak } from '../scripts/soak';

/**
 * The short soak (`npm run soak` is the long one): 20 respondents complete the questionnaire at once with
 * pauses, duplicate deliveries, language switches and returns in new conversations, while the bot process is
 * killed (SIGKILL) once along the way; at the end the survey team's export holds every acknowledged answer, each
 * under the question it answered, and nothing the respondents did not say.
 */
jest.setTimeout(120_000);

test('20 respondents, one SIGKILL restart: acknowledged N, stored N, misplaced 0, lost 0', async () => {
  const result = await runSoak({ respondents: 20, restarts: 1, seed: 7, maxPauseMs: 20, duplicateRate: 0.1, switchRate: 0.03, reconnectRate: 0.02 });
  expect(result.failures).toEqual([]);
  expect(result.stats.restarts).toBe(1);
  expect(result.stats.duplicatesConcurrent + result.stats.duplicatesSequential).toBeGreaterThan(20);
  expect(result.stats.languageSwitches).toBeGreaterThan(5);
  expect(result.acknowledged).toBeGreaterThan(20 * 50);
  expect(result.stored).toBe(result.acknowledged);
  expect(result.lost).toBe(0);
  expect(result.misplaced).toBe(0);
  expect(result.submitted).toEqual({ acknowledged: 20, stored: 20 });
});
