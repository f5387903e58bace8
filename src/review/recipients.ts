import { participantsFrom } from '../session/participants';
import { engineStateOf } from '../session/service';
import { participantState } from '../session/team';
import type { ConversationDoc, ResponseDoc, Store } from '../store/port';
import { PROACTIVE_CHANNELS } from './proactive';

/** One person who answers a response: whom a proactive message about it reaches, and where. */
export interface Recipient {
  /** The participant's id (a team's: the invitation id; one respondent: their respondent key); reminders are claimed by it. */
  key: string;
  /** Their interview state as saved (their language, their `stop reminders`, the flags they were asked). */
  state: unknown;
  /** Their conversations in a channel where the bot can write first (Teams), from every identity they answer from. */
  conversations: ConversationDoc[];
}

/**
 * Who gets a proactive message (a flag of the survey team, a reminder) about a response: every participant of it
 * (`participantsFrom`, src/session/participants.ts — a country's team, or the one respondent with the identities they
 * continued from), each with their own state and their stored Teams conversation references. Callers send one
 * message per recipient, in the recipient's language, and claim reminders per recipient key.
 *
 * A team's participant whose invitation the survey team revoked is left out: their turns are refused (the session's
 * `team.withdrawn`), so nothing is sent to them first either. `revoked` is the set of revoked invitation ids when the
 * caller has read them all at once (a reminder run, over every response); without it, each team participant's
 * invitation is read (a flag, on one response). A one-respondent response reads no invitation.
 */
export async function recipientsOf(
  store: Pick<Store, 'listConversations' | 'listIdentities' | 'getInvitation'>,
  response: ResponseDoc,
  revoked?: ReadonlySet<string>,
): Promise<Recipient[]> {
  const participants = participantsFrom(response, await store.listIdentities(response.id));
  const out: Recipient[] = [];
  for (const p of participants) {
    const member = response.team?.participants.find((m) => m.id === p.id);
    if (member && (revoked ? revoked.has(member.id) : Boolean((await store.getInvitation(member.id))?.revokedAt))) continue;
    const state = member ? participantState(response, member) : engineStateOf(response);
    const lists = await Promise.all(p.identities.map((identity) => store.listConversations(identity.key)));
    out.push({ key: p.id, state, conversations: lists.flat().filter(reachable) });
  }
  return out;
}

/** The ids of the invitations the survey team revoked (one read, for a run over every response). */
export async function revokedInvitations(store: Pick<Store, 'listInvitations'>): Promise<Set<string>> {
  return new Set((await store.listInvitations()).filter((i) => i.revokedAt).map((i) => i.id));
}

/** A conversation of a channel where the bot can write first (Teams). */
const reachable = (conversation: ConversationDoc): boolean => PROACTIVE_CHANNELS.has(String(conversation.reference.channelId ?? ''));
