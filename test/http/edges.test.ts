import { generateKeyPairSync, sign } from 'node:crypto';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { createApp, type AppOverrides } from '../../src/app';
import { envSchema } from '../../src/config/env';
import { MAX_BODY_BYTES } from '../../src/server';
import { createEmbeddedStore } from '../../src/store/embedded';
import { createLogger } from '../../src/logger';
import { directLineActivity, post, startChannel } from '../fixtures/http';

/**
 * The HTTP edge, request by request: what is refused (413, 400, 429) and how, what is ignored, the headers every
 * response carries, and what never reaches the log. The server stays healthy after all of it.
 */

interface EdgeBot {
  url: string;
  /** Every log line so far. */
  logs(): string;
  close(): Promise<void>;
}

/** The whole application on a free port, its log (at trace level, all of it) captured. */
async function startEdgeBot(vars: Record<string, string> = {}, webchat: AppOverrides['webchat'] = {}): Promise<EdgeBot> {
  let lines = '';
  const sink = new Writable({
    write(chunk, _encoding, callback) {
      lines += chunk.toString();
      callback();
    },
  });
  const env = envSchema.parse({ PORT: '0', LOG_LEVEL: 'trace', RATE_LIMIT_CONVERSATION_PER_MINUTE: '0', RATE_LIMIT_IP_PER_MINUTE: '0', ...vars });
  const app = await createApp(env, { store: createEmbeddedStore({ dir: null }), logger: createLogger('trace', sink), webchat });
  await new Promise<void>((resolve) => app.server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`,
    logs: () => lines,
    close: () => app.close(),
  };
}

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'SAMEORIGIN',
};
const expectSecurityHeaders = (res: Response) => {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) expect([name, res.headers.get(name)]).toEqual([name, value]);
};

const postRaw = (url: string, body: string, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
  fetch(`${url}/api/messages`, { method: 'POST', headers, body });

const activity = (user: string, fields: Record<string, unknown> = {}) =>
  directLineActivity('http://127.0.0.1:9/', user, { text: 'hello', deliveryMode: 'expectReplies', ...fields });

describe('bad input', () => {
  let bot: EdgeBot;
  beforeAll(async () => (bot = await startEdgeBot()));
  afterAll(() => bot.close());

  test('a body over the limit gets 413, with the security headers; a 20,000-character answer fits', async () => {
    const big = JSON.stringify(activity('big', { text: 'x'.repeat(MAX_BODY_BYTES) }));
    const res = await postRaw(bot.url, big);
    expect(res.status).toBe(413);
    expectSecurityHeaders(res);
    // An answer of 20,000 characters in a 4-byte script still fits.
    const long = await post(bot.url, activity('long', { text: '𝄞'.repeat(20_000) }));
    expect(long.status).toBe(200);
  });

  test('a body sent in chunks, without a length, is refused with 413 once it passes the limit; in pieces under it, it is read whole', async () => {
    const chunked = (pieces: string[]) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = request(`${bot.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8', 'transfer-encoding': 'chunked' } }, (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on('error', reject);
        for (const piece of pieces) req.write(piece);
        req.end();
      });
    const tooBig = JSON.stringify(activity('chunked-big', { text: 'x'.repeat(MAX_BODY_BYTES) }));
    expect((await chunked(tooBig.match(/[^]{1,65536}/g)!)).status).toBe(413);
    const fits = JSON.stringify(activity('chunked-fits', { text: 'Ley N° 4017/2010 — firma digital' }));
    const res = await chunked([fits.slice(0, 10), fits.slice(10, 200), fits.slice(200)]);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body).activities.at(-1).channelData.msq.questionId).toBeDefined();
  });

  test('malformed JSON gets 400', async () => {
    for (const body of ['{not json', '{"type":"message",', '\u0000\u0001', '{"a":1}}']) {
      const res = await postRaw(bot.url, body);
      expect([body, res.status]).toEqual([body, 400]);
      expectSecurityHeaders(res);
    }
  });

  test('a body that is not JSON at all gets 415', async () => {
    expect((await postRaw(bot.url, 'hello', { 'content-type': 'text/plain' })).status).toBe(415);
  });

  test.each([
    ['not an object', []],
    ['null', null],
    ['no type', { channelId: 'directline', conversation: { id: 'c' } }],
    ['no conversation', { type: 'message', channelId: 'directline' }],
    ['a numeric conversation id', { type: 'message', channelId: 'directline', conversation: { id: 42 } }],
    ['a serviceUrl that is no URL', { type: 'message', channelId: 'directline', conversation: { id: 'c' }, serviceUrl: 'javascript:alert(1)' }],
    ['entities that are not a list', { type: 'message', channelId: 'directline', conversation: { id: 'c' }, entities: 'clientInfo' }],
    ['a from without id', { type: 'message', channelId: 'directline', conversation: { id: 'c' }, from: { name: 'x' } }],
    ['text that is not a string', { type: 'message', channelId: 'directline', conversation: { id: 'c' }, text: { $gt: '' } }],
  ])('an activity with %s gets 400 and is logged', async (_name, body) => {
    const before = bot.logs().length;
    const res = await post(bot.url, body as object);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: 'The request body is not a valid activity.' });
    expect(bot.logs().slice(before)).toContain('malformed activity');
  });

  test('optional fields written as null (some serializers do) are accepted', async () => {
    const res = await post(bot.url, activity('nulls', { locale: null, replyToId: null, entities: null, attachments: null, channelData: null, recipient: null }));
    expect(res.status).toBe(200);
    expect(res.body.activities.at(-1).channelData.msq.questionId).toBe('country');
  });

  test('an activity that could only be answered through serviceUrl, without one, gets 400', async () => {
    const res = await post(bot.url, activity('no-service-url', { serviceUrl: undefined, deliveryMode: 'normal' }));
    expect(res.status).toBe(400);
  });

  test('unknown activity types (and invokes the bot does not implement) are ignored: 200, no reply', async () => {
    const channel = await startChannel();
    try {
      for (const type of ['somethingNew', 'typing', 'messageReaction', 'handoff', 'invoke']) {
        const expecting = await post(bot.url, activity('types', { type, text: undefined, id: `${type}-1` }));
        expect([type, expecting.status]).toEqual([type, 200]);
        expect((expecting.body?.activities ?? []).filter((a: any) => a.type === 'message')).toEqual([]);
        const plain = await post(bot.url, directLineActivity(channel.url, 'types', { type, text: undefined, id: `${type}-2` }));
        expect([type, plain.status]).toEqual([type, 200]);
      }
      expect(channel.calls).toEqual([]);
    } finally {
      await channel.close();
    }
  });

  test('every response carries the security headers: API, health, page, 404, 405', async () => {
    const responses = [
      await fetch(`${bot.url}/healthz`),
      await fetch(`${bot.url}/`),
      await fetch(`${bot.url}/no-such-page`),
      await fetch(`${bot.url}/api/messages`),
      await postRaw(bot.url, JSON.stringify(activity('headers'))),
    ];
    expect(responses.map((r) => r.status)).toEqual([200, 200, 404, 405, 200]);
    for (const res of responses) expectSecurityHeaders(res);
  });

  test('after all of it the process is healthy', async () => {
    const res = await fetch(`${bot.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'ok' });
    expect((await post(bot.url, activity('still-fine'))).body.activities.at(-1).channelData.msq.questionId).toBe('country');
  });
});

describe('rate limits', () => {
  test('per conversation on /api/messages: 429 with Retry-After; another conversation from the same address goes on', async () => {
    const bot = await startEdgeBot({ RATE_LIMIT_CONVERSATION_PER_MINUTE: '60', RATE_LIMIT_CONVERSATION_BURST: '3' });
    try {
      const statuses: number[] = [];
      let refused: Response | undefined;
      for (let i = 0; i < 5; i++) {
        const res = await postRaw(bot.url, JSON.stringify(activity('busy', { text: 'help', id: `busy-${i}` })));
        statuses.push(res.status);
        if (res.status === 429) refused = res;
      }
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
      expect(Number(refused!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(await refused!.json()).toEqual({ error: expect.stringContaining('Too many requests') });
      expectSecurityHeaders(refused!);
      expect((await post(bot.url, activity('calm'))).status).toBe(200);
      // One log line for the refusals of a key, not one per request.
      expect(bot.logs().match(/rate limit: requests refused/g)).toHaveLength(1);
      expect((await fetch(`${bot.url}/healthz`)).status).toBe(200);
    } finally {
      await bot.close();
    }
  });

  test('per address on /api/messages and the web chat token endpoint; /healthz and the page are not limited', async () => {
    const bot = await startEdgeBot({ RATE_LIMIT_IP_PER_MINUTE: '60', RATE_LIMIT_IP_BURST: '4' });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) statuses.push((await post(bot.url, activity(`addr-${i}`))).status);
      const token = () => fetch(`${bot.url}/api/directline/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      statuses.push((await token()).status);
      const refused = await token();
      statuses.push(refused.status);
      statuses.push((await post(bot.url, activity('addr-9'))).status);
      expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
      expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
      for (let i = 0; i < 10; i++) expect((await fetch(`${bot.url}/healthz`)).status).toBe(200);
      expect((await fetch(`${bot.url}/`)).status).toBe(200);
    } finally {
      await bot.close();
    }
  });

  test('per conversation on the built-in Direct Line, in its error format, charged only once the token is checked', async () => {
    const bot = await startEdgeBot({ RATE_LIMIT_CONVERSATION_PER_MINUTE: '60', RATE_LIMIT_CONVERSATION_BURST: '3' });
    const token = () => fetch(`${bot.url}/api/directline/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }).then((r) => r.json());
    try {
      const grant = await token();
      const auth = { authorization: `Bearer ${grant.token}` };
      expect((await fetch(`${bot.url}/v3/directline/conversations`, { method: 'POST', headers: auth })).status).toBe(201);

      // A stranger who knows the conversation id floods it: without a token, with a forged one, with a token of
      // another conversation. None of it is charged to the conversation in the path.
      const stranger = await token();
      const strangerStatuses = new Set<number>();
      for (const headers of [{} as Record<string, string>, { authorization: 'Bearer not-a-token' }, { authorization: `Bearer ${grant.token.slice(0, -4)}AAAA` }, { authorization: `Bearer ${stranger.token}` }]) {
        for (let i = 0; i < 6; i++) {
          const res = await fetch(`${bot.url}/v3/directline/conversations/${grant.conversationId}/activities`, { headers });
          strangerStatuses.add(res.status);
        }
      }
      expect([...strangerStatuses].sort()).toEqual([401, 403, 429]);

      // The conversation's own client still has its quota (the start took one of three).
      const statuses: number[] = [];
      let refused: Response | undefined;
      for (let i = 0; i < 4; i++) {
        const res = await fetch(`${bot.url}/v3/directline/conversations/${grant.conversationId}`, { headers: auth });
        statuses.push(res.status);
        if (res.status === 429) refused = res;
      }
      expect(statuses).toEqual([200, 200, 429, 429]);
      expect(refused!.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(await refused!.json()).toEqual({ error: { code: 'Throttled', message: expect.any(String) } });
      // The token never reaches the log, not even in the refusal's line.
      expect(bot.logs()).not.toContain(grant.token);
    } finally {
      await bot.close();
    }
  });

  test('X-Forwarded-For counts only behind a trusted proxy (TRUST_PROXY)', async () => {
    for (const trust of ['false', 'true']) {
      const bot = await startEdgeBot({ RATE_LIMIT_IP_PER_MINUTE: '60', RATE_LIMIT_IP_BURST: '2', TRUST_PROXY: trust });
      try {
        const statuses: number[] = [];
        for (let i = 0; i < 4; i++) {
          const res = await postRaw(bot.url, JSON.stringify(activity(`xff-${i}`)), { 'content-type': 'application/json', 'x-forwarded-for': `203.0.113.9, 198.51.100.${i}` });
          statuses.push(res.status);
        }
        expect([trust, statuses]).toEqual([trust, trust === 'true' ? [200, 200, 200, 200] : [200, 200, 429, 429]]);
      } finally {
        await bot.close();
      }
    }
  });
});

describe('secrets never reach the log', () => {
  test('app password, Direct Line secret, admin token and bearer tokens of refused requests', async () => {
    const secrets = {
      MicrosoftAppPassword: 'app-password-Zq8v3T6wLm1Xp4Rs',
      DIRECT_LINE_SECRET: 'direct-line-secret-Hj5nB2cV9kQw7Ye',
      ADMIN_TOKEN: 'admin-token-Uf3gT8mPz6Lr1Dx0',
    };
    const upstream: typeof fetch = async () => new Response('{"error":"nope"}', { status: 500 });
    const bot = await startEdgeBot(
      { MicrosoftAppId: '11111111-2222-3333-4444-555555555555', ...secrets, ToBotFromChannelOpenIdMetadataUrl: 'http://127.0.0.1:9/.well-known/openidconfiguration' },
      { fetch: upstream },
    );
    try {
      // A well-formed JWT that nobody signed properly.
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
      const b64 = (s: string) => Buffer.from(s).toString('base64url');
      const body = `${b64(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: 'k1' }))}.${b64(JSON.stringify({ iss: 'https://api.botframework.com', aud: 'x', exp: 9999999999 }))}`;
      const forged = `${body}.${sign('RSA-SHA256', Buffer.from(body), privateKey).toString('base64url')}`;
      for (const authorization of [`Bearer ${forged}`, `Bearer ${secrets.MicrosoftAppPassword}`, `Basic ${Buffer.from(`u:${secrets.ADMIN_TOKEN}`).toString('base64')}`]) {
        const res = await post(bot.url, activity('auth', { serviceUrl: 'https://smba.trafficmanager.net/amer/' }), { authorization });
        expect(res.status).toBe(401);
      }
      // Azure mode: the token exchange fails upstream (502) and is logged.
      const token = await fetch(`${bot.url}/api/directline/token`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${secrets.DIRECT_LINE_SECRET}` }, body: '{}' });
      expect(token.status).toBe(502);
      // The admin API with the right and a wrong token.
      await fetch(`${bot.url}/admin/responses`, { headers: { authorization: `Bearer ${secrets.ADMIN_TOKEN}` } });
      await fetch(`${bot.url}/admin/responses`, { headers: { authorization: `Bearer ${secrets.ADMIN_TOKEN}x` } });

      const logs = bot.logs();
      expect(logs).toContain('authentication failed');
      expect(logs).toContain('did not issue a token');
      for (const secret of [...Object.values(secrets), forged, forged.split('.')[2]]) expect(logs).not.toContain(secret);
    } finally {
      await bot.close();
    }
  });
});
