import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { DirectLine, type Activity as DlActivity } from 'botframework-directlinejs';
import pino from 'pino';
import { Observable } from 'rxjs/Observable';
import { createTokenSigner } from '../../src/webchat/tokens';
import { askToken, startWebchatBot, type WebchatBot } from './helpers';

/**
 * The self-hosted Direct Line, driven by the official client (botframework-directlinejs, as Web Chat uses it)
 * with polling. Node has no XMLHttpRequest, so the client's `ajax` service is given a fetch-based transport
 * of the same shape (rxjs Observable of `{ response, status, xhr }`, errors carrying `status`).
 */

interface AjaxRequest {
  method?: string;
  url: string;
  body?: unknown;
  headers?: Record<string, string>;
}

function fetchAjax(calls: string[]) {
  return (request: AjaxRequest) =>
    Observable.create((subscriber: { next(v: unknown): void; error(e: unknown): void; complete(): void }) => {
      const controller = new AbortController();
      calls.push(`${request.method ?? 'GET'} ${new URL(request.url).pathname}`);
      fetch(request.url, {
        method: request.method ?? 'GET',
        headers: request.headers,
        body: request.body === undefined ? undefined : JSON.stringify(request.body),
        signal: controller.signal,
      }).then(
        async (res) => {
          const text = await res.text();
          const response = text ? JSON.parse(text) : null;
          const xhr = { getResponseHeader: (name: string) => res.headers.get(name) };
          if (res.ok) {
            subscriber.next({ response, status: res.status, xhr });
            subscriber.complete();
          } else subscriber.error({ status: res.status, response, xhr });
        },
        (error: unknown) => {
          if (!controller.signal.aborted) subscriber.error({ status: 0, error });
        },
      );
      return () => controller.abort();
    });
}

const key = randomBytes(32);
let bot: WebchatBot;
beforeAll(async () => {
  bot = await startWebchatBot({}, { directLine: { signer: createTokenSigner({ key }) } });
});
afterAll(async () => {
  await bot.close();
});

/** A token for a new conversation, as the page gets it: for this browser's cookie (a new respondent without one). */
async function generate(cookie?: string): Promise<{ token: string; conversationId: string; expires_in: number; userId: string; cookie: string }> {
  const grant = await askToken(bot.url, { cookie });
  expect(grant.status).toBe(200);
  return { ...grant.body, cookie: grant.cookie! };
}

/** Resolves when the predicate holds over what was received (checked as activities arrive). */
function waitFor<T>(received: DlActivity[], pick: (all: DlActivity[]) => T | undefined, timeoutMs = 10_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const check = () => {
      const value = pick(received);
      if (value !== undefined && value !== false) return resolve(value);
      if (Date.now() - started > timeoutMs) return reject(new Error(`timed out; received: ${received.map((a) => `${a.id} ${a.type} ${String((a as any).text ?? '').slice(0, 40)}`).join(' | ')}`));
      setTimeout(check, 20);
    };
    check();
  });
}

const msqOf = (a: DlActivity) =>
  (a as any).channelData?.msq as { questionId: string; progress: { question: number | null; questions: number; section: string | null; answered: number } } | undefined;
const lastPrompt = (all: DlActivity[]) => all.filter((a) => a.from.role !== 'user' && msqOf(a)).at(-1);

function post(dl: DirectLine, activity: Partial<DlActivity>): Promise<string> {
  return new Promise((resolve, reject) => {
    dl.postActivity(activity as DlActivity).subscribe({ next: (id: string) => resolve(id), error: reject });
  });
}

