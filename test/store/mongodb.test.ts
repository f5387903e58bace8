/** What the MongoDB adapter must do without a server: fail fast, never cache the failure; and the store choice. */
import { MongoClient } from 'mongodb';
import { createStore } from '../../src/store';
import { encodeResponse } from '../../src/store/codec';
import { testDbName, testMongoUri } from '../fixtures/mongo';
import { sampleEvent, sampleResponse } from './contract';
import { createMongoStore, dbNameFromUri } from '../../src/store/mongodb';

describe('MongoDB store without a reachable server', () => {
  it('fails fast instead of hanging a turn, and tries again on the next call', async () => {
    const store = createMongoStore({ uri: 'mongodb://127.0.0.1:9/msq_unreachable', serverSelectionTimeoutMS: 300 });
    try {
      for (const call of [() => store.init(), () => store.ping(), () => store.getResponse('x'), () => store.claimActivity('k', 60)]) {
        const started = Date.now();
        await expect(call()).rejects.toThrow();
        expect(Date.now() - started).toBeLessThan(5000);
      }
    } finally {
      await store.close();
    }
    await expect(store.ping()).rejects.toThrow(/closed/);
  });

  it('rejects crafted (non-string) keys before any I/O', async () => {
    const store = createMongoStore({ uri: 'mongodb://127.0.0.1:9', serverSelectionTimeoutMS: 300 });
    try {
      await expect(store.findResponseByRespondent({ $gt: '' } as unknown as string)).rejects.toThrow(TypeError);
      await expect(store.listResponses({ countryCode: { $ne: null } as unknown as string })).rejects.toThrow(TypeError);
    } finally {
      await store.close();
    }
  });
});

describe('dbNameFromUri', () => {
  it.each([
    ['mongodb://localhost:27017/msq', 'msq'],
    ['mongodb://user:p%40ss@h1:27017,h2:27017/survey?replicaSet=rs0&w=majority', 'survey'],
    ['mongodb+srv://user:pw@cluster0.example.net/un_msq?retryWrites=true', 'un_msq'],
    ['mongodb://localhost:27017/', undefined],
    ['mongodb://localhost:27017', undefined],
    ['mongodb://localhost:27017/?replicaSet=rs0', undefined],
  ])('%s → %s', (uri, name) => {
    expect(dbNameFromUri(uri)).toBe(name);
  });
});

describe('createStore', () => {
  it('picks MongoDB when a URI is given, without connecting yet', async () => {
    const store = createStore({ mongodbUri: 'mongodb://127.0.0.1:9/msq', dataDir: '/nonexistent' });
    expect(store.kind).toBe('mongodb');
    await store.close();
  });

  it('picks the embedded store otherwise', async () => {
    for (const mongodbUri of [undefined, '', '  ']) {
      const store = createStore({ mongodbUri, dataDir: null });
      expect(store.kind).toBe('embedded');
      await store.init();
      await store.close();
    }
  });
});

/**
 * On a live MongoDB-protocol server: what the version records (src/store/mongodb.ts) guarantee beyond the contract —
 * a write that stopped between its commit and the copy listings read is still read, and listed, in full.
 */
describe('MongoDB store on a live server: a commit whose listing copy was not written', () => {
  const dbName = testDbName('versions');
  let uri: string;
  let admin: MongoClient;

  beforeAll(() => {
    uri = testMongoUri();
    admin = new MongoClient(uri, { serverSelectionTimeoutMS: 5000 });
  });
  afterAll(async () => {
    await admin?.db(dbName).dropDatabase();
    await admin?.close();
  });

  it('reads, lists and builds on the committed version', async () => {
    const store = createMongoStore({ uri, dbName });
    try {
      const doc = sampleResponse({ status: 'in_progress', answers: [] });
      expect((await store.insertResponse(doc)).ok).toBe(true);
      // The process stopped right after inserting version 2's record: `responses` still holds version 1.
      const v2 = { ...encodeResponse({ ...doc, status: 'submitted', answers: [{ itemId: 'q1', value: 'portal' }] }, 2) };
      const { _id, ...next } = v2;
      await admin.db(dbName).collection('response_versions').insertOne({ _id: `${_id}:2`, responseId: _id, version: 2, doc: next, copied: false, at: new Date() } as never);

      expect((await store.getResponse(doc.id))?.version).toBe(2);
      expect((await store.findResponseByRespondent(doc.respondentKey))?.answers).toEqual([{ itemId: 'q1', value: 'portal' }]);
      expect((await store.listResponses({ status: 'submitted' })).map((r) => r.id)).toEqual([doc.id]);
      expect(await store.listResponses({ status: 'in_progress' })).toEqual([]);
      // A writer that read version 1 cannot commit over it; one that read version 2 can.
      expect((await store.replaceResponse({ ...doc, deferred: ['x'] }, 1)).ok).toBe(false);
      expect((await store.replaceResponse({ ...doc, deferred: ['y'] }, 2)).ok).toBe(true);
      expect((await admin.db(dbName).collection('responses').findOne({ _id: doc.id } as never))?.version).toBe(3);
    } finally {
      await store.close();
    }
  });
});

