/**
 * The store port: what the bot needs from persistence, independent of the database and of the channel layer
 * (no botbuilder here). Stored data is described by zod schemas; the types are derived from them.
 */
import { z } from 'zod';
import { locales } from '../i18n';

/**
 * True for plain JSON: null, booleans, finite numbers, strings, arrays and plain objects of those (no cycles).
 * Runs on every write of a response (its engine state), so it walks without allocating per value; holes of a
 * sparse array are skipped (as JSON.stringify writes them: null).
 */
export function isPlainJson(value: unknown, path: object[] = []): boolean {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object':
      break;
    default:
      return false;
  }
  if (value === null) return true;
  const object = value as object;
  if (path.includes(object)) return false;
  if (Array.isArray(object)) {
    path.push(object);
    for (let i = 0; i < object.length; i++) {
      const item: unknown = object[i];
      if (item === undefined && !(i in object)) continue;
      if (!isPlainJson(item, path)) {
        path.pop();
        return false;
      }
    }
    path.pop();
    return true;
  }
  const proto: unknown = Object.getPrototypeOf(object);
  if (proto !== Object.prototype && proto !== null) return false;
  path.push(object);
  const keys = Object.keys(object);
  for (let i = 0; i < keys.length; i++) {
    if (!isPlainJson((object as Record<string, unknown>)[keys[i]!], path)) {
      path.pop();
      return false;
    }
  }
  path.pop();
  return true;
}

/** A plain JSON object, taken as is (never rebuilt key by key, so keys such as `__proto__` or `a.b` survive). */
export const jsonObjectSchema = z.custom<Record<string, unknown>>(
  (v) => typeof v === 'object' && v !== null && !Array.isArray(v) && isPlainJson(v),
  { message: 'expected a plain JSON object' },
);

/** An answer as stored: "yes"/"no", an option id, option ids (multi), an ISO alpha-3 code, or text. */
export const answerValueSchema = z.union([z.string(), z.array(z.string())]);
/** An answer as stored: a string or a list of strings. */
export type AnswerValue = z.infer<typeof answerValueSchema>;

/** One answer; answers are a list, never an object keyed by item id (ids have dots, e.g. "q4.cio.name"). */
export const storedAnswerSchema = z.object({ itemId: z.string(), value: answerValueSchema });
/** One answer: the item id and its value. */
export type StoredAnswer = z.infer<typeof storedAnswerSchema>;

/** Where a response stands. */
export const responseStatusSchema = z.enum(['in_progress', 'submitted']);
/** Where a response stands: in progress or submitted. */
export type ResponseStatus = z.infer<typeof responseStatusSchema>;

/** The country a response is for. */
export const countrySchema = z.object({ code: z.string(), name: z.string() });

/**
 * A participant of a country's shared response: one invitation (its id is the participant's id), the person who
 * took it up, from any channel. Their place in the interview (`state`: the engine's state without the answers,
 * which are the response's) is their own, so each continues where *they* were.
 */
export const participantSchema = z.object({
  /** The invitation's id. */
  id: z.string().min(1),
  email: z.string().optional(),
  /** The name a channel gave for them, when it did. */
  name: z.string().optional(),
  /** The lead submits, restarts and deletes the country's response, and shares out sections. */
  lead: z.boolean(),
  /** Sections assigned to them (walked first); [] for none. */
  sections: z.array(z.string()),
  joinedAt: z.date(),
  /** The interview engine's state of this participant: plain JSON, opaque to the store. */
  state: jsonObjectSchema,
});
/** A participant of a country's shared response. */
export type Participant = z.infer<typeof participantSchema>;

/** The team of a country's shared response (a response made from invitations). */
export const teamSchema = z.object({ participants: z.array(participantSchema) });
/** The team of a country's shared response. */
export type Team = z.infer<typeof teamSchema>;

