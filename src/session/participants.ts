/**
 * Who answers a response: its participants (a country's team, or the one respondent of their own response) with the
 * channel identities each answers from, and who gave each answer. Read by the admin view, the exports, the document
 * and the lead's summary before submission; the list of participants and their identities is also what a proactive
 * message (a reminder, a question from the survey team) needs to reach them.
 */
import type { AnswerEvent, Identity, Invitation, ResponseDoc, Store } from '../store/port';

/** A participant as others see them, with the channel identities they answer from. */
export interface ParticipantView {
  /** The invitation's id for a team's participant; the respondent key for a one-respondent response. */
  id: string;
  /** How to name them: e-mail, else the channel's name, else their first channel identity. */
  label: string;
  email?: string;
  name?: string;
  lead: boolean;
  sections: string[];
  /** When the survey team revoked their invitation (a team's participant): their access is withdrawn, they answer no more. */
  revokedAt?: Date;
  /** `channel:userId` keys, with their parts. */
  identities: Array<{ key: string; channel: string; userId: string }>;
}

/** The participants of a response and the identities each answers from ([] when the response does not exist). */
export async function participantsOf(store: Pick<Store, 'getResponse' | 'listIdentities'>, responseId: string): Promise<ParticipantView[]> {
  const doc = await store.getResponse(responseId);
  if (!doc) return [];
  return participantsFrom(doc, await store.listIdentities(responseId));
}

/**
 * The participants of a response, from the response and its bound identities; `revoked` (invitation id → when it was
 * revoked, see revokedAtById) marks a team's participants whose access was withdrawn.
 */
export function participantsFrom(doc: ResponseDoc, identities: Identity[], revoked?: ReadonlyMap<string, Date>): ParticipantView[] {
  const split = (key: string) => {
    const at = key.indexOf(':');
    return { key, channel: at < 0 ? key : key.slice(0, at), userId: at < 0 ? '' : key.slice(at + 1) };
  };
  if (!doc.team) {
    const keys = [doc.respondentKey, ...identities.filter((i) => i.participantId === null && i.key !== doc.respondentKey).map((i) => i.key)];
    const first = split(doc.respondentKey);
    return [{ id: doc.respondentKey, label: `${first.channel}:${first.userId}`, lead: true, sections: [], identities: keys.map(split) }];
  }
  return doc.team.participants.map((p) => {
    const own = identities.filter((i) => i.participantId === p.id).map((i) => split(i.key));
    const label = p.email ?? p.name ?? own[0]?.key ?? p.id;
    const revokedAt = revoked?.get(p.id);
    return {
      id: p.id,
      label,
      ...(p.email ? { email: p.email } : {}),
      ...(p.name ? { name: p.name } : {}),
      lead: p.lead,
      sections: [...p.sections],
      ...(revokedAt ? { revokedAt } : {}),
      identities: own,
    };
  });
}

/** When each revoked invitation was revoked, by invitation id (a team's participant's id is their invitation's). */
export function revokedAtById(invitations: readonly Invitation[]): Map<string, Date> {
  return new Map(invitations.flatMap((i) => (i.revokedAt ? [[i.id, i.revokedAt] as const] : [])));
}

/** Who gave an item's current answer, and when. */
export interface Attribution {
  /** The participant's id, when the author is one of them. */
  participantId?: string;
  /** The participant's label, or the channel's name or identity of whoever answered. */
  label: string;
  at: Date;
}

/**
 * Who gave each current answer: the author of the last event that set the item (not one that cleared it), matched to
 * a participant by their channel identity (the country filled in from an invitation: by the invitation's id).
 */
export function attributionOf(events: AnswerEvent[], participants: ParticipantView[]): Map<string, Attribution> {
  const byIdentity = new Map<string, ParticipantView>();
  for (const p of participants) for (const identity of p.identities) byIdentity.set(identity.key, p);
  const byId = new Map(participants.map((p) => [p.id, p]));
  const out = new Map<string, Attribution>();
  for (const event of events) {
    if (event.type !== 'answer' || event.redacted) continue;
    if (event.newValue === null) {
      out.delete(event.itemId);
      continue;
    }
    const key = `${event.who.channel}:${event.who.userId}`;
    const participant = event.who.channel === 'invitation' ? byId.get(event.who.userId) : byIdentity.get(key);
    out.set(event.itemId, participant ? { participantId: participant.id, label: participant.label, at: event.at } : { label: event.who.name ?? key, at: event.at });
  }
  return out;
}

/**
 * The response a channel identity answers: the one it is bound to (a team's, as one of its participants, or one
 * continued with `link`), else its own.
 */
export async function responseOf(store: Pick<Store, 'findIdentity' | 'getResponse' | 'findResponseByRespondent'>, key: string): Promise<ResponseDoc | null> {
  const bound = await store.findIdentity(key);
  const doc = bound ? await store.getResponse(bound.responseId) : null;
  // A binding whose participant is not (or no longer) in the team's response binds nothing (see the session's admit).
  const member = doc && (!doc.team || doc.team.participants.some((p) => p.id === bound?.participantId));
  return member ? doc : store.findResponseByRespondent(key);
}

/** Who answers a response and who gave each current answer: what the admin view, the exports and the document show. */
export interface ResponseAttribution {
  participants: ParticipantView[];
  answeredBy: Map<string, Attribution>;
}

/**
 * The attribution of each response, by response id (two reads per response: its events and its identities; and the
 * invitations once, when a team's response is among them, to mark the participants whose access was withdrawn).
 */
export async function attributionsOf(store: Pick<Store, 'listEvents' | 'listIdentities' | 'listInvitations'>, docs: readonly ResponseDoc[]): Promise<Map<string, ResponseAttribution>> {
  const out = new Map<string, ResponseAttribution>();
  const revoked = docs.some((doc) => doc.team) ? revokedAtById(await store.listInvitations()) : undefined;
  for (const doc of docs) {
    const [events, identities] = await Promise.all([store.listEvents(doc.id), store.listIdentities(doc.id)]);
    const participants = participantsFrom(doc, identities, revoked);
    out.set(doc.id, { participants, answeredBy: attributionOf(events, participants) });
  }
  return out;
}
