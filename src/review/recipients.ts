import type { ConversationDoc, ResponseDoc, Store } from '../store/port';
import { PROACTIVE_CHANNELS } from './proactive';

/**
 * Who gets a proactive message (a flag of the survey team, a reminder) about a response: the conversations to
 * write into, each with the respondent it reaches.
 *
 * Today a response belongs to one respondent (`respondentKey`): these are the respondent's stored Teams
 * conversation references. When a country's response is shared by several participants (issue 13, items 1–5:
 * `participantsOf(store, responseId)` in src/session/participants.ts), this is the ONE place to change: list the
 * conversations of every participant of the response instead, e.g.
 *
 * ```ts
 * const keys = (await participantsOf(store, response.id)).map((p) => p.respondentKey);
 * const lists = await Promise.all(keys.map((key) => store.listConversations(key)));
 * return lists.flat().filter(reachable);
 * ```
 *
 * Callers (src/review/flags.ts, src/review/reminders.ts) send one message per recipient and key reminders by
 * `respondentKey`, so each participant gets their own message and their own one-a-day limit.
 */
export async function recipientsOf(store: Pick<Store, 'listConversations'>, response: Pick<ResponseDoc, 'id' | 'respondentKey'>): Promise<ConversationDoc[]> {
  return (await store.listConversations(response.respondentKey)).filter(reachable);
}

/** A conversation of a channel where the bot can write first (Teams). */
const reachable = (conversation: ConversationDoc): boolean => PROACTIVE_CHANNELS.has(String(conversation.reference.channelId ?? ''));
