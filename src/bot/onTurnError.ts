import type { TurnContext } from 'botbuilder';
import type { i18n } from 'i18next';
import type { Logger } from 'pino';
import { translatorFor, type Locale } from '../i18n';
import { identify } from './identify';

/**
 * The adapter's last resort: log the error with its stack, tell the respondent in their language that their
 * previous answers are safe. Never deletes any state (it holds hours of answers).
 */
export function createOnTurnError(deps: { i18n: i18n; logger: Logger; defaultLocale: Locale }) {
  return async (context: TurnContext, error: Error): Promise<void> => {
    const { activity } = context;
    deps.logger.error({ err: error, activity: { id: activity.id, type: activity.type, channel: activity.channelId, conversation: activity.conversation?.id } }, 'unhandled error in a turn');
    try {
      const t = translatorFor(deps.i18n, identify(activity, deps.defaultLocale).locale);
      await context.sendActivity({ type: 'message', text: t('error.turn'), textFormat: 'plain' });
    } catch (sendError) {
      deps.logger.error({ err: sendError }, 'could not tell the respondent about the error');
    }
  };
}
