import { responseOf } from '../../src/session/participants';
import { MongoClient } from 'mongodb';
import pino from 'pino';
import { createInvitation } from '../../src/admin/invitations';
import { createEmbeddedStore } from '../../src/store/embedded';
import { createMongoStore } from '../../src/store/mongodb';
import type { ResponseDoc, Store } from '../../src/store/port';
import { directLineActivity, post, startBot } from '../fixtures/http';
import { testDbName, testMongoUri } from '../fixtures/mongo';
import { storesUnderTest, type StoragePlace } from '../fixtures/stores';

/**
 * Store-level promises over HTTP: one turn, one outcome. A failure at any store call of a turn — before the call
 * reaches the store, or after it was done (a connection that breaks after the database applied the write) —
 * never makes the bot say "Saved." for what is not stored, nor "NOT saved" for what is; a resend ends in exactly
 * the intended state (never an answer under a later question); every stored change has its audit event. Also:
 * a redelivered activity counts once, the bot recovers by itself when the store comes back, and a respondent
 * can erase their answers.
 */

jest.setTimeout(120_000);

/** When an injected failure strikes: before the call reaches the store, or after the store did it. */
type Strike = 'before' | 'after';

/**
 * A real store (the embedded one unless given) behind a proxy: it counts the calls and fails the one it is armed
 * for (once), the way an unreachable or dropped database connection fails; or, while `down`, every call.
 */
function faultyStore(inner: Store = createEmbeddedStore({ dir: null })): { store: Store; arm(call: number | string, strike: Strike): void; calls(): string[]; setDown(down: boolean): void } {
  /** The call to fail: its number in the turn, or a method's name ("commitTurn"; "getConversation#2" for its second call). */
  let armed: { call: number | string; strike: Strike } | null = null;
  let log: string[] = [];
  let down = false;
  const refused = () => new Error('connect ECONNREFUSED 127.0.0.1:27017');
  const store = new Proxy(inner, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function' || prop === 'init' || prop === 'close') return value;
      return async (...args: unknown[]) => {
        log.push(String(prop));
        if (down) throw refused();
        const strike = armed && isArmedCall(armed.call, log) ? armed.strike : null;
        if (strike === 'before') throw refused();
        const result = await value.apply(target, args);
        if (strike === 'after') throw new Error('connection reset by peer (after the write was applied)');
        return result;
      };
    },
  });
  return {
    store,
    arm(call, strike) {
      armed = { call, strike };
      log = [];
    },
    calls: () => [...log],
    setDown: (d) => (down = d),
  };
}

/** Whether the call just logged is the armed one: by number, or by name and occurrence ("name#n", first by default). */
function isArmedCall(call: number | string, log: readonly string[]): boolean {
  if (typeof call === 'number') return log.length === call;
  const [name, nth = '1'] = call.split('#');
  return log.at(-1) === name && log.filter((c) => c === name).length === Number(nth);
}

const texts = (body: any): string => (body?.activities ?? []).map((a: any) => a.text ?? '').join('\n');
const lastQuestion = (body: any): string | undefined => body?.activities?.at(-1)?.channelData?.msq?.questionId;

function respondent(botUrl: string, userId: string, locale = 'en-US') {
  let n = 0;
  const activity = (text: string) =>
    directLineActivity('http://127.0.0.1:9/', userId, { text, locale, deliveryMode: 'expectReplies', id: `${userId}-${++n}`, channelData: { clientActivityID: `${userId}-c${n}` } });
  return {
    key: `directline:${userId}`,
    activity,
    say: (text: string) => post(botUrl, activity(text)),
    greet: () => post(botUrl, directLineActivity('http://127.0.0.1:9/', userId, { type: 'conversationUpdate', membersAdded: [{ id: userId }], locale, deliveryMode: 'expectReplies', id: `${userId}-greet-${++n}` })),
    /** The same activity again, as a channel retries it. */
    redeliver: (sent: object) => post(botUrl, sent),
  };
}