/** A respondent's questionnaire response. */
export const responseDocSchema = z.object({
  /** uuid (crypto.randomUUID). */
  id: z.string().min(1),
  /** Unique per respondent, e.g. "msteams:<aadObjectId>" or "webchat:<userId>". */
  respondentKey: z.string().min(1),
  country: countrySchema.nullable(),
  locale: z.enum(locales),
  status: responseStatusSchema,
  answers: z.array(storedAnswerSchema),
  /** Item ids deferred with "skip". */
  deferred: z.array(z.string()),
  /** The interview engine's persisted state: plain JSON, opaque to the store (any keys, any user text). */
  engine: jsonObjectSchema,
  createdAt: z.date(),
  updatedAt: z.date(),
  submittedAt: z.date().nullable(),
  /** Optimistic concurrency: 1 on insert, +1 on every replace. */
  version: z.number().int().min(1),
  /** A country's response answered by a team (invitations): its participants; absent for one respondent's own response. */
  team: teamSchema.optional(),
});
/** A respondent's questionnaire response, as stored. */
export type ResponseDoc = z.infer<typeof responseDocSchema>;

/** Who did something: the channel, the channel's user id and, when known, their display name. */
export const whoSchema = z.object({ channel: z.string(), userId: z.string(), name: z.string().optional() });

/** One entry of the audit trail. */
export const answerEventSchema = z.object({
  /** Deterministic, supplied by the caller (e.g. `${responseId}:${version}:${n}`), so a retried append is idempotent. */
  id: z.string().min(1),
  responseId: z.string().min(1),
  /** The item; '*' for an erasure. */
  itemId: z.string(),
  oldValue: answerValueSchema.nullable(),
  newValue: answerValueSchema.nullable(),
  who: whoSchema,
  channel: z.string(),
  at: z.date(),
  /**
   * An erasure event carries no content (itemId '*', values null). `flagged`: the survey team asked about the item
   * of a submitted response (the comment is the newValue); `revised_after_review`: it was answered again.
   */
  type: z.enum(['answer', 'erasure', 'flagged', 'revised_after_review']),
  /**
   * What an answer event records beyond a change typed by the respondent: `carriedForward`, the previous round's
   * answer kept (confirmed with `keep`); the follow-up of a thin answer asked (`probeAsked`), answered
   * (`probeAnswered`, with the new value) or declined (`probeDeclined`).
   */
  kind: z.enum(['carriedForward', 'probeAsked', 'probeAnswered', 'probeDeclined']).optional(),
  /** Set by eraseResponse on the response's earlier events, whose values (and who.name) were removed. */
  redacted: z.literal(true).optional(),
});
/** One entry of the audit trail: an answer change, or the erasure of a response. */
export type AnswerEvent = z.infer<typeof answerEventSchema>;

/**
 * A country's previous round, imported by the survey team (see src/carryForward): the country, when it was
 * imported, and the round itself as plain JSON — opaque to the store (its own module validates it), like `engine`.
 */
export const previousRoundDocSchema = z.object({
  /** ISO 3166 alpha-3; one previous round per country. */
  country: z.string().regex(/^[A-Z]{3}$/),
  round: jsonObjectSchema,
  importedAt: z.date(),
});
/** A country's previous round, as stored. */
export type PreviousRoundDoc = z.infer<typeof previousRoundDocSchema>;

/** Where to reach a respondent proactively. */
export const conversationDocSchema = z.object({
  /** `${channel}:${conversationId}`. */
  id: z.string().min(1),
  respondentKey: z.string().min(1),
  /** The Bot Framework conversation reference, as plain JSON. */
  reference: jsonObjectSchema,
  /** The last question card sent, so that it can be updated once answered (typed answers carry no replyToId). */
  lastCard: z.object({ activityId: z.string().min(1), questionId: z.string().min(1) }).optional(),
  updatedAt: z.date(),
});
/** A conversation of a respondent and its Bot Framework conversation reference. */
export type ConversationDoc = z.infer<typeof conversationDocSchema>;

/** Who took up an invitation: the respondent, the response it created, and when. */
export const invitationUseSchema = z.object({ respondentKey: z.string().min(1), responseId: z.string().min(1), at: z.date() });
/** Who took up an invitation. */
export type InvitationUse = z.infer<typeof invitationUseSchema>;

/**
 * An invitation to answer for one country. The code itself is never stored, only its SHA-256 hash (hex); the
 * code is shown once, when the invitation is made.
 */
