/**
 * The embedded store: an LMDB database (`lmdb`, one data file and its lock file under `dir`), for a bot without
 * MongoDB. Chosen over the nedb files it replaces (measured with scripts/store-bench.ts, see the README):
 *
 * - One turn, one transaction: the response, its audit events and the activity's done marker are committed
 *   together or not at all — and a failed transaction leaves nothing behind, in memory or on disk (LMDB keeps no
 *   copy of the data in the JavaScript heap; every read decodes from the memory-mapped file).
 * - The cost of a turn and the heap do not grow with the number of responses (B+tree on disk, no in-memory
 *   collections or indexes to rebuild at start-up).
 * - Several processes may open the same file at once: LMDB serialises their write transactions with a lock shared
 *   between processes, and readers never block. The bot, `npm run invite` and `npm run export` therefore use the
 *   same store at the same time, safely.
 * - Crash-proof: copy-on-write pages and an atomic switch of the root, so a process killed with -9 (or a torn
 *   write) leaves the last committed state; nothing to repair or cut when it is opened again.
 *
 * Writes run in LMDB "child" transactions (`childTransaction`): lmdb-js batches the writes of one event-loop turn
 * into one database transaction, and only a child transaction is undone when its callback throws or returns ABORT
 * (with `transaction`, the writes a failing callback made before it threw would be kept). Every callback below
 * checks first and writes last.
 *
 * `dir: null` keeps the database in a temporary folder removed on close (tests).
 */
