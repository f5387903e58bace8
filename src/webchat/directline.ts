import { randomBytes } from 'node:crypto';
import type { Activity, ActivityHandler, TurnContext } from 'botbuilder';
import type { Logger } from 'pino';
import type { Request, Response, Server } from 'restify';
import { z } from 'zod';
import { InProcessAdapter } from './inProcessAdapter';
import { createTokenSigner, type TokenClaims, type TokenSigner } from './tokens';

/**
 * A self-hosted Direct Line 3.0 channel, for a bot that runs without a Microsoft App ID (no Azure Bot
 * resource): the subset of the protocol `botframework-directlinejs` (and so Web Chat) speaks with
 * `webSocket: false`, with the bot's turns run in this process.
 *
 * Client side, under `/v3/directline`: `tokens/refresh`, `conversations` (start),
 * `conversations/:id` (reconnect), `conversations/:id/activities` (GET: poll by watermark — held open up to a
 * few seconds while there is nothing new, so replies show at once; POST: send). Errors use Direct Line's
 * `{ error: { code, message } }`: 401 without a usable bearer token, 403 for a token that is expired
 * (`TokenExpired`, which directlinejs understands as "get a new token"), not ours (e.g. after a restart) or for
 * another conversation, 404 for an unknown conversation.
 *
 * Bot side: the bot runs in this process (`InProcessAdapter`): its replies and card updates are added to the
 * conversation directly, never over HTTP, so nothing depends on the address a browser used to reach the server
 * and nobody else can write into a conversation as the bot. An update is delivered to the client as a new
 * activity with the same id after the current watermark: Web Chat replaces the one it shows.
 *
 * Conversations live in memory only (the answers are in the bot's store): at most `maxActivities` activities
 * each, dropped after `idleMs` without use, at most `maxConversations` at a time (least recently used first out).
 */
export interface DirectLineOptions {
  bot: ActivityHandler;
  logger: Logger;
  /** What a turn that throws does (the application's: log it, tell the respondent their answers are safe). */
  onTurnError?: (context: TurnContext, error: Error) => Promise<void>;
  signer?: TokenSigner;
  /**
   * The conversation rate limit, charged once a request's token is verified, for the token's conversation (a
   * stranger without a valid token cannot spend it); false after it answered 429.
   */
  throttle?: (conversationId: string, req: Request, res: Response) => boolean;
  tokenLifetimeSeconds?: number;
  maxActivities?: number;
  maxConversations?: number;
  idleMs?: number;
  /** How long a poll with nothing new is held open. */
  holdMs?: number;
  maxBodyBytes?: number;
  botId?: string;
  botName?: string;
  now?: () => number;
}

export const DIRECT_LINE_PATH = '/v3/directline';

const MAX_TEXT = 25_000;
const localeSchema = z.string().max(35).regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/);

/** What a client may post: only these fields reach the bot; `from`, ids and addresses are set here. */
const clientActivitySchema = z.looseObject({
  type: z.enum(['message', 'event', 'conversationUpdate']),
  text: z.string().max(MAX_TEXT).optional(),
  textFormat: z.enum(['plain', 'markdown', 'xml']).optional(),
  locale: localeSchema.optional(),
  localTimestamp: z.string().max(64).optional(),
  localTimezone: z.string().max(64).optional(),
  name: z.string().max(256).optional(),
  value: z.unknown().optional(),
  replyToId: z.string().max(256).optional(),
  channelData: z.record(z.string(), z.unknown()).optional(),
  entities: z.array(z.looseObject({ type: z.string().max(128) })).max(16).optional(),
  attachments: z.array(z.unknown()).max(0, 'attachments are not accepted').optional(),
  from: z.looseObject({ id: z.string().max(512).optional(), name: z.string().max(256).optional() }).optional(),
});

const startSchema = z.looseObject({ user: z.looseObject({ id: z.string().max(512).optional() }).optional(), locale: localeSchema.optional() });