describe('the self-hosted Direct Line, with the official client', () => {
  test('start, greeting, three answers with rising progress, and an answered card updated in place', async () => {
    const { token, userId } = await generate();
    const calls: string[] = [];
    const dl = new DirectLine({
      token,
      domain: `${bot.url}/v3/directline`,
      webSocket: false,
      pollingInterval: 200,
      conversationStartProperties: { locale: 'en-US' },
      ajax: fetchAjax(calls),
      WebSocket: class {},
    } as any);
    const received: DlActivity[] = [];
    const subscription = dl.activity$.subscribe((a) => received.push(a));
    try {
      const greeting = await waitFor(received, (all) => {
        const p = lastPrompt(all);
        return p && msqOf(p)!.questionId === 'country' ? p : undefined;
      });
      expect(received.map((a) => (a as any).text ?? '').join('\n')).toContain('Member States Questionnaire (MSQ) for the United Nations E-Government Survey 2022');
      expect(msqOf(greeting)!.progress).toEqual({ question: null, questions: 44, section: 'respondent', answered: 0 });
      expect(greeting.from).toMatchObject({ role: 'bot' });
      expect(greeting.id).toMatch(/\|\d{7}$/);

      const answer = async (text: string, next: string) => {
        const id = await post(dl, { type: 'message', from: { id: 'dl_someone-else-1' }, text });
        // The client sees its own message with the id it was given, from the token's user…
        const echo = await waitFor(received, (all) => all.find((a) => a.id === id));
        expect(echo.from.id).toBe(userId);
        expect((echo as any).serviceUrl).toBeUndefined();
        // …then the next question.
        return waitFor(received, (all) => {
          const p = lastPrompt(all);
          return p && msqOf(p)!.questionId === next ? p : undefined;
        });
      };
      const name = await answer('Paraguay', 'respondent.name');
      const title = await answer('Ana', 'respondent.title');
      const organization = await answer('Director', 'respondent.organization');
      // The contact block comes before question 1 of the printed questionnaire's 44.
      const progress = [greeting, name, title, organization].map((p) => msqOf(p)!.progress);
      expect(progress).toEqual(Array(4).fill({ question: null, questions: 44, section: 'respondent', answered: 0 }));

      await answer('MITIC', 'respondent.email');
      const capacity = await answer('ana@example.org', 'respondent.capacity');
      const card = (capacity as any).attachments?.[0];
      expect(card?.contentType).toBe('application/vnd.microsoft.card.adaptive');
      expect(JSON.stringify(card.content)).toContain('Action.Submit');

      // The card's Send, as Web Chat posts it: a message with the submitted value.
      const before = received.length;
      await post(dl, { type: 'message', from: { id: userId }, value: { msq: { questionId: 'respondent.capacity' }, answer: 'authorized' } } as any);
      const updated = await waitFor(received, (all) => all.slice(before).find((a) => a.id === capacity.id));
      const content = JSON.stringify((updated as any).attachments[0].content);
      expect(content).not.toContain('Action.Submit');
      expect(content).toContain('I am authorized and fully knowledgeable');
      expect((updated as any).timestamp).toBe((capacity as any).timestamp);
      await waitFor(received, (all) => {
        const p = lastPrompt(all);
        return p && p.id !== capacity.id && msqOf(p)!.questionId !== 'respondent.capacity' ? p : undefined;
      });
      expect(msqOf(lastPrompt(received)!)!.progress).toEqual({ question: 1, questions: 44, section: 'A', answered: 0 });

      // What the client called: start, poll, post — never a WebSocket.
      expect(calls).toContain('POST /v3/directline/conversations');
      expect(calls.some((c) => /^GET \/v3\/directline\/conversations\/[^/]+\/activities$/.test(c))).toBe(true);
      expect(calls.some((c) => /^POST \/v3\/directline\/conversations\/[^/]+\/activities$/.test(c))).toBe(true);

      const stored = await bot.store.findResponseByRespondent(`directline:${userId}`);
      expect(stored?.country).toEqual({ code: 'PRY', name: 'Paraguay' });
      expect(stored?.answers.find((a) => a.itemId === 'respondent.capacity')?.value).toEqual(['authorized']);
    } finally {
      subscription.unsubscribe();
      dl.end();
    }
  });

  test('a returning user (same browser, new conversation) is welcomed back at the question they reached', async () => {
    const first = await generate();
    const h = { authorization: `Bearer ${first.token}`, 'content-type': 'application/json' };
    expect((await fetch(`${bot.url}/v3/directline/conversations`, { method: 'POST', headers: h, body: '{}' })).status).toBe(201);
    const say = (text: string) => fetch(`${bot.url}/v3/directline/conversations/${first.conversationId}/activities`, { method: 'POST', headers: h, body: JSON.stringify({ type: 'message', text }) });
    expect((await say('Paraguay')).status).toBe(200);
    expect((await say('Ana')).status).toBe(200);

    const again = await generate(first.cookie);
    expect(again.userId).toBe(first.userId);
    expect(again.conversationId).not.toBe(first.conversationId);
    const h2 = { authorization: `Bearer ${again.token}`, 'content-type': 'application/json' };
    await fetch(`${bot.url}/v3/directline/conversations`, { method: 'POST', headers: h2, body: JSON.stringify({ locale: 'en-GB' }) });
    const activities: any[] = [];
    for (let i = 0; i < 50 && !activities.some((a) => a.channelData?.msq); i++) {
      const res = await fetch(`${bot.url}/v3/directline/conversations/${again.conversationId}/activities?watermark=`, { headers: h2 });
      activities.splice(0, activities.length, ...((await res.json()) as any).activities);
    }
    expect(activities.map((a) => a.text).join('\n')).toContain('Welcome back');
    expect(activities.at(-1).channelData.msq.questionId).toBe('respondent.title');
  });
});