/** Every stored answer is what its item's latest audit event says, and every item's latest event is what is stored. */
async function expectEventsMatch(store: Store, doc: ResponseDoc): Promise<void> {
  const events = (await store.listEvents(doc.id)).filter((e) => e.type === 'answer');
  const order = (id: string) => id.split(':').slice(-2).map(Number);
  const latest = new Map<string, unknown>();
  for (const e of events.sort((a, b) => order(a.id)[0]! - order(b.id)[0]! || order(a.id)[1]! - order(b.id)[1]!)) latest.set(e.itemId, e.newValue);
  for (const answer of doc.answers) expect({ item: answer.itemId, event: latest.get(answer.itemId) }).toEqual({ item: answer.itemId, event: answer.value });
  for (const [itemId, value] of latest) if (!doc.answers.some((a) => a.itemId === itemId)) expect({ item: itemId, event: value }).toEqual({ item: itemId, event: null });
}

/** The answers of the response a respondent answers (their own, or the one their identity is bound to: a country's). */
const answersOf = async (store: Store, key: string) => (await responseOf(store, key))?.answers ?? null;

/** The stores the turns are checked on: the embedded one, and MongoDB (the test run's live server). */
const mongoDbs: string[] = [];
const stores: Array<[string, () => Store]> = [
  ['embedded store', () => createEmbeddedStore({ dir: null })],
  [
    'MongoDB store',
    () => {
      const dbName = testDbName('resilience');
      mongoDbs.push(dbName);
      return createMongoStore({ uri: testMongoUri(), dbName });
    },
  ],
];
afterAll(async () => {
  if (mongoDbs.length === 0) return;
  const admin = new MongoClient(testMongoUri());
  try {
    for (const db of mongoDbs) await admin.db(db).dropDatabase();
  } finally {
    await admin.close();
  }
});

