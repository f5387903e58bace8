import fc from 'fast-check';
import { activitySchema, isWellFormedActivity, readActivity } from '../../src/http/activity';

/** Strings around a limit, and values of other types, as channels (and attackers) might send them. */
const around = (max: number) =>
  fc.oneof(
    fc.constantFrom('', 'x', 'a'.repeat(max), 'a'.repeat(max + 1), 'dl_abcdefgh12', 'http://127.0.0.1:9/', 'https://smba.trafficmanager.net/amer/', 'javascript:alert(1)', 'expectReplies'),
    fc.string({ maxLength: 8 }),
    fc.constantFrom(undefined, null, 0, 42, true, {}, [], ['x']),
  );
/** Mostly a valid value (so that whole activities are often valid), sometimes anything around the limits. */
const mostly = <T>(valid: fc.Arbitrary<T>, max: number) => fc.oneof({ arbitrary: valid, weight: 12 }, { arbitrary: around(max), weight: 1 });
const validAccount = fc.record({ id: fc.constantFrom('29:1abc', 'dl_abcdefgh12', 'user'), name: fc.constantFrom('Ana', undefined, null), aadObjectId: fc.constantFrom(undefined, null, 'aad') }, { requiredKeys: ['id'] });
const account = fc.oneof(
  { arbitrary: validAccount, weight: 12 },
  { arbitrary: fc.record({ id: around(512), name: around(1024), aadObjectId: around(256) }, { requiredKeys: [] }), weight: 1 },
  { arbitrary: fc.constantFrom(undefined, null, 'x', [], 7), weight: 1 },
);
const list = <T>(item: fc.Arbitrary<T>) =>
  fc.oneof({ arbitrary: fc.array(item, { maxLength: 3 }), weight: 12 }, { arbitrary: fc.constant(Array.from({ length: 65 }, () => ({ type: 'x', id: 'x' }))), weight: 1 }, { arbitrary: fc.constantFrom(undefined, null, 'x', {}, 1), weight: 1 });
const activityLike = fc.record(
  {
    type: mostly(fc.constantFrom('message', 'conversationUpdate', 'event'), 64),
    id: mostly(fc.constantFrom('1', undefined, null), 512),
    channelId: mostly(fc.constantFrom('msteams', 'directline', 'webchat'), 128),
    serviceUrl: mostly(fc.constantFrom('https://smba.trafficmanager.net/amer/', 'http://127.0.0.1:9/', undefined, null), 2048),
    conversation: fc.oneof({ arbitrary: fc.record({ id: mostly(fc.constantFrom('a:1', 'c-2'), 1024), tenantId: fc.string() }, { requiredKeys: ['id'] }), weight: 12 }, { arbitrary: fc.constantFrom(undefined, null, 'c', [], {}), weight: 1 }),
    from: account,
    recipient: fc.oneof(account, fc.constant({ name: 'bot' })),
    text: mostly(fc.string({ maxLength: 30 }), 20),
    locale: mostly(fc.constantFrom('es-ES', 'en-US', undefined), 64),
    name: mostly(fc.constantFrom('msq.invitation', undefined), 256),
    replyToId: mostly(fc.constantFrom('9', undefined, null), 512),
    deliveryMode: mostly(fc.constantFrom('expectReplies', 'normal', undefined, null), 64),
    entities: list(fc.oneof({ arbitrary: fc.record({ type: mostly(fc.constant('clientInfo'), 128), locale: fc.string() }, { requiredKeys: ['type'] }), weight: 12 }, { arbitrary: fc.constantFrom(null, 'x', {}), weight: 1 })),
    channelData: fc.oneof({ arbitrary: fc.dictionary(fc.string({ maxLength: 4 }), fc.jsonValue({ maxDepth: 1 })), weight: 12 }, { arbitrary: fc.constantFrom(undefined, null, [], 'x'), weight: 1 }),
    membersAdded: list(account),
    membersRemoved: list(account),
    attachments: list(fc.oneof({ arbitrary: fc.dictionary(fc.string({ maxLength: 4 }), fc.string()), weight: 12 }, { arbitrary: fc.constantFrom(null, [], 'x'), weight: 1 })),
    value: fc.jsonValue({ maxDepth: 1 }),
  },
  { requiredKeys: [] },
);

describe('the activity check at /api/messages', () => {
  test('the written-out check accepts exactly what the zod schema accepts (generated activities, valid and not)', () => {
    let accepted = 0;
    let refused = 0;
    fc.assert(
      fc.property(activityLike, (body) => {
        const fast = isWellFormedActivity(body);
        if (fast) accepted += 1;
        else refused += 1;
        expect([fast, body]).toEqual([activitySchema.safeParse(body).success, body]);
      }),
      { numRuns: 10_000 },
    );
    // The generator reaches both sides, often.
    expect(Math.min(accepted, refused)).toBeGreaterThan(500);
  });

  test('anything at all: never accepted unless zod accepts it, and readActivity never throws', () => {
    fc.assert(
      fc.property(fc.anything(), (body) => {
        expect(isWellFormedActivity(body)).toBe(activitySchema.safeParse(body).success);
        expect(() => readActivity(body)).not.toThrow();
      }),
      { numRuns: 5_000 },
    );
  });

  test('a Teams message is accepted as it is, and a malformed one is refused with what is wrong', () => {
    const teams = {
      type: 'message',
      id: '1700000000000',
      channelId: 'msteams',
      serviceUrl: 'https://smba.trafficmanager.net/amer/',
      from: { id: '29:1abc', name: 'Ana Benítez', aadObjectId: '00000000-0000-0000-0000-000000000001' },
      recipient: { id: '28:bot', name: 'MSQ' },
      conversation: { id: 'a:1xyz', conversationType: 'personal', tenantId: 't' },
      text: 'Ley N° 4017/2010',
      entities: [{ type: 'clientInfo', locale: 'es-ES' }],
      channelData: { tenant: { id: 't' } },
    };
    expect(readActivity(teams)).toEqual({ success: true, data: teams });
    expect(readActivity({ ...teams, serviceUrl: 'javascript:alert(1)' })).toEqual({ success: false, issues: ['serviceUrl: must be an http(s) URL'] });
    expect(readActivity({ ...teams, serviceUrl: undefined })).toEqual({ success: false, issues: ['serviceUrl: is required unless deliveryMode is expectReplies'] });
  });
});