describe('tokens and access', () => {
  let conversation: { token: string; conversationId: string; userId: string };
  let other: { token: string; conversationId: string; userId: string };
  beforeAll(async () => {
    conversation = await generate();
    other = await generate();
    for (const c of [conversation, other]) {
      const res = await fetch(`${bot.url}/v3/directline/conversations`, { method: 'POST', headers: { authorization: `Bearer ${c.token}` } });
      expect(res.status).toBe(201);
    }
  });
  const activities = (conversationId: string, headers: Record<string, string> = {}) =>
    fetch(`${bot.url}/v3/directline/conversations/${conversationId}/activities?watermark=`, { headers });

  test("another conversation's activities cannot be read or written with one's own token", async () => {
    const read = await activities(other.conversationId, { authorization: `Bearer ${conversation.token}` });
    expect(read.status).toBe(403);
    const write = await fetch(`${bot.url}/v3/directline/conversations/${other.conversationId}/activities`, {
      method: 'POST',
      headers: { authorization: `Bearer ${conversation.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'message', text: 'hello' }),
    });
    expect(write.status).toBe(403);
    expect((await activities(conversation.conversationId, { authorization: `Bearer ${conversation.token}` })).status).toBe(200);
  });

  test('no token → 401; a forged or tampered token → 403; an expired token → 403 TokenExpired (as Azure Direct Line)', async () => {
    expect((await activities(conversation.conversationId)).status).toBe(401);
    expect((await activities(conversation.conversationId, { authorization: 'Bearer not-a-token' })).status).toBe(401);

    const forged = createTokenSigner().sign({ user: conversation.userId, conv: conversation.conversationId }, 600).token;
    expect((await activities(conversation.conversationId, { authorization: `Bearer ${forged}` })).status).toBe(403);

    const [h, , s] = conversation.token.split('.');
    const tampered = `${h}.${Buffer.from(JSON.stringify({ user: conversation.userId, conv: other.conversationId, exp: 9999999999 })).toString('base64url')}.${s}`;
    expect((await activities(other.conversationId, { authorization: `Bearer ${tampered}` })).status).toBe(403);

    const past = createTokenSigner({ key, now: () => Date.now() - 2 * 60 * 60 * 1000 });
    const expired = past.sign({ user: conversation.userId, conv: conversation.conversationId }, 1800).token;
    const res = await activities(conversation.conversationId, { authorization: `Bearer ${expired}` });
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ error: { code: 'TokenExpired', message: expect.any(String) } });
    const refresh = await fetch(`${bot.url}/v3/directline/tokens/refresh`, { method: 'POST', headers: { authorization: `Bearer ${expired}` } });
    expect(refresh.status).toBe(403);
  });

  test('refresh extends the token; reconnect (GET conversation) answers with a token for it', async () => {
    const res = await fetch(`${bot.url}/v3/directline/tokens/refresh`, { method: 'POST', headers: { authorization: `Bearer ${conversation.token}` } });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { token: string; conversationId: string; expires_in: number };
    expect(body.conversationId).toBe(conversation.conversationId);
    expect(body.expires_in).toBe(1800);
    const reconnect = await fetch(`${bot.url}/v3/directline/conversations/${conversation.conversationId}?watermark=0`, { headers: { authorization: `Bearer ${body.token}` } });
    expect(reconnect.status).toBe(200);
    expect(await reconnect.json()).toMatchObject({ conversationId: conversation.conversationId, token: expect.any(String) });
  });

  test('posted activities are validated: types, text length, body size, no attachments; user ids must be dl_…', async () => {
    const send = (body: unknown) =>
      fetch(`${bot.url}/v3/directline/conversations/${conversation.conversationId}/activities`, {
        method: 'POST',
        headers: { authorization: `Bearer ${conversation.token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await send({ type: 'invoke', name: 'x' })).status).toBe(400);
    expect((await send({ type: 'message', text: 'x'.repeat(25_001) })).status).toBe(400);
    expect((await send({ type: 'message', text: 'x', attachments: [{ contentType: 'image/png', contentUrl: 'http://x' }] })).status).toBe(400);
    expect((await send({ type: 'message', text: 'ok', channelData: { pad: 'x'.repeat(300 * 1024) } })).status).toBe(413);
    const typed = await send({ type: 'message', text: 'x'.repeat(25_000) });
    expect(typed.status).toBe(200);

    expect((await askToken(bot.url, { userId: '29:teams-user' })).status).toBe(400);
  });

  test('nobody can write into a conversation as the bot: its replies never travel over HTTP', async () => {
    const reply = (path: string) =>
      fetch(`${bot.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ type: 'message', text: 'spoofed' }) });
    expect((await reply(`/directline-connector/v3/conversations/${conversation.conversationId}/activities`)).status).toBe(404);
    expect((await reply(`/directline-connector/guessed-key/v3/conversations/${conversation.conversationId}/activities`)).status).toBe(404);
    const read = await activities(conversation.conversationId, { authorization: `Bearer ${conversation.token}` });
    const received = ((await read.json()) as { activities: Array<Record<string, unknown>> }).activities;
    expect(JSON.stringify(received)).not.toContain('spoofed');
    // The client never learns an address of the bot's.
    expect(received.some((a) => 'serviceUrl' in a)).toBe(false);
  });
});

describe('listening on every address (as npm start does), reached over IPv4 and IPv6', () => {
  let everywhere: WebchatBot;
  const logged: string[] = [];
  beforeAll(async () => {
    const sink = new Writable({ write: (chunk, _encoding, done) => (logged.push(String(chunk)), done()) });
    everywhere = await startWebchatBot({}, { listen: 'all', logger: pino({ level: 'warn' }, sink) });
  });
  afterAll(async () => {
    await everywhere.close();
  });

  test.each([['127.0.0.1'], ['[::1]'], ['localhost']])('through http://%s:PORT the bot greets and answers', async (host) => {
    const base = `http://${host}:${everywhere.port}`;
    const { token, conversationId } = (await askToken(base)).body;
    const h = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    expect((await fetch(`${base}/v3/directline/conversations`, { method: 'POST', headers: h, body: JSON.stringify({ locale: 'en-US' }) })).status).toBe(201);
    expect((await fetch(`${base}/v3/directline/conversations/${conversationId}/activities`, { method: 'POST', headers: h, body: JSON.stringify({ type: 'message', text: 'Paraguay' }) })).status).toBe(200);
    const seen: Array<Record<string, any>> = [];
    for (let i = 0; i < 20 && !seen.some((a) => a.channelData?.msq?.questionId === 'respondent.name'); i++) {
      const poll = await fetch(`${base}/v3/directline/conversations/${conversationId}/activities?watermark=`, { headers: h });
      seen.splice(0, seen.length, ...((await poll.json()) as { activities: Array<Record<string, any>> }).activities);
    }
    expect(seen.map((a) => a.text ?? '').join('\n')).toContain('Member States Questionnaire (MSQ)');
    expect(seen.at(-1)!.channelData.msq.questionId).toBe('respondent.name');
    expect(logged.join('')).not.toContain('error in a turn');
  });
});
