/**
 * The MongoDB store, on the official driver. Writes are acknowledged by a majority; an unreachable database
 * fails an operation after `serverSelectionTimeoutMS` instead of hanging a turn, and the driver reconnects by
 * itself once the database is back (no failed state is cached here). User data is only ever stored as values:
 * filters and update documents use fixed field names, and answers are a list of {itemId, value}.
 *
 * Atomicity rests on one thing only: an insert with an `_id` that exists fails (duplicate key). Conditional updates
 * (`replaceOne({ _id, version })`) are not enough on every MongoDB-protocol server — on FerretDB 1.24 several
 * concurrent conditional updates of one document can all match (measured: 2 to 8 "winners" of 10), as its update
 * reads the matching documents, then writes them by id — so:
 * - compare-and-swap: version v+1 of a response is committed by inserting the version record `<id>:<v+1>` with the
 *   new document into `response_versions`; only one writer can insert it. A response is read as its latest version
 *   record (or its `responses` document while it has none: version 1). The `responses` document is the copy that
 *   listings query (status, country, answered items); it is brought up to the latest version after every commit,
 *   and checked again afterwards, so that a late write of an older copy is repaired by whoever wrote it. Older
 *   version records keep only their id and version: they are what refuses a second writer of their version.
 * - taking up an invitation inserts `invitation_uses/<invitation id>`: one respondent only.
 * A response exists while its `responses` document does (erasure deletes it, and every version record).
 *
 * One turn, one outcome, without transactions (a standalone server or FerretDB has none): the commit point of a
 * turn — the insert of the new response (version 1) or of its version record — carries the turn's audit events
 * (`pending`) and the turn's id and activity key among the response's recent `turns`. The events are then copied
 * to `answer_events` (idempotent by event id); a copy that did not happen is done by the next writer of the
 * response before it commits, by a listing, or by an erasure, and listEvents merges the latest pending events
 * meanwhile — so every stored change has its event. The activity's "done" marker is written after the commit
 * (best effort): the response's `turns` is what a retry of the activity is checked against (ClaimResult.retried).
 */
import { MongoBulkWriteError, MongoClient, MongoServerError, type Collection, type Document, type Filter, type IndexDescription } from 'mongodb';
import {
  activityRecord,
  assertKey,
  assertTtl,
  assertVersion,
  byAtThenId,
  byCreatedThenId,
  canTakeUp,
  checkCommit,
  claimState,
  collectionNames,
  decodeClaim,
  decodeConversation,
  decodeEvent,
  decodeIdentity,
  decodeInvitation,
  decodePreviousRound,
  decodeLinkCode,
  decodeResponse,
  decodeTurns,
  encodeConversation,
  encodeEvent,
  encodeIdentity,
  encodeInvitation,
  encodePreviousRounds,
  encodeLinkCode,
  encodeResponse,
  erasureEvent,
  erasureEventId,
  identitiesByAtThenKey,
  assertReminderClaim,
  reminderClaimIds,
  invitationsByCreatedThenId,
  isLive,
  turnRecord,
  withTurn,
  type ActivityRecord,
  type ConversationRecord,
  type EventRecord,
  type IdentityRecord,
  type LinkCodeRecord,
  type InvitationRecord,
  type PreviousRoundRecord,
  type ResponseRecord,
  type StoreLogger,
} from './codec';
import { invitationUseSchema, isListed, surveySettingsSchema, type ResponseFilter, type Store, type TurnCommit, type WriteResult } from './port';

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

/**
 * True for a duplicate-key error (a unique index or `_id` already holds the value). FerretDB 1.24 reports a unique
 * index violated by an update not with code 11000 but with its SQLite backend's message.
 */
/** The one document of the `settings` collection. */
const SETTINGS_ID = 'survey';

const isDuplicateKey = (e: unknown) =>
  e instanceof MongoServerError && (e.code === DUPLICATE_KEY || /UNIQUE constraint failed/.test(e.message));

/**
 * Inserts or replaces a record by its `_id`. Of two concurrent upserts of a new id, one inserts and the other gets a
 * duplicate key: it is tried again (then a replace).
 */