export const invitationSchema = z.object({
  /** uuid (crypto.randomUUID). */
  id: z.string().min(1),
  /** SHA-256 of the canonical code, 64 lowercase hex digits; unique. */
  codeHash: z.string().regex(/^[0-9a-f]{64}$/),
  country: countrySchema,
  email: z.string().optional(),
  createdAt: z.date(),
  expiresAt: z.date(),
  revokedAt: z.date().optional(),
  /** The participant with this invitation leads the country's response (else the first participant does). */
  lead: z.boolean().optional(),
  /** Sections assigned to the participant with this invitation. */
  sections: z.array(z.string()).optional(),
  /** Set when a respondent starts with the code; the code then works for that respondent only. */
  usedBy: invitationUseSchema.optional(),
});
/** An invitation, as stored (code hashed). */
export type Invitation = z.infer<typeof invitationSchema>;

/**
 * A channel identity (`channel:userId`) bound to a response and, for a country's shared response, to one of its
 * participants: the same person may answer from Teams and from the web chat.
 */
export const identitySchema = z.object({
  /** `channel:userId`, as the session's respondent key. */
  key: z.string().min(1),
  responseId: z.string().min(1),
  /** The participant (invitation id); null for a one-respondent response continued from another channel. */
  participantId: z.string().min(1).nullable(),
  at: z.date(),
});
/** A channel identity bound to a response (and participant). */
export type Identity = z.infer<typeof identitySchema>;

/** A one-time code (`link`) that binds another channel identity to the same response and participant; stored hashed. */
export const linkCodeSchema = z.object({
  codeHash: z.string().regex(/^[0-9a-f]{64}$/),
  responseId: z.string().min(1),
  participantId: z.string().min(1).nullable(),
  createdAt: z.date(),
  expiresAt: z.date(),
});
/** A one-time link code, as stored (code hashed). */
export type LinkCode = z.infer<typeof linkCodeSchema>;

/**
 * A channel activity being processed, or processed (exactly-once processing). A claim is `in_progress` for a
 * short lease while its turn runs, and `done` once the turn is stored (with the turn, atomically) or needed no
 * write; a lease that runs out without the turn being stored frees the activity for the channel's retry.
 */
export interface ActivityClaim {
  key: string;
  state: 'in_progress' | 'done';
  claimedAt: Date;
  /** When the lease (in_progress) or the memory of the activity (done) runs out. */
  expiresAt: Date;
}

/**
 * The outcome of claimActivity. `retried`: an earlier claim of the same key ran out without being marked done (its
 * process died, or the store failed in the middle of it): that turn may or may not have been stored, so the caller
 * checks the response's committed turns before processing the activity again.
 */
export type ClaimResult = { claimed: true; retried: boolean } | { claimed: false; state: ActivityClaim['state'] };

/** A turn the store remembers among a response's most recent writes (see Store.committedTurns). */
export interface CommittedTurn {
  turnId: string;
  /** The channel activity the turn processed, if any. */
  activityKey?: string;
  /** The version of the response the turn wrote. */
  version: number;
}

/** How many of a response's most recent turns the store remembers (committedTurns). */
export const RECENT_TURNS = 16;

/**
 * One turn's write: the response's new state, the audit events of the change and the "this activity is done"
 * marker, stored together or not at all (see Store.commitTurn).
 */
export interface TurnCommit {
  /** A new id for every attempt (a uuid): recorded with the response, so that a write whose reply was lost can be recognised. */
  turnId: string;
  /** The response as it must be stored; its `version` is ignored (1 on insert, expectedVersion + 1 on replace). */
  response: ResponseDoc;
  /** null: insert a new response (conflict when the respondent or the id already has one); else compare-and-swap on this version. */
  expectedVersion: number | null;
  /** The audit events of the change (ids deterministic, e.g. `${responseId}:${newVersion}:${n}`). */
  events: AnswerEvent[];
  /** The channel activity this turn processes: marked done with the write, and remembered for ttlSeconds. */
  activity?: { key: string; ttlSeconds: number };
}

/** The survey team's settings: the deadline of the questionnaire and when participants are reminded of it. */
export const surveySettingsSchema = z.object({
  /** When answers are due; null: no deadline (and no reminders). */
  deadline: z.date().nullable(),
  /** Days before the deadline on which people with unanswered questions are reminded (e.g. [14, 7, 2]); []: none. */
  reminderDays: z.array(z.number().int().min(0).max(365)).max(20),
  updatedAt: z.date(),
});
/** The survey team's settings, as stored. */
export type SurveySettings = z.infer<typeof surveySettingsSchema>;

