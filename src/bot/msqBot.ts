import { isDeepStrictEqual } from 'node:util';
import { ActivityHandler, TurnContext, type Activity } from 'botbuilder';
import type { i18n } from 'i18next';
import type { Logger } from 'pino';
import { answeredCard, readCardSubmit, renderReplies } from '../channels';
import { translatorFor, type Locale } from '../i18n';
import type { SessionService, TurnRequest } from '../session/service';
import type { ConversationDoc, Store } from '../store/port';
import type { DocumentLinks } from '../admin/documentLinks';
import type { Reply } from '../interview/render';
import { activityKey, identify } from './identify';

/** The event the web chat page sends with the invitation code of its link (`?invitation=`). */
export const INVITATION_EVENT = 'msq.invitation';

export interface BotDeps {
  sessions: SessionService;
  /** Where the conversation reference and the last question card are remembered. */
  conversations: Pick<Store, 'getConversation' | 'saveConversation'>;
  i18n: i18n;
  logger: Logger;
  defaultLocale: Locale;
  /** Signed, expiring links to a respondent's own document (the `copy` command). */
  documentLinks?: Pick<DocumentLinks, 'create'>;
}

/**
 * The Bot Framework face of the interview: turns activities into engine input, sends the rendered replies,
 * and updates an answered question card so it can no longer be clicked.
 */
export class MsqBot extends ActivityHandler {
  constructor(private readonly deps: BotDeps) {
    super();
    this.onMembersAdded(async (context, next) => {
      const bot = context.activity.recipient?.id;
      const people = (context.activity.membersAdded ?? []).filter((m) => m.id !== bot);
      if (people.length > 0) await this.turn(context, { kind: 'greet' });
      await next();
    });
    this.onMessage(async (context, next) => {
      const { activity } = context;
      const submitted = activity.value !== undefined ? readCardSubmit(activity.value) : null;
      const input = submitted ?? { text: typeof activity.text === 'string' ? activity.text : '' };
      await this.turn(context, { kind: 'message', ...input }, activityKey(activity));
      await next();
    });
    this.onEvent(async (context, next) => {
      const { activity } = context;
      if (activity.name === INVITATION_EVENT && typeof activity.value === 'string') {
        await this.turn(context, { kind: 'invitation', code: activity.value.slice(0, 200) }, activityKey(activity));
      }
      await next();
    });
  }

  private async turn(context: TurnContext, input: TurnRequest['input'], key?: string): Promise<void> {
    const { activity } = context;
    const respondent = identify(activity, this.deps.defaultLocale);
    const conversationId = `${activity.channelId}:${activity.conversation?.id ?? ''}`;
    const result = await this.deps.sessions.handle({ respondent, input, conversationId, ...(key ? { activityKey: key } : {}) });
    if (result.status === 'duplicate') {
      this.deps.logger.info({ activity: key }, 'redelivered activity ignored');
      return;
    }
    const t = translatorFor(this.deps.i18n, result.locale);
    const words = { send: t('card.send'), answered: t('card.answered') };
    const stored =
      result.status === 'ok'
        ? await this.deps.conversations.getConversation(conversationId).catch((error: unknown) => {
            this.deps.logger.warn({ err: error, conversation: conversationId }, 'could not read the conversation (its last card is not updated)');
            return null;
          })
        : null;
    if (result.status === 'ok' && result.answered) await this.updateAnsweredCard(context, stored?.lastCard, result.answered, words);
    const replies = result.status === 'ok' && result.effects.includes('copy') ? [this.copyMessage(t, result.responseId, result.locale), ...result.replies] : result.replies;
    const activities = renderReplies(activity.channelId ?? '', replies, words);
    const sent = await context.sendActivities(activities);
    if (result.status === 'ok') await this.remember(context, { id: conversationId, respondentKey: respondent.key, stored }, activities, sent.map((s) => s?.id));
  }

  /** The link to the respondent's filled questionnaire, in their language. */
  private copyMessage(t: (key: string, params?: Record<string, unknown>) => string, responseId: string | undefined, locale: Locale): Reply {
    // No response before the first answer: nothing to copy yet.
    if (!this.deps.documentLinks || !responseId) return { type: 'message', text: t('copy.unavailable') };
    const { url, minutes } = this.deps.documentLinks.create(responseId, locale);
    return { type: 'message', text: t('copy.link', { url, minutes }) };
  }

  /** Replaces the card of the question just answered by a card showing the answer, without buttons. */
  private async updateAnsweredCard(
    context: TurnContext,
    lastCard: ConversationDoc['lastCard'],
    answered: { questionId: string; question: string; answer: string },
    words: { send: string; answered: string },
  ): Promise<void> {
    const { activity } = context;
    const cardId = activity.value !== undefined && activity.replyToId ? activity.replyToId : lastCard?.questionId === answered.questionId ? lastCard.activityId : undefined;
    if (!cardId) return;
    try {
      await context.updateActivity({ id: cardId, type: 'message', attachments: [answeredCard(answered.question, answered.answer, words)] });
    } catch (error) {
      this.deps.logger.warn({ err: error, conversation: activity.conversation?.id }, 'could not update the answered card');
    }
  }

  /** Keeps the conversation reference (for reminders) and the id of the last question card sent. */
  /**
   * Keeps the conversation reference (for reminders) and the id of the last question card sent, writing only
   * when one of them changed (most turns change neither).
   */
  private async remember(
    context: TurnContext,
    conversation: { id: string; respondentKey: string; stored: ConversationDoc | null },
    activities: Partial<Activity>[],
    ids: Array<string | undefined>,
  ): Promise<void> {
    const index = activities.findLastIndex((a) => (a.attachments?.length ?? 0) > 0 && a.channelData?.msq);
    const cardId = index >= 0 ? ids[index] : undefined;
    const lastCard = cardId ? { activityId: cardId, questionId: String(activities[index].channelData.msq.questionId) } : conversation.stored?.lastCard;
    // The reference without the id of this turn's activity, which changes every turn and is not needed to reach the respondent.
    const { activityId: _turnActivity, ...reference } = JSON.parse(JSON.stringify(TurnContext.getConversationReference(context.activity))) as Record<string, unknown>;
    const { stored } = conversation;
    if (stored && stored.respondentKey === conversation.respondentKey && isDeepStrictEqual(stored.reference, reference) && isDeepStrictEqual(stored.lastCard, lastCard)) return;
    await this.deps.conversations
      .saveConversation({ id: conversation.id, respondentKey: conversation.respondentKey, reference, updatedAt: new Date(), ...(lastCard ? { lastCard } : {}) })
      .catch((error: unknown) => this.deps.logger.warn({ err: error }, 'could not save the conversation reference'));
  }
}
