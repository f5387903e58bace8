/**
 * The embedded store: @seald-io/nedb datastores in files under `dir` (append-only, so every write is on disk
 * before its promise resolves), or in memory when `dir` is null. For one process only (no file locking).
 */
import { promises as fs, constants as fsConstants } from 'node:fs';
import { join } from 'node:path';
import Datastore from '@seald-io/nedb';
import {
  activityRecord,
  assertKey,
  assertVersion,
  byAtThenId,
  byCreatedThenId,
  canTakeUp,
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
  type ResponseRecord,
} from './codec';
import { createInvitationLog } from './invitationLog';
import { appendThroughOpenFile } from './fileAppender';
import { invitationUseSchema, type ResponseFilter, type Store, type WriteResult } from './port';

/** Options of the embedded store. */
export interface EmbeddedStoreOptions {
  /** The folder of the data files; null keeps everything in memory (tests). */
  dir: string | null;
  /** How often the append-only files are compacted (ms); 0 never. Default: one hour. */
  compactionIntervalMs?: number;
}

const isUniqueViolation = (e: unknown) =>
  typeof e === 'object' && e !== null && (e as { errorType?: unknown }).errorType === 'uniqueViolated';

/**
 * A kill during an append can leave a torn last line; nedb would then refuse to load a small file (its corruption
 * threshold is a share of lines). The torn tail is a write that was never acknowledged: cut it off, keeping it
 * beside the file for inspection.
 */
