import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import pino from 'pino';
import { askToken, startWebchatBot, type WebchatBot } from './helpers';

/** Azure mode (DIRECT_LINE_SECRET set): the page's token comes from Direct Line, through the bot's server. */

const SECRET = 'dl-secret-9f8e7d6c5b4a3210.abcdefghijklmnop';

interface Seen {
  method?: string;
  url?: string;
  authorization?: string;
  body: any;
}

/** A local stand-in for Direct Line's token endpoint; `mode` decides how it answers. */
async function fakeDirectLine(): Promise<{ url: string; seen: Seen[]; mode: { status: number }; close(): Promise<void> }> {
  const seen: Seen[] = [];
  const mode = { status: 200 };
  const server: Server = createServer(async (req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : undefined;
    seen.push({ method: req.method, url: req.url, authorization: req.headers.authorization, body });
    if (mode.status !== 200) {
      res.writeHead(mode.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'BadArgument', message: 'nope' } }));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ conversationId: 'AzureConv-123', token: 'azure-token-abc', expires_in: 3600 }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    mode,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

let directLine: Awaited<ReturnType<typeof fakeDirectLine>>;
let bot: WebchatBot;
/** Everything the server logged. */
const logged: string[] = [];
beforeAll(async () => {
  directLine = await fakeDirectLine();
  const sink = new Writable({ write: (chunk, _encoding, done) => (logged.push(String(chunk)), done()) });
  bot = await startWebchatBot({ DIRECT_LINE_SECRET: SECRET }, { directLineEndpoint: directLine.url, logger: pino({ level: 'trace' }, sink) });
});
afterAll(async () => {
  await bot.close();
  await directLine.close();
});

const askTokenWith = (body: unknown) =>
  fetch(`${bot.url}/api/directline/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

test('the secret goes to Direct Line as bearer with the browser’s user id; the page gets the token and domain, never the secret', async () => {
  const res = await askTokenWith({});
  expect(res.status).toBe(200);
  const text = await res.text();
  expect(text).not.toContain(SECRET);
  const body = JSON.parse(text);
  expect(body).toEqual({
    token: 'azure-token-abc',
    conversationId: 'AzureConv-123',
    expires_in: 3600,
    userId: expect.stringMatching(/^dl_[A-Za-z0-9_-]{43}$/),
    domain: `${directLine.url}/v3/directline`,
    webSocket: true,
  });
  expect(res.headers.get('cache-control')).toBe('no-store');
  expect(res.headers.get('set-cookie')).toMatch(/^msq-webchat=.*HttpOnly; SameSite=Strict$/);
  const call = directLine.seen.at(-1)!;
  expect(call).toMatchObject({ method: 'POST', url: '/v3/directline/tokens/generate', authorization: `Bearer ${SECRET}` });
  expect(call.body).toEqual({ user: { id: body.userId } });
});

test('the same browser (its cookie) gets tokens for the same user id, to resume its response', async () => {
  const first = await askToken(bot.url);
  const again = await askToken(bot.url, { cookie: first.cookie, userId: first.body.userId });
  expect(again.status).toBe(200);
  expect(again.body.userId).toBe(first.body.userId);
  expect(directLine.seen.at(-1)!.body).toEqual({ user: { id: first.body.userId } });
});

test('a user id without the browser’s cookie gets no token: 401, and Direct Line is never asked', async () => {
  const victim = await askToken(bot.url);
  const before = directLine.seen.length;
  const stranger = await askToken(bot.url);
  const calls = directLine.seen.length;
  expect(calls).toBe(before + 1);
  for (const cookie of [undefined, stranger.cookie]) {
    const res = await askToken(bot.url, { cookie, userId: victim.body.userId });
    expect(res.status).toBe(401);
    expect(res.body.token).toBeUndefined();
  }
  expect(directLine.seen.length).toBe(calls);
});

test('a user id that is not a web chat id (dl_…) is refused before Direct Line is called', async () => {
  const before = directLine.seen.length;
  for (const body of [{ user: { id: '29:teams-user' } }, { user: { id: 'dl_x' } }, { user: { id: `dl_${'a'.repeat(100)}` } }, { user: {} }, []]) {
    expect((await askTokenWith(body)).status).toBe(400);
  }
  expect(directLine.seen.length).toBe(before);
});

test('an upstream failure is a 502 with a clear JSON message (and no secret)', async () => {
  directLine.mode.status = 403;
  try {
    const res = await askTokenWith({});
    expect(res.status).toBe(502);
    const body = (await res.json()) as { error: string };
    expect(body.error).toMatch(/Direct Line/);
    expect(JSON.stringify(body)).not.toContain(SECRET);
    expect(logged.join('')).toContain('Direct Line did not issue a token');
    expect(logged.join('')).toContain('403');
  } finally {
    directLine.mode.status = 200;
  }
});

test('an unreachable Direct Line is a 502 too', async () => {
  const down = await startWebchatBot({ DIRECT_LINE_SECRET: SECRET }, { directLineEndpoint: 'http://127.0.0.1:9' });
  try {
    expect((await askToken(down.url)).status).toBe(502);
  } finally {
    await down.close();
  }
});

test('the secret never appears in the logs', () => {
  expect(logged.length).toBeGreaterThan(0);
  expect(logged.join('')).not.toContain(SECRET);
  expect(logged.join('')).not.toContain('azure-token-abc');
});

test('in Azure mode the page may connect to Direct Line (https and wss), and the built-in Direct Line is off', async () => {
  const page = await fetch(`${bot.url}/`);
  const csp = page.headers.get('content-security-policy')!;
  const host = new URL(directLine.url).host;
  expect(csp).toContain(`connect-src 'self' http://${host} ws://${host}`);
  const builtIn = await fetch(`${bot.url}/v3/directline/tokens/generate`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  expect(builtIn.status).toBe(404);
});
