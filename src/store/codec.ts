/**
 * How port documents are laid out in a database (shared by both adapters): the doc id is the record's `_id`,
 * opaque JSON (engine state, conversation reference) is stored as a JSON string so that no key of it ever
 * becomes a field name, and values are copied on the way in (no Date or array of the caller is shared).
 *
 * Records are validated when they are written (zod, in encode*), not when they are read: both databases hand back
 * freshly decoded objects, and re-validating a whole response on every read was a tenth of a turn's CPU.
 */
import {
  RECENT_TURNS,
  answerEventSchema,
  conversationDocSchema,
  identitySchema,
  invitationSchema,
  previousRoundDocSchema,
  linkCodeSchema,
  responseDocSchema,
  type Identity,
  type LinkCode,
  type Team,
  type ActivityClaim,
  type AnswerEvent,
  type CommittedTurn,
  type TurnCommit,
  type AnswerValue,
  type ConversationDoc,
  type Invitation,
  type PreviousRoundDoc,
  type ResponseDoc,
} from './port';

/** Where a store reports what it handled by itself (pino's logger fits). */
export interface StoreLogger {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

/** A response as stored. */
export interface ResponseRecord {
  _id: string;
  respondentKey: string;
  country: { code: string; name: string } | null;
  locale: string;
  status: string;
  answers: { itemId: string; value: AnswerValue }[];
  deferred: string[];
  engineJson: string;
  createdAt: Date;
  updatedAt: Date;
  submittedAt: Date | null;
  version: number;
  /** The most recent turns that wrote the response (oldest first, at most RECENT_TURNS); absent in older records. */
  turns?: TurnRecord[];
  /** A country's shared response: its team as JSON (participants' states hold user text and any keys). */
  teamJson?: string;
}

/** A channel identity bound to a response, as stored (`_id`: the identity's key). */
export interface IdentityRecord {
  _id: string;
  responseId: string;
  participantId: string | null;
  at: Date;
}

/** A one-time link code, as stored (`_id`: its hash). */
export interface LinkCodeRecord {
  _id: string;
  responseId: string;
  participantId: string | null;
  createdAt: Date;
  expiresAt: Date;
}

/** A turn as remembered in a response record: its id, the version it wrote, and the activity it processed. */
export interface TurnRecord {
  id: string;
  version: number;
  activity?: string;
}

/** An audit event as stored. */
export interface EventRecord {
  _id: string;
  responseId: string;
  itemId: string;
  oldValue: AnswerValue | null;
  newValue: AnswerValue | null;
  who: { channel: string; userId: string; name?: string };
  channel: string;
  at: Date;
  type: string;
  kind?: string;
  redacted?: true;
}

/** A conversation as stored. */
export interface ConversationRecord {
  _id: string;
  respondentKey: string;
  referenceJson: string;
  lastCard?: { activityId: string; questionId: string };
  updatedAt: Date;
}

/** A claimed activity as stored. Records of older versions have no state: they were "done". */
export interface ActivityRecord {
  _id: string;
  state?: 'in_progress' | 'done';
  claimedAt: Date;
  /** The end of the lease (in_progress) or of the done-memory. */
  expiresAt: Date;
  /**
   * When the record may be deleted (MongoDB's TTL index): a day after the claim at the earliest, so that a lease
   * that ran out is still seen as such (ClaimResult.retried) when the channel retries.
   */
  purgeAt?: Date;
}

/** An invitation as stored (dates as Date in MongoDB, as ISO strings in the embedded store's JSON lines). */
export interface InvitationRecord {
  _id: string;
  codeHash: string;
  country: { code: string; name: string };
  email?: string;
  createdAt: Date;
  expiresAt: Date;
  revokedAt?: Date;
  lead?: boolean;
  sections?: string[];
  usedBy?: { respondentKey: string; responseId: string; at: Date };
}

/** A previous round as stored: its content as a JSON string (no key of it ever becomes a field name). */
export interface PreviousRoundRecord {
  _id: string;
  roundJson: string;
  importedAt: Date;
}

/** The database collections / datastores. */
export const collectionNames = {
  responses: 'responses',
  events: 'answer_events',
  conversations: 'conversations',
  activities: 'processed_activities',
  invitations: 'invitations',
  /** MongoDB only: the version records that make compare-and-swap atomic on any MongoDB-protocol server. */
  versions: 'response_versions',
  /** MongoDB only: one record per invitation taken up (the atomic take-up). */
  invitationUses: 'invitation_uses',
  previousRounds: 'previous_rounds',
  /** Channel identities bound to a response (and participant). */
  identities: 'identities',
  /** One-time link codes (`link`). */
  linkCodes: 'link_codes',
  /** MongoDB only: one record per link code taken (the atomic take: a duplicate `_id` is refused by every server). */
  linkCodeUses: 'link_code_uses',
  /** The survey team's settings (MongoDB: one document `survey`; embedded: in `meta`). */
  settings: 'settings',
  /** Reminders sent: one record per person and slot, and one per person and day. */
  reminders: 'reminder_claims',
} as const;

/** The keys of a reminder claim: one per person and slot, one per person and day (JSON, so no separator is ambiguous). */
export const reminderClaimIds = (c: { respondentKey: string; slot: string; day: string }): [string, string] => [
  JSON.stringify(['slot', c.respondentKey, c.slot]),
  JSON.stringify(['day', c.respondentKey, c.day]),
];

/** A reminder claim's arguments checked (throws on anything else). */
export function assertReminderClaim(c: unknown): asserts c is { respondentKey: string; slot: string; day: string; at: Date } {
  const claim = c as Record<string, unknown>;
  if (typeof c !== 'object' || c === null) throw new TypeError('a reminder claim must be an object');
  assertKey(claim.respondentKey, 'respondentKey');
  assertKey(claim.slot, 'slot');
  if (typeof claim.day !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(claim.day)) throw new TypeError('day must be YYYY-MM-DD');
  if (!(claim.at instanceof Date) || Number.isNaN(claim.at.getTime())) throw new TypeError('at must be a date');
}

/** The id of the erasure event of a response (deterministic, so a retried erasure appends nothing). */
export const erasureEventId = (responseId: string) => `${responseId}:erasure`;

const copyDate = (d: Date) => new Date(d.getTime());
const copyValue = (v: AnswerValue | null): AnswerValue | null => (Array.isArray(v) ? [...v] : v);
const copyWho = (w: AnswerEvent['who']): AnswerEvent['who'] =>
  w.name === undefined ? { channel: w.channel, userId: w.userId } : { channel: w.channel, userId: w.userId, name: w.name };
const asDate = (v: unknown): unknown => (v instanceof Date ? copyDate(v) : v);

/** Rejects anything but a string where a key is looked up (a crafted object must never become a query operator). */
export function assertKey(value: unknown, what: string): asserts value is string {
  if (typeof value !== 'string') throw new TypeError(`${what} must be a string`);
}

/** Rejects anything but an integer version ≥ 1. */
export function assertVersion(value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) throw new TypeError('version must be an integer ≥ 1');
}

