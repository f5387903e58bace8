import { post } from '../fixtures/http';
import { askToken, startWebchatBot, type WebchatBot } from './helpers';

/**
 * A web chat respondent is their browser: an HttpOnly cookie proves the user id. A stranger who knows only the
 * user id (from a log, an export, a shared screen) gets no access to the response: no token, no turn.
 */

let bot: WebchatBot;
beforeAll(async () => {
  bot = await startWebchatBot();
});
afterAll(async () => {
  await bot.close();
});

/** A browser on the web chat: its cookie, and a conversation it can talk and listen in. */
async function browser(cookie?: string) {
  const grant = await askToken(bot.url, { cookie });
  expect(grant.status).toBe(200);
  const { token, conversationId, userId } = grant.body;
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  expect((await fetch(`${bot.url}/v3/directline/conversations`, { method: 'POST', headers, body: JSON.stringify({ locale: 'en-US' }) })).status).toBe(201);
  let watermark = '';
  return {
    userId,
    cookie: grant.cookie!,
    async say(text: string) {
      expect((await fetch(`${bot.url}/v3/directline/conversations/${conversationId}/activities`, { method: 'POST', headers, body: JSON.stringify({ type: 'message', text }) })).status).toBe(200);
    },
    /** The bot's texts since the last call, once its latest question has arrived. */
    async read(): Promise<string> {
      const texts: string[] = [];
      for (let i = 0; i < 20; i++) {
        const res = await fetch(`${bot.url}/v3/directline/conversations/${conversationId}/activities?watermark=${watermark}`, { headers });
        const body = (await res.json()) as { activities: Array<Record<string, any>>; watermark: string };
        watermark = body.watermark;
        texts.push(...body.activities.filter((a) => a.from?.role === 'bot').map((a) => `${a.text ?? ''}${JSON.stringify(a.attachments ?? '')}`));
        if (body.activities.some((a) => a.channelData?.msq)) break;
      }
      return texts.join('\n');
    },
  };
}

describe('the cookie', () => {
  test('is HttpOnly, SameSite=Strict, for the whole site, kept 400 days; the page never gets its secret', async () => {
    const grant = await askToken(bot.url);
    expect(grant.setCookie).toMatch(/^msq-webchat=[A-Za-z0-9_-]{43}; Path=\/; Max-Age=34560000; HttpOnly; SameSite=Strict$/);
    const secret = grant.cookie!.split('=')[1];
    expect(grant.body.userId).toMatch(/^dl_[A-Za-z0-9_-]{43}$/);
    expect(JSON.stringify(grant.body)).not.toContain(secret);
  });

  test('over HTTPS (PUBLIC_URL https://…) it is Secure and __Host- prefixed, so no sibling subdomain can plant one', async () => {
    const secure = await startWebchatBot({ PUBLIC_URL: 'https://msq.example.org' });
    try {
      const grant = await askToken(secure.url);
      expect(grant.setCookie).toMatch(/^__Host-msq-webchat=[A-Za-z0-9_-]{43}; Path=\/; Max-Age=\d+; HttpOnly; SameSite=Strict; Secure$/);
      // The plain name is not read there.
      const plain = await askToken(secure.url, { cookie: `msq-webchat=${grant.cookie!.split('=')[1]}` });
      expect(plain.body.userId).not.toBe(grant.body.userId);
    } finally {
      await secure.close();
    }
  });

  test('the same cookie is the same respondent on another instance of the bot (no key to share or lose in a restart)', async () => {
    const first = await askToken(bot.url);
    const other = await startWebchatBot();
    try {
      const again = await askToken(other.url, { cookie: first.cookie });
      expect(again.body.userId).toBe(first.body.userId);
      // …and the cookie is renewed, so an active respondent's never expires.
      expect(again.setCookie?.split(';')[0]).toBe(first.cookie);
    } finally {
      await other.close();
    }
  });

  test('a cookie that is not one of ours makes a new respondent', async () => {
    for (const cookie of ['msq-webchat=guess', 'msq-webchat=', `msq-webchat=${'a'.repeat(42)}!`, 'other=1']) {
      const grant = await askToken(bot.url, { cookie });
      expect(grant.status).toBe(200);
      expect(grant.setCookie).toMatch(/^msq-webchat=/);
      expect(grant.cookie).not.toBe(cookie);
    }
  });
});

describe('a stranger who knows only the respondent’s user id', () => {
  let ana: Awaited<ReturnType<typeof browser>>;
  beforeAll(async () => {
    ana = await browser();
    await ana.read();
    for (const answer of ['Paraguay', 'Ana Giménez Núñez', 'Directora de Gobierno Digital']) await ana.say(answer);
    expect(await ana.read()).toContain('Contact information — Organization');
  });

  const stored = () => bot.store.findResponseByRespondent(`directline:${ana.userId}`);

  test('gets no token for it: not without a cookie, not with a cookie of their own, not from the Direct Line', async () => {
    const bare = await askToken(bot.url, { userId: ana.userId });
    expect(bare.status).toBe(401);
    expect(bare.setCookie).toBeNull();
    expect(bare.body.token).toBeUndefined();

    const stranger = await askToken(bot.url);
    const withOwnCookie = await askToken(bot.url, { cookie: stranger.cookie, userId: ana.userId });
    expect(withOwnCookie.status).toBe(401);
    expect(withOwnCookie.body.token).toBeUndefined();

    const generate = await fetch(`${bot.url}/v3/directline/tokens/generate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: { id: ana.userId } }),
    });
    expect(generate.status).toBe(401);
    expect(JSON.stringify(await generate.json())).not.toMatch(/"token"/);
  });

  test('cannot read, review, edit, erase, submit or copy by posting as her to the unauthenticated /api/messages', async () => {
    const before = (await stored())!;
    const attempts = ['hello', 'review', 'progress', 'edit 1', 'Uruguay', 'delete my answers', 'yes', 'submit', 'yes', 'copy'];
    const impersonations = [
      { channelId: 'directline', from: { id: ana.userId } },
      { channelId: 'directline', from: { id: 'someone', aadObjectId: ana.userId } },
      { channelId: 'webchat', from: { id: ana.userId } },
    ];
    for (const who of impersonations) {
      for (const text of attempts) {
        const res = await post(bot.url, { type: 'message', text, deliveryMode: 'expectReplies', conversation: { id: 'stolen' }, recipient: { id: 'bot' }, ...who });
        expect([text, res.status]).toEqual([text, 403]);
        expect(JSON.stringify(res.body)).not.toMatch(/Ana Giménez|Paraguay|Welcome back|documents\//);
      }
    }
    const after = (await stored())!;
    expect(after.version).toBe(before.version);
    expect(after.status).toBe('in_progress');
    expect(after.answers).toEqual(before.answers);
    expect((await bot.store.listEvents(after.id)).some((e) => e.type === 'erasure')).toBe(false);
  });

  test('is a new respondent of their own in the web chat, who sees none of her answers', async () => {
    const stranger = await browser();
    expect(stranger.userId).not.toBe(ana.userId);
    const greeting = await stranger.read();
    expect(greeting).not.toContain('Welcome back');
    await stranger.say('review');
    expect(await stranger.read()).not.toMatch(/Ana Giménez|Paraguay/);
  });

  test('while she, on her own browser, is welcomed back where she was', async () => {
    const again = await browser(ana.cookie);
    expect(again.userId).toBe(ana.userId);
    const greeting = await again.read();
    expect(greeting).toContain('Welcome back');
    expect(greeting).toContain('Contact information — Organization');
  });
});
