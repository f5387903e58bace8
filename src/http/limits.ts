import type { Logger } from 'pino';
import type { Next, Request, RequestHandler, Response } from 'restify';
import { DIRECT_LINE_PATH } from '../webchat/directline';
import { createRateLimiter } from './rateLimit';

/** Rate limits per conversation and per client address (requests per minute, 0 = off; burst default: a third). */
export interface HttpLimitsConfig {
  conversation: { perMinute: number; burst?: number };
  ip: { perMinute: number; burst?: number };
  /** The client address is the last entry of X-Forwarded-For (set by the proxy in front), not the socket's. */
  trustProxy?: boolean;
  now?: () => number;
}

type Scope = 'messages' | 'directline' | 'token';

/**
 * The rate limits of the endpoints a stranger can reach: `POST /api/messages`, the web chat's token endpoint
 * and its self-hosted Direct Line. (The static page is not limited.) A refused request gets 429 with `Retry-After` in seconds; the first refusal of a key
 * is logged, the following ones are not (a flood must not flood the log too).
 *
 * - `perAddress` runs before routing and body parsing, so a flood costs no parsing;
 * - `perConversation` runs after them: the conversation is in the activity (`/api/messages`) or in the path
 *   (Direct Line).
 */
export function httpLimits(config: HttpLimitsConfig, logger: Logger): { perAddress: RequestHandler; perConversation: RequestHandler } {
  const burst = (limit: { perMinute: number; burst?: number }) => limit.burst ?? Math.max(1, Math.round(limit.perMinute / 3));
  const byAddress = createRateLimiter({ perMinute: config.ip.perMinute, burst: burst(config.ip), ...(config.now ? { now: config.now } : {}) });
  const byConversation = createRateLimiter({ perMinute: config.conversation.perMinute, burst: burst(config.conversation), ...(config.now ? { now: config.now } : {}) });

  function refuse(req: Request, res: Response, next: Next, scope: Scope, kind: 'address' | 'conversation', retryAfter: number, first: boolean, key: string) {
    if (first) logger.warn({ limit: kind, key, path: req.getPath(), retryAfter }, 'rate limit: requests refused');
    res.header('Retry-After', String(retryAfter));
    res.header('Cache-Control', 'no-store');
    const message = `Too many requests; try again in ${retryAfter} s.`;
    res.send(429, scope === 'directline' ? { error: { code: 'Throttled', message } } : { error: message });
    next(false);
  }

  return {
    perAddress(req: Request, res: Response, next: Next) {
      const scope = scopeOf(req.getPath());
      if (!scope) return next();
      const address = clientAddress(req, config.trustProxy ?? false);
      const verdict = byAddress.take(address);
      if (verdict.allowed) return next();
      refuse(req, res, next, scope, 'address', verdict.retryAfterSeconds, verdict.first, address);
    },
    perConversation(req: Request, res: Response, next: Next) {
      const scope = scopeOf(req.getPath());
      const key = scope ? conversationKey(req, scope) : null;
      if (!key) return next();
      const verdict = byConversation.take(key);
      if (verdict.allowed) return next();
      refuse(req, res, next, scope!, 'conversation', verdict.retryAfterSeconds, verdict.first, key);
    },
  };
}

function scopeOf(path: string): Scope | null {
  if (path === '/api/messages') return 'messages';
  if (path === '/api/directline/token') return 'token';
  if (path === DIRECT_LINE_PATH || path.startsWith(`${DIRECT_LINE_PATH}/`)) return 'directline';
  return null;
}

/** The conversation a request is for: the activity's channel and conversation, or Direct Line's path parameter. */
function conversationKey(req: Request, scope: Scope): string | null {
  if (scope === 'messages') {
    const body = req.body as { channelId?: unknown; conversation?: { id?: unknown } } | undefined;
    const id = typeof body === 'object' && body !== null ? body.conversation?.id : undefined;
    if (typeof id !== 'string' || !id) return null;
    return `messages:${typeof body!.channelId === 'string' ? body!.channelId.slice(0, 128) : ''}:${id.slice(0, 1024)}`;
  }
  if (scope === 'directline') {
    const id = req.params?.conversationId;
    return typeof id === 'string' && id ? `directline:${id.slice(0, 256)}` : null;
  }
  return null;
}

/**
 * Who is asking: the socket's address, or behind a trusted proxy the last X-Forwarded-For entry (the one the
 * proxy itself added; entries before it are whatever the client claimed). IPv6 clients are keyed by their /64,
 * which one household or host usually owns whole.
 */
export function clientAddress(req: Pick<Request, 'headers' | 'socket'>, trustProxy: boolean): string {
  let address = req.socket?.remoteAddress ?? 'unknown';
  if (trustProxy) {
    const forwarded = req.headers['x-forwarded-for'];
    const last = (Array.isArray(forwarded) ? forwarded.join(',') : (forwarded ?? '')).split(',').at(-1)?.trim();
    if (last) address = last;
  }
  address = address.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/i, '');
  return address.includes(':') ? ipv6Prefix(address) : address;
}

function ipv6Prefix(address: string): string {
  const plain = address.replace(/^\[|\]$/g, '').split('%')[0];
  const [head, tail] = plain.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups = tail === undefined ? left : [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => (/^[0-9a-f]{1,4}$/i.test(g) ? parseInt(g, 16).toString(16) : g.toLowerCase()))
    .join(':')}::/64`;
}