async function cutTornTail(file: string): Promise<void> {
  let data: Buffer;
  try {
    data = await fs.readFile(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw e;
  }
  if (data.length === 0 || data[data.length - 1] === 0x0a) return;
  const keep = data.lastIndexOf(0x0a) + 1;
  await fs.writeFile(`${file}.torn-${Date.now()}`, data.subarray(keep));
  await fs.truncate(file, keep);
}

/** Creates the embedded store (call init() before use; every method also initialises on demand). */
export function createEmbeddedStore({ dir, compactionIntervalMs = 3_600_000 }: EmbeddedStoreOptions): Store {
  const releases: Array<() => void> = [];
  const open = <T extends object>(name: string) => {
    if (dir === null) return new Datastore<T>({ inMemoryOnly: true });
    const filename = join(dir, `${name}.db`);
    const datastore = new Datastore<T>({ filename });
    releases.push(appendThroughOpenFile(datastore, filename));
    return datastore;
  };
  const responses = open<ResponseRecord>(collectionNames.responses);
  const events = open<EventRecord>(collectionNames.events);
  const conversations = open<ConversationRecord>(collectionNames.conversations);
  const activities = open<ActivityRecord>(collectionNames.activities);
  const all = [responses, events, conversations, activities];
  // Not a nedb datastore: shared with `npm run invite` running beside the bot (see invitationLog.ts).
  const invitationLog = createInvitationLog(dir === null ? null : join(dir, `${collectionNames.invitations}.jsonl`));

  let initialised: Promise<void> | null = null;
  let closed = false;
  let compaction: NodeJS.Timeout | null = null;

  async function load(): Promise<void> {
    if (dir !== null) {
      await fs.mkdir(dir, { recursive: true });
      for (const name of Object.values(collectionNames)) await cutTornTail(join(dir, `${name}.db`));
    }
    for (const ds of all) await ds.loadDatabaseAsync();
    await responses.ensureIndexAsync({ fieldName: 'respondentKey', unique: true });
    await responses.ensureIndexAsync({ fieldName: 'status' });
    await events.ensureIndexAsync({ fieldName: 'responseId' });
    await conversations.ensureIndexAsync({ fieldName: 'respondentKey' });
    // nedb persists an index without its TTL, and ensureIndex skips an existing index: re-create it on every load.
    await activities.removeIndexAsync('expiresAt');
    await activities.ensureIndexAsync({ fieldName: 'expiresAt', expireAfterSeconds: 0 });
    await activities.removeAsync({ expiresAt: { $lte: new Date() } }, { multi: true });
    if (dir !== null && compactionIntervalMs > 0) {
      compaction = setInterval(() => {
        for (const ds of all) ds.compactDatafileAsync().catch(() => undefined);
      }, compactionIntervalMs);
      compaction.unref();
    }
  }

  function ready(): Promise<void> {
    if (closed) return Promise.reject(new Error('The store is closed.'));
    initialised ??= load().catch((e: unknown) => {
      initialised = null;
      throw e;
    });
    return initialised;
  }

  async function findResponse(query: Record<string, string>) {
    await ready();
    const rec = await responses.findOneAsync(query);
    return rec ? decodeResponse(rec) : null;
  }

  /**
   * Invitations never load the nedb datastores (loading rewrites their files): `npm run invite` can then use this
   * store beside a running bot, as long as it does not call init().
   */
  async function invitations() {
    if (closed) throw new Error('The store is closed.');
    return (await invitationLog.read()).map(decodeInvitation);
  }

  async function redactEvents(responseId: string): Promise<void> {
    await events.updateAsync(
      { responseId, type: 'answer' },
      { $set: { oldValue: null, newValue: null, redacted: true }, $unset: { 'who.name': true } },
      { multi: true },
    );
  }

  const store: Store = {
    kind: 'embedded',

    init: ready,

    async findResponseByRespondent(respondentKey) {
      assertKey(respondentKey, 'respondentKey');
      return findResponse({ respondentKey });
    },

    async getResponse(id) {
      assertKey(id, 'id');
      return findResponse({ _id: id });
    },

    async listResponses(filter: ResponseFilter = {}) {
      const query: Record<string, unknown> = {};
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
      const recs = await responses.findAsync(query).sort({ createdAt: 1, _id: 1 });
      return recs.map(decodeResponse).sort(byCreatedThenId);
    },

    async insertResponse(doc): Promise<WriteResult> {
      if (doc.version !== 1) throw new TypeError('A new response must have version 1.');
      const rec = encodeResponse(doc, 1);
      await ready();
      try {
        await responses.insertAsync(rec);
      } catch (e) {
        if (isUniqueViolation(e)) return { ok: false, reason: 'conflict' };
        throw e;
      }
      return { ok: true, doc: decodeResponse(rec) };
    },

    async replaceResponse(doc, expectedVersion): Promise<WriteResult> {
      assertVersion(expectedVersion);
      const rec = encodeResponse(doc, expectedVersion + 1);
      await ready();
      try {
        const { numAffected } = await responses.updateAsync({ _id: rec._id, version: expectedVersion }, rec, {});
        if (numAffected === 0) return { ok: false, reason: 'conflict' };
      } catch (e) {
        if (isUniqueViolation(e)) return { ok: false, reason: 'conflict' };
        throw e;
      }
      return { ok: true, doc: decodeResponse(rec) };
    },

    async appendEvents(list) {
      const recs = list.map(encodeEvent);
      await ready();
      for (const rec of recs) {
        try {
          await events.insertAsync(rec);
        } catch (e) {
          if (!isUniqueViolation(e)) throw e;
        }
      }
    },

    async listEvents(responseId) {
      assertKey(responseId, 'responseId');
      await ready();
      const recs = await events.findAsync({ responseId });
      return recs.map(decodeEvent).sort(byAtThenId);
    },

    async eraseResponse(id, who, at) {
      assertKey(id, 'id');
      const erasure = encodeEvent(erasureEvent(id, who, at));
      await ready();
      const rec = await responses.findOneAsync({ _id: id });
      if (!rec) return false;
      // The response goes last, so a retry after a crash finds it and redoes every (idempotent) step.
      await redactEvents(id);
      await conversations.removeAsync({ respondentKey: rec.respondentKey }, { multi: true });
      try {
        await events.insertAsync(erasure);
      } catch (e) {
        if (!isUniqueViolation(e)) throw e;
      }
      const removed = await responses.removeAsync({ _id: id }, {});
      await redactEvents(id); // events appended meanwhile by a turn in flight
      return removed > 0;
    },

    async saveConversation(doc) {
      const rec = encodeConversation(doc);
      await ready();
      await conversations.updateAsync({ _id: rec._id }, rec, { upsert: true });
    },

    async getConversation(id) {
      assertKey(id, 'id');
      await ready();
      const rec = await conversations.findOneAsync({ _id: id });
      return rec ? decodeConversation(rec) : null;
    },

    async claimActivity(key, ttlSeconds) {
      assertKey(key, 'key');
      const now = new Date();
      const rec = activityRecord(key, ttlSeconds, now);
      await ready();
      await activities.removeAsync({ expiresAt: { $lte: now } }, { multi: true });
      try {
        await activities.insertAsync(rec);
        return true;
      } catch (e) {
        if (isUniqueViolation(e)) return false;
        throw e;
      }
    },

    async getActivityClaim(key) {
      assertKey(key, 'key');
      await ready();
      return decodeClaim(await activities.findOneAsync({ _id: key }), new Date());
    },

    async releaseActivity(key) {
      assertKey(key, 'key');
      await ready();
      await activities.removeAsync({ _id: key }, {});
    },

    async createInvitation(invitation) {
      const rec = encodeInvitation(invitation);
      return invitationLog.exclusive(async () => {
        const known = await invitations();
        if (known.some((i) => i.id === rec._id || i.codeHash === rec.codeHash)) return false;
        await invitationLog.append(rec);
        return true;
      });
    },

    async findInvitationByHash(codeHash) {
      assertKey(codeHash, 'codeHash');
      return (await invitations()).find((i) => i.codeHash === codeHash) ?? null;
    },

    async getInvitation(id) {
      assertKey(id, 'id');
      return (await invitations()).find((i) => i.id === id) ?? null;
    },

    async listInvitations() {
      return (await invitations()).sort(invitationsByCreatedThenId);
    },

    async revokeInvitation(id, at) {
      assertKey(id, 'id');
      if (!(at instanceof Date)) throw new TypeError('at must be a Date');
      return invitationLog.exclusive(async () => {
        const found = (await invitations()).find((i) => i.id === id);
        if (!found || found.revokedAt) return found ?? null;
        const revoked = { ...found, revokedAt: new Date(at.getTime()) };
        await invitationLog.append(encodeInvitation(revoked));
        return revoked;
      });
    },

    async markInvitationUsed(id, use) {
      assertKey(id, 'id');
      const usedBy = invitationUseSchema.parse(use);
      return invitationLog.exclusive(async () => {
        const found = (await invitations()).find((i) => i.id === id);
        if (!found || !canTakeUp(found, usedBy.respondentKey, usedBy.at)) return false;
        await invitationLog.append(encodeInvitation({ ...found, usedBy }));
        return true;
      });
    },

    async ping() {
      await ready();
      if (dir !== null) await fs.access(dir, fsConstants.R_OK | fsConstants.W_OK);
    },

    async close() {
      if (closed) return;
      const wasReady = initialised;
      closed = true;
      if (compaction) clearInterval(compaction);
      compaction = null;
      try {
        if (dir !== null && wasReady) {
          try {
            await wasReady;
          } catch {
            return;
          }
          // Compaction only shortens the files: every write is already in them, so a failure loses nothing.
          for (const ds of all) await ds.compactDatafileAsync().catch(() => undefined);
        }
      } finally {
        for (const release of releases) release();
      }
    },
  };
  return store;
}
