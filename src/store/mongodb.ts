/**
 * The MongoDB store, on the official driver. Writes are acknowledged by a majority; an unreachable database
 * fails an operation after `serverSelectionTimeoutMS` instead of hanging a turn, and the driver reconnects by
 * itself once the database is back (no failed state is cached here). User data is only ever stored as values:
 * filters and update documents use fixed field names, and answers are a list of {itemId, value}.
 */
import { MongoBulkWriteError, MongoClient, MongoServerError, type Collection, type Filter } from 'mongodb';
import {
  activityRecord,
  assertKey,
  assertVersion,
  byAtThenId,
  byCreatedThenId,
  collectionNames,
  decodeClaim,
  decodeConversation,
  decodeEvent,
  decodeInvitation,
  decodeResponse,
  encodeConversation,
  encodeEvent,
  encodeInvitation,
  encodeResponse,
  erasureEvent,
  invitationsByCreatedThenId,
  type ActivityRecord,
  type ConversationRecord,
  type EventRecord,
  type InvitationRecord,
  type ResponseRecord,
} from './codec';
import { invitationUseSchema, type ResponseFilter, type Store, type WriteResult } from './port';

/** Options of the MongoDB store. */
export interface MongoStoreOptions {
  /** A mongodb:// or mongodb+srv:// connection string. */
  uri: string;
  /** The database; default: the one in the URI path, else "msq". */
  dbName?: string;
  /** How long an operation waits for a usable server before failing (ms). Default 5000. */
  serverSelectionTimeoutMS?: number;
}

