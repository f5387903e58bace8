import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** What a self-hosted Direct Line token grants: one user, in one conversation, until it expires. */
export interface TokenClaims {
  /** The Web Chat user id (`dl_…`): becomes `from.id` of everything the user posts. */
  user: string;
  /** The conversation the token opens and reads. */
  conv: string;
  /** Expiry, seconds since the epoch. */
  exp: number;
}

export type TokenCheck = { ok: true; claims: TokenClaims } | { ok: false; reason: 'malformed' | 'signature' | 'expired' };

const b64url = (data: string | Buffer) => Buffer.from(data).toString('base64url');
const HEADER = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));

/**
 * Signs and checks self-hosted Direct Line tokens: compact JWTs (HS256) so that Web Chat and directlinejs,
 * which read the `user` claim of a token, see what they expect. The key is random per process unless given:
 * after a restart, open pages get 403 on their next poll and fetch a new token (the answers are in the bot's
 * store, keyed by the user id the browser's cookie proves, so nothing is lost).
 */
export function createTokenSigner(options: { key?: Buffer; now?: () => number } = {}) {
  const key = options.key ?? randomBytes(32);
  const now = options.now ?? (() => Date.now());
  const mac = (data: string) => createHmac('sha256', key).update(data).digest();

  function sign(claims: { user: string; conv: string }, lifetimeSeconds: number): { token: string; exp: number } {
    const iat = Math.floor(now() / 1000);
    const exp = iat + lifetimeSeconds;
    const payload = b64url(JSON.stringify({ iss: 'msq-bot-directline', user: claims.user, conv: claims.conv, iat, exp }));
    const body = `${HEADER}.${payload}`;
    return { token: `${body}.${b64url(mac(body))}`, exp };
  }

  function verify(token: string): TokenCheck {
    const parts = token.split('.');
    if (parts.length !== 3 || parts[0] !== HEADER || token.length > 4096) return { ok: false, reason: 'malformed' };
    const given = Buffer.from(parts[2], 'base64url');
    const expected = mac(`${parts[0]}.${parts[1]}`);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'signature' };
    let claims: Partial<TokenClaims>;
    try {
      claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as Partial<TokenClaims>;
    } catch {
      return { ok: false, reason: 'malformed' };
    }
    if (typeof claims.user !== 'string' || typeof claims.conv !== 'string' || typeof claims.exp !== 'number') return { ok: false, reason: 'malformed' };
    if (claims.exp * 1000 <= now()) return { ok: false, reason: 'expired' };
    return { ok: true, claims: { user: claims.user, conv: claims.conv, exp: claims.exp } };
  }

  return { sign, verify };
}
export type TokenSigner = ReturnType<typeof createTokenSigner>;
