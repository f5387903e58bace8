import { runSoak } from '../scripts/soak';
import { embeddedStore, mongoStore, type StoragePlace, type StoreUnderTest } from './fixtures/stores';

/**
 * The short soak (`npm run soak` is the long one): respondents complete the questionnaire at once with pauses,
 * duplicate deliveries, language switches and returns in new conversations, while the bot process is killed
 * (SIGKILL) once along the way; at the end the survey team's export holds every acknowledged answer, each under the
 * question it answered, and nothing the respondents did not say. On the embedded store and on MongoDB (the test
 * run's live server). FerretDB's SQLite backend reads by `_id` only and scans its tables for every other filter, so
 * a turn there costs ~10× more and grows with the data: 4 respondents on it instead of 20 (on a MongoDB of your own,
 * through MONGODB_URI, as many as on the embedded store).
 */
jest.setTimeout(300_000);

const onFerretDb = !process.env.MONGODB_URI?.trim();
const runs: Array<[string, StoreUnderTest, number]> = [
  [embeddedStore.label, embeddedStore, 20],
  [mongoStore.label, mongoStore, onFerretDb ? 4 : 20],
];

describe.each(runs)('on the %s', (_label, storage, respondents) => {
  let place: StoragePlace | undefined;
  afterAll(async () => {
    await place?.remove();
  });

  test(`${respondents} respondents, one SIGKILL restart: acknowledged N, stored N, misplaced 0, lost 0`, async () => {
    place = storage.place('soak');
    const result = await runSoak({ respondents, restarts: 1, seed: 7, maxPauseMs: 20, duplicateRate: 0.1, switchRate: 0.03, reconnectRate: 0.02, storage: place });
    expect(result.failures).toEqual([]);
    expect(result.stats.restarts).toBe(1);
    expect(result.stats.duplicatesConcurrent + result.stats.duplicatesSequential).toBeGreaterThan(respondents);
    expect(result.stats.languageSwitches).toBeGreaterThan(respondents / 4);
    expect(result.acknowledged).toBeGreaterThan(respondents * 50);
    expect(result.stored).toBe(result.acknowledged);
    expect(result.lost).toBe(0);
    expect(result.misplaced).toBe(0);
    expect(result.submitted).toEqual({ acknowledged: respondents, stored: respondents });
  });
});
