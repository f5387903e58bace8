import { ActionTypes, type Activity } from 'botbuilder';
import type { Reply } from '../interview/render';
import { renderText } from './text';
import { cardActivity, numbered, promptCard, promptText, textMessage, type CardWords, type PromptReply } from './teams';

/** At most this many options are offered as suggested actions (buttons under the message)… */
export const MAX_SUGGESTED_ACTIONS = 6;
/** …and only when every label is this short; longer ones read better as a card's radio buttons. */
export const MAX_SUGGESTED_LABEL = 40;

/** Yes/no, and single choices with a few short labels, answer well with a button that types the label. */
export function suitsSuggestedActions(reply: PromptReply): boolean {
  const { kind, options } = reply.meta;
  if (!options?.length) return false;
  if (kind === 'yesno') return true;
  return kind === 'choice' && options.length <= MAX_SUGGESTED_ACTIONS && options.every((o) => o.label.length <= MAX_SUGGESTED_LABEL);
}

/**
 * Bot Framework Web Chat (Direct Line): suggested actions for yes/no and short choices (imBack sends the
 * label as typed text, understood in either language; a choice's buttons are numbered, as its hint says); the
 * Teams card for long choices and multi-choices; typed questions as text.
 */
export function renderWebChat(reply: Reply, words: CardWords): Partial<Activity> {
  if (reply.type === 'message') return textMessage(reply.text, 'webchat');
  if (suitsSuggestedActions(reply)) {
    const numberedTitles = reply.meta.kind !== 'yesno';
    const actions = (reply.meta.options ?? []).map((o, i) => ({ type: ActionTypes.ImBack, title: numberedTitles ? numbered(i, o.label) : o.label, value: o.label }));
    return { ...textMessage(promptText(reply), 'webchat', reply.meta), suggestedActions: { actions: [...actions, ...keepAction(reply)], to: [] } };
  }
  const card = reply.meta.kind === 'choice' || reply.meta.kind === 'multi' ? promptCard(reply, words) : null;
  if (card) return cardActivity(card, reply.meta);
  const text = textMessage(renderText(reply), 'webchat', reply.meta);
  return reply.meta.keep ? { ...text, suggestedActions: { actions: keepAction(reply), to: [] } } : text;
}

/** "Keep" (the previous round's answer), typed by the button as its label: `keep` / `mantener` is a command in both languages. */
function keepAction(reply: PromptReply) {
  return reply.meta.keep ? [{ type: ActionTypes.ImBack, title: reply.meta.keep.label, value: reply.meta.keep.label }] : [];
}