/** A valid response doc as a record with a given version (throws on an invalid doc). */
export function encodeResponse(input: ResponseDoc, version: number): ResponseRecord {
  const d = responseDocSchema.parse(input);
  return {
    _id: d.id,
    respondentKey: d.respondentKey,
    country: d.country ? { code: d.country.code, name: d.country.name } : null,
    locale: d.locale,
    status: d.status,
    answers: d.answers.map((a) => ({ itemId: a.itemId, value: copyValue(a.value) as AnswerValue })),
    deferred: [...d.deferred],
    engineJson: JSON.stringify(input.engine),
    createdAt: copyDate(d.createdAt),
    updatedAt: copyDate(d.updatedAt),
    submittedAt: d.submittedAt ? copyDate(d.submittedAt) : null,
    version,
    ...(d.team ? { teamJson: JSON.stringify(input.team) } : {}),
  };
}

/** A copy of a record sharing no list, answer or Date with it (for a record a store keeps and hands out again). */
export function copyResponseRecord(r: ResponseRecord): ResponseRecord {
  return {
    ...r,
    country: r.country && { code: r.country.code, name: r.country.name },
    answers: r.answers.map((a) => ({ itemId: a.itemId, value: copyValue(a.value) as AnswerValue })),
    deferred: [...r.deferred],
    createdAt: copyDate(r.createdAt),
    updatedAt: copyDate(r.updatedAt),
    submittedAt: r.submittedAt && copyDate(r.submittedAt),
  };
}

