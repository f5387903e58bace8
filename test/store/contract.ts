/**
 * The store contract: one suite of behaviours every Store adapter must show. Call describeStoreContract for
 * each adapter; `makeStore` must return a new store over EMPTY storage each time it is called, reading the time
 * from the clock it is given (the suite moves it to let leases and memories run out).
 */
import { createHash, randomUUID } from 'node:crypto';
import { RECENT_TURNS, type AnswerEvent, type ConversationDoc, type Invitation, type Participant, type PreviousRoundDoc, type ResponseDoc, type Store, type TurnCommit } from '../../src/store/port';

/** What a store under test reads the time from. */
export interface StoreClock {
  now: () => Date;
}

/** Optional capabilities of an adapter under test. */
export interface ContractOptions {
  /**
   * Opens a second store over the same storage as `store`, WITHOUT closing `store` first (simulates a process
   * killed with -9 and restarted). Defined only for durable adapters.
   */
  reopen?: (store: Store, clock: StoreClock) => Promise<Store>;
}

const at = (iso: string) => new Date(iso);

/** A valid response doc with distinct values, overridable. */
export function sampleResponse(overrides: Partial<ResponseDoc> = {}): ResponseDoc {
  const id = overrides.id ?? randomUUID();
  return {
    id,
    respondentKey: `webchat:${id}`,
    country: { code: 'URY', name: 'Uruguay' },
    locale: 'es',
    status: 'in_progress',
    answers: [
      { itemId: 'q1', value: 'yes' },
      { itemId: 'q2.channels', value: ['web', 'mobile'] },
    ],
    deferred: ['q3'],
    engine: { schemaVersion: 1, phase: 'asking', current: 'q3', answers: [{ itemId: 'q1', value: 'yes' }] },
    createdAt: at('2025-03-01T10:00:00.123Z'),
    updatedAt: at('2025-03-01T10:05:00.456Z'),
    submittedAt: null,
    version: 1,
    ...overrides,
  };
}

/** An answer event, overridable. */
export function sampleEvent(responseId: string, n: number, overrides: Partial<AnswerEvent> = {}): AnswerEvent {
  return {
    id: `${responseId}:1:${n}`,
    responseId,
    itemId: `q${n}`,
    oldValue: null,
    newValue: `answer ${n}`,
    who: { channel: 'webchat', userId: 'u1', name: 'Ana Pérez' },
    channel: 'webchat',
    at: new Date(Date.UTC(2025, 2, 1, 10, 0, n)),
    type: 'answer',
    ...overrides,
  };
}

/** A valid invitation (code hashed), overridable. */
export function sampleInvitation(overrides: Partial<Invitation> = {}): Invitation {
  const id = overrides.id ?? randomUUID();
  return {
    id,
    codeHash: createHash('sha256').update(`MSQ-${id}`).digest('hex'),
    country: { code: 'PRY', name: 'Paraguay' },
    email: 'ana.gimenez@mitic.gov.py',
    createdAt: at('2025-03-01T10:00:00.123Z'),
    expiresAt: at('2099-03-31T10:00:00.123Z'),
    ...overrides,
  };
}

/** Strings that are dangerous as field names, query operators or object keys. */
export const hostileStrings = ['{ "$gt": "" }', '$where', '__proto__', 'constructor', 'a.b.c', '$gt', 'toString', '$$date', '.', 'prototype'];