import { accessSync, constants as fsConstants, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { asBinary, open, type Database, type RootDatabase } from 'lmdb';
import { Packr } from 'msgpackr';
import {
  activityRecord,
  copyResponseRecord,
  assertKey,
  assertTtl,
  assertVersion,
  byAtThenId,
  byCreatedThenId,
  canTakeUp,
  checkCommit,
  claimState,
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
  collectionNames,
  invitationsByCreatedThenId,
  isLive,
  redactedEvent,
  turnRecord,
  withTurn,
  type ActivityRecord,
  type ConversationRecord,
  type EventRecord,
  type IdentityRecord,
  type InvitationRecord,
  type PreviousRoundRecord,
  type LinkCodeRecord,
  type ResponseRecord,
  type TurnRecord,
  type StoreLogger,
} from './codec';
import { readNedbFiles, retireNedbFiles } from './nedbImport';
import { jsonEncoder, responseEncoder, type Encoder } from './responseJson';
import { invitationUseSchema, isListed, surveySettingsSchema, type SurveySettings, type ConversationDoc, type ResponseDoc, type ResponseFilter, type Store, type TurnCommit, type WriteResult } from './port';

/**
 * What a commit checks of a response — its owner, version and recent turns — kept beside the response and written
 * with it in the same transaction, so that the compare-and-swap of a turn reads this head (under 2 kB) instead of
 * the whole response. Responses written before heads existed (and taken over from nedb) have none: their head is read
 * from the response itself until their next commit writes one.
 */
interface ResponseHead {
  _id: string;
  respondentKey: string;
  version: number;
  turns: TurnRecord[];
}

/** Options of the embedded store. */
export interface EmbeddedStoreOptions {
  /** The folder of the data files; null: a temporary folder, removed on close (tests). */
  dir: string | null;
  /** The clock of leases and expiries (tests move it); default the system's. */
  now?: () => Date;
  /** Where problems the store handles by itself are reported (a failed purge, unreadable old data). */
  logger?: StoreLogger;
  /** How often claims that ran out are deleted (ms); 0 never. Default: one hour. */
  purgeIntervalMs?: number;
}

/** The data file under `dir` (LMDB writes `msq.mdb` and its lock file `msq.mdb-lock`). */
export const DATA_FILE = 'msq.mdb';

const CONFLICT: WriteResult = { ok: false, reason: 'conflict' };

/** How many responses the store keeps decoded (see findResponse): more than the respondents answering at one moment. */
const RECENT_RESPONSES = 64;

/** Keys longer than this are stored by their hash (LMDB keys are limited to about 2 kB). */
const MAX_PLAIN_KEY_BYTES = 480;

/**
 * The database key of a string: itself, or for a long one a hash. The hashed form starts with a NUL, which no key
 * built by the bot can (they start with a channel name): a hash can never collide with a plain key.
 */
function dbKey(value: string): string {
  if (value.length * 3 <= MAX_PLAIN_KEY_BYTES || Buffer.byteLength(value, 'utf8') <= MAX_PLAIN_KEY_BYTES) return value;
  return `\u0000sha256:${createHash('sha256').update(value, 'utf8').digest('hex')}`;
}

/** The range of keys [prefix, …] of a two-part key. */
/** Where the survey team's settings are kept in `meta`. */
const SETTINGS_KEY = 'settings';

const under = (prefix: string) => ({ start: [prefix], end: [`${prefix}\u0000`] });

const silent: StoreLogger = { warn: () => undefined, error: () => undefined, info: () => undefined };

/**
 * The result of a commit, its doc decoded from the record when first read: a turn does not read it (the bot has
 * the state it wrote), and decoding parses the whole engine state again. The record is this commit's own, so the
 * doc is still fresh (shares nothing with the caller's input or the database).
 */
function written(rec: ResponseRecord): WriteResult {
  let doc: ResponseDoc | undefined;
  return {
    ok: true,
    get doc(): ResponseDoc {
      return (doc ??= decodeResponse(copyResponseRecord(rec)));
    },
  };
}

/** Creates the embedded store (call init() before use; every method also initialises on demand). */
export function createEmbeddedStore({ dir, now = () => new Date(), logger = silent, purgeIntervalMs = 3_600_000 }: EmbeddedStoreOptions): Store {
  let opened: Opened | null = null;
  let closed = false;
  let purging: NodeJS.Timeout | null = null;
  let temporary: string | null = null;

  /** The databases of an open environment. */
  interface Opened {
    root: RootDatabase;
    file: string;
    inode: number;
    folder: string;
    responses: Database<ResponseRecord, string>;
    /** How responses are written (JSON) and read (JSON, or msgpack for older records). */
    responseEncoder: Encoder<ResponseRecord>;
    /** What a commit checks of each response (see ResponseHead), written with it. */
    heads: Database<ResponseHead, string>;
    respondents: Database<string, string>;
    events: Database<EventRecord, string[]>;
    conversations: Database<ConversationRecord, string>;
    conversationsByRespondent: Database<string, string[]>;
    activities: Database<ActivityRecord, string>;
    invitations: Database<InvitationRecord, string>;
    invitationHashes: Database<string, string>;
    previousRounds: Database<PreviousRoundRecord, string>;
    identities: Database<IdentityRecord, string>;
    identitiesByResponse: Database<string, string[]>;
    linkCodes: Database<LinkCodeRecord, string>;
    meta: Database<unknown, string>;
    /** Keyed [respondent, 'slot' | 'day', slot or day], so that an erasure finds a respondent's claims. */
    reminders: Database<{ respondentKey: string; slot: string; day: string; at: Date }, string[]>;
  }

  function openDatabase(): Opened {
    const folder = dir ?? (temporary = mkdtempSync(join(tmpdir(), 'msq-store-')));
    if (dir === null) temporaryFolders.add(folder);
    mkdirSync(folder, { recursive: true });
    const file = join(folder, DATA_FILE);
    const root = open({ path: file, noSubdir: true, maxDbs: 16 });
    // Plain msgpack maps (no shared record structures: every value decodes on its own, in any process), with an
    // encoder of this module's own, so that Dates are this realm's (a test runner loads modules once per file).
    const encoder = new Packr({ useRecords: false });
    const db = <V, K extends string | string[] = string>(name: string) => root.openDB<V, K>(name, { encoder } as Parameters<typeof root.openDB>[1]);
    const responseCodec = responseEncoder(encoder);
    const responses = root.openDB<ResponseRecord, string>('responses', { encoder: responseCodec } as Parameters<typeof root.openDB>[1]);
    return {
      root,
      file,
      inode: statSync(file).ino,
      folder,
      responses,
      responseEncoder: responseCodec,
      heads: root.openDB<ResponseHead, string>('response_heads', { encoder: jsonEncoder<ResponseHead>(encoder) } as Parameters<typeof root.openDB>[1]),
      respondents: db('respondents'),
      events: db<EventRecord, string[]>('answer_events'),
      conversations: db('conversations'),
      conversationsByRespondent: db<string, string[]>('conversations_by_respondent'),
      activities: db('processed_activities'),
      invitations: db('invitations'),
      invitationHashes: db('invitation_hashes'),
      previousRounds: db('previous_rounds'),
      identities: db('identities'),
      identitiesByResponse: db<string, string[]>('identities_by_response'),
      linkCodes: db('link_codes'),
      meta: db('meta'),
      reminders: db<{ respondentKey: string; slot: string; day: string; at: Date }, string[]>(collectionNames.reminders),
    };
  }

  let initialising: Promise<Opened> | null = null;
  /**
   * The leases of the activities this process is processing (claimActivity). Not written to the file: a lease
   * matters only while the process that holds it lives, and a turn then costs one write — its commit, which
   * stores the "done" marker with the answer. After a restart, a channel's retry of a turn that died with the
   * process is processed at once; one whose turn was stored finds it done.
   */
  const leases = new Map<string, ActivityRecord>();

  async function load(): Promise<Opened> {
    const o = openDatabase();
    try {
      if (dir !== null) await takeOverNedbFiles(o, dir);
      await purge(o);
    } catch (error) {
      await o.root.close();
      throw error;
    }
    if (purgeIntervalMs > 0) {
      purging = setInterval(() => {
        purge(o).catch((error: unknown) => logger.error({ err: error }, 'embedded store: could not delete expired activity claims'));
      }, purgeIntervalMs);
      purging.unref();
    }
    opened = o;
    return o;
  }

  function ready(): Promise<Opened> {
    if (closed) return Promise.reject(new Error('The store is closed.'));
    if (opened) return Promise.resolve(opened);
    initialising ??= load().catch((error: unknown) => {
      initialising = null; // the next call retries
      throw error;
    });
    return initialising;
  }

  /**
   * Refuses to write into a data file that was deleted or replaced behind the store's back: LMDB would go on
   * writing into the unlinked file, acknowledging answers nobody could read again.
   */
  function assertIntact(o: Opened): void {
    let inode: number;
    try {
      inode = statSync(o.file).ino;
    } catch (error) {
      throw new Error(`The data file ${o.file} is gone (${(error as NodeJS.ErrnoException).code ?? 'error'}); restart the bot.`);
    }
    if (inode !== o.inode) throw new Error(`The data file ${o.file} was replaced; restart the bot.`);
  }

  /**
   * Runs a check-then-write task in one transaction (see the note at the top) and resolves with its result once
   * committed. A task that throws is undone whole.
   */
  async function atomically<T>(task: (o: Opened) => T): Promise<T> {
    const o = await ready();
    assertIntact(o);
    let result!: T;
    await o.root.childTransaction(() => {
      result = task(o);
    });
    return result;
  }

  /**
   * Takes over the data of the nedb files of earlier versions, once (whichever process opens the store first),
   * in one transaction; the old files are then renamed, never deleted.
   */
  async function takeOverNedbFiles(o: Opened, folder: string): Promise<void> {
    if (o.meta.get('nedbImport') !== undefined) return;
    const data = await readNedbFiles(folder, logger);
    if (!data) return;
    let imported = false;
    await o.root.childTransaction(() => {
      if (o.meta.get('nedbImport') !== undefined) return; // another process was first
      for (const rec of data.responses) {
        o.responses.put(dbKey(rec._id), rec);
        o.respondents.put(dbKey(rec.respondentKey), rec._id);
      }
      for (const rec of data.events) o.events.put([dbKey(rec.responseId), dbKey(rec._id)], rec);
      for (const rec of data.conversations) {
        o.conversations.put(dbKey(rec._id), rec);
        o.conversationsByRespondent.put([dbKey(rec.respondentKey), dbKey(rec._id)], rec._id);
      }
      for (const rec of data.activities) o.activities.put(dbKey(rec._id), rec);
      for (const rec of data.invitations) {
        o.invitations.put(dbKey(rec._id), rec);
        o.invitationHashes.put(rec.codeHash, rec._id);
      }
      o.meta.put('nedbImport', { at: now(), responses: data.responses.length, events: data.events.length, invitations: data.invitations.length });
      imported = true;
    });
    if (imported) logger.info({ responses: data.responses.length, events: data.events.length, invitations: data.invitations.length }, 'embedded store: took over the data files of the earlier version');
    await retireNedbFiles(data.files, logger);
  }

  /** Deletes claims whose record may go (a day after their claim, or their own expiry if later). */
  async function purge(o: Opened): Promise<void> {
    const at = now().getTime();
    const expired: string[] = [];
    for (const { key, value } of o.activities.getRange()) {
      if ((value.purgeAt ?? value.expiresAt).getTime() <= at) expired.push(key);
    }
    if (expired.length === 0) return;
    await o.root.childTransaction(() => {
      for (const key of expired) {
        const current = o.activities.get(key);
        if (current && (current.purgeAt ?? current.expiresAt).getTime() <= at) o.activities.remove(key);
      }
    });
  }

  /**
   * The responses read or written last, with the bytes they were read from: a respondent's next turn reads the same
   * bytes back, and comparing them costs far less than parsing them again. A record is only ever taken from here
   * when the database holds exactly its bytes, so another process's write, an erasure or a commit that failed is
   * seen at once. Callers get copies (copyResponseRecord): a record kept here is never handed out itself.
   */
  const recent = new Map<string, { bytes: Buffer; rec: ResponseRecord }>();

  function keepRecent(key: string, bytes: Buffer, rec: ResponseRecord): ResponseRecord {
    recent.delete(key);
    recent.set(key, { bytes, rec });
    if (recent.size > RECENT_RESPONSES) recent.delete(recent.keys().next().value!);
    return rec;
  }

  function findResponse(o: Opened, id: string): ResponseRecord | undefined {
    const key = dbKey(id);
    const shared = o.responses.getBinaryFast(key);
    if (shared === undefined) {
      recent.delete(key);
      return undefined;
    }
    // lmdb's buffer is reused by the next read and longer than the value (its `length` says how much is the value).
    const bytes = shared.subarray(0, shared.length);
    const hit = recent.get(key);
    if (hit && hit.bytes.equals(bytes)) return hit.rec;
    const copy = Buffer.from(bytes);
    return keepRecent(key, copy, o.responseEncoder.decode(copy));
  }

  /** A response's head, by its database key; read from the response itself when it has none (older data). */
  function headOf(o: Opened, key: string): ResponseHead | undefined {
    const head = o.heads.get(key);
    if (head) return head;
    const rec = o.responses.get(key);
    return rec && { _id: rec._id, respondentKey: rec.respondentKey, version: rec.version, turns: rec.turns ?? [] };
  }

  /** The writes of one commit, inside a transaction: a conflict writes nothing. */
  function commitIn(o: Opened, commit: TurnCommit, rec: ResponseRecord, events: EventRecord[], at: Date): WriteResult {
    const id = dbKey(rec._id);
    const key = dbKey(rec.respondentKey);
    const current = headOf(o, id);
    const owner = o.respondents.get(key);
    if (commit.expectedVersion === null) {
      if (current || owner !== undefined) return CONFLICT;
    } else {
      if (!current || current.version !== commit.expectedVersion) return CONFLICT;
      if (owner !== undefined && owner !== rec._id) return CONFLICT; // the new respondentKey is another respondent's
    }
    // The recent turns live in the head only (responses written before heads carried them themselves).
    const bytes = o.responseEncoder.encode(rec);
    o.responses.put(id, asBinary(bytes) as unknown as ResponseRecord); // already encoded
    keepRecent(id, bytes, rec); // if the transaction fails, the database's bytes differ and this is never used
    o.heads.put(id, { _id: rec._id, respondentKey: rec.respondentKey, version: rec.version, turns: withTurn(current?.turns, turnRecord(commit, rec.version)) });
    if (current && current.respondentKey !== rec.respondentKey) o.respondents.remove(dbKey(current.respondentKey));
    if (owner !== rec._id) o.respondents.put(key, rec._id);
    for (const event of events) {
      const eventKey = [id, dbKey(event._id)];
      if (o.events.get(eventKey) === undefined) o.events.put(eventKey, event);
    }
    if (commit.activity) o.activities.put(dbKey(commit.activity.key), activityRecord(commit.activity.key, 'done', commit.activity.ttlSeconds, at));
    return written(rec);
  }

  async function commit(c: TurnCommit): Promise<WriteResult> {
    checkCommit(c);
    const version = c.expectedVersion === null ? 1 : c.expectedVersion + 1;
    const rec = encodeResponse(c.response, version);
    const events = c.events.map(encodeEvent);
    const at = now();
    const result = await atomically((o) => commitIn(o, c, rec, events, at));
    if (result.ok && c.activity) leases.delete(c.activity.key);
    return result;
  }

  const store: Store = {
    kind: 'embedded',

    async init() {
      await ready();
    },

    async findResponseByRespondent(respondentKey) {
      assertKey(respondentKey, 'respondentKey');
      const o = await ready();
      const id = o.respondents.get(dbKey(respondentKey));
      const rec = id === undefined ? undefined : findResponse(o, id);
      return rec && rec.respondentKey === respondentKey ? decodeResponse(copyResponseRecord(rec)) : null;
    },

    async getResponse(id) {
      assertKey(id, 'id');
      const rec = findResponse(await ready(), id);
      return rec && rec._id === id ? decodeResponse(copyResponseRecord(rec)) : null;
    },

    async listResponses(filter: ResponseFilter = {}) {
      for (const [name, value] of Object.entries(filter)) if (value !== undefined) assertKey(value, name);
      const o = await ready();
      const docs = [];
      for (const { value: rec } of o.responses.getRange()) {
        if (!isListed(rec)) continue;
        if (filter.status !== undefined && rec.status !== filter.status) continue;
        if (filter.countryCode !== undefined && rec.country?.code !== filter.countryCode) continue;
        if (filter.answeredItemId !== undefined && !rec.answers.some((a) => a.itemId === filter.answeredItemId)) continue;
        docs.push(decodeResponse(rec));
      }
      return docs.sort(byCreatedThenId);
    },

    commitTurn: commit,

    async committedTurns(responseId) {
      assertKey(responseId, 'responseId');
      const head = headOf(await ready(), dbKey(responseId));
      return head && head._id === responseId ? decodeTurns(head) : [];
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
      await atomically((o) => {
        for (const rec of recs) {
          const id = dbKey(rec.responseId);
          const key = [id, dbKey(rec._id)];
          if (o.events.get(key) !== undefined) continue;
          // An event of a response erased meanwhile (a turn in flight) is kept without its content.
          const erased = o.events.get([id, dbKey(erasureEventId(rec.responseId))]) !== undefined;
          o.events.put(key, erased ? redactedEvent(rec) : rec);
        }
      });
    },

    async listEvents(responseId) {
      assertKey(responseId, 'responseId');
      const o = await ready();
      const list = [];
      for (const { value } of o.events.getRange(under(dbKey(responseId)))) if (value.responseId === responseId) list.push(decodeEvent(value));
      return list.sort(byAtThenId);
    },

    async eraseResponse(id, who, at) {
      assertKey(id, 'id');
      const erasure = encodeEvent(erasureEvent(id, who, at));
      return atomically((o) => {
        const key = dbKey(id);
        const rec = o.responses.get(key);
        if (!rec || rec._id !== id) return false;
        for (const { key: eventKey, value } of o.events.getRange(under(key))) {
          if (value.type !== 'erasure' && !value.redacted) o.events.put(eventKey, redactedEvent(value));
        }
        const respondent = dbKey(rec.respondentKey);
        const identityKeys: string[] = [];
        for (const { key: indexKey, value: identityKey } of o.identitiesByResponse.getRange(under(key))) {
          const bound = o.identities.get(dbKey(identityKey));
          if (bound && bound.responseId === id) {
            o.identities.remove(dbKey(identityKey));
            identityKeys.push(identityKey);
          }
          o.identitiesByResponse.remove(indexKey);
        }
        // The conversations of the respondent, and of every identity that answered the response (a team's participants).
        // Their reminder claims too (who was reminded when).
        for (const owner of [respondent, ...identityKeys.map(dbKey)]) {
          for (const { key: indexKey, value: conversationId } of o.conversationsByRespondent.getRange(under(owner))) {
            o.conversations.remove(dbKey(conversationId));
            o.conversationsByRespondent.remove(indexKey);
          }
          for (const { key: claimKey } of o.reminders.getRange(under(owner))) o.reminders.remove(claimKey);
        }
        const erasureKey = [key, dbKey(erasure._id)];
        if (o.events.get(erasureKey) === undefined) o.events.put(erasureKey, erasure);
        o.responses.remove(key);
        o.heads.remove(key);
        if (o.respondents.get(respondent) === id) o.respondents.remove(respondent);
        return true;
      });
    },

    async saveConversation(doc) {
      const rec = encodeConversation(doc);
      await atomically((o) => {
        const key = dbKey(rec._id);
        const old = o.conversations.get(key);
        if (old && old.respondentKey !== rec.respondentKey) o.conversationsByRespondent.remove([dbKey(old.respondentKey), key]);
        o.conversations.put(key, rec);
        o.conversationsByRespondent.put([dbKey(rec.respondentKey), key], rec._id);
      });
    },

    async getConversation(id) {
      assertKey(id, 'id');
      const rec = (await ready()).conversations.get(dbKey(id));
      return rec && rec._id === id ? decodeConversation(rec) : null;
    },

    async listConversations(respondentKey) {
      assertKey(respondentKey, 'respondentKey');
      const o = await ready();
      const list: ConversationDoc[] = [];
      for (const { value: conversationId } of o.conversationsByRespondent.getRange(under(dbKey(respondentKey)))) {
        const rec = o.conversations.get(dbKey(conversationId));
        if (rec && rec.respondentKey === respondentKey) list.push(decodeConversation(rec));
      }
      return list.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    },

    async claimActivity(key, leaseSeconds) {
      assertKey(key, 'key');
      assertTtl(leaseSeconds);
      // No check of the data file here (see assertIntact): a claim is kept in memory, and the commit that ends the
      // turn refuses to write into a lost file.
      const o = await ready();
      const at = now();
      // Synchronous from here on: two claims of one key cannot both get past the checks.
      const lease = leases.get(key);
      if (isLive(lease, at)) return { claimed: false, state: 'in_progress' } as const;
      const stored = o.activities.get(dbKey(key));
      if (isLive(stored, at)) return { claimed: false, state: claimState(stored) } as const;
      leases.set(key, activityRecord(key, 'in_progress', leaseSeconds, at));
      if (leases.size > 1000) for (const [k, l] of leases) if (!isLive(l, at)) leases.delete(k);
      return { claimed: true, retried: !!lease } as const;
    },

    async completeActivity(key, ttlSeconds) {
      assertKey(key, 'key');
      const rec = activityRecord(key, 'done', ttlSeconds, now());
      await atomically((o) => o.activities.put(dbKey(key), rec));
      leases.delete(key);
    },

    async getActivityClaim(key) {
      assertKey(key, 'key');
      const o = await ready();
      const at = now();
      return decodeClaim(leases.get(key), at) ?? decodeClaim(o.activities.get(dbKey(key)), at);
    },

    async releaseActivity(key) {
      assertKey(key, 'key');
      const o = await ready();
      leases.delete(key);
      if (o.activities.get(dbKey(key)) !== undefined) await atomically((db) => db.activities.remove(dbKey(key)));
    },

    async createInvitation(invitation) {
      const rec = encodeInvitation(invitation);
      return atomically((o) => {
        if (o.invitations.get(dbKey(rec._id)) !== undefined || o.invitationHashes.get(rec.codeHash) !== undefined) return false;
        o.invitations.put(dbKey(rec._id), rec);
        o.invitationHashes.put(rec.codeHash, rec._id);
        return true;
      });
    },

    async getSettings() {
      const rec = (await ready()).meta.get(SETTINGS_KEY) as SurveySettings | undefined;
      return rec ? { deadline: rec.deadline ? new Date(rec.deadline) : null, reminderDays: [...rec.reminderDays], updatedAt: new Date(rec.updatedAt) } : null;
    },

    async saveSettings(settings) {
      const s = surveySettingsSchema.parse(settings);
      await atomically((o) => {
        o.meta.put(SETTINGS_KEY, { deadline: s.deadline, reminderDays: [...s.reminderDays], updatedAt: s.updatedAt });
      });
    },

    async claimReminder(claim) {
      assertReminderClaim(claim);
      const respondent = dbKey(claim.respondentKey);
      const keys = [[respondent, 'slot', dbKey(claim.slot)], [respondent, 'day', claim.day]];
      const rec = { respondentKey: claim.respondentKey, slot: claim.slot, day: claim.day, at: new Date(claim.at.getTime()) };
      return atomically((o) => {
        if (keys.some((key) => o.reminders.get(key) !== undefined)) return false;
        for (const key of keys) o.reminders.put(key, rec);
        return true;
      });
    },

    async findInvitationByHash(codeHash) {
      assertKey(codeHash, 'codeHash');
      const o = await ready();
      const id = /^[0-9a-f]{64}$/.test(codeHash) ? o.invitationHashes.get(codeHash) : undefined;
      const rec = id === undefined ? undefined : o.invitations.get(dbKey(id));
      return rec ? decodeInvitation(rec) : null;
    },

    async getInvitation(id) {
      assertKey(id, 'id');
      const rec = (await ready()).invitations.get(dbKey(id));
      return rec && rec._id === id ? decodeInvitation(rec) : null;
    },

    async listInvitations() {
      const o = await ready();
      const list = [];
      for (const { value } of o.invitations.getRange()) list.push(decodeInvitation(value));
      return list.sort(invitationsByCreatedThenId);
    },

    async revokeInvitation(id, at) {
      assertKey(id, 'id');
      if (!(at instanceof Date)) throw new TypeError('at must be a Date');
      return atomically((o) => {
        const rec = o.invitations.get(dbKey(id));
        if (!rec || rec._id !== id) return null;
        const found = decodeInvitation(rec);
        if (found.revokedAt) return found;
        const revoked = { ...found, revokedAt: new Date(at.getTime()) };
        o.invitations.put(dbKey(id), encodeInvitation(revoked));
        return revoked;
      });
    },

    async markInvitationUsed(id, use) {
      assertKey(id, 'id');
      const usedBy = invitationUseSchema.parse(use);
      return atomically((o) => {
        const rec = o.invitations.get(dbKey(id));
        if (!rec || rec._id !== id) return false;
        const found = decodeInvitation(rec);
        if (!canTakeUp(found, usedBy.respondentKey, usedBy.at)) return false;
        o.invitations.put(dbKey(id), encodeInvitation({ ...found, usedBy }));
        return true;
      });
    },

    async savePreviousRounds(docs) {
      const recs = encodePreviousRounds(docs);
      if (recs.length === 0) return;
      await atomically((o) => {
        for (const rec of recs) o.previousRounds.put(rec._id, rec);
      });
    },

    async getPreviousRound(countryCode) {
      assertKey(countryCode, 'countryCode');
      const rec = (await ready()).previousRounds.get(dbKey(countryCode));
      return rec && rec._id === countryCode ? decodePreviousRound(rec) : null;
    },

    async bindIdentity(identity) {
      const rec = encodeIdentity(identity);
      await atomically((o) => {
        const key = dbKey(rec._id);
        const old = o.identities.get(key);
        if (old) o.identitiesByResponse.remove([dbKey(old.responseId), key]);
        o.identities.put(key, rec);
        o.identitiesByResponse.put([dbKey(rec.responseId), key], rec._id);
      });
    },

    async findIdentity(key) {
      assertKey(key, 'key');
      const rec = (await ready()).identities.get(dbKey(key));
      return rec && rec._id === key ? decodeIdentity(rec) : null;
    },

    async listIdentities(responseId) {
      assertKey(responseId, 'responseId');
      const o = await ready();
      const list = [];
      for (const { value: key } of o.identitiesByResponse.getRange(under(dbKey(responseId)))) {
        const rec = o.identities.get(dbKey(key));
        if (rec && rec.responseId === responseId) list.push(decodeIdentity(rec));
      }
      return list.sort(identitiesByAtThenKey);
    },

    async createLinkCode(link) {
      const rec = encodeLinkCode(link);
      return atomically((o) => {
        if (o.linkCodes.get(rec._id) !== undefined) return false;
        o.linkCodes.put(rec._id, rec);
        return true;
      });
    },

    async takeLinkCode(codeHash, at) {
      assertKey(codeHash, 'codeHash');
      if (!(at instanceof Date)) throw new TypeError('at must be a Date');
      if (!/^[0-9a-f]{64}$/.test(codeHash)) return null;
      return atomically((o) => {
        const rec = o.linkCodes.get(codeHash);
        if (!rec) return null;
        o.linkCodes.remove(codeHash);
        const link = decodeLinkCode(rec);
        return link.expiresAt.getTime() > at.getTime() ? link : null;
      });
    },

    async ping() {
      const o = await ready();
      assertIntact(o);
      accessSync(o.folder, fsConstants.R_OK | fsConstants.W_OK);
    },

    async close() {
      if (closed) return;
      closed = true;
      if (purging) clearInterval(purging);
      purging = null;
      const o = opened ?? (await initialising?.catch(() => null)) ?? null;
      opened = null;
      try {
        await o?.root.close();
      } finally {
        if (temporary) {
          rmSync(temporary, { recursive: true, force: true });
          temporaryFolders.delete(temporary);
        }
      }
    },
  };
  return store;
}

/**
 * Temporary folders of stores that were never closed, removed when the process exits. Kept on `process` (one set
 * and one exit listener per process, also when a test runner loads this module again for every test file).
 */
const temporaryFolders: Set<string> = (() => {
  const slot = Symbol.for('msq.embeddedStore.temporaryFolders');
  const holder = process as unknown as Record<symbol, Set<string> | undefined>;
  let folders = holder[slot];
  if (!folders) {
    const created = new Set<string>();
    holder[slot] = folders = created;
    process.once('exit', () => {
      for (const folder of created) rmSync(folder, { recursive: true, force: true });
    });
  }
  return folders;
})();
