import type { Locale } from '../i18n';
import type { Reply } from '../interview/render';

/**
 * Sends messages into a conversation the bot already has with someone, without them writing first (a flag of the
 * survey team, a reminder). Channel-independent: the reference is the stored conversation reference as plain JSON
 * and the replies are the engine's; the channel layer renders and sends them (src/bot/proactiveSender.ts, through
 * the Bot Framework adapter's `continueConversationAsync`).
 */
export interface ProactiveSender {
  /** Sends the replies, rendered in `locale` for the reference's channel; rejects when the channel refuses them. */
  send(reference: Record<string, unknown>, replies: readonly Reply[], locale: Locale): Promise<void>;
}

/** The channels where the bot can write first: Teams keeps the conversation; a web chat page reads only while open. */
export const PROACTIVE_CHANNELS: ReadonlySet<string> = new Set(['msteams']);