/** A stored response as a port doc (the record is fresh from the database: its values are not copied again). */
export function decodeResponse(r: ResponseRecord): ResponseDoc {
  return {
    id: r._id,
    respondentKey: r.respondentKey,
    country: r.country ? { code: r.country.code, name: r.country.name } : null,
    locale: r.locale as ResponseDoc['locale'],
    status: r.status as ResponseDoc['status'],
    answers: r.answers,
    deferred: r.deferred,
    engine: JSON.parse(r.engineJson) as Record<string, unknown>,
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    submittedAt: r.submittedAt ?? null,
    version: r.version,
    ...(typeof r.teamJson === 'string' ? { team: decodeTeam(r.teamJson) } : {}),
  };
}

/** A stored team (dates as ISO strings in its JSON) as a port team. */
function decodeTeam(json: string): Team {
  const raw = JSON.parse(json) as { participants: Array<Record<string, unknown>> };
  return { participants: raw.participants.map((p) => ({ ...p, joinedAt: new Date(String(p.joinedAt)) }) as Team['participants'][number]) };
}

/** A valid identity as a record. */
export function encodeIdentity(input: Identity): IdentityRecord {
  const i = identitySchema.parse(input);
  return { _id: i.key, responseId: i.responseId, participantId: i.participantId, at: copyDate(i.at) };
}

/** A stored identity as a port identity. */
export const decodeIdentity = (r: IdentityRecord): Identity => ({ key: r._id, responseId: r.responseId, participantId: r.participantId ?? null, at: storedDate(r.at) as Date });

/** A valid link code as a record. */
export function encodeLinkCode(input: LinkCode): LinkCodeRecord {
  const l = linkCodeSchema.parse(input);
  return { _id: l.codeHash, responseId: l.responseId, participantId: l.participantId, createdAt: copyDate(l.createdAt), expiresAt: copyDate(l.expiresAt) };
}

/** A stored link code as a port link code. */
export const decodeLinkCode = (r: LinkCodeRecord): LinkCode => ({
  codeHash: r._id,
  responseId: r.responseId,
  participantId: r.participantId ?? null,
  createdAt: storedDate(r.createdAt) as Date,
  expiresAt: storedDate(r.expiresAt) as Date,
});

/** Sorts identities by `at`, then key. */
export const identitiesByAtThenKey = (a: Identity, b: Identity) => a.at.getTime() - b.at.getTime() || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/** The turns a record remembers, as port turns. */
export function decodeTurns(r: Pick<ResponseRecord, 'turns'> | null | undefined): CommittedTurn[] {
  return (r?.turns ?? []).map((t) => ({ turnId: t.id, version: t.version, ...(t.activity !== undefined ? { activityKey: t.activity } : {}) }));
}

/** The turn of a commit as remembered in the record it writes. */
export const turnRecord = (commit: TurnCommit, version: number): TurnRecord => ({
  id: commit.turnId,
  version,
  ...(commit.activity ? { activity: commit.activity.key } : {}),
});

/** A record's recent turns with one more (the oldest ones dropped beyond RECENT_TURNS). */
export const withTurn = (turns: TurnRecord[] | undefined, turn: TurnRecord): TurnRecord[] => [...(turns ?? []), turn].slice(-RECENT_TURNS);

/** Checks a commit's arguments before any I/O (throws a TypeError or a zod error). */
export function checkCommit(commit: TurnCommit): void {
  assertKey(commit.turnId, 'turnId');
  if (commit.turnId === '') throw new TypeError('turnId must not be empty');
  if (commit.expectedVersion !== null) assertVersion(commit.expectedVersion);
  if (!Array.isArray(commit.events)) throw new TypeError('events must be an array');
  for (const event of commit.events) if (event.responseId !== commit.response.id) throw new TypeError('every event of a turn must belong to its response');
  if (commit.activity) {
    assertKey(commit.activity.key, 'activity key');
    assertTtl(commit.activity.ttlSeconds);
  }
}

