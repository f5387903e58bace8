import type { CloudAdapter, ConversationReference } from 'botbuilder';
import type { i18n } from 'i18next';
import { renderReplies } from '../channels';
import { translatorFor } from '../i18n';
import type { ProactiveSender } from '../review/proactive';

/**
 * The Bot Framework side of proactive messages: continues a stored conversation with the CloudAdapter's
 * `continueConversationAsync` (authenticated as the bot's app id; none in a local trial) and sends the replies
 * rendered for the conversation's channel (Teams: question cards).
 */
export function createProactiveSender(deps: { adapter: CloudAdapter; appId: string | undefined; i18n: i18n }): ProactiveSender {
  return {
    async send(reference, replies, locale) {
      const ref = reference as Partial<ConversationReference>;
      const t = translatorFor(deps.i18n, locale);
      const words = { send: t('card.send'), answered: t('card.answered') };
      await deps.adapter.continueConversationAsync(deps.appId ?? '', ref, async (context) => {
        await context.sendActivities(renderReplies(ref.channelId ?? '', [...replies], words));
      });
    },
  };
}