describe.each(stores)('one turn, one outcome on the %s: a failure at every store call of a turn', (_name, makeStore) => {
  /**
   * Runs a turn once without failure (to count its store calls), then once per call and strike with that call
   * failing, each time for a new respondent brought to the same point by `setup`. Checks the reply against what
   * is stored, then lets the channel redeliver the activity and the respondent resend what they were told was
   * not saved, and checks the end state.
   */
  async function everyFailure(options: {
    env?: Record<string, string>;
    setup: (r: ReturnType<typeof respondent>, store: Store) => Promise<void>;
    turn: string | ((store: Store) => Promise<string>);
    /** What is stored before and after the turn (null: no response). */
    before: (store: Store, key: string) => Promise<unknown>;
    after: (store: Store, key: string) => Promise<unknown>;
    /** The reply that acknowledges the turn. */
    acknowledged: RegExp;
  }) {
    const faulty = faultyStore(makeStore());
    const bot = await startBot(options.env ?? {}, faulty.store);
    try {
      let n = 0;
      const fresh = async () => {
        const r = respondent(bot.url, `fail-${++n}`);
        await options.setup(r, bot.store);
        return r;
      };
      const text = async () => (typeof options.turn === 'string' ? options.turn : options.turn(bot.store));

      const clean = await fresh();
      const expectedBefore = await options.before(bot.store, clean.key);
      faulty.arm(0, 'before');
      const reply = await clean.say(await text());
      expect(texts(reply.body)).toMatch(options.acknowledged);
      const calls = faulty.calls();
      const intended = await options.after(bot.store, clean.key);
      expect(intended).not.toEqual(expectedBefore);

      const seen: string[] = [];
      for (let call = 1; call <= calls.length; call++) {
        for (const strike of ['before', 'after'] as const) {
          const r = await fresh();
          const activity = r.activity(await text());
          faulty.arm(call, strike);
          const first = await r.redeliver(activity);
          // The call that failed, by name (a later respondent's turn may make other calls than the first one's).
          const failed = faulty.calls()[call - 1] ?? `call ${call} (not made)`;
          faulty.arm(0, 'before');
          const said = texts(first.body);
          const stored = await options.after(bot.store, r.key);
          const where = `${failed} failing ${strike}`;
          seen.push(`${where}: ${/NOT saved/.test(said) ? 'NOT saved' : options.acknowledged.test(said) ? 'acknowledged' : 'other'}`);
          // Before or after the turn, never in between; and the reply says which.
          expect({ where, stored }).toEqual({ where, stored: options.acknowledged.test(said) ? intended : stored });
          if (options.acknowledged.test(said)) expect({ where, stored }).toEqual({ where, stored: intended });
          else expect({ where, stored: [expectedBefore, intended].some((s) => JSON.stringify(s) === JSON.stringify(stored)) }).toEqual({ where, stored: true });
          if (/NOT saved/.test(said)) expect({ where, stored }).toEqual({ where, stored: expectedBefore });
          // The channel redelivers the same activity; the respondent resends what they were told was not saved.
          const retried = await r.redeliver(activity);
          if (/NOT saved/.test(said) && !options.acknowledged.test(texts(retried.body))) await r.say(await text());
          expect({ where, end: await options.after(bot.store, r.key) }).toEqual({ where, end: intended });
          const doc = await responseOf(bot.store, r.key);
          if (doc) await expectEventsMatch(bot.store, doc);
        }
      }
      return seen;
    } finally {
      await bot.close();
    }
  }

  test('the first answer (the response is created)', async () => {
    const seen = await everyFailure({
      setup: async (r) => {
        await r.greet();
      },
      turn: 'Paraguay',
      before: answersOf,
      after: answersOf,
      acknowledged: /Saved\./,
    });
    expect(seen.some((s) => s.endsWith('NOT saved'))).toBe(true);
    expect(seen.some((s) => s.startsWith('commitTurn failing after: acknowledged'))).toBe(true);
  });

  test('a later answer (the response is replaced): never stored under the next question', async () => {
    const seen = await everyFailure({
      setup: async (r) => {
        await r.greet();
        await r.say('Paraguay');
      },
      turn: 'Ana Giménez',
      before: answersOf,
      after: answersOf,
      acknowledged: /Saved\./,
    });
    expect(seen.filter((s) => s.startsWith('commitTurn'))).toEqual(['commitTurn failing before: NOT saved', 'commitTurn failing after: acknowledged']);
  });

  test('an invitation taken up (the invitation, then the response)', async () => {
    const codes: string[] = [];
    const seen = await everyFailure({
      env: { REQUIRE_INVITATION: 'true' },
      setup: async (r, store) => {
        const made = await createInvitation(store, { country: 'Paraguay' });
        if (!made.ok) throw new Error('no invitation');
        codes.push(made.code);
        await r.greet();
      },
      turn: async () => `My code is ${codes.at(-1)}`,
      before: answersOf,
      after: answersOf,
      acknowledged: /The country is filled in for you/,
    });
    expect(seen.some((s) => s.startsWith('markInvitationUsed failing after'))).toBe(true);
  });

  test('an erasure', async () => {
    const ids = new Map<string, string>();
    /** The response the respondent had before: there (its answers) or erased (with its erasure event). */
    const state = async (store: Store, key: string) => {
      const id = ids.get(key)!;
      const doc = await store.getResponse(id);
      const events = await store.listEvents(id);
      return {
        response: doc ? doc.answers.length : 'erased',
        erasures: events.filter((e) => e.type === 'erasure').length,
        contentLeft: events.some((e) => e.newValue !== null),
        current: await answersOf(store, key),
      };
    };
    await everyFailure({
      setup: async (r, store) => {
        await r.greet();
        await r.say('Paraguay');
        await r.say('Ana Giménez');
        await r.say('delete my answers');
        ids.set(r.key, (await store.findResponseByRespondent(r.key))!.id);
      },
      turn: 'yes',
      before: state,
      after: state,
      acknowledged: /Your answers have been deleted/,
    });
  });
});