/** A valid event as a record (throws on an invalid event). */
export function encodeEvent(input: AnswerEvent): EventRecord {
  const e = answerEventSchema.parse(input);
  const rec: EventRecord = {
    _id: e.id,
    responseId: e.responseId,
    itemId: e.itemId,
    oldValue: copyValue(e.oldValue),
    newValue: copyValue(e.newValue),
    who: copyWho(e.who),
    channel: e.channel,
    at: copyDate(e.at),
    type: e.type,
  };
  if (e.kind) rec.kind = e.kind;
  if (e.redacted) rec.redacted = true;
  return rec;
}

/** A stored event as a port event. */
export function decodeEvent(r: EventRecord): AnswerEvent {
  const who = r.who.name == null ? { channel: r.who.channel, userId: r.who.userId } : { channel: r.who.channel, userId: r.who.userId, name: r.who.name };
  const e: AnswerEvent = {
    id: r._id,
    responseId: r.responseId,
    itemId: r.itemId,
    oldValue: r.oldValue ?? null,
    newValue: r.newValue ?? null,
    who,
    channel: r.channel,
    at: r.at,
    type: r.type as AnswerEvent['type'],
  };
  if (r.kind) e.kind = r.kind as NonNullable<AnswerEvent['kind']>;
  if (r.redacted) e.redacted = true;
  return e;
}

/** An event with its content removed (values and who.name), as eraseResponse leaves the events of a response. */
export function redactedEvent(r: EventRecord): EventRecord {
  // Answers, and the survey team's flags (whose comments may quote an answer); the erasure event has no content.
  if (r.type === 'erasure') return r;
  return { ...r, oldValue: null, newValue: null, who: { channel: r.who.channel, userId: r.who.userId }, redacted: true };
}

/** The content-free erasure event of a response. */
export function erasureEvent(responseId: string, who: AnswerEvent['who'], at: Date): AnswerEvent {
  return { id: erasureEventId(responseId), responseId, itemId: '*', oldValue: null, newValue: null, who, channel: who.channel, at, type: 'erasure' };
}

/** A valid conversation as a record (throws on an invalid doc). */
export function encodeConversation(input: ConversationDoc): ConversationRecord {
  const c = conversationDocSchema.parse(input);
  return {
    _id: c.id,
    respondentKey: c.respondentKey,
    referenceJson: JSON.stringify(input.reference),
    ...(c.lastCard ? { lastCard: { activityId: c.lastCard.activityId, questionId: c.lastCard.questionId } } : {}),
    updatedAt: copyDate(c.updatedAt),
  };
}

/** A stored conversation as a port doc. */
export function decodeConversation(r: ConversationRecord): ConversationDoc {
  return {
    id: r._id,
    respondentKey: r.respondentKey,
    reference: JSON.parse(r.referenceJson) as Record<string, unknown>,
    ...(r.lastCard ? { lastCard: { activityId: r.lastCard.activityId, questionId: r.lastCard.questionId } } : {}),
    updatedAt: r.updatedAt,
  };
}

/** Rejects a lease or memory duration that is not a positive number of seconds. */
export function assertTtl(seconds: unknown): asserts seconds is number {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds <= 0) throw new TypeError('ttlSeconds must be a positive number');
}

/** How long a claim record is kept at least (ActivityRecord.purgeAt). */
const PURGE_AFTER_MS = 24 * 60 * 60 * 1000;

/** A claim record: in progress for a lease, or done and remembered for a while. */
export function activityRecord(key: string, state: 'in_progress' | 'done', seconds: number, now: Date): ActivityRecord {
  assertTtl(seconds);
  const expiresAt = new Date(now.getTime() + Math.ceil(seconds * 1000));
  return { _id: key, state, claimedAt: copyDate(now), expiresAt, purgeAt: new Date(Math.max(expiresAt.getTime(), now.getTime() + PURGE_AFTER_MS)) };
}

/** The state of a stored claim (older records, without one, were done). */
export const claimState = (r: ActivityRecord): 'in_progress' | 'done' => r.state ?? 'done';

/** Whether a stored claim still holds at a time. */
export const isLive = (r: ActivityRecord | null | undefined, now: Date): r is ActivityRecord =>
  !!r && r.expiresAt instanceof Date && r.expiresAt.getTime() > now.getTime();

