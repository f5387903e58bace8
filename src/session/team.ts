/**
 * A country's shared response (invitations): the pieces of a team's turn that need no I/O — the response's key, a
 * participant's own interview state over the shared answers, the response written back, and the one-time link codes.
 */
import { randomInt } from 'node:crypto';
import { CODE_ALPHABET } from '../admin/invitations';
import type { EngineState } from '../interview/state';
import type { Participant, ResponseDoc } from '../store/port';

/** The respondent key of a country's response in an edition: one per country per survey round. */
export const teamKey = (edition: string, countryCode: string): string => `team:${edition}:${countryCode}`;

/**
 * A participant's interview state over the shared answers. Once the country's response is submitted, every
 * participant reads it as submitted.
 */
export function participantState(doc: ResponseDoc, participant: Participant): Record<string, unknown> {
  const { focus: _focus, ...own } = participant.state;
  // Their assigned sections as they stand now (the lead or the survey team may have changed them).
  const saved: Record<string, unknown> = { ...own, answers: doc.answers, ...(participant.sections.length ? { focus: [...participant.sections] } : {}) };
  // (A participant asked about an item by the survey team is `revising`: that item only is open.)
  if (doc.status === 'submitted' && saved.phase !== 'submitted' && saved.phase !== 'revising') {
    return { ...saved, phase: 'submitted', current: null, pending: null, revisiting: null, resolving: false, submittedAt: (doc.submittedAt ?? doc.updatedAt).toISOString() };
  }
  return saved;
}

/** A participant's own part of an engine state: everything but the shared answers. */
export function ownState(state: EngineState): Record<string, unknown> {
  const { answers: _answers, ...own } = state;
  return own;
}

/**
 * The team's response after a participant's turn: the shared answers, status and country from `base` (the response
 * as the engine's state makes it), the participant's own state in the team, deferred items of everyone.
 */
export function withParticipantState(base: ResponseDoc, participantId: string, state: EngineState): ResponseDoc {
  const participants = (base.team?.participants ?? []).map((p) => (p.id === participantId ? { ...p, state: ownState(state) } : p));
  const deferred = [...new Set(participants.flatMap((p) => (Array.isArray(p.state.deferred) ? (p.state.deferred as string[]) : [])))];
  return { ...base, engine: {}, deferred, team: { participants } };
}

/** The lead of a team, if any. */
export const leadOf = (doc: ResponseDoc): Participant | undefined => doc.team?.participants.find((p) => p.lead);

/** How a participant is named to the others: their e-mail, else the name their channel gave; undefined when neither is known (the caller words it). */
export const nameOf = (p: Participant | undefined): string | undefined => p?.email ?? p?.name;

/** How long a link code works. */
export const LINK_MINUTES = 10;

/** A new link code, e.g. `LINK-7KQM-2WXT` (the invitations' alphabet: no look-alikes). */
export function generateLinkCode(): string {
  const group = () => Array.from({ length: 4 }, () => CODE_ALPHABET[randomInt(CODE_ALPHABET.length)]).join('');
  return `LINK-${group()}-${group()}`;
}

const CHAR = `[${CODE_ALPHABET}]`;
const LINK = new RegExp(`^\\s*LINK[\\s\\-_.]*(${CHAR}{4})[\\s\\-_.]*(${CHAR}{4})\\s*$`);

/** The link code a message consists of, in its canonical form, or null (tolerant of case, spaces and dashes). */
export function findLinkCode(text: unknown): string | null {
  if (typeof text !== 'string' || text.length > 100) return null;
  const match = LINK.exec(text.toUpperCase());
  return match ? `LINK-${match[1]}-${match[2]}` : null;
}

/** `assign C to ana@…` / `asignar C y D a ana@…`: the sections and whom to give them, or null when the message is not one. */
export function parseAssign(text: string): { sections: string[]; to: string } | null {
  if (text.length > 300) return null;
  const match = /^\s*(?:assign|asignar)\s+((?:[a-h](?:\s*(?:,|and|y|&)\s*|\s+))*[a-h])\s+(?:to|a)\s+(\S+)\s*$/i.exec(text);
  if (!match) return null;
  const sections = [...new Set(match[1].split(/\s*(?:,|and|y|&)\s*|\s+/i).filter(Boolean).map((s) => s.toUpperCase()))];
  return { sections, to: match[2].replace(/[.,;]+$/, '') };
}

/** Whether a participant is the one named (their e-mail or name, in any case). */
export const isNamed = (p: Participant, name: string): boolean =>
  [p.email, p.name, p.id].some((n) => n !== undefined && n.toLowerCase() === name.trim().toLowerCase());

/**
 * The team with sections given to one participant: theirs from now on (added to what they hold), taken from
 * whoever held them. Null when nobody is so named.
 */
export function assignSections(participants: readonly Participant[], to: string, sections: readonly string[]): Participant[] | null {
  const target = participants.find((p) => isNamed(p, to));
  if (!target) return null;
  return participants.map((p) =>
    p.id === target.id ? { ...p, sections: [...new Set([...p.sections, ...sections])] } : { ...p, sections: p.sections.filter((s) => !sections.includes(s)) },
  );
}