describe.each(storesUnderTest)('the same activity delivered twice, on the %s', (_label, storage) => {
  let bot: Awaited<ReturnType<typeof startBot>>;
  let place: StoragePlace;
  beforeAll(async () => {
    place = storage.place('duplicates');
    bot = await startBot({}, place.open());
  });
  afterAll(async () => {
    await bot?.close();
    await place?.remove();
  });

  test('one after the other: one answer, one event, and the retry is not answered again', async () => {
    const r = respondent(bot.url, 'dup-seq');
    await r.greet();
    const activity = r.activity('Paraguay');
    const first = await r.redeliver(activity);
    const second = await r.redeliver(activity);
    expect(texts(first.body)).toContain('Saved.');
    expect(second.status).toBe(200);
    expect(texts(second.body)).not.toContain('Saved.');
    const response = (await bot.store.findResponseByRespondent(r.key))!;
    const events = await bot.store.listEvents(response.id);
    expect(events.filter((e) => e.itemId === 'country')).toHaveLength(1);
    expect(lastQuestion(first.body)).toBe('respondent.name');
  });

  test('concurrently: one answer, one event', async () => {
    const r = respondent(bot.url, 'dup-conc');
    await r.greet();
    await r.say('Paraguay');
    const activity = r.activity('Ana Giménez');
    const results = await Promise.all([r.redeliver(activity), r.redeliver(activity), r.redeliver(activity)]);
    expect(results.map((x) => x.status)).toEqual([200, 200, 200]);
    expect(results.filter((x) => texts(x.body).includes('Saved.'))).toHaveLength(1);
    const response = (await bot.store.findResponseByRespondent(r.key))!;
    const events = await bot.store.listEvents(response.id);
    expect(events.filter((e) => e.itemId === 'respondent.name')).toHaveLength(1);
    expect(response.answers.filter((a) => a.itemId === 'respondent.name')).toEqual([{ itemId: 'respondent.name', value: 'Ana Giménez' }]);
  });

  test('three different answers sent at once (two tabs): each is stored once, under a question of its own, or not acknowledged', async () => {
    const r = respondent(bot.url, 'concurrent-writes');
    await r.greet();
    await r.say('Paraguay');
    const sent = ['Ana Giménez', 'Directora General', 'MITIC'];
    const results = await Promise.all(sent.map((text) => r.say(text)));
    expect(results.map((x) => x.status)).toEqual([200, 200, 200]);
    const acknowledged = sent.filter((_text, i) => /Saved\./.test(texts(results[i]!.body)));
    const notSaved = sent.filter((_text, i) => /NOT saved/.test(texts(results[i]!.body)));
    expect(acknowledged.length + notSaved.length).toBe(3);
    const response = (await bot.store.findResponseByRespondent(r.key))!;
    const stored = response.answers.filter((a) => a.itemId !== 'country');
    // Every acknowledged text is stored, once, and nothing else is: the writes were serialised, none overwritten.
    expect(stored.map((a) => a.value).sort()).toEqual([...acknowledged].sort());
    expect(new Set(stored.map((a) => a.itemId)).size).toBe(stored.length);
    await expectEventsMatch(bot.store, response);
  });
});