/** The database named in a connection string's path, if any. */
export function dbNameFromUri(uri: string): string | undefined {
  const rest = uri.replace(/^mongodb(\+srv)?:\/\//i, '');
  const slash = rest.indexOf('/');
  if (slash === -1) return undefined;
  const path = rest.slice(slash + 1).split('?')[0] ?? '';
  const name = decodeURIComponent(path);
  return name === '' ? undefined : name;
}

const DUPLICATE_KEY = 11000;

/** True for a duplicate-key error (a unique index or `_id` already holds the value). */
const isDuplicateKey = (e: unknown) => e instanceof MongoServerError && e.code === DUPLICATE_KEY;

/** True when a bulk insert failed only because some documents already existed (and the write concern held). */
function onlyDuplicates(e: unknown): boolean {
  if (!(e instanceof MongoBulkWriteError)) return isDuplicateKey(e);
  if (e.result?.getWriteConcernError()) return false;
  const errors = Array.isArray(e.writeErrors) ? e.writeErrors : [e.writeErrors];
  return errors.length > 0 && errors.every((w) => w.code === DUPLICATE_KEY);
}

/** Creates the MongoDB store (no I/O until init() or the first operation). */
export function createMongoStore({ uri, dbName, serverSelectionTimeoutMS = 5000 }: MongoStoreOptions): Store {
  const client = new MongoClient(uri, {
    writeConcern: { w: 'majority' },
    serverSelectionTimeoutMS,
    ignoreUndefined: true,
    appName: 'msq-bot',
  });
  const db = client.db(dbName ?? dbNameFromUri(uri) ?? 'msq');
  const responses: Collection<ResponseRecord> = db.collection<ResponseRecord>(collectionNames.responses);
  const events: Collection<EventRecord> = db.collection<EventRecord>(collectionNames.events);
  const conversations: Collection<ConversationRecord> = db.collection<ConversationRecord>(collectionNames.conversations);
  const activities: Collection<ActivityRecord> = db.collection<ActivityRecord>(collectionNames.activities);
  const invitations: Collection<InvitationRecord> = db.collection<InvitationRecord>(collectionNames.invitations);

  let initialised: Promise<void> | null = null;
  let closed = false;

  async function setUp(): Promise<void> {
    await client.connect();
    // One createIndexes per collection, one collection at a time: concurrent implicit creation of the same
    // collection can fail on some server versions. Creating an existing identical index is a no-op.
    await responses.createIndexes([
      { key: { respondentKey: 1 }, name: 'respondentKey_unique', unique: true },
      { key: { 'country.code': 1, status: 1 }, name: 'country_status' },
      { key: { createdAt: 1 }, name: 'createdAt' },
    ]);
    await events.createIndexes([{ key: { responseId: 1, at: 1 }, name: 'responseId_at' }]);
    await conversations.createIndexes([{ key: { respondentKey: 1 }, name: 'respondentKey' }]);
    await activities.createIndexes([{ key: { expiresAt: 1 }, name: 'expiresAt_ttl', expireAfterSeconds: 0 }]);
    await invitations.createIndexes([
      { key: { codeHash: 1 }, name: 'codeHash_unique', unique: true },
      { key: { createdAt: 1 }, name: 'createdAt' },
    ]);
  }

  function ready(): Promise<void> {
    if (closed) return Promise.reject(new Error('The store is closed.'));
    initialised ??= setUp().catch((e: unknown) => {
      initialised = null; // the next call retries
      throw e;
    });
    return initialised;
  }

  async function redactEvents(responseId: string): Promise<void> {
    await events.updateMany(
      { responseId, type: 'answer' },
      { $set: { oldValue: null, newValue: null, redacted: true }, $unset: { 'who.name': '' } },
    );
  }

  const store: Store = {
    kind: 'mongodb',

    init: ready,

    async findResponseByRespondent(respondentKey) {
      assertKey(respondentKey, 'respondentKey');
      await ready();
      const rec = await responses.findOne({ respondentKey });
      return rec ? decodeResponse(rec) : null;
    },

    async getResponse(id) {
      assertKey(id, 'id');
      await ready();
      const rec = await responses.findOne({ _id: id });
      return rec ? decodeResponse(rec) : null;
    },

    async listResponses(filter: ResponseFilter = {}) {
      const query: Filter<ResponseRecord> = {};
      if (filter.status !== undefined) {
        assertKey(filter.status, 'status');
        query.status = filter.status;
      }
      if (filter.countryCode !== undefined) {
        assertKey(filter.countryCode, 'countryCode');
        query['country.code'] = filter.countryCode;
      }
      if (filter.answeredItemId !== undefined) {
        assertKey(filter.answeredItemId, 'answeredItemId');
        query.answers = { $elemMatch: { itemId: filter.answeredItemId } };
      }
      await ready();
      const recs = await responses.find(query).sort({ createdAt: 1, _id: 1 }).toArray();
      return recs.map(decodeResponse).sort(byCreatedThenId);
    },

    async insertResponse(doc): Promise<WriteResult> {
      if (doc.version !== 1) throw new TypeError('A new response must have version 1.');
      const rec = encodeResponse(doc, 1);
      await ready();
      try {
        await responses.insertOne({ ...rec });
      } catch (e) {
        if (isDuplicateKey(e)) return { ok: false, reason: 'conflict' };
        throw e;
      }
      return { ok: true, doc: decodeResponse(rec) };
    },

    async replaceResponse(doc, expectedVersion): Promise<WriteResult> {
      assertVersion(expectedVersion);
      const { _id, ...replacement } = encodeResponse(doc, expectedVersion + 1);
      await ready();
      try {
        const result = await responses.replaceOne({ _id, version: expectedVersion }, replacement);
        if (result.matchedCount === 0) return { ok: false, reason: 'conflict' };
      } catch (e) {
        if (isDuplicateKey(e)) return { ok: false, reason: 'conflict' }; // the new respondentKey is taken
        throw e;
      }
      return { ok: true, doc: decodeResponse({ _id, ...replacement }) };
    },

    async appendEvents(list) {
      const recs = list.map(encodeEvent);
      if (recs.length === 0) return;
      await ready();
      try {
        await events.insertMany(recs, { ordered: false });
      } catch (e) {
        if (!onlyDuplicates(e)) throw e;
      }
    },

    async listEvents(responseId) {
      assertKey(responseId, 'responseId');
      await ready();
      const recs = await events.find({ responseId }).sort({ at: 1, _id: 1 }).toArray();
      return recs.map(decodeEvent).sort(byAtThenId);
    },

    async eraseResponse(id, who, at) {
      assertKey(id, 'id');
      const erasure = encodeEvent(erasureEvent(id, who, at));
      await ready();
      const rec = await responses.findOne({ _id: id }, { projection: { respondentKey: 1 } });
      if (!rec) return false;
      // The response goes last, so a retry after a crash finds it and redoes every (idempotent) step.
      await redactEvents(id);
      await conversations.deleteMany({ respondentKey: rec.respondentKey });
      try {
        await events.insertOne(erasure);
      } catch (e) {
        if (!isDuplicateKey(e)) throw e;
      }
      const { deletedCount } = await responses.deleteOne({ _id: id });
      await redactEvents(id); // events appended meanwhile by a turn in flight
      return deletedCount > 0;
    },

    async saveConversation(doc) {
      const { _id, ...rest } = encodeConversation(doc);
      await ready();
      for (let attempt = 0; ; attempt++) {
        try {
          await conversations.replaceOne({ _id }, rest, { upsert: true });
          return;
        } catch (e) {
          // Two concurrent upserts of a new id: one inserts, the other gets a duplicate key and replaces.
          if (!isDuplicateKey(e) || attempt >= 2) throw e;
        }
      }
    },

    async getConversation(id) {
      assertKey(id, 'id');
      await ready();
      const rec = await conversations.findOne({ _id: id });
      return rec ? decodeConversation(rec) : null;
    },

    async claimActivity(key, ttlSeconds) {
      assertKey(key, 'key');
      const now = new Date();
      const rec = activityRecord(key, ttlSeconds, now);
      await ready();
      // The TTL monitor runs about once a minute: an expired claim is removed here so it can be claimed again.
      await activities.deleteOne({ _id: key, expiresAt: { $lte: now } });
      try {
        await activities.insertOne(rec);
        return true;
      } catch (e) {
        if (isDuplicateKey(e)) return false;
        throw e;
      }
    },

    async getActivityClaim(key) {
      assertKey(key, 'key');
      await ready();
      return decodeClaim(await activities.findOne({ _id: key }), new Date());
    },

    async releaseActivity(key) {
      assertKey(key, 'key');
      await ready();
      await activities.deleteOne({ _id: key });
    },

    async createInvitation(invitation) {
      const rec = encodeInvitation(invitation);
      await ready();
      try {
        await invitations.insertOne({ ...rec });
        return true;
      } catch (e) {
        if (isDuplicateKey(e)) return false;
        throw e;
      }
    },

    async findInvitationByHash(codeHash) {
      assertKey(codeHash, 'codeHash');
      await ready();
      const rec = await invitations.findOne({ codeHash });
      return rec ? decodeInvitation(rec) : null;
    },

    async getInvitation(id) {
      assertKey(id, 'id');
      await ready();
      const rec = await invitations.findOne({ _id: id });
      return rec ? decodeInvitation(rec) : null;
    },

    async listInvitations() {
      await ready();
      const recs = await invitations.find({}).sort({ createdAt: 1, _id: 1 }).toArray();
      return recs.map(decodeInvitation).sort(invitationsByCreatedThenId);
    },

    async revokeInvitation(id, at) {
      assertKey(id, 'id');
      if (!(at instanceof Date)) throw new TypeError('at must be a Date');
      await ready();
      await invitations.updateOne({ _id: id, revokedAt: { $exists: false } }, { $set: { revokedAt: new Date(at.getTime()) } });
      const rec = await invitations.findOne({ _id: id });
      return rec ? decodeInvitation(rec) : null;
    },

    async markInvitationUsed(id, use) {
      assertKey(id, 'id');
      const usedBy = invitationUseSchema.parse(use);
      await ready();
      const result = await invitations.updateOne(
        {
          _id: id,
          revokedAt: { $exists: false },
          expiresAt: { $gt: usedBy.at },
          $or: [{ usedBy: { $exists: false } }, { 'usedBy.respondentKey': usedBy.respondentKey }],
        },
        { $set: { usedBy: { respondentKey: usedBy.respondentKey, responseId: usedBy.responseId, at: usedBy.at } } },
      );
      return result.matchedCount > 0;
    },

    async ping() {
      await ready();
      await db.command({ ping: 1 });
    },

    async close() {
      if (closed) return;
      closed = true;
      await client.close();
    },
  };
  return store;
}
