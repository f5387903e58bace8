/**
 * The MongoDB store, on the official driver. Writes are acknowledged by a majority; an unreachable database
 * fails an operation after `serverSelectionTimeoutMS` instead of hanging a turn, and the driver reconnects by
 * itself once the database is back (no failed state is cached here). User data is only ever stored as values:
 * filters and update documents use fixed field names, and answers are a list of {itemId, value}.
 *
 * One turn, one write, without transactions (a standalone server or FerretDB has none): the response document
 * carries the turn's audit events (`pending`) and the ids of its recent turns with their activity keys (`turns`),
 * and is written by one compare-and-swap. The events are then copied to `answer_events` (idempotent by event id)
 * and removed from `pending`; a copy that fails is redone by the next write of the response or by an erasure, and
 * listEvents merges what is still pending meanwhile — so a stored change always has its event. The activity's
 * "done" marker is written after the response (best effort): the response's `turns` is what a retry of the
 * activity is checked against (see Store.claimActivity's `retried`).
 */
import { MongoBulkWriteError, MongoClient, MongoServerError, type Collection, type Filter } from 'mongodb';
import {
  activityRecord,
  assertKey,
  assertTtl,
  assertVersion,
  byAtThenId,
  byCreatedThenId,
  checkCommit,
  claimState,
  collectionNames,
  decodeClaim,
  decodeConversation,
  decodeEvent,
  decodeInvitation,
  decodeResponse,
  decodeTurns,
  encodeConversation,
  encodeEvent,
  encodeInvitation,
  encodeResponse,
  erasureEvent,
  erasureEventId,
  invitationsByCreatedThenId,
  isLive,
  turnRecord,
  type ActivityRecord,
  type ConversationRecord,
  type EventRecord,
  type InvitationRecord,
  type ResponseRecord,
  type StoreLogger,
} from './codec';
import { RECENT_TURNS, invitationUseSchema, type ResponseFilter, type Store, type TurnCommit, type WriteResult } from './port';

/** Options of the MongoDB store. */
export interface MongoStoreOptions {
  /** A mongodb:// or mongodb+srv:// connection string. */
  uri: string;
  /** The database; default: the one in the URI path, else "msq". */
  dbName?: string;
  /** How long an operation waits for a usable server before failing (ms). Default 5000. */
  serverSelectionTimeoutMS?: number;
  /** The clock of leases and expiries (tests move it); default the system's. */
  now?: () => Date;
  /** Where problems the store handles by itself are reported (an event copy that failed and will be redone). */
  logger?: StoreLogger;
}

/** A response document in MongoDB: the record, its recent turns, and the events not yet copied to answer_events. */
type ResponseDocument = ResponseRecord & { pending?: EventRecord[] };

/** What a read of a response leaves out (the store's own bookkeeping). */
const RESPONSE_ONLY = { projection: { pending: 0, turns: 0 } } as const;