/** A reminder to one person (see Store.claimReminder). */
export interface ReminderClaim {
  respondentKey: string;
  /** The reminder time it is for (e.g. `2026-12-31T23:59:59.000Z/7`: the deadline and the days before it). */
  slot: string;
  /** The UTC day it is sent on, `YYYY-MM-DD`. */
  day: string;
  at: Date;
}

/** The outcome of a conditional write: the stored doc, or a conflict (never a silent overwrite). */
export type WriteResult = { ok: true; doc: ResponseDoc } | { ok: false; reason: 'conflict' };

/** Filters of listResponses; every given filter must hold. */
export interface ResponseFilter {
  status?: ResponseStatus;
  countryCode?: string;
  /** Only responses with an answer to this item id. */
  answeredItemId?: string;
}

/**
 * Persistence for the bot. Returned docs are fresh plain objects (Dates as Date, no database `_id`); mutating
 * them never changes the store. Invalid arguments (a non-string key, a doc not matching its schema) reject, and
 * are checked when written (stored records are not re-validated when read).
 *
 * A response exists for the survey team from its first answer on: listResponses leaves out a response with no
 * answer that is not submitted (the state of a respondent who only switched language or skipped, kept so that
 * the interview goes on where it was; and the empty responses older versions stored for every greeting).
 */
