import type { Activity } from 'botbuilder';
import { pickLocale, type Locale } from '../i18n';
import type { Respondent } from '../session/service';

/**
 * Who is writing: the channel plus the Teams AAD object id (stable across a person's Teams clients) or the
 * channel's user id; and the language their client reports (`activity.locale`, or Teams' clientInfo entity).
 */
export function identify(activity: Partial<Activity>, defaultLocale: Locale): Respondent {
  const channel = activity.channelId ?? 'unknown';
  const userId = activity.from?.aadObjectId ?? activity.from?.id ?? 'anonymous';
  const clientInfo = activity.entities?.find((e) => e.type === 'clientInfo') as { locale?: unknown } | undefined;
  const tag = typeof activity.locale === 'string' && activity.locale ? activity.locale : typeof clientInfo?.locale === 'string' ? clientInfo.locale : undefined;
  return {
    key: `${channel}:${userId}`,
    channel,
    userId,
    ...(activity.from?.name ? { name: activity.from.name } : {}),
    locale: pickLocale(tag, defaultLocale),
  };
}

/** The key that makes a redelivered activity recognisable: Web Chat's client id, or the channel's activity id. */
export function activityKey(activity: Partial<Activity>): string | undefined {
  const clientId = (activity.channelData as { clientActivityID?: unknown } | undefined)?.clientActivityID;
  const id = typeof clientId === 'string' && clientId ? clientId : activity.id;
  return id && activity.conversation?.id ? `${activity.channelId}:${activity.conversation.id}:${id}` : undefined;
}