const silent: StoreLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

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
export function createMongoStore({ uri, dbName, serverSelectionTimeoutMS = 5000, now = () => new Date(), logger = silent }: MongoStoreOptions): Store {
  const client = new MongoClient(uri, {
    writeConcern: { w: 'majority' },
    serverSelectionTimeoutMS,
    ignoreUndefined: true,
    appName: 'msq-bot',
  });
  const db = client.db(dbName ?? dbNameFromUri(uri) ?? 'msq');
  const responses: Collection<ResponseDocument> = db.collection<ResponseDocument>(collectionNames.responses);
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
    // Claims are deleted a day after they were made (purgeAt), not when their lease runs out: a lease that ran
    // out must still be seen by the channel's retry (ClaimResult.retried). Earlier versions had a TTL on expiresAt.
    await activities.dropIndex('expiresAt_ttl').catch(() => undefined);
    await activities.createIndexes([{ key: { purgeAt: 1 }, name: 'purgeAt_ttl', expireAfterSeconds: 0 }]);
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

  /** Inserts events; those already there stay as they are (idempotent by event id). */
  async function insertEvents(list: EventRecord[]): Promise<void> {
    if (list.length === 0) return;
    try {
      await events.insertMany(
        list.map((e) => ({ ...e })),
        { ordered: false },
      );
    } catch (e) {
      if (!onlyDuplicates(e)) throw e;
    }
  }

  /** Copies a response's pending events to answer_events, then takes them off the response. */
  async function flush(responseId: string, pending: EventRecord[]): Promise<void> {
    if (pending.length === 0) return;
    await insertEvents(pending);
    await responses.updateOne({ _id: responseId }, { $pull: { pending: { _id: { $in: pending.map((e) => e._id) } } } });
  }

  /** Marks an activity done, remembered for ttlSeconds. */
  async function complete(key: string, ttlSeconds: number): Promise<void> {
    const { _id, claimedAt, ...rest } = activityRecord(key, 'done', ttlSeconds, now());
    await activities.updateOne({ _id }, { $set: rest, $setOnInsert: { claimedAt } }, { upsert: true });
  }

  /** What follows a stored commit; a failure is logged, never reported as the turn's (the turn is stored). */
  async function afterCommit(responseId: string, pending: EventRecord[], commit: TurnCommit): Promise<void> {
    await Promise.all([
      flush(responseId, pending).catch((error: unknown) =>
        logger.warn({ err: error, response: responseId }, 'mongodb store: events not copied to answer_events yet (kept on the response, copied later)'),
      ),
      commit.activity
        ? complete(commit.activity.key, commit.activity.ttlSeconds).catch((error: unknown) =>
            logger.warn({ err: error }, 'mongodb store: could not mark an activity done (its turn is stored)'),
          )
        : undefined,
    ]);
  }

  async function commit(c: TurnCommit): Promise<WriteResult> {
    checkCommit(c);
    const version = c.expectedVersion === null ? 1 : c.expectedVersion + 1;
    const rec = encodeResponse(c.response, version);
    const pendingNow = c.events.map(encodeEvent);
    const turn = turnRecord(c, version);
    await ready();
    let pending: EventRecord[];
    try {
      if (c.expectedVersion === null) {
        await responses.insertOne({ ...rec, turns: [turn], pending: pendingNow });
        pending = pendingNow;
      } else {
        const { _id, ...fields } = rec;
        const after = await responses.findOneAndUpdate(
          { _id, version: c.expectedVersion },
          { $set: fields, $push: { turns: { $each: [turn], $slice: -RECENT_TURNS }, pending: { $each: pendingNow } } },
          { returnDocument: 'after', projection: { pending: 1 } },
        );
        if (!after) return { ok: false, reason: 'conflict' };
        pending = after.pending ?? pendingNow; // with any an earlier copy left behind
      }
    } catch (e) {
      if (isDuplicateKey(e)) return { ok: false, reason: 'conflict' }; // the respondentKey (or id) is taken
      throw e;
    }
    await afterCommit(rec._id, pending, c);
    return { ok: true, doc: decodeResponse(rec) };
  }

  const store: Store = {
    kind: 'mongodb',

    init: ready,

    async findResponseByRespondent(respondentKey) {
      assertKey(respondentKey, 'respondentKey');
      await ready();
      const rec = await responses.findOne({ respondentKey }, RESPONSE_ONLY);
      return rec ? decodeResponse(rec) : null;
    },

    async getResponse(id) {
      assertKey(id, 'id');
      await ready();
      const rec = await responses.findOne({ _id: id }, RESPONSE_ONLY);
      return rec ? decodeResponse(rec) : null;
    },

    async listResponses(filter: ResponseFilter = {}) {
      // Only responses with an answer, or submitted (see Store): never one that a greeting alone left.
      const query: Filter<ResponseDocument> = { $or: [{ 'answers.0': { $exists: true } }, { status: 'submitted' }] };
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
      const recs = await responses.find(query, RESPONSE_ONLY).sort({ createdAt: 1, _id: 1 }).toArray();
      return recs.map(decodeResponse).sort(byCreatedThenId);
    },

    commitTurn: commit,

    async committedTurns(responseId) {
      assertKey(responseId, 'responseId');
      await ready();
      return decodeTurns(await responses.findOne({ _id: responseId }, { projection: { turns: 1 } }));
    },

    async insertResponse(doc) {
      if (doc.version !== 1) throw new TypeError('A new response must have version 1.');
      return commit({ turnId: `insert:${doc.id}`, response: doc, expectedVersion: null, events: [] });
    },

    async replaceResponse(doc, expectedVersion) {
      assertVersion(expectedVersion);
      return commit({ turnId: `replace:${doc.id}:${expectedVersion + 1}`, response: doc, expectedVersion, events: [] });
    },

    async appendEvents(list) {
      const recs = list.map(encodeEvent);
      if (recs.length === 0) return;
      await ready();
      await insertEvents(recs);
      // An event of a response erased meanwhile (a turn in flight) is kept without its content.
      for (const responseId of new Set(recs.map((r) => r.responseId))) {
        if (await events.findOne({ _id: erasureEventId(responseId) }, { projection: { _id: 1 } })) await redactEvents(responseId);
      }
    },

    async listEvents(responseId) {
      assertKey(responseId, 'responseId');
      await ready();
      const [stored, response] = await Promise.all([
        events.find({ responseId }).toArray(),
        responses.findOne({ _id: responseId }, { projection: { pending: 1 } }),
      ]);
      // The events of the last turns whose copy failed are still on the response: theirs too.
      const byId = new Map(stored.map((e) => [e._id, e]));
      for (const e of response?.pending ?? []) if (!byId.has(e._id)) byId.set(e._id, e);
      return [...byId.values()].map(decodeEvent).sort(byAtThenId);
    },

    async eraseResponse(id, who, at) {
      assertKey(id, 'id');
      const erasure = encodeEvent(erasureEvent(id, who, at));
      await ready();
      // Every step is idempotent and the response goes last, and only if no turn wrote it meanwhile: a retry after
      // a failure finds it and redoes them all.
      for (let attempt = 0; attempt < 10; attempt++) {
        const rec = await responses.findOne({ _id: id }, { projection: { respondentKey: 1, version: 1, pending: 1 } });
        if (!rec) return false;
        await insertEvents(rec.pending ?? []); // the events of turns whose copy failed: their changes happened
        await redactEvents(id);
        await conversations.deleteMany({ respondentKey: rec.respondentKey });
        try {
          await events.insertOne({ ...erasure });
        } catch (e) {
          if (!isDuplicateKey(e)) throw e;
        }
        const { deletedCount } = await responses.deleteOne({ _id: id, version: rec.version });
        if (deletedCount === 0) continue; // a turn wrote the response meanwhile: take its events too
        await redactEvents(id); // events copied meanwhile by a turn in flight
        return true;
      }
      throw new Error(`could not erase response ${id}: it kept changing`);
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

    async claimActivity(key, leaseSeconds) {
      assertKey(key, 'key');
      assertTtl(leaseSeconds);
      await ready();
      for (let attempt = 0; ; attempt++) {
        const at = now();
        // A claim that ran out is taken off here (the TTL index removes records only a day after their claim).
        const lapsed = await activities.findOneAndDelete({ _id: key, expiresAt: { $lte: at } });
        try {
          await activities.insertOne(activityRecord(key, 'in_progress', leaseSeconds, at));
          return { claimed: true, retried: !!lapsed && claimState(lapsed) === 'in_progress' };
        } catch (e) {
          if (!isDuplicateKey(e)) throw e;
        }
        const current = await activities.findOne({ _id: key });
        if (isLive(current, at) || attempt >= 2) return { claimed: false, state: current ? claimState(current) : 'in_progress' };
      }
    },

    async completeActivity(key, ttlSeconds) {
      assertKey(key, 'key');
      assertTtl(ttlSeconds);
      await ready();
      await complete(key, ttlSeconds);
    },

    async getActivityClaim(key) {
      assertKey(key, 'key');
      await ready();
      return decodeClaim(await activities.findOne({ _id: key }), now());
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
