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

/** How a refusal is written: the Bot Framework's `{ error }` or Direct Line's `{ error: { code, message } }`. */
export type LimitFormat = 'messages' | 'directline';

export interface HttpLimits {
  /** Per client address, before routing and body parsing: a flood costs no parsing. */
  perAddress: RequestHandler;
  /**
   * Takes one request from a conversation's bucket; false after answering 429. Call it only once the request is
   * authenticated, with the conversation its credential is for (the Direct Line token's, the activity of a
   * request the Bot Framework authenticated): a stranger who knows a conversation id must not be able to spend
   * that conversation's quota with requests that fail authentication anyway.
   */
  conversation(key: string, req: Request, res: Response, format: LimitFormat): boolean;
}

/**
 * The rate limits of the endpoints a stranger can reach: `POST /api/messages`, the web chat's token endpoint
 * and its built-in Direct Line (the static page is not limited). A refused request gets 429 with `Retry-After`
 * in seconds; the first refusal of a key is logged, the following ones are not (a flood must not flood the log
 * too).
 */
export function httpLimits(config: HttpLimitsConfig, logger: Logger): HttpLimits {
  const burst = (limit: { perMinute: number; burst?: number }) => limit.burst ?? Math.max(1, Math.round(limit.perMinute / 3));
  const byAddress = createRateLimiter({ perMinute: config.ip.perMinute, burst: burst(config.ip), ...(config.now ? { now: config.now } : {}) });
  const byConversation = createRateLimiter({ perMinute: config.conversation.perMinute, burst: burst(config.conversation), ...(config.now ? { now: config.now } : {}) });

  function refuse(req: Request, res: Response, format: LimitFormat, kind: 'address' | 'conversation', retryAfter: number, first: boolean, key: string) {
    if (first) logger.warn({ limit: kind, key, path: req.getPath(), retryAfter }, 'rate limit: requests refused');
    res.header('Retry-After', String(retryAfter));
    res.header('Cache-Control', 'no-store');
    const message = `Too many requests; try again in ${retryAfter} s.`;
    res.send(429, format === 'directline' ? { error: { code: 'Throttled', message } } : { error: message });
  }

  return {
    perAddress(req: Request, res: Response, next: Next) {
      const path = req.getPath();
      if (!isLimited(path)) return next();
      const address = clientAddress(req, config.trustProxy ?? false);
      const verdict = byAddress.take(address);
      if (verdict.allowed) return next();
      refuse(req, res, isDirectLine(path) ? 'directline' : 'messages', 'address', verdict.retryAfterSeconds, verdict.first, address);
      next(false);
    },
    conversation(key, req, res, format) {
      const verdict = byConversation.take(`${format}:${key.slice(0, 1200)}`);
      if (verdict.allowed) return true;
      refuse(req, res, format, 'conversation', verdict.retryAfterSeconds, verdict.first, key.slice(0, 200));
      return false;
    },
  };
}

const isDirectLine = (path: string) => path === DIRECT_LINE_PATH || path.startsWith(`${DIRECT_LINE_PATH}/`);
const isLimited = (path: string) => path === '/api/messages' || path === '/api/directline/token' || isDirectLine(path);

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