async function upsertById<T extends { _id: string }>(collection: Collection<T>, { _id, ...rest }: T): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await collection.replaceOne({ _id } as Filter<T>, rest as unknown as T, { upsert: true });
      return;
    } catch (e) {
      if (!isDuplicateKey(e) || attempt >= 2) throw e;
    }
  }
}

/** A response as the database holds it: the record, its recent turns, and the events of its last turn until copied. */
type ResponseDocument = ResponseRecord & { pending?: EventRecord[] };

/** A version record: the commit point of a compare-and-swap (see the top of this file). */
interface VersionRecord {
  /** `<response id>:<version>`. */
  _id: string;
  responseId: string;
  version: number;
  /** The response document at this version; removed once a later version is committed (not needed to read). */
  doc?: Omit<ResponseDocument, '_id'>;
  /** False until the `responses` copy is brought up to this version and its events are copied (listings catch up). */
  copied: boolean;
  at: Date;
}

const silent: StoreLogger = { info: () => undefined, warn: () => undefined, error: () => undefined };

/** How often (at most) a store deletes the claim records whose time is up (ms). */
const SWEEP_INTERVAL_MS = 60_000;

/** An invitation taken up (the atomic take-up; the invitation's own `usedBy` is a copy for reading). */
interface InvitationUseRecord {
  _id: string;
  respondentKey: string;
  responseId: string;
  at: Date;
}

const CONFLICT: WriteResult = { ok: false, reason: 'conflict' };
const versionId = (responseId: string, version: number) => `${responseId}:${version}`;

/**
 * Creates the indexes a collection lacks. Asking for existing ones is a no-op on MongoDB, but makes FerretDB 1.24
 * drop the connection (a panic in its createIndexes), so existing indexes (by name) are not asked for again.
 */
async function ensureIndexes<T extends Document>(collection: Collection<T>, specs: IndexDescription[]): Promise<void> {
  let existing: Set<string>;
  try {
    existing = new Set((await collection.listIndexes().toArray()).map((i) => String(i.name)));
  } catch (e) {
    if (!(e instanceof MongoServerError) || e.code !== NAMESPACE_NOT_FOUND) throw e;
    existing = new Set();
  }
  const missing = specs.filter((spec) => !existing.has(String(spec.name)));
  if (missing.length > 0) await collection.createIndexes(missing);
}
const NAMESPACE_NOT_FOUND = 26;

/** True when a bulk insert failed only because some documents already existed (and the write concern held). */
function onlyDuplicates(e: unknown): boolean {
  if (!(e instanceof MongoBulkWriteError)) return isDuplicateKey(e);
  if (e.result?.getWriteConcernError()) return false;
  const errors = Array.isArray(e.writeErrors) ? e.writeErrors : [e.writeErrors];
  return errors.length > 0 && errors.every((w) => w.code === DUPLICATE_KEY);
}

/**
 * The TTL index that lets the server delete old activity claims: a day after their claim at the earliest
 * (`purgeAt`), not when their lease runs out, so that a lease that ran out is still seen as such when the channel
 * retries (ClaimResult.retried); earlier versions had a TTL on `expiresAt`, dropped here. Some MongoDB-protocol
 * servers (FerretDB 1.x) do not implement TTL indexes: the adapter stays correct without one — a claim is always
 * checked against the clock, and old records are swept by `claimActivity` — so a plain index is made instead.
 */
async function createTtlIndex(activities: Collection<ActivityRecord>): Promise<void> {
  const names = new Set((await activities.listIndexes().toArray().catch(() => [])).map((i) => String(i.name)));
  if (names.has('expiresAt_ttl')) await activities.dropIndex('expiresAt_ttl');
  try {
    await ensureIndexes(activities, [{ key: { purgeAt: 1 }, name: 'purgeAt_ttl', expireAfterSeconds: 0 }]);
  } catch (e) {
    if (!(e instanceof MongoServerError) || !/expireAfterSeconds/i.test(e.message)) throw e;
    await ensureIndexes(activities, [{ key: { purgeAt: 1 }, name: 'purgeAt' }]);
  }
}

