import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { post, startBot, teamsActivity } from '../fixtures/http';

const APP_ID = '11111111-2222-3333-4444-555555555555';
const SERVICE_URL = 'https://smba.trafficmanager.net/amer/';

const b64url = (data: string | Buffer) => Buffer.from(data).toString('base64url');

/** A JWT signed with RS256 by a local key, like the Bot Connector service's. */
function token(key: KeyObject, kid: string, claims: Record<string, unknown>): string {
  const header = b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid }));
  const payload = b64url(JSON.stringify(claims));
  const signature = sign('RSA-SHA256', Buffer.from(`${header}.${payload}`), key);
  return `${header}.${payload}.${b64url(signature)}`;
}

const now = () => Math.floor(Date.now() / 1000);
const claims = (extra: Record<string, unknown> = {}) => ({
  iss: 'https://api.botframework.com',
  aud: APP_ID,
  serviceurl: SERVICE_URL,
  nbf: now() - 60,
  exp: now() + 3600,
  ...extra,
});

describe('with MicrosoftAppId set, only the channel may talk to the bot', () => {
  const channelKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const forgerKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
  let metadata: Server;
  let bot: Awaited<ReturnType<typeof startBot>>;

  beforeAll(async () => {
    // A local OpenID metadata endpoint publishing the channel's signing key.
    metadata = createServer((req, res) => {
      const base = `http://127.0.0.1:${(metadata.address() as AddressInfo).port}`;
      res.writeHead(200, { 'content-type': 'application/json' });
      if (req.url === '/keys') {
        res.end(JSON.stringify({ keys: [{ ...channelKey.publicKey.export({ format: 'jwk' }), kid: 'channel-key', kty: 'RSA', use: 'sig', endorsements: ['msteams'] }] }));
      } else {
        res.end(JSON.stringify({ issuer: 'https://api.botframework.com', jwks_uri: `${base}/keys`, id_token_signing_alg_values_supported: ['RS256'] }));
      }
    });
    await new Promise<void>((resolve) => metadata.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(metadata.address() as AddressInfo).port}/.well-known/openidconfiguration`;
    bot = await startBot({ MicrosoftAppId: APP_ID, MicrosoftAppPassword: 'not-a-real-secret', ToBotFromChannelOpenIdMetadataUrl: url });
  });
  afterAll(async () => {
    await bot.close();
    await new Promise((resolve) => metadata.close(resolve));
  });

  const activity = (user: string) => teamsActivity(SERVICE_URL, { aadObjectId: user }, { text: 'Paraguay', deliveryMode: 'expectReplies' });

  test.each([
    ['no Authorization header', undefined],
    ['a malformed token', 'Bearer not.a.jwt'],
    ['garbage', 'Basic Zm9vOmJhcg=='],
    ['a token with a forged signature', () => `Bearer ${token(forgerKey.privateKey, 'channel-key', claims())}`],
    ['a token for another bot', () => `Bearer ${token(channelKey.privateKey, 'channel-key', claims({ aud: 'someone-else' }))}`],
    ['an expired token', () => `Bearer ${token(channelKey.privateKey, 'channel-key', claims({ exp: now() - 3600, nbf: now() - 7200 }))}`],
    ['a token for another service URL', () => `Bearer ${token(channelKey.privateKey, 'channel-key', claims({ serviceurl: 'https://evil.example/' }))}`],
  ])('%s → 401, nothing stored, server still healthy', async (_, auth) => {
    const header = typeof auth === 'function' ? auth() : auth;
    const user = `intruder-${Math.random()}`;
    const res = await post(bot.url, activity(user), header ? { authorization: header } : {});
    expect(res.status).toBe(401);
    expect(JSON.stringify(res.body)).not.toMatch(/\sat\s|Error:|jwt|stack/i);
    expect(await bot.store.findResponseByRespondent(`msteams:${user}`)).toBeNull();
    expect((await fetch(`${bot.url}/healthz`)).status).toBe(200);
  });

  test('a token signed by the channel key → 200 and the turn runs', async () => {
    const header = `Bearer ${token(channelKey.privateKey, 'channel-key', claims())}`;
    const res = await post(bot.url, activity('legit-user'), { authorization: header });
    expect(res.status).toBe(200);
    expect(res.body.activities.at(-1).channelData.msq.questionId).toBe('country');
    // A first message in a conversation is greeted (no answer yet, so no response): the conversation is kept.
    expect(await bot.store.getConversation('msteams:a:conv-legit-user')).not.toBeNull();
  });
});

describe('the per-conversation rate limit counts only requests the channel authenticated', () => {
  const channelKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const forgerKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
  let metadata: Server;
  let bot: Awaited<ReturnType<typeof startBot>>;

  beforeAll(async () => {
    metadata = createServer((req, res) => {
      const base = `http://127.0.0.1:${(metadata.address() as AddressInfo).port}`;
      res.writeHead(200, { 'content-type': 'application/json' });
      if (req.url === '/keys') {
        res.end(JSON.stringify({ keys: [{ ...channelKey.publicKey.export({ format: 'jwk' }), kid: 'channel-key', kty: 'RSA', use: 'sig', endorsements: ['msteams'] }] }));
      } else {
        res.end(JSON.stringify({ issuer: 'https://api.botframework.com', jwks_uri: `${base}/keys`, id_token_signing_alg_values_supported: ['RS256'] }));
      }
    });
    await new Promise<void>((resolve) => metadata.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(metadata.address() as AddressInfo).port}/.well-known/openidconfiguration`;
    bot = await startBot({
      MicrosoftAppId: APP_ID,
      MicrosoftAppPassword: 'not-a-real-secret',
      ToBotFromChannelOpenIdMetadataUrl: url,
      RATE_LIMIT_CONVERSATION_PER_MINUTE: '60',
      RATE_LIMIT_CONVERSATION_BURST: '3',
    });
  });
  afterAll(async () => {
    await bot.close();
    await new Promise((resolve) => metadata.close(resolve));
  });

  test('a stranger flooding the victim’s conversation id without a valid token does not make the victim wait', async () => {
    const victim = (text: string) => teamsActivity(SERVICE_URL, { aadObjectId: 'victim' }, { text, deliveryMode: 'expectReplies' });
    const forged = () => `Bearer ${token(forgerKey.privateKey, 'channel-key', claims())}`;
    for (let i = 0; i < 10; i++) {
      const headers: Record<string, string> = i % 2 === 0 ? {} : { authorization: forged() };
      expect((await post(bot.url, victim('hello'), headers)).status).toBe(401);
    }
    const legit = { authorization: `Bearer ${token(channelKey.privateKey, 'channel-key', claims())}` };
    const statuses: number[] = [];
    for (const text of ['hello', 'Paraguay', 'Ana', 'Directora']) statuses.push((await post(bot.url, victim(text), legit)).status);
    // Her own burst of three, then the limit applies to her as before.
    expect(statuses).toEqual([200, 200, 200, 429]);
    const stored = (await bot.store.findResponseByRespondent('msteams:victim'))!;
    expect(stored.country).toEqual({ code: 'PRY', name: 'Paraguay' });
    expect(stored.answers.find((a) => a.itemId === 'respondent.name')?.value).toBe('Ana');
  });
});

