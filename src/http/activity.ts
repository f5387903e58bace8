/**
 * The activity a channel posts to /api/messages, checked before botbuilder sees it: `activitySchema` says what is
 * accepted (zod), `readActivity` applies it.
 */
import { z } from 'zod';

const str = (max: number) => z.string().max(max);
const account = (idMax: number) => z.looseObject({ id: str(idMax), name: str(1024).nullish(), aadObjectId: str(256).nullish() });

/**
 * The fields of an activity the bot and botbuilder rely on, with the types they assume (a wrong type would
 * throw inside the turn); anything else is passed through untouched. Optional fields may also be null, as some
 * channels' serializers write them.
 */
export const activitySchema = z
  .looseObject({
    type: z.string().min(1).max(64),
    id: str(512).nullish(),
    channelId: z.string().min(1).max(128),
    serviceUrl: str(2048)
      .refine((url) => /^https?:\/\//i.test(url) && URL.canParse(url), 'must be an http(s) URL')
      .nullish(),
    conversation: z.looseObject({ id: z.string().min(1).max(1024) }),
    from: account(512).nullish(),
    recipient: account(512).partial({ id: true }).nullish(),
    text: z.string().nullish(),
    locale: str(64).nullish(),
    name: str(256).nullish(),
    replyToId: str(512).nullish(),
    deliveryMode: str(64).nullish(),
    entities: z.array(z.looseObject({ type: str(128) })).max(64).nullish(),
    channelData: z.record(z.string(), z.unknown()).nullish(),
    membersAdded: z.array(account(512)).max(64).nullish(),
    membersRemoved: z.array(account(512)).max(64).nullish(),
    attachments: z.array(z.record(z.string(), z.unknown())).max(64).nullish(),
  })
  .refine((a) => typeof a.serviceUrl === 'string' || a.deliveryMode === 'expectReplies', {
    // Replies go to serviceUrl unless they come back in the HTTP response: without it a turn could only fail, slowly.
    path: ['serviceUrl'],
    message: 'is required unless deliveryMode is expectReplies',
  });

/** An activity as accepted (its other fields are passed through untouched). */
export type IncomingActivity = z.infer<typeof activitySchema>;

/**
 * Checks a request body against `activitySchema`. Well-formed activities — nearly all of them — are recognised by
 * `isWellFormedActivity`, which checks exactly what the schema does without zod's general machinery (zod took a
 * few percent of every turn's CPU); anything it does not accept goes through zod itself, which has the last word
 * and says what is wrong. test/http/activity.test.ts checks that the two agree on generated activities.
 */
export function readActivity(body: unknown): { success: true; data: IncomingActivity } | { success: false; issues: string[] } {
  if (isWellFormedActivity(body)) return { success: true, data: body };
  const parsed = activitySchema.safeParse(body);
  if (parsed.success) return { success: true, data: parsed.data };
  return { success: false, issues: parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.')}: ${i.message}`) };
}

/** True when `activitySchema` accepts the value (the same checks, written out; see readActivity). */
export function isWellFormedActivity(a: unknown): a is IncomingActivity {
  if (!isObject(a)) return false;
  const { serviceUrl, deliveryMode } = a;
  return (
    isString(a.type, 1, 64) &&
    nullishString(a.id, 512) &&
    isString(a.channelId, 1, 128) &&
    (serviceUrl === undefined || serviceUrl === null || isServiceUrl(serviceUrl)) &&
    isObject(a.conversation) &&
    isString(a.conversation.id, 1, 1024) &&
    (a.from === undefined || a.from === null || isAccount(a.from, true)) &&
    (a.recipient === undefined || a.recipient === null || isAccount(a.recipient, false)) &&
    nullishString(a.text, Infinity) &&
    nullishString(a.locale, 64) &&
    nullishString(a.name, 256) &&
    nullishString(a.replyToId, 512) &&
    nullishString(deliveryMode, 64) &&
    nullishList(a.entities, (e) => isObject(e) && isString(e.type, 0, 128)) &&
    (a.channelData === undefined || a.channelData === null || isRecord(a.channelData)) &&
    nullishList(a.membersAdded, (m) => isAccount(m, true)) &&
    nullishList(a.membersRemoved, (m) => isAccount(m, true)) &&
    nullishList(a.attachments, isRecord) &&
    (typeof serviceUrl === 'string' || deliveryMode === 'expectReplies')
  );
}

type Fields = Record<string, unknown>;

/** An object as zod's object schemas take it: not null, not a list. */
const isObject = (v: unknown): v is Fields => typeof v === 'object' && v !== null && !Array.isArray(v);
/** An object as zod's record schemas take it: a plain one. */
const isRecord = (v: unknown): v is Fields => isObject(v) && (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null);
const isString = (v: unknown, min: number, max: number): v is string => typeof v === 'string' && v.length >= min && v.length <= max;
const nullishString = (v: unknown, max: number) => v === undefined || v === null || isString(v, 0, max);
const nullishList = (v: unknown, each: (item: unknown) => boolean) => v === undefined || v === null || (Array.isArray(v) && v.length <= 64 && v.every(each));
const isServiceUrl = (v: unknown) => isString(v, 0, 2048) && /^https?:\/\//i.test(v) && URL.canParse(v);
/** A channel account: id (required for `from` and members, optional but never null for `recipient`), name, aadObjectId. */
const isAccount = (v: unknown, idRequired: boolean) =>
  isObject(v) && (idRequired || v.id !== undefined ? isString(v.id, 0, 512) : true) && nullishString(v.name, 1024) && nullishString(v.aadObjectId, 256);