/** An invitation record with a take-up record applied (none: as stored). */
function useOf(rec: InvitationRecord, use: InvitationUseRecord | null | undefined): InvitationRecord {
  return use ? { ...rec, usedBy: { respondentKey: use.respondentKey, responseId: use.responseId, at: use.at } } : rec;
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
  const versions: Collection<VersionRecord> = db.collection<VersionRecord>(collectionNames.versions);
  const invitationUses: Collection<InvitationUseRecord> = db.collection<InvitationUseRecord>(collectionNames.invitationUses);
  const previousRounds: Collection<PreviousRoundRecord> = db.collection<PreviousRoundRecord>(collectionNames.previousRounds);
  const identities: Collection<IdentityRecord> = db.collection<IdentityRecord>(collectionNames.identities);
  const linkCodes: Collection<LinkCodeRecord> = db.collection<LinkCodeRecord>(collectionNames.linkCodes);
  const linkCodeUses: Collection<{ _id: string; at: Date }> = db.collection<{ _id: string; at: Date }>(collectionNames.linkCodeUses);
  const settings: Collection<{ _id: string; deadline: Date | null; reminderDays: number[]; updatedAt: Date }> = db.collection(collectionNames.settings);
  const reminders: Collection<{ _id: string; respondentKey: string; slot: string; day: string; at: Date }> = db.collection(collectionNames.reminders);

  let initialised: Promise<void> | null = null;
  let closed = false;
  let lastSweep = 0;

  async function setUp(): Promise<void> {
    await client.connect();
    // One collection at a time: concurrent implicit creation of the same collection can fail on some server versions.
    await ensureIndexes(responses, [
      { key: { respondentKey: 1 }, name: 'respondentKey_unique', unique: true },
      { key: { 'country.code': 1, status: 1 }, name: 'country_status' },
      { key: { createdAt: 1 }, name: 'createdAt' },
    ]);
    await ensureIndexes(events, [{ key: { responseId: 1, at: 1 }, name: 'responseId_at' }]);
    await ensureIndexes(conversations, [{ key: { respondentKey: 1 }, name: 'respondentKey' }]);
    await ensureIndexes(reminders, [{ key: { respondentKey: 1 }, name: 'respondentKey' }]);
    await createTtlIndex(activities);
    await ensureIndexes(invitations, [
      { key: { codeHash: 1 }, name: 'codeHash_unique', unique: true },
      { key: { createdAt: 1 }, name: 'createdAt' },
    ]);
    await ensureIndexes(identities, [{ key: { responseId: 1, at: 1 }, name: 'responseId_at' }]);
    await ensureIndexes(versions, [
      { key: { responseId: 1, version: 1 }, name: 'responseId_version' },
      { key: { copied: 1 }, name: 'copied' },
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

  /** The latest version record of a response (null while it has none: version 1). */
  const latestVersion = (responseId: string): Promise<VersionRecord | null> =>
    versions.find({ responseId }).sort({ version: -1 }).limit(1).next();

  /** A response as it stands: its latest committed version, as long as its `responses` document exists. */
  function current(listed: ResponseDocument | null, latest: VersionRecord | null): ResponseDocument | null {
    if (!listed) return null;
    return latest?.doc && latest.version > listed.version ? { _id: listed._id, ...latest.doc } : listed;
  }

  /** A response as it stands, and whether the events of its last turn are known to be copied. */
  async function readCurrent(id: string): Promise<{ rec: ResponseDocument; eventsCopied: boolean } | null> {
    const [listed, latest] = await Promise.all([responses.findOne({ _id: id }), latestVersion(id)]);
    const rec = current(listed, latest);
    if (!rec) return null;
    const fromVersion = !!latest?.doc && latest.version === rec.version;
    return { rec, eventsCopied: fromVersion ? latest.copied : !rec.pending?.length };
  }

  async function readResponse(id: string): Promise<ResponseDocument | null> {
    return (await readCurrent(id))?.rec ?? null;
  }

  /**
   * Brings the `responses` copy of a response up to its latest version, and checks afterwards: a writer whose
   * conditional replace landed late with an older copy (see the top of this file) repairs it on its next round.
   * False when the latest version can never be listed (its respondentKey was taken meanwhile): it is withdrawn.
   */
  async function project(responseId: string): Promise<boolean> {
    for (let round = 0; round < 20; round++) {
      const [listed, latest] = await Promise.all([responses.findOne({ _id: responseId }, { projection: { version: 1 } }), latestVersion(responseId)]);
      if (!listed || !latest?.doc || listed.version >= latest.version) return true;
      try {
        await responses.replaceOne({ _id: responseId, version: listed.version }, latest.doc);
      } catch (e) {
        if (!isDuplicateKey(e)) throw e;
        await versions.deleteOne({ _id: latest._id });
        return false;
      }
    }
    return true; // writers keep committing: the last of them brings the copy up to date
  }

  /** An invitation with its take-up from `invitation_uses`, the source of truth (its own `usedBy` is a copy). */
  async function withUse(rec: InvitationRecord): Promise<InvitationRecord> {
    return useOf(rec, await invitationUses.findOne({ _id: rec._id }));
  }

  async function redactEvents(responseId: string): Promise<void> {
    await events.updateMany(
      // Answers, and the survey team's flags (whose comments may quote an answer); the erasure event has no content.
      { responseId, type: { $in: ['answer', 'flagged', 'revised_after_review'] } },
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

  /** Marks an activity done, remembered for ttlSeconds. */
  async function complete(key: string, ttlSeconds: number): Promise<void> {
    const { _id, claimedAt, ...rest } = activityRecord(key, 'done', ttlSeconds, now());
    await activities.updateOne({ _id }, { $set: rest, $setOnInsert: { claimedAt } }, { upsert: true });
  }

  /**
   * What follows a commit: the events copied to answer_events (then the version marked copied), the activity
   * marked done, the previous version's content dropped. A failure is logged, never reported as the turn's: the
   * turn is stored, and whatever did not happen is done later (see the top of this file).
   */
  async function afterCommit(responseId: string, version: number, pending: EventRecord[], commit: TurnCommit): Promise<void> {
    const steps: Array<[string, () => Promise<unknown>]> = [
      [
        'events not copied to answer_events yet (kept on the response, copied later)',
        async () => {
          await insertEvents(pending);
          if (version > 1) await versions.updateOne({ _id: versionId(responseId, version) }, { $set: { copied: true } });
          else await responses.updateOne({ _id: responseId, version: 1 }, { $set: { pending: [] } });
        },
      ],
      ['could not drop the content of an older version record', async () => (version > 1 ? versions.updateOne({ _id: versionId(responseId, version - 1) }, { $unset: { doc: '' } }) : undefined)],
    ];
    if (commit.activity) {
      const { key, ttlSeconds } = commit.activity;
      steps.push(['could not mark an activity done (its turn is stored)', () => complete(key, ttlSeconds)]);
    }
    await Promise.all(steps.map(([problem, step]) => step().catch((error: unknown) => logger.warn({ err: error, response: responseId }, `mongodb store: ${problem}`))));
  }

  async function commit(c: TurnCommit): Promise<WriteResult> {
    checkCommit(c);
    const version = c.expectedVersion === null ? 1 : c.expectedVersion + 1;
    const rec = encodeResponse(c.response, version);
    const pending = c.events.map(encodeEvent);
    const turn = turnRecord(c, version);
    await ready();
    const { _id, ...next } = rec;
    if (c.expectedVersion === null) {
      try {
        await responses.insertOne({ ...rec, turns: [turn], pending });
      } catch (e) {
        if (isDuplicateKey(e)) return CONFLICT; // the respondent (or the id) has a response already
        throw e;
      }
    } else {
      const stored = await readCurrent(_id);
      if (!stored || stored.rec.version !== c.expectedVersion) return CONFLICT;
      if (stored.rec.respondentKey !== next.respondentKey && (await responses.findOne({ respondentKey: next.respondentKey }, { projection: { _id: 1 } }))) {
        return CONFLICT; // the new respondentKey is taken
      }
      // The previous turn's events go to answer_events before this turn's replace them on the response.
      if (!stored.eventsCopied) await insertEvents(stored.rec.pending ?? []);
      const doc = { ...next, turns: withTurn(stored.rec.turns, turn), pending };
      try {
        await versions.insertOne({ _id: versionId(_id, version), responseId: _id, version, doc, copied: false, at: now() });
      } catch (e) {
        if (isDuplicateKey(e)) return CONFLICT; // another writer committed this version first
        throw e;
      }
      if (!(await project(_id))) return CONFLICT;
    }
    await afterCommit(_id, version, pending, c);
    return { ok: true, doc: decodeResponse(rec) };
  }

  /** Deletes claim records whose time is up (a server without TTL indexes keeps them), at most once a minute. */
  async function sweep(at: Date): Promise<void> {
    if (at.getTime() - lastSweep < SWEEP_INTERVAL_MS) return;
    lastSweep = at.getTime();
    await activities.deleteMany({ purgeAt: { $lte: at } }).catch((error: unknown) => logger.warn({ err: error }, 'mongodb store: could not delete old activity claims'));
  }

  const store: Store = {
    kind: 'mongodb',

    init: ready,

    async findResponseByRespondent(respondentKey) {
      assertKey(respondentKey, 'respondentKey');
      await ready();
      const listed = await responses.findOne({ respondentKey }, { projection: { _id: 1 } });
      const rec = listed ? await readResponse(listed._id) : null;
      return rec ? decodeResponse(rec) : null;
    },

    async getResponse(id) {
      assertKey(id, 'id');
      await ready();
      const rec = await readResponse(id);
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
        // A dotted path rather than $elemMatch, which FerretDB 1.24 does not match on arrays of documents.
        query['answers.itemId'] = filter.answeredItemId;
      }
      await ready();
      // Versions whose copy was not brought up to date (a writer stopped between commit and copy) are rare: copy them
      // first, so that the query sees every committed version.
      for (const { _id, responseId, doc } of await versions.find({ copied: false }, { projection: { responseId: 1, 'doc.pending': 1 } }).toArray()) {
        if (!(await project(responseId))) continue;
        await insertEvents(doc?.pending ?? []);
        await versions.updateOne({ _id }, { $set: { copied: true } });
      }
      const recs = await responses.find(query, { projection: { pending: 0, turns: 0 } }).sort({ createdAt: 1, _id: 1 }).toArray();
      // Only responses with an answer, or submitted (see Store): never one that a greeting or a language switch left.
      return recs.filter(isListed).map(decodeResponse).sort(byCreatedThenId);
    },

    commitTurn: commit,

    async committedTurns(responseId) {
      assertKey(responseId, 'responseId');
      await ready();
      return decodeTurns(await readResponse(responseId));
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
      // An event of a response erased meanwhile is kept without its content.
      for (const responseId of new Set(recs.map((r) => r.responseId))) {
        if (await events.findOne({ _id: erasureEventId(responseId) }, { projection: { _id: 1 } })) await redactEvents(responseId);
      }
    },

    async listEvents(responseId) {
      assertKey(responseId, 'responseId');
      await ready();
      const [stored, response] = await Promise.all([events.find({ responseId }).toArray(), readResponse(responseId)]);
      // The events of the last turn, while their copy has not happened: theirs too.
      const byId = new Map(stored.map((e) => [e._id, e]));
      for (const e of response?.pending ?? []) if (!byId.has(e._id)) byId.set(e._id, e);
      return [...byId.values()].map(decodeEvent).sort(byAtThenId);
    },

    async eraseResponse(id, who, at) {
      assertKey(id, 'id');
      const erasure = encodeEvent(erasureEvent(id, who, at));
      await ready();
      const rec = await readResponse(id);
      if (!rec) return false;
      // The response goes last, so a retry after a crash finds it and redoes every (idempotent) step.
      await insertEvents(rec.pending ?? []); // the last turn's events, if not copied yet: its change happened
      await redactEvents(id);
      // The conversations of the respondent, and of every identity that answered the response (a team's participants).
      const bound = (await identities.find({ responseId: id }, { projection: { _id: 1 } }).toArray()).map((i) => i._id);
      await conversations.deleteMany({ respondentKey: { $in: [rec.respondentKey, ...bound] } });
      await reminders.deleteMany({ respondentKey: { $in: [rec.respondentKey, ...bound] } });
      await identities.deleteMany({ responseId: id });
      try {
        await events.insertOne(erasure);
      } catch (e) {
        if (!isDuplicateKey(e)) throw e;
      }
      await versions.deleteMany({ responseId: id }); // they hold copies of the response's content
      const { deletedCount } = await responses.deleteOne({ _id: id });
      await redactEvents(id); // events appended meanwhile by a turn in flight
      return deletedCount > 0;
    },

    async saveConversation(doc) {
      const rec = encodeConversation(doc);
      await ready();
      await upsertById(conversations, rec);
    },

    async getConversation(id) {
      assertKey(id, 'id');
      await ready();
      const rec = await conversations.findOne({ _id: id });
      return rec ? decodeConversation(rec) : null;
    },

    async listConversations(respondentKey) {
      assertKey(respondentKey, 'respondentKey');
      await ready();
      const recs = await conversations.find({ respondentKey }).toArray();
      return recs.map(decodeConversation).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    },

    async claimActivity(key, leaseSeconds) {
      assertKey(key, 'key');
      assertTtl(leaseSeconds);
      await ready();
      for (let attempt = 0; ; attempt++) {
        const at = now();
        await sweep(at);
        // A claim that ran out is taken off here, so that it can be claimed again (the insert below decides who).
        const lapsed = await activities.findOneAndDelete({ _id: key, expiresAt: { $lte: at } });
        try {
          await activities.insertOne(activityRecord(key, 'in_progress', leaseSeconds, at));
          return { claimed: true, retried: !!lapsed && claimState(lapsed) === 'in_progress' };
        } catch (e) {
          if (!isDuplicateKey(e)) throw e;
        }
        const existing = await activities.findOne({ _id: key });
        if (isLive(existing, at) || attempt >= 2) return { claimed: false, state: existing ? claimState(existing) : 'in_progress' };
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

    async getSettings() {
      await ready();
      const rec = await settings.findOne({ _id: SETTINGS_ID });
      return rec ? { deadline: rec.deadline ?? null, reminderDays: [...rec.reminderDays], updatedAt: rec.updatedAt } : null;
    },

    async saveSettings(input) {
      const s = surveySettingsSchema.parse(input);
      await ready();
      await settings.replaceOne({ _id: SETTINGS_ID }, { deadline: s.deadline, reminderDays: [...s.reminderDays], updatedAt: s.updatedAt }, { upsert: true });
    },

    async claimReminder(claim) {
      assertReminderClaim(claim);
      await ready();
      // The day first: of two concurrent claims for one person, the unique _id lets one through. A day claimed
      // for a slot already reminded is given back, so a later slot can still be sent that day.
      const [slotId, dayId] = reminderClaimIds(claim);
      const rec = { respondentKey: claim.respondentKey, slot: claim.slot, day: claim.day, at: new Date(claim.at.getTime()) };
      try {
        await reminders.insertOne({ _id: dayId, ...rec });
      } catch (e) {
        if (isDuplicateKey(e)) return false;
        throw e;
      }
      try {
        await reminders.insertOne({ _id: slotId, ...rec });
        return true;
      } catch (e) {
        await reminders.deleteOne({ _id: dayId });
        if (isDuplicateKey(e)) return false;
        throw e;
      }
    },

    async findInvitationByHash(codeHash) {
      assertKey(codeHash, 'codeHash');
      await ready();
      const rec = await invitations.findOne({ codeHash });
      return rec ? decodeInvitation(await withUse(rec)) : null;
    },

    async getInvitation(id) {
      assertKey(id, 'id');
      await ready();
      const rec = await invitations.findOne({ _id: id });
      return rec ? decodeInvitation(await withUse(rec)) : null;
    },

    async listInvitations() {
      await ready();
      const recs = await invitations.find({}).sort({ createdAt: 1, _id: 1 }).toArray();
      const uses = new Map((await invitationUses.find({}).toArray()).map((u) => [u._id, u]));
      return recs.map((r) => decodeInvitation(useOf(r, uses.get(r._id)))).sort(invitationsByCreatedThenId);
    },

    async revokeInvitation(id, at) {
      assertKey(id, 'id');
      if (!(at instanceof Date)) throw new TypeError('at must be a Date');
      await ready();
      await invitations.updateOne({ _id: id, revokedAt: { $exists: false } }, { $set: { revokedAt: new Date(at.getTime()) } });
      const rec = await invitations.findOne({ _id: id });
      return rec ? decodeInvitation(await withUse(rec)) : null;
    },

    async markInvitationUsed(id, use) {
      assertKey(id, 'id');
      const usedBy = invitationUseSchema.parse(use);
      await ready();
      const rec = await invitations.findOne({ _id: id });
      const found = rec ? decodeInvitation(await withUse(rec)) : null;
      if (!found || !canTakeUp(found, usedBy.respondentKey, usedBy.at)) return false;
      const record = { respondentKey: usedBy.respondentKey, responseId: usedBy.responseId, at: usedBy.at };
      try {
        await invitationUses.insertOne({ _id: id, ...record });
      } catch (e) {
        if (!isDuplicateKey(e)) throw e;
        // Taken up already: by the same respondent it may be taken up again (a new response), by anyone else not.
        const taken = await invitationUses.findOneAndUpdate({ _id: id, respondentKey: usedBy.respondentKey }, { $set: record });
        if (!taken) return false;
      }
      await invitations.updateOne({ _id: id }, { $set: { usedBy: record } });
      return true;
    },

    async savePreviousRounds(docs) {
      // One document per country, keyed by its code; written one by one (no transactions on every server): a failure
      // part-way leaves the countries written so far replaced, and the import is simply run again.
      const recs = encodePreviousRounds(docs);
      if (recs.length === 0) return;
      await ready();
      for (const rec of recs) await upsertById(previousRounds, rec);
    },

    async getPreviousRound(countryCode) {
      assertKey(countryCode, 'countryCode');
      await ready();
      const rec = await previousRounds.findOne({ _id: countryCode });
      return rec ? decodePreviousRound(rec) : null;
    },

    async bindIdentity(identity) {
      const rec = encodeIdentity(identity);
      await ready();
      await upsertById(identities, rec);
    },

    async findIdentity(key) {
      assertKey(key, 'key');
      await ready();
      const rec = await identities.findOne({ _id: key });
      return rec ? decodeIdentity(rec) : null;
    },

    async listIdentities(responseId) {
      assertKey(responseId, 'responseId');
      await ready();
      return (await identities.find({ responseId }).toArray()).map(decodeIdentity).sort(identitiesByAtThenKey);
    },

    async createLinkCode(link) {
      const rec = encodeLinkCode(link);
      await ready();
      // A code once taken is never given again (its use record would make it fail).
      if (await linkCodeUses.findOne({ _id: rec._id })) return false;
      try {
        await linkCodes.insertOne({ ...rec });
        return true;
      } catch (e) {
        if (isDuplicateKey(e)) return false;
        throw e;
      }
    },

    async takeLinkCode(codeHash, at) {
      assertKey(codeHash, 'codeHash');
      if (!(at instanceof Date)) throw new TypeError('at must be a Date');
      await ready();
      const rec = await linkCodes.findOne({ _id: codeHash });
      if (!rec) return null;
      // Taken by inserting its use (unique id): of concurrent takes exactly one inserts, on any MongoDB-protocol
      // server (FerretDB's findOneAndDelete may hand one document to several callers).
      try {
        await linkCodeUses.insertOne({ _id: codeHash, at: new Date(at.getTime()) });
      } catch (e) {
        if (isDuplicateKey(e)) return null;
        throw e;
      }
      await linkCodes.deleteOne({ _id: codeHash });
      const link = decodeLinkCode(rec);
      return link.expiresAt.getTime() > at.getTime() ? link : null;
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
