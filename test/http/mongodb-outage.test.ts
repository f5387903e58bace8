import en from '../../locales/en/bot.json';
import { startFerretDb, type FerretDb } from '../../scripts/lib/ferretdb';
import { createRespondent, SAVED } from '../../scripts/lib/respondent';
import { englishScript } from '../fixtures/answers';
import { testDbName } from '../fixtures/mongo';
import { startBotProcess, type BotProcess } from '../fixtures/process';

/**
 * The bot as `npm start` runs it with MONGODB_URI, against a MongoDB-protocol server of its own (FerretDB) that is
 * stopped in the middle of an interview: the respondent is told the answer was NOT saved, /healthz says 503, and once
 * the server is back the bot recovers by itself — the same answer is then saved and the interview goes on.
 */
jest.setTimeout(120_000);

let mongo: FerretDb | undefined;
let bot: BotProcess | undefined;

afterAll(async () => {
  await bot?.kill('SIGKILL');
  await mongo?.stop();
});

const health = async (url: string) => {
  const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(15_000) });
  return { status: res.status, body: (await res.json()) as { status: string; store: string } };
};

test('a database outage mid-interview: "NOT saved", 503, then recovery without a restart', async () => {
  mongo = await startFerretDb();
  bot = await startBotProcess({ env: { MONGODB_URI: mongo.uri, MONGODB_DB: testDbName('outage') } });
  expect(await health(bot.url)).toEqual({ status: 200, body: expect.objectContaining({ status: 'ok', store: 'mongodb' }) });

  const respondent = createRespondent({ botUrl: bot.url, userId: 'outage-1', channel: 'directline', locale: 'en', serviceUrl: 'http://127.0.0.1:9/' });
  let reply = await respondent.post(respondent.greeting());
  for (let i = 0; i < 2; i++) {
    reply = await respondent.post(respondent.message(englishScript[reply.questionId!]));
    expect(reply.text).toContain(SAVED.en);
  }
  const pending = reply.questionId!;

  await mongo.pause();
  const refused = await respondent.post(respondent.message(englishScript[pending]));
  expect(refused.status).toBe(200);
  expect(refused.text).toContain(en['error.notSaved']);
  expect(refused.text).not.toContain(SAVED.en);
  expect((await health(bot.url)).status).toBe(503);

  await mongo.start();
  const deadline = Date.now() + 60_000;
  while ((await health(bot.url)).status !== 200) {
    if (Date.now() > deadline) throw new Error('the bot did not recover after the database came back');
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const again = await respondent.post(respondent.message(englishScript[pending]));
  expect(again.text).toContain(SAVED.en);
  expect(again.questionId).not.toBe(pending);

  // The store holds the three answers, the one given during the outage once.
  const back = createRespondent({ botUrl: bot.url, userId: 'outage-1', channel: 'directline', locale: 'en', serviceUrl: 'http://127.0.0.1:9/', conversationId: 'later' });
  const resumed = await back.post(back.greeting());
  expect(resumed.questionId).toBe(again.questionId);
  expect(bot.output()).not.toMatch(/uncaught|unhandled/i);
});