describe('when the database fails', () => {
  test('the answer is not acknowledged, /healthz says 503, and the same answer is accepted once it is back', async () => {
    const faulty = faultyStore();
    const bot = await startBot({}, faulty.store);
    try {
      const r = respondent(bot.url, 'fault-en');
      await r.greet();
      faulty.setDown(true);
      const failed = await r.say('Paraguay');
      expect(failed.status).toBe(200);
      expect(texts(failed.body)).toContain('NOT saved');
      expect(texts(failed.body)).not.toContain('Saved.');
      expect((await fetch(`${bot.url}/healthz`)).status).toBe(503);

      faulty.setDown(false);
      expect(await bot.store.findResponseByRespondent(r.key)).toBeNull();
      const health = await fetch(`${bot.url}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ status: 'ok', store: 'embedded' });

      const again = await r.say('Paraguay');
      expect(texts(again.body)).toContain('Saved.');
      expect(lastQuestion(again.body)).toBe('respondent.name');
      const stored = (await bot.store.findResponseByRespondent(r.key))!;
      expect(stored.answers).toEqual([{ itemId: 'country', value: 'PRY' }]);
      expect(stored.country).toEqual({ code: 'PRY', name: 'Paraguay' });
    } finally {
      await bot.close();
    }
  });

  test('a failed write is retried by the channel with the same activity and then processed (the claim was released)', async () => {
    const faulty = faultyStore();
    const bot = await startBot({}, faulty.store);
    try {
      const r = respondent(bot.url, 'fault-es', 'es-ES');
      await r.greet();
      const activity = r.activity('Paraguay');
      faulty.arm('commitTurn', 'before');
      const failed = await r.redeliver(activity);
      expect(texts(failed.body)).toContain('NO se guardó');
      const retried = await r.redeliver(activity);
      expect(texts(retried.body)).toContain('Guardado.');
    } finally {
      await bot.close();
    }
  });
});

describe('errors the bot gets over are logged, not swallowed', () => {
  test('a conversation that cannot be read: the turn is answered, and the log says so', async () => {
    const lines: Array<{ level: number; msg: string }> = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line) as { level: number; msg: string }) });
    const faulty = faultyStore();
    const bot = await startBot({}, faulty.store, logger);
    try {
      const r = respondent(bot.url, 'log-1');
      await r.greet();
      faulty.arm('getConversation#2', 'before'); // the first one asks whether the respondent was greeted; the second is the bot's
      const reply = await r.say('Paraguay');
      expect(faulty.calls().filter((c) => c === 'getConversation')).toHaveLength(2);
      expect(texts(reply.body)).toContain('Saved.');
      expect(lines.filter((l) => l.level === 40).map((l) => l.msg)).toContain('could not read the conversation (its last card is not updated)');
    } finally {
      await bot.close();
    }
  });
});

describe('a turn that dies between its claim and its write (leases)', () => {
  /** The embedded store on a clock the test moves, whose writes can be made to hang (a process that died mid-turn). */
  function hangingStore() {
    let time = Date.now();
    const inner = createEmbeddedStore({ dir: null, now: () => new Date(time) });
    let hang = false;
    const writes = new Set(['commitTurn', 'insertResponse', 'replaceResponse', 'appendEvents']);
    const store = new Proxy(inner, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver);
        if (typeof value !== 'function' || !writes.has(String(prop))) return value;
        return (...args: unknown[]) => (hang ? new Promise(() => undefined) : value.apply(target, args));
      },
    });
    return { store, advance: (ms: number) => (time += ms), hang: (on: boolean) => (hang = on) };
  }

  test("the channel's retry is processed once the lease runs out (30 s), not swallowed for a day", async () => {
    const { store, advance, hang } = hangingStore();
    const bot = await startBot({}, store);
    try {
      const r = respondent(bot.url, 'lease-1');
      await r.greet();
      const activity = r.activity('Paraguay');
      hang(true);
      const dying = fetch(`${bot.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity), signal: AbortSignal.timeout(2000) }).catch(() => null);
      await new Promise((resolve) => setTimeout(resolve, 300)); // claimed, and stuck in its write
      hang(false);
      // While the lease holds, a redelivery is not processed beside the turn in flight.
      expect(texts((await r.redeliver(activity)).body)).toBe('');
      advance(31_000);
      const retried = await r.redeliver(activity);
      expect(texts(retried.body)).toContain('Saved.');
      expect(await answersOf(bot.store, r.key)).toEqual([{ itemId: 'country', value: 'PRY' }]);
      await dying;
    } finally {
      await bot.close();
    }
  });

  test('when whether a write was stored cannot be told, the bot neither acknowledges it nor asks for a resend; the retry is recognised', async () => {
    let time = Date.now();
    const inner = createEmbeddedStore({ dir: null, now: () => new Date(time) });
    let broken = false;
    const store = new Proxy(inner, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver);
        if (prop === 'commitTurn')
          return async (...args: unknown[]) => {
            const result = await value.apply(target, args);
            if (broken) throw new Error('connection reset by peer (after the write was applied)');
            return result;
          };
        if (prop === 'committedTurns' || prop === 'releaseActivity')
          return async (...args: unknown[]) => {
            if (broken) throw new Error('connect ECONNREFUSED 127.0.0.1:27017');
            return value.apply(target, args);
          };
        return value;
      },
    });
    const bot = await startBot({}, store);
    try {
      const r = respondent(bot.url, 'unknown-1');
      await r.greet();
      const activity = r.activity('Paraguay');
      broken = true;
      const reply = texts((await r.redeliver(activity)).body);
      broken = false;
      expect(reply).toContain('temporarily unavailable');
      expect(reply).not.toContain('Saved');
      expect(reply).not.toContain('NOT saved');
      expect(await answersOf(bot.store, r.key)).toEqual([{ itemId: 'country', value: 'PRY' }]);
      // The channel's retry: held while the lease runs, then recognised as stored — never applied to the next question.
      expect(texts((await r.redeliver(activity)).body)).toBe('');
      time += 31_000;
      expect(texts((await r.redeliver(activity)).body)).toBe('');
      expect(await answersOf(bot.store, r.key)).toEqual([{ itemId: 'country', value: 'PRY' }]);
    } finally {
      await bot.close();
    }
  });

  test('a turn that was stored but not marked done (its done marker lost) is recognised when the lease runs out: not applied twice', async () => {
    const { store, advance } = hangingStore();
    const bot = await startBot({}, store);
    try {
      const r = respondent(bot.url, 'lease-2');
      await r.greet();
      const activity = r.activity('Paraguay');
      expect(texts((await r.redeliver(activity)).body)).toContain('Saved.');
      // As on MongoDB when the marker's write failed: the activity is still only claimed.
      const key = `directline:dlconv-lease-2:${(activity.channelData as { clientActivityID: string }).clientActivityID}`;
      await store.releaseActivity(key);
      await store.claimActivity(key, 30);
      advance(31_000);
      const retried = await r.redeliver(activity);
      expect(texts(retried.body)).toBe('');
      expect(await answersOf(bot.store, r.key)).toEqual([{ itemId: 'country', value: 'PRY' }]);
    } finally {
      await bot.close();
    }
  });
});

