import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEmbeddedStore } from '../../src/store/embedded';
import { createRespondent, SAVED, type SentActivity } from '../../scripts/lib/respondent';
import { startBotProcess, type BotProcess } from '../fixtures/process';

/**
 * Graceful shutdown of the real process: SIGTERM while a turn is in flight → the turn completes and is
 * acknowledged, its answer is on disk, nothing new is accepted, and the process exits 0.
 */
jest.setTimeout(120_000);

let dir: string;
let bot: BotProcess | undefined;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'msq-shutdown-'));
});
afterEach(async () => {
  await bot?.kill('SIGKILL');
  bot = undefined;
  rmSync(dir, { recursive: true, force: true });
});

/**
 * Posts an activity in two steps: the headers (with `Expect: 100-continue`, so the server's "continue" proves
 * it has accepted the request), then — after `between` ran — the body.
 */
function postInTwoSteps(url: string, activity: SentActivity, between: () => Promise<void>): Promise<{ status: number; body: any }> {
  const body = JSON.stringify(activity);
  return new Promise((resolve, reject) => {
    const req = request(`${url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), expect: '100-continue' },
    });
    req.on('continue', () => {
      between().then(() => req.end(body), reject);
    });
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }));
    });
    req.on('error', reject);
    req.flushHeaders();
  });
}

const until = async (check: () => boolean, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

test('SIGTERM with a turn in flight: the turn completes, its answer is stored, exit code 0', async () => {
  bot = await startBotProcess({ dataDir: dir, env: { LOG_LEVEL: 'info' } });
  const running = bot;
  const respondent = createRespondent({ botUrl: bot.url, userId: 'shutdown-1', channel: 'directline', locale: 'en', serviceUrl: 'http://127.0.0.1:9/' });
  expect((await respondent.post(respondent.greeting())).questionId).toBe('country');

  const reply = await postInTwoSteps(bot.url, respondent.message('Paraguay'), async () => {
    running.child.kill('SIGTERM');
    await until(() => running.output().includes('shutting down'));
    // Stopped accepting: a new connection is refused while the turn is still open.
    await expect(fetch(`${running.url}/healthz`)).rejects.toThrow();
  });
  expect(reply.status).toBe(200);
  expect(reply.body.activities.map((a: any) => a.text).join('\n')).toContain(SAVED.en);

  const exit = await bot.exited;
  expect(exit).toEqual({ code: 0, signal: null });
  expect(bot.output()).toContain('"msg":"stopped"');
  bot = undefined;

  const store = createEmbeddedStore({ dir });
  try {
    const response = await store.findResponseByRespondent('directline:shutdown-1');
    expect(response?.answers).toEqual([{ itemId: 'country', value: 'PRY' }]);
  } finally {
    await store.close();
  }
});

test('SIGTERM with several respondents mid-turn: every turn that reached the server completes', async () => {
  bot = await startBotProcess({ dataDir: dir, env: { LOG_LEVEL: 'info' } });
  const running = bot;
  const respondents = Array.from({ length: 8 }, (_, i) => createRespondent({ botUrl: running.url, userId: `shutdown-many-${i}`, channel: i % 2 ? 'msteams' : 'directline', locale: 'en', serviceUrl: 'http://127.0.0.1:9/' }));
  for (const r of respondents) await r.post(r.greeting());

  let accepted = 0;
  let signalled: Promise<void> | null = null;
  const replies = await Promise.all(
    respondents.map((r) =>
      postInTwoSteps(running.url, r.message('Uruguay'), async () => {
        accepted += 1;
        // Once every request is in, one SIGTERM; the bodies follow after it.
        await until(() => accepted === respondents.length);
        signalled ??= (async () => {
          running.child.kill('SIGTERM');
          await until(() => running.output().includes('shutting down'));
        })();
        await signalled;
      }),
    ),
  );
  for (const reply of replies) {
    expect(reply.status).toBe(200);
    expect(reply.body.activities.map((a: any) => a.text).join('\n')).toContain(SAVED.en);
  }
  expect((await bot.exited).code).toBe(0);
  bot = undefined;

  const store = createEmbeddedStore({ dir });
  try {
    for (let i = 0; i < respondents.length; i++) {
      const key = `${i % 2 ? 'msteams' : 'directline'}:shutdown-many-${i}`;
      expect((await store.findResponseByRespondent(key))?.answers).toEqual([{ itemId: 'country', value: 'URY' }]);
    }
  } finally {
    await store.close();
  }
});