export interface Store {
  /** Which adapter this is. */
  readonly kind: 'mongodb' | 'embedded';
  /** Connect (or open the files) and create indexes. Idempotent; a failure is not cached (the next call retries). */
  init(): Promise<void>;
  /** The response of a respondent, or null. */
  findResponseByRespondent(respondentKey: string): Promise<ResponseDoc | null>;
  /** A response by id, or null. */
  getResponse(id: string): Promise<ResponseDoc | null>;
  /** Responses that have an answer (or are submitted) matching the filter, sorted by createdAt (then id). */
  listResponses(filter?: ResponseFilter): Promise<ResponseDoc[]>;
  /**
   * Stores one turn as one outcome: the response (insert, or compare-and-swap on expectedVersion), its events and
   * the activity's done marker become visible together, or nothing does. A conflict (stale version, respondentKey or
   * id taken, response gone) writes nothing. A rejection means the outcome is not known to this call (e.g. the
   * connection broke after the database applied it): the caller asks committedTurns whether `turnId` is there.
   */
  commitTurn(commit: TurnCommit): Promise<WriteResult>;
  /** The most recent turns (up to RECENT_TURNS) that wrote a response, oldest first; [] when there is no such response. */
  committedTurns(responseId: string): Promise<CommittedTurn[]>;
  /** Insert a new response (version must be 1) without events: commitTurn for tools and tests. Conflict if the respondentKey or id exists. */
  insertResponse(doc: ResponseDoc): Promise<WriteResult>;
  /** Compare-and-swap without events: commitTurn for tools and tests. The stored doc gets version expectedVersion + 1 (returned); conflict otherwise. */
  replaceResponse(doc: ResponseDoc, expectedVersion: number): Promise<WriteResult>;
  /** Append audit events outside a turn; idempotent by event id (a retried append of the same ids adds nothing, the first one stays). */
  appendEvents(events: AnswerEvent[]): Promise<void>;
  /** The events of a response, by `at` then id (an erased response's are redacted). */
  listEvents(responseId: string): Promise<AnswerEvent[]>;
  /**
   * Erase a response: delete the response, its conversations, its bound identities and the content of its events (values and who.name;
   * they are kept marked `redacted`); append one erasure event (id `${id}:erasure`, no content) recording who and
   * when. Idempotent and safe to retry after a failure. Returns false when there was nothing to delete.
   */
  eraseResponse(id: string, who: AnswerEvent['who'], at: Date): Promise<boolean>;
  /** Upsert a conversation by id. */
  saveConversation(doc: ConversationDoc): Promise<void>;
  /** A conversation by id, or null. */
  getConversation(id: string): Promise<ConversationDoc | null>;
  /** Every conversation of a respondent (where to reach them proactively), sorted by id. */
  listConversations(respondentKey: string): Promise<ConversationDoc[]>;
  /**
   * Claim a channel activity for a lease of leaseSeconds: claimed when the key is new, released, or its lease or
   * done-memory ran out; otherwise not claimed, with the claim's state. Two concurrent claims: exactly one wins.
   */
  claimActivity(key: string, leaseSeconds: number): Promise<ClaimResult>;
  /** Mark an activity done and remember it for ttlSeconds (for a turn that stored nothing; commitTurn does it for a write). */
  completeActivity(key: string, ttlSeconds: number): Promise<void>;
  /** The live claim of a key with its state and expiry, or null (never claimed, released or expired). */
  getActivityClaim(key: string): Promise<ActivityClaim | null>;
  /** Undo a claim (the turn failed and stored nothing, so a retry of the same activity must be processed). */
  releaseActivity(key: string): Promise<void>;
  /** Insert a new invitation; false (nothing written) when its id or codeHash already exists. */
  createInvitation(invitation: Invitation): Promise<boolean>;
  /** The invitation with this code hash (whatever its state), or null. */
  findInvitationByHash(codeHash: string): Promise<Invitation | null>;
  /** An invitation by id, or null. */
  getInvitation(id: string): Promise<Invitation | null>;
  /** Every invitation, sorted by createdAt (then id). */
  listInvitations(): Promise<Invitation[]>;
  /** Revoke an invitation (revokedAt = at; an earlier revocation is kept). Returns the invitation, or null when unknown. */
  revokeInvitation(id: string, at: Date): Promise<Invitation | null>;
  /**
   * Atomically take up an invitation for a respondent: true only when it exists, is not revoked, has not expired
   * at `use.at`, and is unused or already used by the same respondentKey (usedBy is then replaced, so a retry is
   * safe). False otherwise, writing nothing.
   */
  markInvitationUsed(id: string, use: InvitationUse): Promise<boolean>;
  /**
   * Keeps countries' previous rounds, each replacing what was kept for its country before. All are validated
   * before anything is written (an invalid one rejects, writing nothing); a country given twice keeps the last.
   */
  savePreviousRounds(docs: PreviousRoundDoc[]): Promise<void>;
  /** A country's previous round, or null when none was imported. */
  getPreviousRound(countryCode: string): Promise<PreviousRoundDoc | null>;
  /** Binds a channel identity to a response (and participant): inserted, or replaced when the identity was bound before. */
  bindIdentity(identity: Identity): Promise<void>;
  /** The binding of a channel identity, or null. */
  findIdentity(key: string): Promise<Identity | null>;
  /** The identities bound to a response, by `at` then key. */
  listIdentities(responseId: string): Promise<Identity[]>;
  /** Stores a new link code; false (nothing written) when its hash exists. */
  createLinkCode(link: LinkCode): Promise<boolean>;
  /**
   * Takes a link code once: returns it and deletes it when it exists and has not expired at `at`; null otherwise
   * (an expired one is deleted too). Two concurrent takes of one code: exactly one gets it.
   */
  takeLinkCode(codeHash: string, at: Date): Promise<LinkCode | null>;
  /** The survey team's settings, or null when never saved. */
  getSettings(): Promise<SurveySettings | null>;
  /** Replaces the survey team's settings. */
  saveSettings(settings: SurveySettings): Promise<void>;
  /**
   * Claims a reminder to a person before sending it: true only when that person has no reminder for this slot and
   * none on this day (then both are recorded, kept for good); false, writing nothing, otherwise. Of two concurrent
   * claims, at most one wins. So nobody is reminded twice for one slot, or twice in a day.
   */
  claimReminder(claim: ReminderClaim): Promise<boolean>;
  /** Throws when the store cannot serve (used by /healthz). */
  ping(): Promise<void>;
  /** Release the connection or files; the store cannot be used afterwards. */
  close(): Promise<void>;
}

/** Whether a response is one for the survey team: it has an answer, or was submitted (see Store). */
export const isListed = (doc: { answers: readonly unknown[]; status: string }): boolean => doc.answers.length > 0 || doc.status === 'submitted';
