import { createRespondent, SAVED } from '../../scripts/lib/respondent';
import { englishScript } from '../fixtures/answers';
import { startBotProcess, type BotProcess } from '../fixtures/process';
import { storesUnderTest, type StoragePlace } from '../fixtures/stores';

/**
 * Issue 4's promise over a real process: answers acknowledged over HTTP survive `kill -9` of the bot, and the
 * respondent continues at the next question — on the embedded, file-backed store and on MongoDB (the test run's
 * live server, which keeps running while the bot is killed).
 */
jest.setTimeout(120_000);

describe.each(storesUnderTest)('on the %s', (_label, storage) => {
  let place: StoragePlace;
  let bot: BotProcess | undefined;
  beforeAll(() => {
    place = storage.place('restart');
  });
  afterAll(async () => {
    await bot?.kill('SIGKILL');
    await place?.remove();
  });

  test('10 answers, SIGKILL, restart: all 10 kept and the next prompt is the 11th item', async () => {
    bot = await startBotProcess({ env: place.env });
    const serviceUrl = 'http://127.0.0.1:9/';
    let respondent = createRespondent({ botUrl: bot.url, userId: 'restart-1', channel: 'directline', locale: 'en', serviceUrl });

    let reply = await respondent.post(respondent.greeting());
    const answered: string[] = [];
    while (answered.length < 10) {
      const itemId = reply.questionId!;
      reply = await respondent.post(respondent.message(englishScript[itemId] ?? `https://www.example.gov/${itemId}`));
      expect(reply.status).toBe(200);
      expect(reply.text).toContain(SAVED.en);
      answered.push(itemId);
    }
    const eleventh = reply.questionId!;
    const progressBefore = reply.activities.at(-1)!.channelData.msq.progress;
    expect(answered).not.toContain(eleventh);

    const killed = await bot.kill('SIGKILL');
    expect(killed.signal).toBe('SIGKILL');

    bot = await startBotProcess({ env: place.env });
    respondent = createRespondent({ botUrl: bot.url, userId: 'restart-1', channel: 'directline', locale: 'en', serviceUrl, conversationId: 'after-the-restart' });
    const back = await respondent.post(respondent.greeting());
    expect(back.status).toBe(200);
    expect(back.text).toContain('Welcome back');
    expect(back.questionId).toBe(eleventh);
    expect(back.activities.at(-1)!.channelData.msq.progress).toEqual(progressBefore);

    expect((await bot.kill('SIGTERM')).code).toBe(0);
    bot = undefined;
    const store = place.open();
    try {
      const response = (await store.findResponseByRespondent('directline:restart-1'))!;
      expect(response.answers.map((a) => a.itemId).sort()).toEqual([...answered].sort());
      expect(response.answers.find((a) => a.itemId === 'respondent.email')?.value).toBe(englishScript['respondent.email']);
      expect(response.answers.find((a) => a.itemId === 'country')?.value).toBe('PRY');
    } finally {
      await store.close();
    }
  });
});
