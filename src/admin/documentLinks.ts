import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { locales, type Locale } from '../i18n';

/** How long a respondent's link to their document works. */
export const DOCUMENT_LINK_MINUTES = 60;

const claimsSchema = z.object({ r: z.string().min(1).max(200), l: z.enum(locales), exp: z.number().int() });

export type DocumentLinkCheck = { ok: true; responseId: string; locale: Locale } | { ok: false; reason: 'malformed' | 'signature' | 'expired' };

/**
 * Links that let a respondent download their own filled questionnaire without an account: the path carries
 * the response id, the language and an expiry, signed with HMAC-SHA256. The key comes from
 * `LINK_SIGNING_KEY` (shared by every instance of the bot) or is random per process, so that links die with it.
 */
export function createDocumentLinks(options: { key?: string; baseUrl: () => string; now?: () => number; minutes?: number }) {
  const key = options.key ? Buffer.from(options.key, 'utf8') : randomBytes(32);
  const now = options.now ?? (() => Date.now());
  const minutes = options.minutes ?? DOCUMENT_LINK_MINUTES;
  const mac = (data: string) => createHmac('sha256', key).update(data).digest();

  /** A link to the PDF of a response, in a language, valid for `minutes`. */
  function create(responseId: string, locale: Locale): { url: string; minutes: number } {
    const payload = Buffer.from(JSON.stringify({ r: responseId, l: locale, exp: Math.floor(now() / 1000) + minutes * 60 })).toString('base64url');
    // `~` joins the parts: a dot would be read as a file extension by the router.
    const token = `${payload}~${mac(payload).toString('base64url')}`;
    return { url: `${options.baseUrl().replace(/\/+$/, '')}/documents/${token}`, minutes };
  }

  function verify(token: string): DocumentLinkCheck {
    const [payload, signature, ...rest] = token.split('~');
    if (!payload || !signature || rest.length > 0 || token.length > 1024) return { ok: false, reason: 'malformed' };
    const given = Buffer.from(signature, 'base64url');
    const expected = mac(payload);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'signature' };
    let claims: z.infer<typeof claimsSchema>;
    try {
      const parsed = claimsSchema.safeParse(JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')));
      if (!parsed.success) return { ok: false, reason: 'malformed' };
      claims = parsed.data;
    } catch {
      return { ok: false, reason: 'malformed' };
    }
    if (claims.exp * 1000 <= now()) return { ok: false, reason: 'expired' };
    return { ok: true, responseId: claims.r, locale: claims.l };
  }

  return { create, verify };
}
export type DocumentLinks = ReturnType<typeof createDocumentLinks>;
