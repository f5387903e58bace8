/**
 * Invitation codes: made by the survey team (`npm run invite`, the dashboard), given by a respondent (the web chat
 * link, or pasted in Teams), stored only as a SHA-256 hash.
 *
 * A code is `MSQ-XXXX-XXXX-XXXX`: 12 characters from an alphabet without look-alikes (no 0/O, 1/I/L, U/V), about
 * 58 bits. The code is what protects a country's response, and its hash could leak with a database backup: 58
 * bits keep an offline search over every possible code out of reach, while 3 groups of 4 stay easy to type.
 */
import { createHash, randomInt, randomUUID } from 'node:crypto';
import { countryName, parseCountry } from '../interview/parse/country';
import type { Invitation, Store } from '../store/port';

/** The characters of a code. */
export const CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTWXYZ';
const GROUPS = 3;
const GROUP_LENGTH = 4;
/** How long an invitation is valid unless said otherwise. */
export const DEFAULT_EXPIRY_DAYS = 30;
/** The longest validity accepted. */
export const MAX_EXPIRY_DAYS = 366;

/** A new random code, e.g. `MSQ-7KQM-2WXT-HP9D`. */
export function generateCode(): string {
  const groups = Array.from({ length: GROUPS }, () =>
    Array.from({ length: GROUP_LENGTH }, () => CODE_ALPHABET[randomInt(CODE_ALPHABET.length)]).join(''),
  );
  return ['MSQ', ...groups].join('-');
}

const CHAR = `[${CODE_ALPHABET}]`;
const SEP = '[\\s\\-_.]*';
const WITH_PREFIX = new RegExp(`MSQ${SEP}(${CHAR}{4})${SEP}(${CHAR}{4})${SEP}(${CHAR}{4})(?![A-Z0-9])`);
const BARE = new RegExp(`^(${CHAR}{4})${SEP}(${CHAR}{4})${SEP}(${CHAR}{4})$`);

/**
 * The code in what a respondent sent, in its canonical form, or null. Tolerant of case, spaces and dashes, of
 * words around it ("my code is msq 7kqm 2wxt hp9d") and of a pasted link (`…/?invitation=MSQ-…`).
 */
export function findCode(text: unknown): string | null {
  if (typeof text !== 'string' || text.length > 2000) return null;
  const upper = text.toUpperCase();
  const match = WITH_PREFIX.exec(upper) ?? BARE.exec(upper.trim());
  return match ? `MSQ-${match[1]}-${match[2]}-${match[3]}` : null;
}

/** Whether a text looks like an attempt at a code (so that a wrong one is refused rather than ignored). */
export const looksLikeCode = (text: unknown): boolean => typeof text === 'string' && /\bMSQ\b/i.test(text);

/** The stored form of a code: SHA-256 of its canonical form, in hex. */
export const hashCode = (code: string): string => createHash('sha256').update(code, 'utf8').digest('hex');

/** Where a respondent stands with an invitation. */
export type InvitationState = 'active' | 'used' | 'expired' | 'revoked';

/** An invitation's state at a time: revoked wins over expired, expired over used. */
export function invitationState(invitation: Invitation, now: Date): InvitationState {
  if (invitation.revokedAt) return 'revoked';
  if (invitation.expiresAt.getTime() <= now.getTime()) return 'expired';
  return invitation.usedBy ? 'used' : 'active';
}

/** Why a code cannot be used by a respondent, or null when it can. */
export function refusal(invitation: Invitation | null, respondentKey: string, now: Date): 'unknown' | 'expired' | 'revoked' | 'taken' | null {
  if (!invitation) return 'unknown';
  const state = invitationState(invitation, now);
  if (state === 'revoked' || state === 'expired') return state;
  return invitation.usedBy && invitation.usedBy.respondentKey !== respondentKey ? 'taken' : null;
}

/** What the survey team sees of an invitation: never its code hash. */
export interface InvitationView {
  id: string;
  country: { code: string; name: string };
  email?: string;
  createdAt: string;
  expiresAt: string;
  revokedAt?: string;
  lead?: boolean;
  sections?: string[];
  usedBy?: { respondentKey: string; responseId: string; at: string };
  state: InvitationState;
}

export function invitationView(invitation: Invitation, now: Date): InvitationView {
  const { codeHash: _hash, createdAt, expiresAt, revokedAt, usedBy, ...rest } = invitation;
  return {
    ...rest,
    createdAt: createdAt.toISOString(),
    expiresAt: expiresAt.toISOString(),
    ...(revokedAt ? { revokedAt: revokedAt.toISOString() } : {}),
    ...(usedBy ? { usedBy: { ...usedBy, at: usedBy.at.toISOString() } } : {}),
    state: invitationState(invitation, now),
  };
}

/** A duration such as `30d`, `2w`, `12h` or `45` (days), in milliseconds; null when not understood or out of range. */
export function parseDuration(text: string): number | null {
  const match = /^\s*(\d{1,4})\s*([dhw]?)\s*$/i.exec(text);
  if (!match) return null;
  const n = Number(match[1]);
  const unit = match[2].toLowerCase() || 'd';
  const hours = unit === 'h' ? n : unit === 'w' ? n * 7 * 24 : n * 24;
  if (hours < 1 || hours > MAX_EXPIRY_DAYS * 24) return null;
  return hours * 3_600_000;
}

/** The web chat link that carries a code. */
export const invitationLink = (baseUrl: string, code: string): string => `${baseUrl.replace(/\/+$/, '')}/?invitation=${encodeURIComponent(code)}`;

export type NewInvitation = { ok: true; invitation: Invitation; code: string } | { ok: false; reason: 'country' };

/**
 * Makes an invitation for a country given by its English or Spanish name or ISO alpha-3 code (the same reader as
 * the bot's country question), and stores it; the code is returned once and never stored.
 */
export async function createInvitation(
  store: Pick<Store, 'createInvitation'>,
  request: { country: string; email?: string; validForMs?: number; lead?: boolean; sections?: string[] },
  now: Date = new Date(),
): Promise<NewInvitation> {
  const parsed = parseCountry(request.country);
  if (!parsed.ok) return { ok: false, reason: 'country' };
  const validFor = request.validForMs ?? DEFAULT_EXPIRY_DAYS * 86_400_000;
  const email = request.email?.trim();
  for (let attempt = 1; ; attempt++) {
    const code = generateCode();
    const invitation: Invitation = {
      id: randomUUID(),
      codeHash: hashCode(code),
      country: { code: parsed.value, name: countryName(parsed.value, 'en') ?? parsed.value },
      ...(email ? { email } : {}),
      ...(request.lead ? { lead: true } : {}),
      ...(request.sections?.length ? { sections: [...request.sections] } : {}),
      createdAt: now,
      expiresAt: new Date(now.getTime() + validFor),
    };
    // A clash of codes is astronomically unlikely; the store's unique hash makes it a retry, never a shared code.
    if (await store.createInvitation(invitation)) return { ok: true, invitation, code };
    if (attempt >= 5) throw new Error('could not store a new invitation');
  }
}
