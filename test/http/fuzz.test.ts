import fc from 'fast-check';
import { post, startBot, startChannel } from '../fixtures/http';

/**
 * Fuzzing the HTTP edge: random activity-shaped JSON (valid and broken), random JSON values and random bytes
 * posted to /api/messages never get a 5xx and never take the server down.
 */
jest.setTimeout(180_000);

type Bot = Awaited<ReturnType<typeof startBot>>;
type Channel = Awaited<ReturnType<typeof startChannel>>;

let bot: Bot;
let channel: Channel;
beforeAll(async () => {
  channel = await startChannel();
  bot = await startBot();
});
afterAll(async () => {
  await bot.close();
  await channel.close();
});

const words = ['help', 'ayuda', 'back', 'skip', 'omitir', 'progress', 'review', 'review C', 'edit 4', 'editar 17', 'submit', 'enviar', 'restart', 'reiniciar', 'yes', 'sí', 'no', 'delete my answers', 'borrar mis respuestas', 'idioma es', 'language en', 'copy', 'Paraguay', 'Uruguay', '1, 2', 'https://www.gov.py', '$where', '__proto__', 'q4.cio.name'];

/** Field values the bot reads, mostly plausible, sometimes of the wrong type. */
const sometimesWrong = <T>(arb: fc.Arbitrary<T>) => fc.oneof({ weight: 38, arbitrary: arb }, { weight: 1, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.anything() });
const text = fc.oneof(fc.constantFrom(...words), fc.string({ maxLength: 200 }), fc.string({ unit: 'grapheme', maxLength: 100 }));

const activityArb = (serviceUrl: string) =>
  fc
    .record(
      {
        type: sometimesWrong(fc.oneof({ weight: 6, arbitrary: fc.constant('message') }, { weight: 4, arbitrary: fc.constantFrom('conversationUpdate', 'event', 'invoke', 'typing', 'messageReaction', 'endOfConversation', 'installationUpdate', 'deleteUserData', '', 'x'.repeat(70)) }, { weight: 1, arbitrary: fc.string() })),
        id: sometimesWrong(fc.string({ minLength: 1, maxLength: 20 })),
        channelId: sometimesWrong(fc.constantFrom('msteams', 'directline', 'webchat', 'emulator', 'test', '')),
        serviceUrl: fc.oneof({ weight: 18, arbitrary: fc.constant(serviceUrl) }, { weight: 1, arbitrary: fc.string() }, { weight: 1, arbitrary: fc.anything() }),
        deliveryMode: fc.constantFrom('expectReplies', 'expectReplies', 'normal', 'notification', 'whatever'),
        conversation: sometimesWrong(fc.record({ id: sometimesWrong(fc.constantFrom('c1', 'c2', 'a:conv-x', '')), conversationType: fc.constantFrom('personal', 'channel') }, { requiredKeys: ['id'] })),
        from: sometimesWrong(fc.record({ id: sometimesWrong(fc.constantFrom('u1', 'u2', '29:u3', '')), name: sometimesWrong(fc.string()), aadObjectId: fc.constantFrom('aad-1', 'aad-2') }, { requiredKeys: ['id'] })),
        recipient: sometimesWrong(fc.record({ id: fc.constantFrom('bot', '28:msq-bot', 'u1') })),
        text: sometimesWrong(text),
        locale: sometimesWrong(fc.constantFrom('en-US', 'es-ES', 'es', 'fr', '', 'xx-YY-ZZ')),
        value: fc.oneof(fc.jsonValue(), fc.record({ msq: fc.record({ questionId: fc.constantFrom('q4', 'country', 'consent', 'submit', 'q29', 'nope'), answer: fc.oneof(fc.constantFrom('yes', 'no'), fc.jsonValue()) }) }), fc.record({ msq: fc.record({ questionId: fc.constantFrom('q29', 'respondent.capacity') }), answer: fc.string() })),
        name: sometimesWrong(fc.constantFrom('msq.invitation', 'webchat/join', '')),
        replyToId: sometimesWrong(fc.string({ maxLength: 20 })),
        entities: sometimesWrong(fc.array(fc.record({ type: fc.constantFrom('clientInfo', 'mention'), locale: fc.constantFrom('es-ES', 'en-GB', '') }), { maxLength: 3 })),
        channelData: sometimesWrong(fc.record({ clientActivityID: fc.string({ maxLength: 10 }), tenant: fc.record({ id: fc.string() }) })),
        membersAdded: sometimesWrong(fc.array(fc.record({ id: fc.constantFrom('u1', 'bot', '28:msq-bot') }), { maxLength: 3 })),
        attachments: sometimesWrong(fc.array(fc.dictionary(fc.string(), fc.jsonValue()), { maxLength: 2 })),
        junk: fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 3 }),
      },
      { requiredKeys: ['type', 'channelId', 'conversation'] },
    )
    .map(({ junk, ...activity }) => ({ ...junk, ...activity }));

const postRaw = async (body: Uint8Array | string) => {
  const res = await fetch(`${bot.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : new Uint8Array(body) });
  await res.arrayBuffer();
  return res.status;
};

test('random activity-shaped JSON never gets a 5xx', async () => {
  await fc.assert(
    fc.asyncProperty(activityArb(channel.url), async (activity) => {
      const res = await post(bot.url, activity);
      expect(res.status).toBeLessThan(500);
    }),
    { numRuns: 200 },
  );
});

test('random JSON values never get a 5xx', async () => {
  await fc.assert(
    fc.asyncProperty(fc.jsonValue(), async (value) => {
      expect(await postRaw(JSON.stringify(value) ?? 'null')).toBeLessThan(500);
    }),
    { numRuns: 100 },
  );
});

test('random bytes never get a 5xx', async () => {
  await fc.assert(
    fc.asyncProperty(fc.uint8Array({ maxLength: 2048 }), async (bytes) => {
      expect(await postRaw(bytes)).toBeLessThan(500);
    }),
    { numRuns: 100 },
  );
});

test('the server is still healthy and answers a respondent', async () => {
  expect((await fetch(`${bot.url}/healthz`)).status).toBe(200);
  const res = await post(bot.url, { type: 'message', id: 'after-fuzz', channelId: 'directline', conversation: { id: 'after-fuzz' }, from: { id: 'after-fuzz' }, recipient: { id: 'bot' }, text: 'hello', deliveryMode: 'expectReplies' });
  expect(res.status).toBe(200);
  expect(res.body.activities.at(-1).channelData.msq.questionId).toBe('country');
});