describe('a respondent erases their answers', () => {
  let bot: Awaited<ReturnType<typeof startBot>>;
  beforeAll(async () => (bot = await startBot()));
  afterAll(() => bot.close());

  test('in Spanish, with confirmation: the answers are gone, an audit event without content remains, and the interview starts afresh', async () => {
    const r = respondent(bot.url, 'erase-es', 'es-ES');
    await r.greet();
    await r.say('Paraguay');
    await r.say('Ana Giménez');
    const before = (await bot.store.findResponseByRespondent(r.key))!;

    const asked = await r.say('borrar mis respuestas');
    expect(texts(asked.body)).toMatch(/¿Realmente desea borrar todas sus respuestas/);
    const kept = await r.say('no');
    expect((await bot.store.findResponseByRespondent(r.key))!.answers).toHaveLength(2);
    expect(texts(kept.body)).toContain('No se ha borrado nada');

    await r.say('borrar mis respuestas');
    const erased = await r.say('sí');
    expect(texts(erased.body)).toContain('Sus respuestas han sido borradas');
    expect(lastQuestion(erased.body)).toBe('country');
    expect(await bot.store.getResponse(before.id)).toBeNull();
    // Nothing until the first answer of the new interview.
    expect(await bot.store.findResponseByRespondent(r.key)).toBeNull();
    expect(texts((await r.say('Uruguay')).body)).toContain('Guardado.');
    const fresh = (await bot.store.findResponseByRespondent(r.key))!;
    expect(fresh.id).not.toBe(before.id);
    expect(fresh.answers).toEqual([{ itemId: 'country', value: 'URY' }]);

    const events = await bot.store.listEvents(before.id);
    expect(events.at(-1)).toMatchObject({ type: 'erasure', itemId: '*', oldValue: null, newValue: null, who: { channel: 'directline', userId: 'erase-es' } });
    expect(JSON.stringify(events)).not.toContain('Ana Giménez');
  });
});
