/**
 * How port documents are laid out in a database (shared by both adapters): the doc id is the record's `_id`,
 * opaque JSON (engine state, conversation reference) is stored as a JSON string so that no key of it ever
 * becomes a field name, and every value is copied on the way in and out (no Date or array is shared).
 */
import {
  answerEventSchema,
  conversationDocSchema,
  invitationSchema,
  responseDocSchema,
  type ActivityClaim,
  type AnswerEvent,
  type AnswerValue,
  type ConversationDoc,
  type Invitation,
  type ResponseDoc,
} from './port';

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

/** A claimed activity as stored; `expiresAt` carries the TTL index. */
export interface ActivityRecord {
  _id: string;
  claimedAt: Date;
  expiresAt: Date;
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
  usedBy?: { respondentKey: string; responseId: string; at: Date };
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
} as const;

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
  };
}

/** A stored response as a fresh port doc (throws when the record is not a valid response). */
export function decodeResponse(r: ResponseRecord): ResponseDoc {
  const raw = r as unknown as Record<string, unknown>;
  const doc = responseDocSchema.safeParse({
    id: raw._id,
    respondentKey: raw.respondentKey,
    country: raw.country,
    locale: raw.locale,
    status: raw.status,
    answers: raw.answers,
    deferred: raw.deferred,
    engine: typeof raw.engineJson === 'string' ? JSON.parse(raw.engineJson) : undefined,
    createdAt: asDate(raw.createdAt),
    updatedAt: asDate(raw.updatedAt),
    submittedAt: asDate(raw.submittedAt),
    version: raw.version,
  });
  if (!doc.success) throw new Error(`Stored response ${String(raw._id)} is invalid: ${doc.error.message}`);
  return doc.data;
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
  if (e.redacted) rec.redacted = true;
  return rec;
}

/** A stored event as a fresh port event. */
export function decodeEvent(r: EventRecord): AnswerEvent {
  const raw = r as unknown as Record<string, unknown>;
  const who = raw.who as Record<string, unknown> | null | undefined;
  const e = answerEventSchema.safeParse({
    id: raw._id,
    responseId: raw.responseId,
    itemId: raw.itemId,
    oldValue: raw.oldValue,
    newValue: raw.newValue,
    who: who && typeof who === 'object' ? { ...who, name: who.name ?? undefined } : who,
    channel: raw.channel,
    at: asDate(raw.at),
    type: raw.type,
    redacted: raw.redacted ?? undefined,
  });
  if (!e.success) throw new Error(`Stored event ${String(raw._id)} is invalid: ${e.error.message}`);
  const out = e.data;
  if (out.who.name === undefined) delete out.who.name;
  if (out.redacted === undefined) delete out.redacted;
  return out;
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

/** A stored conversation as a fresh port doc. */
export function decodeConversation(r: ConversationRecord): ConversationDoc {
  const raw = r as unknown as Record<string, unknown>;
  const c = conversationDocSchema.safeParse({
    id: raw._id,
    respondentKey: raw.respondentKey,
    reference: typeof raw.referenceJson === 'string' ? JSON.parse(raw.referenceJson) : undefined,
    lastCard: raw.lastCard ?? undefined,
    updatedAt: asDate(raw.updatedAt),
  });
  if (!c.success) throw new Error(`Stored conversation ${String(raw._id)} is invalid: ${c.error.message}`);
  return c.data;
}

/** A new activity claim record. */
export function activityRecord(key: string, ttlSeconds: number, now: Date): ActivityRecord {
  if (typeof ttlSeconds !== 'number' || !Number.isFinite(ttlSeconds) || ttlSeconds <= 0) throw new TypeError('ttlSeconds must be a positive number');
  return { _id: key, claimedAt: copyDate(now), expiresAt: new Date(now.getTime() + Math.ceil(ttlSeconds * 1000)) };
}

/** A stored claim as a port claim, or null when it has expired. */
export function decodeClaim(r: ActivityRecord | null, now: Date): ActivityClaim | null {
  if (!r || !(r.expiresAt instanceof Date) || r.expiresAt.getTime() <= now.getTime()) return null;
  return { key: r._id, claimedAt: copyDate(r.claimedAt), expiresAt: copyDate(r.expiresAt) };
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
    usedBy: used && typeof used === 'object' ? { ...used, at: storedDate(used.at) } : undefined,
  });
  if (!i.success) throw new Error(`Stored invitation ${String(raw._id)} is invalid: ${i.error.message}`);
  const out = i.data;
  for (const key of ['email', 'revokedAt', 'usedBy'] as const) if (out[key] === undefined) delete out[key];
  return out;
}

/** Sorts invitations by createdAt, then id. */
export const invitationsByCreatedThenId = (a: Invitation, b: Invitation) =>
  a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Whether an invitation can be taken up by a respondent at a time (see Store.markInvitationUsed). */
export const canTakeUp = (i: Invitation, respondentKey: string, at: Date): boolean =>
  !i.revokedAt && i.expiresAt.getTime() > at.getTime() && (!i.usedBy || i.usedBy.respondentKey === respondentKey);