/** A stored claim as a port claim, or null when it has run out. */
export function decodeClaim(r: ActivityRecord | null | undefined, now: Date): ActivityClaim | null {
  if (!isLive(r, now)) return null;
  return { key: r._id, state: claimState(r), claimedAt: copyDate(r.claimedAt), expiresAt: copyDate(r.expiresAt) };
}

/** Sorts events by `at`, then id (the same order for every adapter). */
export const byAtThenId = (a: AnswerEvent, b: AnswerEvent) =>
  a.at.getTime() - b.at.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Sorts responses by createdAt, then id. */
export const byCreatedThenId = (a: ResponseDoc, b: ResponseDoc) =>
  a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** A valid invitation as a record (throws on an invalid invitation). */
export function encodeInvitation(input: Invitation): InvitationRecord {
  const i = invitationSchema.parse(input);
  return {
    _id: i.id,
    codeHash: i.codeHash,
    country: { code: i.country.code, name: i.country.name },
    ...(i.email !== undefined ? { email: i.email } : {}),
    createdAt: copyDate(i.createdAt),
    expiresAt: copyDate(i.expiresAt),
    ...(i.revokedAt ? { revokedAt: copyDate(i.revokedAt) } : {}),
    ...(i.lead !== undefined ? { lead: i.lead } : {}),
    ...(i.sections !== undefined ? { sections: [...i.sections] } : {}),
    ...(i.usedBy ? { usedBy: { respondentKey: i.usedBy.respondentKey, responseId: i.usedBy.responseId, at: copyDate(i.usedBy.at) } } : {}),
  };
}

/** A date as stored: a Date, or an ISO string from a JSON line. */
const storedDate = (v: unknown): unknown => (typeof v === 'string' ? new Date(v) : asDate(v));

/** A stored invitation as a fresh port invitation (throws when the record is not a valid invitation). */
export function decodeInvitation(r: InvitationRecord): Invitation {
  const raw = r as unknown as Record<string, unknown>;
  const used = raw.usedBy as Record<string, unknown> | null | undefined;
  const i = invitationSchema.safeParse({
    id: raw._id,
    codeHash: raw.codeHash,
    country: raw.country,
    email: raw.email ?? undefined,
    createdAt: storedDate(raw.createdAt),
    expiresAt: storedDate(raw.expiresAt),
    revokedAt: raw.revokedAt == null ? undefined : storedDate(raw.revokedAt),
    lead: raw.lead ?? undefined,
    sections: raw.sections ?? undefined,
    usedBy: used && typeof used === 'object' ? { ...used, at: storedDate(used.at) } : undefined,
  });
  if (!i.success) throw new Error(`Stored invitation ${String(raw._id)} is invalid: ${i.error.message}`);
  const out = i.data;
  for (const key of ['email', 'revokedAt', 'lead', 'sections', 'usedBy'] as const) if (out[key] === undefined) delete out[key];
  return out;
}

/** Sorts invitations by createdAt, then id. */
export const invitationsByCreatedThenId = (a: Invitation, b: Invitation) =>
  a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Whether an invitation can be taken up by a respondent at a time (see Store.markInvitationUsed). */
export const canTakeUp = (i: Invitation, respondentKey: string, at: Date): boolean =>
  !i.revokedAt && i.expiresAt.getTime() > at.getTime() && (!i.usedBy || i.usedBy.respondentKey === respondentKey);

/** Valid previous rounds as records, the last of a country winning (throws on an invalid one, before any is returned). */
export function encodePreviousRounds(docs: PreviousRoundDoc[]): PreviousRoundRecord[] {
  if (!Array.isArray(docs)) throw new TypeError('docs must be an array');
  const byCountry = new Map<string, PreviousRoundRecord>();
  for (const input of docs) {
    const d = previousRoundDocSchema.parse(input);
    byCountry.set(d.country, { _id: d.country, roundJson: JSON.stringify(input.round), importedAt: copyDate(d.importedAt) });
  }
  return [...byCountry.values()];
}

/** A stored previous round as a fresh port doc. */
export function decodePreviousRound(r: PreviousRoundRecord): PreviousRoundDoc {
  return { country: r._id, round: JSON.parse(r.roundJson) as Record<string, unknown>, importedAt: storedDate(r.importedAt) as Date };
}