interface Entry {
  seq: number;
  activity: Record<string, unknown>;
}

interface Conversation {
  id: string;
  user: string;
  locale?: string;
  entries: Entry[];
  seq: number;
  lastActive: number;
  /** Turns run one after the other, in the order the activities arrived. */
  queue: Promise<unknown>;
  pending: number;
  waiters: Set<() => void>;
}

type Json = Record<string, unknown>;

const errorBody = (code: string, message: string) => ({ error: { code, message } });

export interface DirectLineHost {
  /** A token for a new conversation of this user (whose identity the caller has checked). */
  generate(userId: string): { conversationId: string; token: string; expires_in: number };
  /** Answers held polls at once and stops housekeeping. */
  close(): void;
  conversations: ReadonlyMap<string, { user: string; entries: ReadonlyArray<{ seq: number; activity: Record<string, unknown> }> }>;
}

export function mountDirectLine(server: Server, options: DirectLineOptions): DirectLineHost {
  const { bot, logger } = options;
  const signer = options.signer ?? createTokenSigner();
  const lifetime = options.tokenLifetimeSeconds ?? 30 * 60;
  const maxActivities = options.maxActivities ?? 500;
  const maxConversations = options.maxConversations ?? 5000;
  const idleMs = options.idleMs ?? 2 * 60 * 60 * 1000;
  const holdMs = options.holdMs ?? 8000;
  const maxBody = options.maxBodyBytes ?? 256 * 1024;
  const botAccount = { id: options.botId ?? 'msq-bot', name: options.botName ?? 'MSQ Bot', role: 'bot' };
  const now = options.now ?? (() => Date.now());
  const conversations = new Map<string, Conversation>();
  let closed = false;
  const adapter = new InProcessAdapter({ post: postFromBot, update: updateFromBot });
  if (options.onTurnError) adapter.onTurnError = options.onTurnError;

  // ---- housekeeping ---------------------------------------------------------------------------------------
  const sweep = setInterval(() => {
    const limit = now() - idleMs;
    for (const [id, conversation] of conversations) if (conversation.lastActive < limit && conversation.pending === 0) drop(id);
  }, Math.min(idleMs, 10 * 60 * 1000));
  sweep.unref();

  function drop(id: string) {
    const conversation = conversations.get(id);
    if (!conversation) return;
    conversations.delete(id);
    for (const wake of conversation.waiters) wake();
  }

  function touch(conversation: Conversation) {
    conversation.lastActive = now();
    conversations.delete(conversation.id);
    conversations.set(conversation.id, conversation);
  }

  function append(conversation: Conversation, activity: Json) {
    conversation.seq += 1;
    conversation.entries.push({ seq: conversation.seq, activity });
    if (conversation.entries.length > maxActivities) conversation.entries.splice(0, conversation.entries.length - maxActivities);
    for (const wake of [...conversation.waiters]) wake();
  }

  /** The id of the latest bot card asking the question a card submit (`{ msq: { questionId } }`) names. */
  function cardFor(conversation: Conversation, value: unknown): string | undefined {
    const questionId = (value as { msq?: { questionId?: unknown } } | null)?.msq?.questionId;
    if (typeof questionId !== 'string') return undefined;
    for (let i = conversation.entries.length - 1; i >= 0; i--) {
      const activity = conversation.entries[i].activity as { id?: string; attachments?: unknown[]; from?: { role?: string }; channelData?: { msq?: { questionId?: unknown } } };
      if (activity.from?.role === 'bot' && activity.attachments?.length && activity.channelData?.msq?.questionId === questionId) return activity.id;
    }
    return undefined;
  }

  const activityId = (conversation: Conversation) => `${conversation.id}|${String(conversation.seq + 1).padStart(7, '0')}`;

  // ---- HTTP helpers ---------------------------------------------------------------------------------------
  /** A restify handler that resolves once it has answered (restify then goes on with its chain). */
  const handle =
    (fn: (req: Request, res: Response) => unknown) =>
    async (req: Request, res: Response): Promise<void> => {
      await fn(req, res);
    };

  function send(res: Response, status: number, body?: unknown) {
    res.header('Cache-Control', 'no-store');
    res.header('X-Content-Type-Options', 'nosniff');
    if (body === undefined) res.send(status);
    else res.send(status, body);
  }

  /** The body, if within the size limit; otherwise answers 413 and returns null. */
  function body(req: Request, res: Response): unknown {
    const raw = (req as Request & { rawBody?: string | Buffer }).rawBody;
    const size = raw !== undefined ? Buffer.byteLength(raw) : Number(req.headers['content-length'] ?? 0);
    if (size > maxBody) {
      send(res, 413, errorBody('MessageSizeTooBig', `The request body is larger than ${maxBody} bytes.`));
      return null;
    }
    return req.body ?? {};
  }

  /** The token's claims, or null after answering 401/403 (or 429 when its conversation is over its rate limit). */
  function authorize(req: Request, res: Response): TokenClaims | null {
    const header = String(req.headers.authorization ?? '');
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) {
      send(res, 401, errorBody('Unauthorized', 'A Direct Line token is required (Authorization: Bearer <token>).'));
      return null;
    }
    const check = signer.verify(match[1]);
    if (check.ok) return !options.throttle || options.throttle(check.claims.conv, req, res) ? check.claims : null;
    if (check.reason === 'malformed') send(res, 401, errorBody('Unauthorized', 'The token is not a Direct Line token.'));
    else if (check.reason === 'expired') send(res, 403, errorBody('TokenExpired', 'The token has expired; get a new one.'));
    else send(res, 403, errorBody('TokenInvalid', 'The token was not issued by this server; get a new one.'));
    return null;
  }

  /** The conversation in the path, when the token opens it; otherwise answers 403/404 and returns null. */
  function conversationFor(req: Request, res: Response, claims: TokenClaims): Conversation | null {
    const id = String(req.params?.conversationId ?? '');
    if (id !== claims.conv) {
      send(res, 403, errorBody('Forbidden', 'The token does not open this conversation.'));
      return null;
    }
    const conversation = conversations.get(id);
    if (!conversation) {
      send(res, 404, errorBody('BadArgument', 'Unknown conversation.'));
      return null;
    }
    touch(conversation);
    return conversation;
  }

  const issued = (claims: { user: string; conv: string }) => {
    const { token } = signer.sign(claims, lifetime);
    return { conversationId: claims.conv, token, expires_in: lifetime };
  };

  /** Runs a turn of the bot, after the conversation's earlier turns. */
  function deliver(conversation: Conversation, activity: Json): Promise<void> {
    conversation.pending += 1;
    const turn = conversation.queue.then(() =>
      adapter.processActivity(activity as Partial<Activity>, async (context) => {
        await bot.run(context);
      }),
    );
    conversation.queue = turn.catch(() => undefined).finally(() => (conversation.pending -= 1));
    return turn.then(() => undefined);
  }

  // ---- client side: tokens ----------------------------------------------------------------------------------
  /** A token for a new conversation; the conversation starts when the client posts to /conversations. */
  function generate(userId: string): ReturnType<typeof issued> {
    return issued({ user: userId, conv: randomBytes(16).toString('base64url') });
  }

  // Azure's tokens/generate takes the Direct Line secret, which a page must never hold; this Direct Line has none.
  // A token for a user id would be that user's answers to anyone who knows the id, so it is never issued here:
  // the page gets its token from POST /api/directline/token, which checks the browser's own credential.
  server.post(`${DIRECT_LINE_PATH}/tokens/generate`, handle(async (_req: Request, res: Response) => {
    send(res, 401, errorBody('Unauthorized', 'Tokens are issued by POST /api/directline/token, to the browser whose identity it is.'));
  }));

  server.post(`${DIRECT_LINE_PATH}/tokens/refresh`, handle(async (req: Request, res: Response) => {
    const claims = authorize(req, res);
    if (!claims) return;
    send(res, 200, issued(claims));
  }));

  // ---- client side: conversations -----------------------------------------------------------------------------
  server.post(`${DIRECT_LINE_PATH}/conversations`, handle(async (req: Request, res: Response) => {
    const claims = authorize(req, res);
    if (!claims) return;
    const raw = body(req, res);
    if (raw === null) return;
    const start = startSchema.safeParse(raw);
    const existing = conversations.get(claims.conv);
    if (existing) {
      touch(existing);
      return send(res, 200, issued(claims));
    }
    if (conversations.size >= maxConversations) drop(conversations.keys().next().value as string);
    const conversation: Conversation = {
      id: claims.conv,
      user: claims.user,
      ...(start.success && start.data.locale ? { locale: start.data.locale } : {}),
      entries: [],
      seq: 0,
      lastActive: now(),
      queue: Promise.resolve(),
      pending: 0,
      waiters: new Set(),
    };
    conversations.set(conversation.id, conversation);
    // The bot greets a member who joins; directlinejs does not wait for it.
    const joined: Json = {
      type: 'conversationUpdate',
      id: `${conversation.id}|start`,
      timestamp: new Date(now()).toISOString(),
      channelId: 'directline',
      from: { id: claims.user, role: 'user' },
      recipient: botAccount,
      conversation: { id: conversation.id },
      membersAdded: [{ id: claims.user }],
      ...(conversation.locale ? { locale: conversation.locale } : {}),
    };
    deliver(conversation, joined).catch((error: unknown) => logger.error({ err: error, conversation: conversation.id }, 'web chat: greeting failed'));
    send(res, 201, issued(claims));
  }));

  server.get(`${DIRECT_LINE_PATH}/conversations/:conversationId`, handle(async (req: Request, res: Response) => {
    const claims = authorize(req, res);
    if (!claims) return;
    if (!conversationFor(req, res, claims)) return;
    send(res, 200, issued(claims));
  }));

  server.get(`${DIRECT_LINE_PATH}/conversations/:conversationId/activities`, handle(async (req: Request, res: Response) => {
    const claims = authorize(req, res);
    if (!claims) return;
    const conversation = conversationFor(req, res, claims);
    if (!conversation) return;
    const given = new URLSearchParams(req.getQuery()).get('watermark') ?? '';
    const watermark = /^\d{1,12}$/.test(given) ? Number(given) : 0;
    const answer = () => {
      const activities = conversation.entries.filter((e) => e.seq > watermark);
      const last = activities.at(-1)?.seq ?? Math.max(watermark, 0);
      send(res, 200, { activities: activities.map((e) => e.activity), watermark: String(last) });
    };
    if (closed || conversation.entries.some((e) => e.seq > watermark)) return answer();
    // Nothing new: hold the poll until something arrives (or a few seconds pass).
    return new Promise<void>((resolve) => {
      let done = false;
      const finish = (respond: boolean) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        conversation.waiters.delete(wake);
        if (respond && !res.writableEnded) answer();
        resolve();
      };
      // Woken by a new activity, answer a moment later, so that a turn's replies tend to arrive together.
      const wake = () => {
        conversation.waiters.delete(wake);
        setTimeout(() => finish(true), closed ? 0 : 25).unref();
      };
      const timer = setTimeout(() => finish(true), holdMs);
      timer.unref();
      conversation.waiters.add(wake);
      res.on('close', () => finish(false));
    });
  }));

  server.post(`${DIRECT_LINE_PATH}/conversations/:conversationId/activities`, handle(async (req: Request, res: Response) => {
    const claims = authorize(req, res);
    if (!claims) return;
    const conversation = conversationFor(req, res, claims);
    if (!conversation) return;
    const raw = body(req, res);
    if (raw === null) return;
    const parsed = clientActivitySchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      return send(res, 400, errorBody('BadArgument', `Invalid activity: ${issue ? `${issue.path.join('.') || 'body'} ${issue.message}` : 'malformed'}`));
    }
    if (conversation.pending >= 10) {
      res.header('Retry-After', '1');
      return send(res, 429, errorBody('Throttled', 'Too many messages at once; try again in a moment.'));
    }
    const a = parsed.data;
    const id = activityId(conversation);
    const user = { id: claims.user, ...(a.from?.name ? { name: a.from.name } : {}), role: 'user' };
    const pick = <K extends keyof typeof a>(...keys: K[]) => Object.fromEntries(keys.filter((k) => a[k] !== undefined).map((k) => [k, a[k]]));
    const seen: Json = {
      type: a.type,
      id,
      timestamp: new Date(now()).toISOString(),
      channelId: 'directline',
      from: user,
      conversation: { id: conversation.id },
      recipient: botAccount,
      ...pick('text', 'textFormat', 'locale', 'localTimestamp', 'localTimezone', 'name', 'value', 'replyToId', 'channelData', 'entities'),
      ...(a.type === 'conversationUpdate' ? { membersAdded: [{ id: claims.user }] } : {}),
    };
    // Web Chat does not say which card a submit came from; the card's data names its question, so the latest
    // card asking it is the one (the bot then updates that card, whatever it remembers itself).
    if (a.type === 'message' && a.value !== undefined && !a.replyToId) {
      const card = cardFor(conversation, a.value);
      if (card) seen.replyToId = card;
    }
    if (a.locale) conversation.locale = a.locale;
    // The client sees its own activity (with the id given here) in the stream, before the bot's replies.
    append(conversation, seen);
    try {
      await deliver(conversation, seen);
    } catch (error) {
      logger.error({ err: error, conversation: conversation.id }, 'web chat: the bot could not process an activity');
      return send(res, 502, errorBody('BotError', 'The bot could not process the message.'));
    }
    send(res, 200, { id });
  }));

  // ---- bot side: the bot's replies, in process ----------------------------------------------------------------
  function botConversation(activity: Partial<Activity>): Conversation {
    const conversation = conversations.get(String(activity.conversation?.id ?? ''));
    if (!conversation) throw new Error('web chat: the conversation is gone (idle too long, or too many at once)');
    return conversation;
  }

  /** A bot activity as the client receives it: our ids and addresses. */
  function fromBot(conversation: Conversation, activity: Partial<Activity>, id: string, timestamp: string): Json {
    const { serviceUrl: _serviceUrl, ...rest } = JSON.parse(JSON.stringify(activity)) as Json;
    return {
      ...rest,
      id,
      timestamp,
      channelId: 'directline',
      conversation: { id: conversation.id },
      from: { ...(typeof rest.from === 'object' && rest.from ? (rest.from as Json) : {}), ...botAccount },
      recipient: { id: conversation.user, role: 'user' },
    };
  }

  function postFromBot(activity: Partial<Activity>): string {
    const conversation = botConversation(activity);
    const id = activityId(conversation);
    append(conversation, fromBot(conversation, activity, id, new Date(now()).toISOString()));
    return id;
  }

  function updateFromBot(activity: Partial<Activity>): void {
    const conversation = botConversation(activity);
    const id = String(activity.id ?? '');
    const index = conversation.entries.findIndex((e) => e.activity.id === id);
    if (index < 0) throw new Error('web chat: no such activity to update');
    const [old] = conversation.entries.splice(index, 1);
    // Same id and place in time (Web Chat orders by timestamp), new position in the stream: the client replaces it.
    append(conversation, fromBot(conversation, activity, id, String(old.activity.timestamp)));
  }

  return {
    conversations,
    generate,
    close() {
      closed = true;
      clearInterval(sweep);
      for (const conversation of conversations.values()) for (const wake of [...conversation.waiters]) wake();
    },
  };
}