/** Defines the contract tests for one adapter. */
export function describeStoreContract(name: string, makeStore: (clock: StoreClock) => Promise<Store>, options: ContractOptions = {}): void {
  describe(`Store contract — ${name}`, () => {
    let store: Store;
    const opened: Store[] = [];
    /** The stores' time: now when a test starts, moved on by `advance`. */
    let time = Date.now();
    const clock: StoreClock = { now: () => new Date(time) };
    const advance = (ms: number) => {
      time += ms;
    };

    const open = async (make: () => Promise<Store>) => {
      const s = await make();
      opened.push(s);
      await s.init();
      return s;
    };

    beforeEach(async () => {
      time = Date.now();
      store = await open(() => makeStore(clock));
    });

    afterEach(async () => {
      for (const s of opened.splice(0).reverse()) await s.close();
    });

    const insert = async (doc: ResponseDoc) => {
      const result = await store.insertResponse(doc);
      if (!result.ok) throw new Error(`insert of ${doc.id} conflicted`);
      return result.doc;
    };

    describe('responses', () => {
      it('init is idempotent and ping succeeds', async () => {
        await store.init();
        await store.init();
        await expect(store.ping()).resolves.toBeUndefined();
      });

      it('round-trips a response by respondent and by id, verbatim (Dates, arrays, Unicode, newlines, 100 kB)', async () => {
        const big = 'Ω—ñ 日本語 🇺🇳 '.repeat(8_000).slice(0, 100_000);
        expect(big.length).toBe(100_000);
        const engine = JSON.parse(
          '{"schemaVersion":1,"__proto__":{"polluted":true},"a.b":{"$gt":""},"$where":"1","constructor":{"prototype":2},"list":[1,2.5,null,true,"x"],"text":"line 1\\nline 2\\r\\n\\ttab \\u0000 \\u2028"}',
        ) as Record<string, unknown>;
        const doc = sampleResponse({
          country: { code: 'ESP', name: 'España' },
          submittedAt: at('2025-03-02T08:00:00.001Z'),
          status: 'submitted',
          answers: [
            { itemId: 'q1', value: 'Ñandú — 日本語 — עברית — 🇺🇳 — emoji 👩🏽‍💻' },
            { itemId: 'q2', value: 'first line\nsecond line\r\nthird\ttabbed  ' },
            { itemId: 'q3', value: big },
            { itemId: 'q4', value: ['b', 'a', 'b', ''] },
            { itemId: 'q5', value: [] },
            { itemId: 'q6', value: '' },
          ],
          engine,
        });
        const inserted = await insert(doc);
        expect(inserted).toEqual(doc);

        for (const got of [await store.findResponseByRespondent(doc.respondentKey), await store.getResponse(doc.id)]) {
          expect(got).toEqual(doc);
          expect(got).not.toHaveProperty('_id');
          expect(got!.createdAt).toBeInstanceOf(Date);
          expect(got!.updatedAt).toBeInstanceOf(Date);
          expect(got!.submittedAt).toBeInstanceOf(Date);
          expect(got!.createdAt.getTime()).toBe(doc.createdAt.getTime());
          expect(got!.answers.map((a) => a.value)).toEqual(doc.answers.map((a) => a.value));
          expect((got!.answers[2]!.value as string).length).toBe(100_000);
          expect(JSON.stringify(got!.engine)).toBe(JSON.stringify(engine));
          expect(Object.prototype.hasOwnProperty.call(got!.engine, '__proto__')).toBe(true);
          expect(Object.getPrototypeOf(got!.engine)).toBe(Object.prototype);
        }
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
        expect(await store.findResponseByRespondent('webchat:nobody')).toBeNull();
        expect(await store.getResponse(randomUUID())).toBeNull();
      });

      it('returns fresh objects: mutating a returned doc or the inserted one changes nothing stored', async () => {
        const doc = sampleResponse();
        const snapshot = structuredClone(doc);
        const inserted = await insert(doc);
        doc.answers.push({ itemId: 'x', value: 'x' });
        doc.createdAt.setTime(0);
        (doc.engine as { phase: string }).phase = 'changed';

        const got = (await store.getResponse(snapshot.id))!;
        for (const d of [inserted, got]) {
          d.answers.push({ itemId: 'y', value: 'y' });
          (d.answers[1]!.value as string[]).push('z');
          d.deferred.length = 0;
          d.country!.name = 'changed';
          d.updatedAt.setTime(1);
          (d.engine as { phase: string }).phase = 'changed';
        }
        expect(await store.getResponse(snapshot.id)).toEqual(snapshot);
        expect(await store.findResponseByRespondent(snapshot.respondentKey)).toEqual(snapshot);
      });

      it('rejects a second response with the same respondentKey, or the same id, as a conflict', async () => {
        const first = sampleResponse();
        await insert(first);
        const sameKey = sampleResponse({ respondentKey: first.respondentKey, locale: 'en' });
        expect(await store.insertResponse(sameKey)).toEqual({ ok: false, reason: 'conflict' });
        const sameId = sampleResponse({ id: first.id, respondentKey: 'webchat:other' });
        expect(await store.insertResponse(sameId)).toEqual({ ok: false, reason: 'conflict' });
        expect(await store.getResponse(sameKey.id)).toBeNull();
        expect(await store.findResponseByRespondent('webchat:other')).toBeNull();
        expect(await store.getResponse(first.id)).toEqual(first);
        expect(await store.listResponses()).toHaveLength(1);
      });

      it('rejects an insert whose version is not 1, or an invalid doc', async () => {
        await expect(store.insertResponse(sampleResponse({ version: 2 }))).rejects.toThrow();
        await expect(store.insertResponse({ ...sampleResponse(), answers: { q1: 'yes' } } as unknown as ResponseDoc)).rejects.toThrow();
        await expect(store.insertResponse(sampleResponse({ createdAt: new Date(Number.NaN) }))).rejects.toThrow();
        expect(await store.listResponses()).toEqual([]);
      });

      it('replaces with the right version and increments it', async () => {
        const doc = await insert(sampleResponse());
        const next = { ...doc, answers: [...doc.answers, { itemId: 'q3', value: 'later' }], updatedAt: at('2025-03-01T11:00:00Z') };
        const r1 = await store.replaceResponse(next, 1);
        expect(r1).toEqual({ ok: true, doc: { ...next, version: 2 } });
        expect(await store.getResponse(doc.id)).toEqual({ ...next, version: 2 });

        const r2 = await store.replaceResponse({ ...next, status: 'submitted', submittedAt: at('2025-03-01T12:00:00Z') }, 2);
        expect(r2.ok && r2.doc.version).toBe(3);
        const stored = await store.findResponseByRespondent(doc.respondentKey);
        expect(stored?.version).toBe(3);
        expect(stored?.status).toBe('submitted');
        expect(stored?.submittedAt).toEqual(at('2025-03-01T12:00:00Z'));
      });

      it('refuses a stale version (and a missing response) as a conflict, leaving the stored doc unchanged', async () => {
        const doc = await insert(sampleResponse());
        const v2 = await store.replaceResponse({ ...doc, locale: 'en' }, 1);
        expect(v2.ok).toBe(true);
        const stored = await store.getResponse(doc.id);

        const stale = await store.replaceResponse({ ...doc, answers: [], deferred: ['overwritten'] }, 1);
        expect(stale).toEqual({ ok: false, reason: 'conflict' });
        const future = await store.replaceResponse({ ...doc, answers: [] }, 7);
        expect(future).toEqual({ ok: false, reason: 'conflict' });
        expect(await store.getResponse(doc.id)).toEqual(stored);
        expect(stored?.version).toBe(2);

        const ghost = sampleResponse();
        expect(await store.replaceResponse(ghost, 1)).toEqual({ ok: false, reason: 'conflict' });
        expect(await store.getResponse(ghost.id)).toBeNull();
      });

      it('refuses a replace that would take another respondent’s key', async () => {
        const a = await insert(sampleResponse());
        const b = await insert(sampleResponse());
        expect(await store.replaceResponse({ ...b, respondentKey: a.respondentKey }, 1)).toEqual({ ok: false, reason: 'conflict' });
        expect(await store.getResponse(b.id)).toEqual(b);
        expect(await store.getResponse(a.id)).toEqual(a);
      });

      it('lets exactly one of 10 concurrent replaces from the same version win', async () => {
        const doc = await insert(sampleResponse());
        const candidates = Array.from({ length: 10 }, (_, i) => ({ ...doc, answers: [{ itemId: 'winner', value: String(i) }] }));
        const results = await Promise.all(candidates.map((c) => store.replaceResponse(c, 1)));
        const wins = results.filter((r) => r.ok);
        expect(wins).toHaveLength(1);
        expect(results.filter((r) => !r.ok && r.reason === 'conflict')).toHaveLength(9);
        const stored = await store.getResponse(doc.id);
        expect(stored?.version).toBe(2);
        expect(wins[0]!.ok && stored).toEqual(wins[0]!.ok ? wins[0]!.doc : null);
      });

      it('keeps every answer of 10 concurrent writers that retry (re-read, re-apply, CAS) on conflict', async () => {
        const doc = await insert(sampleResponse({ answers: [] }));
        let conflicts = 0;
        const writer = async (i: number) => {
          for (let attempt = 0; attempt < 100; attempt++) {
            const current = (await store.getResponse(doc.id))!;
            const next = { ...current, answers: [...current.answers, { itemId: `w${i}`, value: `value ${i}` }] };
            const result = await store.replaceResponse(next, current.version);
            if (result.ok) return;
            conflicts++;
          }
          throw new Error(`writer ${i} never succeeded`);
        };
        await Promise.all(Array.from({ length: 10 }, (_, i) => writer(i)));
        const stored = (await store.getResponse(doc.id))!;
        expect(stored.version).toBe(11);
        expect(stored.answers.map((a) => a.itemId).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `w${i}`).sort());
        expect(conflicts).toBeGreaterThanOrEqual(0);
      });

      it('round-trips dotted item ids and finds responses by them as values', async () => {
        const dotted = await insert(
          sampleResponse({
            answers: [
              { itemId: 'q4.cio.name', value: 'María' },
              { itemId: 'q29.5g.detail', value: ['a.b', 'c'] },
            ],
            deferred: ['q7.1', 'q8.x.y'],
          }),
        );
        const plain = await insert(
          sampleResponse({ answers: [{ itemId: 'q4', value: 'cio.name' }, { itemId: 'q29', value: '5g.detail' }], deferred: [] }),
        );
        expect(await store.getResponse(dotted.id)).toEqual(dotted);
        expect(await store.getResponse(plain.id)).toEqual(plain);
        expect((await store.listResponses({ answeredItemId: 'q4.cio.name' })).map((r) => r.id)).toEqual([dotted.id]);
        expect((await store.listResponses({ answeredItemId: 'q29.5g.detail' })).map((r) => r.id)).toEqual([dotted.id]);
        expect((await store.listResponses({ answeredItemId: 'q4' })).map((r) => r.id)).toEqual([plain.id]);
        expect(await store.listResponses({ answeredItemId: 'q4.cio' })).toEqual([]);
        expect(await store.listResponses({ answeredItemId: 'cio.name' })).toEqual([]);
      });

      it('stores hostile strings (operators, __proto__, dots) as plain values and ids, matching nothing else', async () => {
        const innocent = await insert(sampleResponse({ answers: [{ itemId: 'q1', value: 'yes' }] }));
        const hostile: ResponseDoc[] = [];
        for (const [i, s] of hostileStrings.entries()) {
          hostile.push(
            await insert(
              sampleResponse({
                respondentKey: s,
                country: { code: s, name: s },
                answers: [
                  { itemId: s, value: s },
                  { itemId: `q${i}`, value: [s, `${s}.${s}`] },
                ],
                deferred: [s],
              }),
            ),
          );
        }
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
        for (const [i, s] of hostileStrings.entries()) {
          const doc = hostile[i]!;
          expect(await store.getResponse(doc.id)).toEqual(doc);
          expect(await store.findResponseByRespondent(s)).toEqual(doc);
          expect((await store.listResponses({ countryCode: s })).map((r) => r.id)).toEqual([doc.id]);
          expect((await store.listResponses({ answeredItemId: s })).map((r) => r.id)).toEqual([doc.id]);
        }
        expect((await store.listResponses()).length).toBe(hostileStrings.length + 1);
        expect(await store.findResponseByRespondent('{ "$gt": "x" }')).toBeNull();
        expect(await store.findResponseByRespondent('$')).toBeNull();
        expect(await store.listResponses({ countryCode: '{ "$ne": null }' })).toEqual([]);
        expect(await store.getResponse(innocent.id)).toEqual(innocent);

        // …and as ids and keys everywhere else.
        for (const s of hostileStrings) {
          const conv: ConversationDoc = { id: s, respondentKey: s, reference: { [s]: s }, updatedAt: new Date(0) };
          await store.saveConversation(conv);
          expect(await store.getConversation(s)).toEqual(conv);
          expect(await store.claimActivity(s, 60)).toEqual({ claimed: true, retried: false });
          expect(await store.claimActivity(s, 60)).toEqual({ claimed: false, state: 'in_progress' });
          await store.appendEvents([sampleEvent(s, 1, { id: s, itemId: s, oldValue: s, newValue: [s], who: { channel: s, userId: s, name: s }, channel: s })]);
          expect(await store.listEvents(s)).toEqual([sampleEvent(s, 1, { id: s, itemId: s, oldValue: s, newValue: [s], who: { channel: s, userId: s, name: s }, channel: s })]);
        }
        expect(await store.claimActivity('innocent', 60)).toEqual({ claimed: true, retried: false });
        expect(await store.getConversation('innocent')).toBeNull();
        expect(await store.listEvents('innocent')).toEqual([]);

        // A crafted object where a string is expected is refused, never used as a query operator.
        const crafted = [{ $gt: '' }, { $ne: null }, { $where: 'true' }, ['a'], /.*/];
        for (const c of crafted) {
          const bad = c as unknown as string;
          await expect(store.findResponseByRespondent(bad)).rejects.toThrow(TypeError);
          await expect(store.getResponse(bad)).rejects.toThrow(TypeError);
          await expect(store.listResponses({ countryCode: bad })).rejects.toThrow(TypeError);
          await expect(store.listEvents(bad)).rejects.toThrow(TypeError);
          await expect(store.getConversation(bad)).rejects.toThrow(TypeError);
          await expect(store.claimActivity(bad, 60)).rejects.toThrow(TypeError);
          await expect(store.releaseActivity(bad)).rejects.toThrow(TypeError);
          await expect(store.committedTurns(bad)).rejects.toThrow(TypeError);
          await expect(store.completeActivity(bad, 60)).rejects.toThrow(TypeError);
          await expect(store.eraseResponse(bad, { channel: 'x', userId: 'y' }, new Date())).rejects.toThrow(TypeError);
        }
        expect((await store.listResponses()).length).toBe(hostileStrings.length + 1);
      });

      it('lists responses filtered by status and country, sorted by createdAt', async () => {
        const mk = (country: string, status: 'in_progress' | 'submitted', minute: number) =>
          sampleResponse({
            country: { code: country, name: country },
            status,
            submittedAt: status === 'submitted' ? at('2025-04-01T00:00:00Z') : null,
            createdAt: new Date(Date.UTC(2025, 2, 1, 10, minute)),
          });
        const docs = [mk('URY', 'submitted', 30), mk('URY', 'in_progress', 10), mk('ESP', 'submitted', 20), mk('ESP', 'in_progress', 5), mk('URY', 'submitted', 1)];
        const noCountry = sampleResponse({ country: null, createdAt: new Date(Date.UTC(2025, 2, 1, 9)) });
        for (const d of [...docs, noCountry]) await insert(d);
        const ids = (rs: ResponseDoc[]) => rs.map((r) => r.id);
        const sorted = (ds: ResponseDoc[]) => ids([...ds].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime()));

        expect(ids(await store.listResponses())).toEqual(sorted([...docs, noCountry]));
        expect(ids(await store.listResponses({}))).toEqual(sorted([...docs, noCountry]));
        expect(ids(await store.listResponses({ status: 'submitted' }))).toEqual(sorted(docs.filter((d) => d.status === 'submitted')));
        expect(ids(await store.listResponses({ status: 'in_progress' }))).toEqual(sorted([...docs.filter((d) => d.status === 'in_progress'), noCountry]));
        expect(ids(await store.listResponses({ countryCode: 'URY' }))).toEqual(sorted(docs.filter((d) => d.country?.code === 'URY')));
        expect(ids(await store.listResponses({ countryCode: 'URY', status: 'submitted' }))).toEqual(
          sorted(docs.filter((d) => d.country?.code === 'URY' && d.status === 'submitted')),
        );
        expect(await store.listResponses({ countryCode: 'FRA' })).toEqual([]);
        expect((await store.listResponses({ status: 'submitted' })).every((r) => r.submittedAt instanceof Date)).toBe(true);
      });
    });

    describe('audit events', () => {
      it('appends idempotently by event id (the first version stays) and lists by `at` then id', async () => {
        const rid = randomUUID();
        const t = new Date(Date.UTC(2025, 2, 1, 10));
        const e = [
          sampleEvent(rid, 3, { at: new Date(t.getTime() + 2000) }),
          sampleEvent(rid, 1, { id: `${rid}:1:b`, at: t }),
          sampleEvent(rid, 2, { id: `${rid}:1:a`, at: t, oldValue: ['x', 'y'], newValue: null }),
          sampleEvent(rid, 4, { at: new Date(t.getTime() - 1000), who: { channel: 'msteams', userId: 'aad-1' }, channel: 'msteams' }),
        ];
        await store.appendEvents(e);
        await store.appendEvents([...e].reverse().map((ev) => ({ ...ev, newValue: 'retried with other content' })));
        await store.appendEvents([]);
        await store.appendEvents([sampleEvent(randomUUID(), 1)]);

        const listed = await store.listEvents(rid);
        expect(listed).toHaveLength(4);
        expect(listed.map((ev) => ev.id)).toEqual([e[3]!.id, `${rid}:1:a`, `${rid}:1:b`, e[0]!.id]);
        expect(listed).toEqual([e[3], e[2], e[1], e[0]]);
        expect(listed[0]).not.toHaveProperty('_id');
        expect(listed[0]!.who).toEqual({ channel: 'msteams', userId: 'aad-1' });
        expect(listed[1]!.at).toBeInstanceOf(Date);

        listed[1]!.at.setTime(0);
        (listed[1]!.oldValue as string[]).push('mutated');
        expect(await store.listEvents(rid)).toEqual([e[3], e[2], e[1], e[0]]);
        expect(await store.listEvents(randomUUID())).toEqual([]);
      });

      it('appends the same ids concurrently only once', async () => {
        const rid = randomUUID();
        const batch = Array.from({ length: 5 }, (_, n) => sampleEvent(rid, n));
        await Promise.all(Array.from({ length: 5 }, () => store.appendEvents(batch)));
        expect(await store.listEvents(rid)).toHaveLength(5);
      });
    });

    describe('erasure', () => {
      it('also removes the comments of the survey team’s flags and the respondent’s reminder claims', async () => {
        const secret = 'the link https://secret.example/Ω returns 404';
        const doc = await insert(sampleResponse());
        const other = await insert(sampleResponse());
        await store.appendEvents([
          sampleEvent(doc.id, 1, { type: 'flagged', itemId: 'q3', newValue: secret, who: { channel: 'admin', userId: 'survey-team' } }),
          sampleEvent(doc.id, 2, { type: 'revised_after_review', itemId: 'q3' }),
          sampleEvent(other.id, 1, { type: 'flagged', itemId: 'q3', newValue: secret }),
        ]);
        const claim = (respondentKey: string) => ({ respondentKey, slot: 'D/7', day: '2026-12-24', at: new Date() });
        expect(await store.claimReminder(claim(doc.respondentKey))).toBe(true);
        expect(await store.claimReminder(claim(other.respondentKey))).toBe(true);
        expect(await store.eraseResponse(doc.id, { channel: 'msteams', userId: 'u' }, new Date())).toBe(true);
        const events = await store.listEvents(doc.id);
        expect(JSON.stringify(events)).not.toContain('secret.example');
        expect(events.filter((e) => e.type === 'flagged')).toEqual([expect.objectContaining({ itemId: 'q3', newValue: null, redacted: true })]);
        expect(JSON.stringify(await store.listEvents(other.id))).toContain('secret.example');
        // Forgotten: a new response of the same person may be reminded; the other person's claim stays.
        expect(await store.claimReminder(claim(doc.respondentKey))).toBe(true);
        expect(await store.claimReminder(claim(other.respondentKey))).toBe(false);
      });

      it('removes the response, its conversations and its events’ content, leaving one erasure event', async () => {
        const secret = 'SECRET-ANSWER-Ω-42';
        const doc = await insert(sampleResponse({ answers: [{ itemId: 'q4.cio.name', value: secret }], engine: { note: secret } }));
        const other = await insert(sampleResponse({ answers: [{ itemId: 'q1', value: secret }] }));
        await store.appendEvents([
          sampleEvent(doc.id, 1, { itemId: 'q4.cio.name', newValue: secret }),
          sampleEvent(doc.id, 2, { itemId: 'q4.cio.name', oldValue: secret, newValue: [secret, 'x'] }),
          sampleEvent(other.id, 1, { newValue: secret }),
        ]);
        const conv = (id: string, respondentKey: string): ConversationDoc => ({
          id,
          respondentKey,
          reference: { conversation: { id }, user: { name: secret } },
          updatedAt: new Date(),
        });
        const othersConversation = conv('webchat:c3', other.respondentKey);
        await store.saveConversation(conv('webchat:c1', doc.respondentKey));
        await store.saveConversation(conv('msteams:c2', doc.respondentKey));
        await store.saveConversation(othersConversation);

        const who = { channel: 'webchat', userId: 'u1', name: 'Ana Pérez' };
        const when = at('2025-05-05T05:05:05.005Z');
        expect(await store.eraseResponse(doc.id, who, when)).toBe(true);

        expect(await store.getResponse(doc.id)).toBeNull();
        expect(await store.findResponseByRespondent(doc.respondentKey)).toBeNull();
        expect(await store.getConversation('webchat:c1')).toBeNull();
        expect(await store.getConversation('msteams:c2')).toBeNull();
        const events = await store.listEvents(doc.id);
        for (const ev of events) {
          expect(JSON.stringify(ev)).not.toContain(secret);
          expect(ev.oldValue).toBeNull();
          expect(ev.newValue).toBeNull();
        }
        const erasures = events.filter((ev) => ev.type === 'erasure');
        expect(erasures).toEqual([
          { id: `${doc.id}:erasure`, responseId: doc.id, itemId: '*', oldValue: null, newValue: null, who, channel: 'webchat', at: when, type: 'erasure' },
        ]);

        // Nothing left to delete: false, and no second erasure event.
        expect(await store.eraseResponse(doc.id, who, new Date())).toBe(false);
        expect((await store.listEvents(doc.id)).filter((ev) => ev.type === 'erasure')).toHaveLength(1);
        expect(await store.eraseResponse(randomUUID(), who, new Date())).toBe(false);

        // Other respondents are untouched.
        expect(await store.getResponse(other.id)).toEqual(other);
        expect(await store.getConversation('webchat:c3')).toEqual(othersConversation);
        expect((await store.listEvents(other.id))[0]!.newValue).toBe(secret);

        // The respondent may start again.
        const again = sampleResponse({ respondentKey: doc.respondentKey });
        expect((await store.insertResponse(again)).ok).toBe(true);
      });

      it('lets exactly one of two concurrent erasures report the deletion', async () => {
        const doc = await insert(sampleResponse());
        const who = { channel: 'webchat', userId: 'u1' };
        const results = await Promise.all([store.eraseResponse(doc.id, who, new Date()), store.eraseResponse(doc.id, who, new Date())]);
        expect(results.filter(Boolean)).toHaveLength(1);
        expect((await store.listEvents(doc.id)).filter((ev) => ev.type === 'erasure')).toHaveLength(1);
      });
    });

    describe('conversations', () => {
      it('upserts by id and round-trips the reference as plain JSON', async () => {
        const reference = JSON.parse(
          '{"activityId":"1","user":{"id":"u","name":"Zoë \\n"},"conversation":{"id":"a:b.c","tenantId":"t"},"channelId":"msteams","serviceUrl":"https://smba.trafficmanager.net/emea/","$type":"x","a.b":{"__proto__":1}}',
        ) as Record<string, unknown>;
        const doc: ConversationDoc = { id: 'msteams:a:b.c', respondentKey: 'msteams:aad', reference, updatedAt: at('2025-03-01T10:00:00Z') };
        await store.saveConversation(doc);
        const got = (await store.getConversation(doc.id))!;
        expect(got).toEqual(doc);
        expect(got).not.toHaveProperty('_id');
        expect(JSON.stringify(got.reference)).toBe(JSON.stringify(reference));
        (got.reference.user as { name: string }).name = 'mutated';
        got.updatedAt.setTime(0);
        expect(await store.getConversation(doc.id)).toEqual(doc);

        const updated: ConversationDoc = { ...doc, reference: { ...reference, activityId: '2' }, updatedAt: at('2025-03-02T10:00:00Z') };
        await store.saveConversation(updated);
        expect(await store.getConversation(doc.id)).toEqual(updated);
        await Promise.all([store.saveConversation({ ...doc, id: 'webchat:new' }), store.saveConversation({ ...doc, id: 'webchat:new' })]);
        expect(await store.getConversation('webchat:new')).toEqual({ ...doc, id: 'webchat:new' });
        expect(await store.getConversation('webchat:none')).toBeNull();
      });

      it('lists the conversations of one respondent (where to reach them proactively), and follows a conversation that changes hands', async () => {
        const reference = { channelId: 'msteams', conversation: { id: 'a:1' }, serviceUrl: 'https://smba.trafficmanager.net/emea/' };
        const conversation = (id: string, respondentKey: string): ConversationDoc => ({ id, respondentKey, reference: { ...reference, conversation: { id } }, updatedAt: at('2025-03-01T10:00:00Z') });
        await store.saveConversation(conversation('msteams:b', 'msteams:ana'));
        await store.saveConversation(conversation('msteams:a', 'msteams:ana'));
        await store.saveConversation(conversation('msteams:c', 'msteams:ana.other'));
        for (const hostile of hostileStrings) await store.saveConversation(conversation(`x:${hostile}`, hostile));
        expect((await store.listConversations('msteams:ana')).map((c) => c.id)).toEqual(['msteams:a', 'msteams:b']);
        expect(await store.listConversations('msteams:ana')).toContainEqual(conversation('msteams:a', 'msteams:ana'));
        expect(await store.listConversations('msteams:nobody')).toEqual([]);
        for (const hostile of hostileStrings) expect((await store.listConversations(hostile)).map((c) => c.id)).toEqual([`x:${hostile}`]);
        // The same conversation now used by someone else: listed for them only.
        await store.saveConversation(conversation('msteams:b', 'msteams:carlos'));
        expect((await store.listConversations('msteams:ana')).map((c) => c.id)).toEqual(['msteams:a']);
        expect((await store.listConversations('msteams:carlos')).map((c) => c.id)).toEqual(['msteams:b']);
        await expect(store.listConversations({ $gt: '' } as unknown as string)).rejects.toThrow();
      });
    });

    describe('turns: one commit, one outcome', () => {
      const commitOf = (doc: ResponseDoc, expectedVersion: number | null, fields: Partial<TurnCommit> = {}): TurnCommit => {
        const version = expectedVersion === null ? 1 : expectedVersion + 1;
        return {
          turnId: randomUUID(),
          response: doc,
          expectedVersion,
          events: [sampleEvent(doc.id, 0, { id: `${doc.id}:${version}:0` }), sampleEvent(doc.id, 1, { id: `${doc.id}:${version}:1` })],
          ...fields,
        };
      };

      it('stores a new response, its events and the activity as done together', async () => {
        const doc = sampleResponse();
        const commit = commitOf(doc, null, { activity: { key: 'webchat:c:a1', ttlSeconds: 3600 } });
        expect(await store.commitTurn(commit)).toEqual({ ok: true, doc });
        expect(await store.getResponse(doc.id)).toEqual(doc);
        expect(await store.findResponseByRespondent(doc.respondentKey)).toEqual(doc);
        expect(await store.listEvents(doc.id)).toEqual(commit.events);
        const claim = await store.getActivityClaim('webchat:c:a1');
        expect(claim).toMatchObject({ key: 'webchat:c:a1', state: 'done' });
        expect(claim!.expiresAt.getTime() - clock.now().getTime()).toBe(3_600_000);
        expect(await store.claimActivity('webchat:c:a1', 30)).toEqual({ claimed: false, state: 'done' });
        expect(await store.committedTurns(doc.id)).toEqual([{ turnId: commit.turnId, activityKey: 'webchat:c:a1', version: 1 }]);
      });

      it('replaces with compare-and-swap; a conflict stores nothing of the turn (no change, no event, activity not done)', async () => {
        const doc = sampleResponse();
        await store.commitTurn(commitOf(doc, null));
        const next = { ...doc, answers: [...doc.answers, { itemId: 'q9', value: 'nine' }] };
        const second = commitOf(next, 1, { activity: { key: 'k2', ttlSeconds: 60 } });
        expect(await store.commitTurn(second)).toEqual({ ok: true, doc: { ...next, version: 2 } });

        expect(await store.claimActivity('k3', 30)).toEqual({ claimed: true, retried: false });
        const stale = commitOf({ ...doc, answers: [] }, 1, { activity: { key: 'k3', ttlSeconds: 60 } });
        stale.events = [sampleEvent(doc.id, 7, { id: 'stale-event' })];
        expect(await store.commitTurn(stale)).toEqual({ ok: false, reason: 'conflict' });
        expect(await store.commitTurn({ ...stale, expectedVersion: 9 })).toEqual({ ok: false, reason: 'conflict' });
        expect(await store.getResponse(doc.id)).toEqual({ ...next, version: 2 });
        expect((await store.listEvents(doc.id)).map((e) => e.id)).toEqual([`${doc.id}:1:0`, `${doc.id}:2:0`, `${doc.id}:1:1`, `${doc.id}:2:1`]);
        expect((await store.getActivityClaim('k3'))?.state).toBe('in_progress');
        expect((await store.committedTurns(doc.id)).map((t) => t.version)).toEqual([1, 2]);

        const ghost = sampleResponse();
        expect(await store.commitTurn(commitOf(ghost, 1))).toEqual({ ok: false, reason: 'conflict' });
        expect(await store.listEvents(ghost.id)).toEqual([]);
      });

      it('refuses a second response for a respondent, or an id taken, storing none of it', async () => {
        const doc = sampleResponse();
        await store.commitTurn(commitOf(doc, null));
        const sameKey = sampleResponse({ respondentKey: doc.respondentKey });
        expect(await store.commitTurn(commitOf(sameKey, null, { activity: { key: 'k', ttlSeconds: 60 } }))).toEqual({ ok: false, reason: 'conflict' });
        expect(await store.commitTurn(commitOf({ ...doc, respondentKey: 'webchat:other' }, null))).toEqual({ ok: false, reason: 'conflict' });
        expect(await store.getResponse(sameKey.id)).toBeNull();
        expect(await store.listEvents(sameKey.id)).toEqual([]);
        expect(await store.getActivityClaim('k')).toBeNull();
        expect(await store.findResponseByRespondent('webchat:other')).toBeNull();
      });

      it('lets exactly one of 10 concurrent turns from the same version win, with only its events', async () => {
        const doc = sampleResponse();
        await store.commitTurn(commitOf(doc, null));
        const turns = Array.from({ length: 10 }, (_, i) =>
          commitOf({ ...doc, answers: [{ itemId: 'winner', value: String(i) }] }, 1, { events: [sampleEvent(doc.id, i, { id: `${doc.id}:2:0`, newValue: String(i) })] }),
        );
        const results = await Promise.all(turns.map((t) => store.commitTurn(t)));
        expect(results.filter((r) => r.ok)).toHaveLength(1);
        const stored = (await store.getResponse(doc.id))!;
        const winner = stored.answers[0]!.value;
        const events = await store.listEvents(doc.id);
        expect(events.filter((e) => e.id === `${doc.id}:2:0`).map((e) => e.newValue)).toEqual([winner]);
        expect((await store.committedTurns(doc.id)).at(-1)!.turnId).toBe(turns[Number(winner)]!.turnId);
      });

      it(`remembers the ${RECENT_TURNS} most recent turns of a response, oldest first`, async () => {
        let doc = sampleResponse();
        const ids: string[] = [];
        for (let version = 0; version < RECENT_TURNS + 4; version++) {
          const commit = commitOf(doc, version === 0 ? null : version, { events: [], activity: { key: `a${version}`, ttlSeconds: 60 } });
          ids.push(commit.turnId);
          const result = await store.commitTurn(commit);
          if (!result.ok) throw new Error('conflict');
          doc = result.doc;
        }
        const turns = await store.committedTurns(doc.id);
        expect(turns.map((t) => t.turnId)).toEqual(ids.slice(-RECENT_TURNS));
        expect(turns.at(-1)).toEqual({ turnId: ids.at(-1), activityKey: `a${RECENT_TURNS + 3}`, version: RECENT_TURNS + 4 });
        expect(await store.committedTurns(randomUUID())).toEqual([]);
      });

      it('rejects an invalid turn before writing anything', async () => {
        const doc = sampleResponse();
        await expect(store.commitTurn(commitOf({ ...doc, createdAt: new Date(Number.NaN) }, null))).rejects.toThrow();
        await expect(store.commitTurn(commitOf(doc, null, { events: [sampleEvent(randomUUID(), 1)] }))).rejects.toThrow();
        await expect(store.commitTurn(commitOf(doc, null, { events: [{ ...sampleEvent(doc.id, 1), at: 'now' as unknown as Date }] }))).rejects.toThrow();
        await expect(store.commitTurn(commitOf(doc, 0))).rejects.toThrow();
        await expect(store.commitTurn(commitOf(doc, null, { turnId: { $gt: '' } as unknown as string }))).rejects.toThrow(TypeError);
        await expect(store.commitTurn(commitOf(doc, null, { activity: { key: 'k', ttlSeconds: 0 } }))).rejects.toThrow();
        expect(await store.getResponse(doc.id)).toBeNull();
        expect(await store.listEvents(doc.id)).toEqual([]);
        expect(await store.getActivityClaim('k')).toBeNull();
      });

      it('lists a response from its first answer on (or once submitted), never an empty one', async () => {
        const empty = await insert(sampleResponse({ answers: [], deferred: [], createdAt: at('2025-03-01T09:00:00Z') }));
        const skipped = await insert(sampleResponse({ answers: [], deferred: ['q1'], createdAt: at('2025-03-01T09:01:00Z') }));
        const answered = await insert(sampleResponse({ createdAt: at('2025-03-01T09:02:00Z') }));
        const submittedEmpty = await insert(sampleResponse({ answers: [], status: 'submitted', submittedAt: at('2025-03-02T00:00:00Z'), createdAt: at('2025-03-01T09:03:00Z') }));
        expect((await store.listResponses()).map((r) => r.id)).toEqual([answered.id, submittedEmpty.id]);
        expect((await store.listResponses({ status: 'in_progress' })).map((r) => r.id)).toEqual([answered.id]);
        expect(await store.listResponses({ countryCode: 'URY', status: 'in_progress' })).toHaveLength(1);
        // Still the respondent's: the interview goes on from it.
        expect(await store.findResponseByRespondent(empty.respondentKey)).toEqual(empty);
        expect(await store.getResponse(skipped.id)).toEqual(skipped);
        // Its first answer makes it a response.
        expect((await store.replaceResponse({ ...empty, answers: [{ itemId: 'country', value: 'PRY' }] }, 1)).ok).toBe(true);
        expect((await store.listResponses()).map((r) => r.id)).toEqual([empty.id, answered.id, submittedEmpty.id]);
      });
    });

    describe('activity claims', () => {
      it('claims a key once, and again after release', async () => {
        expect(await store.claimActivity('msteams:act-1', 30)).toEqual({ claimed: true, retried: false });
        expect(await store.claimActivity('msteams:act-1', 30)).toEqual({ claimed: false, state: 'in_progress' });
        expect(await store.claimActivity('msteams:act-2', 30)).toEqual({ claimed: true, retried: false });
        await store.releaseActivity('msteams:act-1');
        expect(await store.getActivityClaim('msteams:act-1')).toBeNull();
        expect(await store.claimActivity('msteams:act-1', 30)).toEqual({ claimed: true, retried: false });
        expect(await store.claimActivity('msteams:act-1', 30)).toEqual({ claimed: false, state: 'in_progress' });
        await store.releaseActivity('never-claimed');
      });

      it('gives exactly one of 20 concurrent claims of one key', async () => {
        const results = await Promise.all(Array.from({ length: 20 }, () => store.claimActivity('webchat:conv|activity.1', 30)));
        expect(results.filter((r) => r.claimed)).toHaveLength(1);
        expect(results.filter((r) => !r.claimed)).toHaveLength(19);
      });

      it('holds a claim in progress for its lease only: once it runs out the activity is claimed again, flagged as retried', async () => {
        const claimedAt = clock.now();
        expect(await store.claimActivity('k-lease', 30)).toEqual({ claimed: true, retried: false });
        expect(await store.getActivityClaim('k-lease')).toEqual({ key: 'k-lease', state: 'in_progress', claimedAt, expiresAt: new Date(claimedAt.getTime() + 30_000) });
        advance(29_000);
        expect(await store.claimActivity('k-lease', 30)).toEqual({ claimed: false, state: 'in_progress' });
        advance(1_000);
        expect(await store.getActivityClaim('k-lease')).toBeNull();
        // The turn that claimed it died (or its store failed): the channel's retry is processed, and told so.
        expect(await store.claimActivity('k-lease', 30)).toEqual({ claimed: true, retried: true });
        expect(await store.claimActivity('k-lease', 30)).toEqual({ claimed: false, state: 'in_progress' });
      });

      it('remembers a done activity for its time to live, then forgets it', async () => {
        expect(await store.claimActivity('k-done', 30)).toEqual({ claimed: true, retried: false });
        await store.completeActivity('k-done', 24 * 3600);
        const claim = await store.getActivityClaim('k-done');
        expect(claim).toMatchObject({ key: 'k-done', state: 'done' });
        expect(claim!.expiresAt.getTime() - clock.now().getTime()).toBe(24 * 3_600_000);
        advance(60_000); // long past the lease
        expect(await store.claimActivity('k-done', 30)).toEqual({ claimed: false, state: 'done' });
        advance(24 * 3_600_000);
        expect(await store.getActivityClaim('k-done')).toBeNull();
        expect(await store.claimActivity('k-done', 30)).toEqual({ claimed: true, retried: false });
        // Done without a claim first (a turn whose claim was lost) works too.
        await store.completeActivity('k-unclaimed', 60);
        expect(await store.claimActivity('k-unclaimed', 30)).toEqual({ claimed: false, state: 'done' });
      });

      it('rejects a lease or a time to live that is not a positive number of seconds', async () => {
        await expect(store.claimActivity('k-bad', 0)).rejects.toThrow();
        await expect(store.claimActivity('k-bad', Number.NaN)).rejects.toThrow();
        await expect(store.completeActivity('k-bad', -1)).rejects.toThrow();
        expect(await store.getActivityClaim('k-bad')).toBeNull();
      });
    });

    describe('a country’s shared response: team, identities, link codes', () => {
      const participant = (id: string, lead: boolean, overrides: Partial<Participant> = {}): Participant => ({
        id,
        lead,
        sections: lead ? [] : ['C', 'D'],
        joinedAt: at('2025-03-01T10:00:00.000Z'),
        state: { schemaVersion: 1, phase: 'asking', current: 'q13', note: 'Ω "quoted" \n $gt __proto__' },
        ...overrides,
      });

      it('round-trips a response’s team (participants, their own states, dates) and replaces it with the response', async () => {
        const team = { participants: [participant('inv-ana', true, { email: 'ana@mitic.gov.py', name: 'Ana' }), participant('inv-luis', false)] };
        const doc = await insert(sampleResponse({ respondentKey: 'team:msq-2022:PRY', team }));
        expect(await store.getResponse(doc.id)).toEqual(doc);
        expect((await store.findResponseByRespondent('team:msq-2022:PRY'))!.team).toEqual(team);
        const moved = { participants: [team.participants[0], { ...team.participants[1], state: { current: 'q20' } }] };
        const replaced = await store.replaceResponse({ ...doc, team: moved }, doc.version);
        expect(replaced.ok).toBe(true);
        expect((await store.getResponse(doc.id))!.team).toEqual(moved);
        // A response without a team has none.
        const solo = await insert(sampleResponse());
        expect(await store.getResponse(solo.id)).not.toHaveProperty('team');
      });

      it('binds channel identities to a response and participant, rebinds, and lists them by time', async () => {
        const doc = await insert(sampleResponse({ respondentKey: 'team:msq-2022:PRY' }));
        const teams = { key: 'msteams:29:aad-ana', responseId: doc.id, participantId: 'inv-ana', at: at('2025-03-01T10:00:00.000Z') };
        const web = { key: 'directline:dl_ana', responseId: doc.id, participantId: 'inv-ana', at: at('2025-03-01T11:00:00.000Z') };
        const luis = { key: 'directline:dl_luis', responseId: doc.id, participantId: 'inv-luis', at: at('2025-03-01T10:30:00.000Z') };
        for (const identity of [web, teams, luis]) await store.bindIdentity(identity);
        expect(await store.findIdentity(teams.key)).toEqual(teams);
        expect(await store.findIdentity('msteams:nobody')).toBeNull();
        expect(await store.listIdentities(doc.id)).toEqual([teams, luis, web]);
        // Bound again (to another response): it moves, the first response no longer lists it.
        const other = await insert(sampleResponse());
        const moved = { ...web, responseId: other.id, participantId: null, at: at('2025-03-02T00:00:00.000Z') };
        await store.bindIdentity(moved);
        expect(await store.findIdentity(web.key)).toEqual(moved);
        expect(await store.listIdentities(doc.id)).toEqual([teams, luis]);
        expect(await store.listIdentities(other.id)).toEqual([moved]);
        await expect(store.bindIdentity({ ...teams, key: '' })).rejects.toThrow();
        await expect(store.findIdentity({ $ne: null } as unknown as string)).rejects.toThrow();
        for (const hostile of hostileStrings) expect(await store.findIdentity(hostile)).toBeNull();
      });

      it('forgets a response’s identities, and their conversations, when the response is erased', async () => {
        const doc = await insert(sampleResponse());
        const other = await insert(sampleResponse());
        await store.bindIdentity({ key: 'msteams:ana', responseId: doc.id, participantId: 'p1', at: new Date() });
        await store.bindIdentity({ key: 'msteams:luis', responseId: other.id, participantId: 'p2', at: new Date() });
        const conversation = (id: string, respondentKey: string) => ({ id, respondentKey, reference: { conversation: { id } }, updatedAt: new Date() });
        await store.saveConversation(conversation('msteams:c-ana', 'msteams:ana'));
        await store.saveConversation(conversation('msteams:c-luis', 'msteams:luis'));
        expect(await store.eraseResponse(doc.id, { channel: 'msteams', userId: 'ana' }, new Date())).toBe(true);
        expect(await store.findIdentity('msteams:ana')).toBeNull();
        // Where the participants were reached goes with the response.
        expect(await store.getConversation('msteams:c-ana')).toBeNull();
        expect(await store.getConversation('msteams:c-luis')).not.toBeNull();
        expect(await store.listIdentities(doc.id)).toEqual([]);
        expect(await store.findIdentity('msteams:luis')).not.toBeNull();
      });

      it('gives a link code once, only before it expires; two concurrent takes: one gets it', async () => {
        const hash = (code: string) => createHash('sha256').update(code).digest('hex');
        const now = clock.now();
        const link = { codeHash: hash('LINK-AAAA-BBBB'), responseId: 'r1', participantId: 'inv-ana', createdAt: now, expiresAt: new Date(now.getTime() + 600_000) };
        expect(await store.createLinkCode(link)).toBe(true);
        expect(await store.createLinkCode({ ...link, responseId: 'r2' })).toBe(false);
        expect(await store.takeLinkCode(link.codeHash, now)).toEqual(link);
        expect(await store.takeLinkCode(link.codeHash, now)).toBeNull();

        const expiring = { ...link, codeHash: hash('LINK-CCCC-DDDD'), participantId: null };
        await store.createLinkCode(expiring);
        expect(await store.takeLinkCode(expiring.codeHash, new Date(now.getTime() + 600_000))).toBeNull();
        expect(await store.takeLinkCode(expiring.codeHash, now)).toBeNull(); // an expired code is gone for good

        const raced = { ...link, codeHash: hash('LINK-EEEE-FFFF') };
        await store.createLinkCode(raced);
        const takes = await Promise.all([store.takeLinkCode(raced.codeHash, now), store.takeLinkCode(raced.codeHash, now), store.takeLinkCode(raced.codeHash, now)]);
        expect(takes.filter(Boolean)).toHaveLength(1);
        await expect(store.createLinkCode({ ...link, codeHash: 'LINK-AAAA-BBBB' })).rejects.toThrow();
        for (const hostile of hostileStrings) expect(await store.takeLinkCode(hostile, now)).toBeNull();
      });

      it('round-trips an invitation’s lead and sections', async () => {
        const invitation = sampleInvitation({ lead: true, sections: ['A', 'C'] });
        expect(await store.createInvitation(invitation)).toBe(true);
        expect(await store.getInvitation(invitation.id)).toEqual(invitation);
      });
    });

    describe('invitations', () => {
      it('creates, finds by code hash and by id, and lists by createdAt then id', async () => {
        const later = sampleInvitation({ createdAt: at('2025-03-02T00:00:00Z'), country: { code: 'URY', name: 'Uruguay' } });
        const first = sampleInvitation({ id: 'b-invitation' });
        const tie = sampleInvitation({ id: 'a-invitation' });
        const bare = sampleInvitation({ createdAt: at('2025-03-03T00:00:00Z') });
        delete bare.email;
        for (const invitation of [later, first, tie, bare]) expect(await store.createInvitation(invitation)).toBe(true);

        expect(await store.findInvitationByHash(first.codeHash)).toEqual(first);
        expect(await store.getInvitation(later.id)).toEqual(later);
        expect(await store.getInvitation(bare.id)).toEqual(bare);
        expect(await store.findInvitationByHash('0'.repeat(64))).toBeNull();
        expect(await store.getInvitation(randomUUID())).toBeNull();
        expect((await store.listInvitations()).map((i) => i.id)).toEqual([tie.id, first.id, later.id, bare.id]);

        // Returned invitations are copies.
        const got = (await store.getInvitation(first.id))!;
        got.country.name = 'changed';
        got.expiresAt.setTime(0);
        expect(await store.getInvitation(first.id)).toEqual(first);
      });

      it('refuses a second invitation with the same id or the same code hash, writing nothing', async () => {
        const invitation = sampleInvitation();
        expect(await store.createInvitation(invitation)).toBe(true);
        expect(await store.createInvitation({ ...sampleInvitation(), codeHash: invitation.codeHash, country: { code: 'URY', name: 'Uruguay' } })).toBe(false);
        expect(await store.createInvitation({ ...sampleInvitation(), id: invitation.id })).toBe(false);
        expect(await store.listInvitations()).toEqual([invitation]);
      });

      it('rejects an invalid invitation and non-string keys', async () => {
        await expect(store.createInvitation({ ...sampleInvitation(), codeHash: 'MSQ-PLAIN-CODE' })).rejects.toThrow();
        await expect(store.createInvitation({ ...sampleInvitation(), expiresAt: 'tomorrow' as unknown as Date })).rejects.toThrow();
        await expect(store.findInvitationByHash({ $gt: '' } as unknown as string)).rejects.toThrow();
        await expect(store.getInvitation({ $ne: null } as unknown as string)).rejects.toThrow();
        expect(await store.listInvitations()).toEqual([]);
        for (const hostile of hostileStrings) expect(await store.findInvitationByHash(hostile)).toBeNull();
      });

      it('revokes once: the first revocation time is kept; unknown ids give null', async () => {
        const invitation = sampleInvitation();
        await store.createInvitation(invitation);
        const revoked = await store.revokeInvitation(invitation.id, at('2025-04-01T00:00:00Z'));
        expect(revoked).toEqual({ ...invitation, revokedAt: at('2025-04-01T00:00:00Z') });
        expect(await store.revokeInvitation(invitation.id, at('2025-05-01T00:00:00Z'))).toEqual(revoked);
        expect(await store.findInvitationByHash(invitation.codeHash)).toEqual(revoked);
        expect(await store.revokeInvitation(randomUUID(), new Date())).toBeNull();
      });

      it('is taken up by one respondent only, while unrevoked and unexpired', async () => {
        const invitation = sampleInvitation({ expiresAt: at('2025-06-01T00:00:00Z') });
        await store.createInvitation(invitation);
        const use = { respondentKey: 'msteams:aad-1', responseId: 'r1', at: at('2025-05-01T00:00:00Z') };
        expect(await store.markInvitationUsed(invitation.id, use)).toBe(true);
        expect((await store.getInvitation(invitation.id))!.usedBy).toEqual(use);
        // Another respondent cannot; the same one can again (e.g. after erasing their answers).
        expect(await store.markInvitationUsed(invitation.id, { ...use, respondentKey: 'directline:dl_other' })).toBe(false);
        const again = { ...use, responseId: 'r2', at: at('2025-05-02T00:00:00Z') };
        expect(await store.markInvitationUsed(invitation.id, again)).toBe(true);
        expect((await store.getInvitation(invitation.id))!.usedBy).toEqual(again);
        // Not after expiry, not once revoked, not for an unknown id.
        expect(await store.markInvitationUsed(invitation.id, { ...use, at: at('2025-06-01T00:00:00Z') })).toBe(false);
        const other = sampleInvitation();
        await store.createInvitation(other);
        await store.revokeInvitation(other.id, at('2025-05-01T00:00:00Z'));
        expect(await store.markInvitationUsed(other.id, use)).toBe(false);
        expect((await store.getInvitation(other.id))!.usedBy).toBeUndefined();
        expect(await store.markInvitationUsed(randomUUID(), use)).toBe(false);
      });

      it('lets exactly one of two respondents take up an invitation concurrently', async () => {
        const invitation = sampleInvitation();
        await store.createInvitation(invitation);
        const now = new Date();
        const results = await Promise.all(
          ['webchat:a', 'webchat:b', 'webchat:c'].map((respondentKey) => store.markInvitationUsed(invitation.id, { respondentKey, responseId: respondentKey, at: now })),
        );
        expect(results.filter(Boolean)).toHaveLength(1);
      });

      if (options.reopen) {
        const reopen = options.reopen;
        it('keeps invitations, revocations and uses when the instance is dropped without close and reopened', async () => {
          const a = sampleInvitation();
          const b = sampleInvitation({ createdAt: at('2025-03-02T00:00:00Z') });
          await store.createInvitation(a);
          await store.createInvitation(b);
          await store.revokeInvitation(a.id, at('2025-04-01T00:00:00Z'));
          const use = { respondentKey: 'webchat:x', responseId: 'r', at: at('2025-04-02T00:00:00Z') };
          expect(await store.markInvitationUsed(b.id, use)).toBe(true);
          const second = await open(() => reopen(store, clock));
          expect(await second.listInvitations()).toEqual([
            { ...a, revokedAt: at('2025-04-01T00:00:00Z') },
            { ...b, usedBy: use },
          ]);
          expect(await second.createInvitation({ ...sampleInvitation(), codeHash: b.codeHash })).toBe(false);
        });
      }
    });

    describe('previous rounds', () => {
      const round = (country: string, overrides: Partial<PreviousRoundDoc> = {}): PreviousRoundDoc => ({
        country,
        round: {
          country,
          edition: 'msq-2022',
          answers: [
            { itemId: 'q1', value: 'https://www.paraguay.gov.py', fit: 'keepable' },
            { itemId: 'q2.channels', value: ['web', 'mobile'], fit: 'keepable' },
          ],
          // Keys and values that are operators or paths elsewhere are only data here.
          hostile: Object.fromEntries(hostileStrings.map((h) => [h, h])),
        },
        importedAt: at('2026-01-15T09:30:00.250Z'),
        ...overrides,
      });

      it('keeps one previous round per country, a new import replacing the old, and returns copies', async () => {
        expect(await store.getPreviousRound('PRY')).toBeNull();
        const paraguay = round('PRY');
        const uruguay = round('URY', { round: { country: 'URY', answers: [] } });
        await store.savePreviousRounds([paraguay, uruguay]);
        expect(await store.getPreviousRound('PRY')).toEqual(paraguay);
        expect(await store.getPreviousRound('URY')).toEqual(uruguay);
        expect(await store.getPreviousRound('ARG')).toBeNull();

        const again = round('PRY', { round: { country: 'PRY', answers: [{ itemId: 'q1', value: 'https://www.gov.py' }] }, importedAt: at('2026-02-01T00:00:00Z') });
        await store.savePreviousRounds([again]);
        expect(await store.getPreviousRound('PRY')).toEqual(again);
        expect(await store.getPreviousRound('URY')).toEqual(uruguay);

        const got = (await store.getPreviousRound('PRY'))!;
        (got.round.answers as unknown[]).length = 0;
        got.importedAt.setTime(0);
        expect(await store.getPreviousRound('PRY')).toEqual(again);
      });

      it('refuses an invalid round before writing any of them; a country given twice keeps the last', async () => {
        await expect(store.savePreviousRounds([round('PRY'), round('paraguay')])).rejects.toThrow();
        await expect(store.savePreviousRounds([round('URY', { round: [] as unknown as Record<string, unknown> })])).rejects.toThrow();
        expect(await store.getPreviousRound('PRY')).toBeNull();
        expect(await store.getPreviousRound('URY')).toBeNull();
        const last = round('PRY', { importedAt: at('2026-03-01T00:00:00Z') });
        await store.savePreviousRounds([round('PRY'), last]);
        expect(await store.getPreviousRound('PRY')).toEqual(last);
        await store.savePreviousRounds([]);
        expect(await store.getPreviousRound('PRY')).toEqual(last);
      });

      it('finds nothing for a hostile country code', async () => {
        await store.savePreviousRounds([round('PRY')]);
        for (const hostile of hostileStrings) expect(await store.getPreviousRound(hostile)).toBeNull();
      });
    });

    describe('survey settings and reminders', () => {
      it('keeps the deadline and the reminder days; none until saved; a save replaces them', async () => {
        expect(await store.getSettings()).toBeNull();
        const first = { deadline: at('2026-12-31T23:59:59.999Z'), reminderDays: [14, 7, 2], updatedAt: at('2026-12-01T10:00:00Z') };
        await store.saveSettings(first);
        const got = (await store.getSettings())!;
        expect(got).toEqual(first);
        got.reminderDays.push(1);
        got.deadline!.setTime(0);
        expect(await store.getSettings()).toEqual(first);
        const none = { deadline: null, reminderDays: [], updatedAt: at('2026-12-02T10:00:00Z') };
        await store.saveSettings(none);
        expect(await store.getSettings()).toEqual(none);
        await expect(store.saveSettings({ deadline: null, reminderDays: [-1], updatedAt: new Date() })).rejects.toThrow();
        expect(await store.getSettings()).toEqual(none);
      });

      it('claims a reminder once per person and slot, and once per person and day', async () => {
        const claim = (respondentKey: string, slot: string, day: string) => store.claimReminder({ respondentKey, slot, day, at: at(`${day}T09:00:00Z`) });
        expect(await claim('msteams:ana', 'D/7', '2026-12-24')).toBe(true);
        expect(await claim('msteams:ana', 'D/7', '2026-12-24')).toBe(false);
        // The same slot the next day: already reminded.
        expect(await claim('msteams:ana', 'D/7', '2026-12-25')).toBe(false);
        // Another slot the same day: not twice in a day.
        expect(await claim('msteams:ana', 'D/2', '2026-12-24')).toBe(false);
        // The next slot on a later day; someone else on the same day and slot.
        expect(await claim('msteams:ana', 'D/2', '2026-12-29')).toBe(true);
        expect(await claim('msteams:carlos', 'D/7', '2026-12-24')).toBe(true);
        // A claim refused for its slot leaves its day free for another slot.
        expect(await claim('msteams:ana', 'D/7', '2026-12-30')).toBe(false);
        expect(await claim('msteams:ana', 'D/1', '2026-12-30')).toBe(true);
        for (const hostile of hostileStrings) expect(await claim(hostile, hostile, '2026-12-24')).toBe(true);
        for (const hostile of hostileStrings) expect(await claim(hostile, hostile, '2026-12-26')).toBe(false);
      });

      it('lets exactly one of 10 concurrent claims for one person win', async () => {
        const results = await Promise.all(Array.from({ length: 10 }, () => store.claimReminder({ respondentKey: 'msteams:race', slot: 'D/7', day: '2026-12-24', at: new Date() })));
        expect(results.filter(Boolean)).toHaveLength(1);
      });

      it('rejects a malformed claim', async () => {
        await expect(store.claimReminder({ respondentKey: { $gt: '' } as unknown as string, slot: 's', day: '2026-12-24', at: new Date() })).rejects.toThrow();
        await expect(store.claimReminder({ respondentKey: 'k', slot: 's', day: 'tomorrow', at: new Date() })).rejects.toThrow();
      });
    });

    describe('lifecycle', () => {
      it('refuses to serve once closed', async () => {
        await store.close();
        await expect(store.ping()).rejects.toThrow();
        await expect(store.getResponse('x')).rejects.toThrow();
      });

      if (options.reopen) {
        const reopen = options.reopen;
        it('keeps everything written when the instance is dropped without close and reopened', async () => {
          const doc = await insert(sampleResponse({ answers: [{ itemId: 'q4.cio.name', value: 'línea 1\nlínea 2' }] }));
          const v2 = await store.replaceResponse({ ...doc, deferred: ['q9'] }, 1);
          expect(v2.ok).toBe(true);
          const other = await insert(sampleResponse());
          expect(await store.eraseResponse(other.id, { channel: 'webchat', userId: 'u' }, new Date())).toBe(true);
          await store.appendEvents([sampleEvent(doc.id, 1), sampleEvent(doc.id, 2)]);
          const conv: ConversationDoc = { id: 'webchat:c', respondentKey: doc.respondentKey, reference: { a: 1 }, updatedAt: new Date() };
          await store.saveConversation(conv);
          expect(await store.claimActivity('act-1', 3600)).toEqual({ claimed: true, retried: false });
          const turnId = randomUUID();
          const committed = await store.commitTurn({
            turnId,
            response: sampleResponse({ id: 'turned', respondentKey: 'webchat:turned' }),
            expectedVersion: null,
            events: [sampleEvent('turned', 1)],
            activity: { key: 'act-2', ttlSeconds: 3600 },
          });
          expect(committed.ok).toBe(true);

          // No close(): the first instance is simply abandoned.
          const second = await open(() => reopen(store, clock));
          const stored = await second.getResponse(doc.id);
          expect(stored).toEqual(v2.ok ? v2.doc : null);
          expect(await second.findResponseByRespondent(doc.respondentKey)).toEqual(stored);
          expect(await second.getResponse(other.id)).toBeNull();
          expect((await second.listEvents(other.id)).map((e) => e.type)).toEqual(['erasure']);
          expect(await second.listEvents(doc.id)).toEqual([sampleEvent(doc.id, 1), sampleEvent(doc.id, 2)]);
          expect(await second.getConversation('webchat:c')).toEqual(conv);
          // A lease held by the abandoned instance may or may not outlive it (the embedded store keeps leases in its
          // process); an activity done with its turn is done.
          expect(await second.claimActivity('act-2', 3600)).toEqual({ claimed: false, state: 'done' });
          expect(await second.committedTurns('turned')).toEqual([{ turnId, activityKey: 'act-2', version: 1 }]);
          expect(await second.listEvents('turned')).toEqual([sampleEvent('turned', 1)]);
          // Unique index and CAS still hold after the restart.
          expect((await second.insertResponse(sampleResponse({ respondentKey: doc.respondentKey }))).ok).toBe(false);
          expect((await second.replaceResponse({ ...doc }, 1)).ok).toBe(false);
          const v3 = await second.replaceResponse({ ...doc, deferred: [] }, 2);
          expect(v3.ok && v3.doc.version).toBe(3);

          const third = await open(() => reopen(second, clock));
          expect((await third.getResponse(doc.id))?.version).toBe(3);
        });
      }
    });
  });
}
