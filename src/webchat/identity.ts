import { createHash, randomBytes } from 'node:crypto';
import type { Request, Response } from 'restify';
import { z } from 'zod';

/** A web chat user id: `dl_` and letters, digits, `-` or `_` (the page's ids of earlier versions were UUIDs). */
const USER_ID = /^dl_[A-Za-z0-9_-]{8,64}$/;
export const userIdSchema = z.string().regex(USER_ID, 'must be dl_ followed by 8 to 64 letters, digits, - or _');

/**
 * Who a web chat respondent is, in a way a stranger cannot borrow.
 *
 * The browser holds a random secret (32 bytes) in a cookie that page script cannot read (HttpOnly), that is
 * sent only by this site's own pages (SameSite=Strict), over HTTPS only when the bot is served over HTTPS
 * (Secure, with the `__Host-` prefix so that no sibling subdomain can plant one). The respondent's user id is
 * derived from it: `dl_` + SHA-256 of the secret. So:
 *
 * - the user id can be seen anywhere (tokens, the store's respondent key, logs, the dashboard) without giving
 *   access: going from the id back to the secret is as hard as inverting SHA-256;
 * - a token is issued only for the id the request's own cookie derives to; a request that names a user id
 *   without that cookie is refused (401);
 * - there is no signing key to configure, share between instances or lose in a restart: any instance of the
 *   bot derives the same id from the same cookie, before and after a restart.
 *
 * Why a cookie and not a signed credential in localStorage: anything page script can read, an injected script
 * or a browser extension can copy; an HttpOnly cookie is sent by the browser itself and never exposed to script.
 * Reloading the page (or coming back days later on the same browser) resumes the same response; another
 * browser, or a cleared browser, is a new respondent.
 */
export interface WebchatIdentity {
  /** The cookie's name: `__Host-msq-webchat` over HTTPS, `msq-webchat` otherwise. */
  readonly cookieName: string;
  /** The user id this request's cookie proves, or null when it carries no valid one. */
  read(req: Pick<Request, 'headers'>): string | null;
  /** Makes a new respondent: sets the cookie on the response and returns the user id. */
  issue(res: Pick<Response, 'header'>): string;
  /** Sets the cookie again for an existing secret (so that an active respondent's cookie never expires). */
  renew(req: Pick<Request, 'headers'>, res: Pick<Response, 'header'>): void;
}

/** How long the browser keeps the cookie without a visit: 400 days, the most browsers allow. */
export const COOKIE_MAX_AGE_SECONDS = 400 * 24 * 60 * 60;

const SECRET = /^[A-Za-z0-9_-]{43}$/;

/** The web chat user id a secret proves. */
export function webchatUserId(secret: string): string {
  return `dl_${createHash('sha256').update(`msq-webchat-user:${secret}`).digest('base64url')}`;
}

export function createWebchatIdentity(options: { secure: boolean }): WebchatIdentity {
  const cookieName = options.secure ? '__Host-msq-webchat' : 'msq-webchat';
  const attributes = ['Path=/', `Max-Age=${COOKIE_MAX_AGE_SECONDS}`, 'HttpOnly', 'SameSite=Strict', ...(options.secure ? ['Secure'] : [])].join('; ');

  const secretOf = (req: Pick<Request, 'headers'>): string | null => {
    const header = req.headers.cookie;
    if (typeof header !== 'string') return null;
    for (const part of header.split(';')) {
      const index = part.indexOf('=');
      if (index < 0 || part.slice(0, index).trim() !== cookieName) continue;
      const value = part.slice(index + 1).trim();
      if (SECRET.test(value)) return value;
    }
    return null;
  };
  const setCookie = (res: Pick<Response, 'header'>, secret: string) => res.header('Set-Cookie', `${cookieName}=${secret}; ${attributes}`);

  return {
    cookieName,
    read(req) {
      const secret = secretOf(req);
      return secret ? webchatUserId(secret) : null;
    },
    issue(res) {
      const secret = randomBytes(32).toString('base64url');
      setCookie(res, secret);
      return webchatUserId(secret);
    },
    renew(req, res) {
      const secret = secretOf(req);
      if (secret) setCookie(res, secret);
    },
  };
}

/**
 * True when an activity speaks for a web chat respondent (`dl_…`, as `from.id` or `from.aadObjectId`, which the
 * bot takes first). Such activities come from the built-in Direct Line (in process) or, authenticated, from
 * Azure's Direct Line: an unauthenticated POST /api/messages claiming one is someone borrowing an identity.
 */
export function claimsWebchatIdentity(activity: { from?: { id?: unknown; aadObjectId?: unknown } | null }): boolean {
  const from = activity.from;
  // The pattern itself, not the schema: this runs on every activity, and a failed safeParse builds an error.
  return (typeof from?.aadObjectId === 'string' && USER_ID.test(from.aadObjectId)) || (typeof from?.id === 'string' && USER_ID.test(from.id));
}