/**
 * On a live MongoDB-protocol server: a turn's commit point carries its events and its activity (src/store/mongodb.ts),
 * so what happens after it — the copy to answer_events, the activity's done marker — may fail without losing either.
 */
describe('MongoDB store on a live server: what follows a commit may fail', () => {
  const dbName = testDbName('turns');
  let uri: string;
  let admin: MongoClient;

  beforeAll(() => {
    uri = testMongoUri();
    admin = new MongoClient(uri, { serverSelectionTimeoutMS: 5000 });
  });
  afterAll(async () => {
    await admin?.db(dbName).dropDatabase();
    await admin?.close();
  });

  it('events whose copy did not happen are listed from the response, copied by the next commit, and kept by an erasure', async () => {
    const store = createMongoStore({ uri, dbName });
    const raw = admin.db(dbName);
    try {
      const doc = sampleResponse();
      const first = [sampleEvent(doc.id, 0, { id: `${doc.id}:1:0` })];
      expect((await store.commitTurn({ turnId: 't1', response: doc, expectedVersion: null, events: first })).ok).toBe(true);
      // The copy of version 1's events "failed": they are only on the response.
      await raw.collection('answer_events').deleteMany({ responseId: doc.id } as never);
      await raw.collection('responses').updateOne({ _id: doc.id } as never, { $set: { pending: first.map(({ id, ...e }) => ({ _id: id, ...e })) } });
      expect(await store.listEvents(doc.id)).toEqual(first);

      const second = [sampleEvent(doc.id, 1, { id: `${doc.id}:2:0` })];
      expect((await store.commitTurn({ turnId: 't2', response: { ...doc, deferred: [] }, expectedVersion: 1, events: second })).ok).toBe(true);
      expect((await raw.collection('answer_events').find({ responseId: doc.id } as never).toArray()).map((e) => e._id).sort()).toEqual([`${doc.id}:1:0`, `${doc.id}:2:0`]);

      // Version 3's copy "fails" too; the erasure keeps its (redacted) event.
      const third = [sampleEvent(doc.id, 2, { id: `${doc.id}:3:0` })];
      expect((await store.commitTurn({ turnId: 't3', response: { ...doc, deferred: ['z'] }, expectedVersion: 2, events: third })).ok).toBe(true);
      await raw.collection('answer_events').deleteOne({ _id: `${doc.id}:3:0` } as never);
      await raw.collection('response_versions').updateOne({ _id: `${doc.id}:3` } as never, { $set: { copied: false } });
      expect((await store.listEvents(doc.id)).map((e) => e.id)).toEqual([`${doc.id}:1:0`, `${doc.id}:2:0`, `${doc.id}:3:0`]);
      expect(await store.eraseResponse(doc.id, { channel: 'webchat', userId: 'u' }, new Date())).toBe(true);
      const after = await store.listEvents(doc.id);
      expect(after.map((e) => [e.id, e.newValue])).toEqual([
        [`${doc.id}:1:0`, null],
        [`${doc.id}:2:0`, null],
        [`${doc.id}:3:0`, null],
        [`${doc.id}:erasure`, null],
      ]);
    } finally {
      await store.close();
    }
  });

  it('an activity whose done marker was not written: once its lease runs out the retry is flagged, and the turn is found among the committed ones', async () => {
    let time = Date.now();
    const store = createMongoStore({ uri, dbName, now: () => new Date(time) });
    try {
      const doc = sampleResponse();
      expect(await store.claimActivity('retry-me', 30)).toEqual({ claimed: true, retried: false });
      expect((await store.commitTurn({ turnId: 'stored-turn', response: doc, expectedVersion: null, events: [], activity: { key: 'retry-me', ttlSeconds: 3600 } })).ok).toBe(true);
      // The done marker "failed": the claim is still the lease.
      await admin.db(dbName).collection('processed_activities').updateOne({ _id: 'retry-me' } as never, { $set: { state: 'in_progress', expiresAt: new Date(time + 30_000) } });
      expect(await store.claimActivity('retry-me', 30)).toEqual({ claimed: false, state: 'in_progress' });
      time += 31_000;
      expect(await store.claimActivity('retry-me', 30)).toEqual({ claimed: true, retried: true });
      expect(await store.committedTurns(doc.id)).toEqual([{ turnId: 'stored-turn', activityKey: 'retry-me', version: 1 }]);
    } finally {
      await store.close();
    }
  });
});
