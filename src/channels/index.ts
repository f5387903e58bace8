import type { Activity } from 'botbuilder';
import { z } from 'zod';
import type { Reply } from '../interview/render';
import { renderTeams, type CardWords } from './teams';
import { renderText } from './text';
import { renderWebChat } from './webchat';

export { answeredCard, type CardWords } from './teams';

/**
 * The activities to send for a turn's replies on a channel: Teams cards (`msteams`), Web Chat suggested
 * actions and cards (`webchat`, `directline`), plain text elsewhere (emulator, test, …). Teams and Web Chat
 * messages are markdown that shows the text exactly as written, with clickable links (`markdown.ts`); elsewhere
 * plain text. Every question carries its metadata as `channelData.msq`.
 */
export function renderReplies(channelId: string, replies: Reply[], words: CardWords): Partial<Activity>[] {
  const render = renderer(channelId);
  const activities: Partial<Activity>[] = [];
  for (const reply of replies) {
    const previous = activities.at(-1);
    if (reply.type === 'prompt' && reply.retry && render !== renderPlain && previous && !previous.channelData) {
      activities[activities.length - 1] = retryActivity(previous, render(reply, words));
    } else {
      activities.push(render(reply, words));
    }
  }
  return activities;
}

/**
 * An answer that was not understood, in Teams and Web Chat: the message saying what to do is the whole reply.
 * The question's card is still there to use, and a second copy of it (or of a long question) would only push
 * the conversation down; the message carries the question's metadata, and its buttons when they were suggested
 * actions (Web Chat shows those under the latest message only).
 */
function retryActivity(message: Partial<Activity>, prompt: Partial<Activity>): Partial<Activity> {
  return { ...message, channelData: prompt.channelData, ...(prompt.suggestedActions ? { suggestedActions: prompt.suggestedActions } : {}) };
}

function renderer(channelId: string): (reply: Reply, words: CardWords) => Partial<Activity> {
  switch (channelId) {
    case 'msteams':
      return renderTeams;
    case 'webchat':
    case 'directline':
      return renderWebChat;
    default:
      return renderPlain;
  }
}

function renderPlain(reply: Reply): Partial<Activity> {
  const text = renderText(reply);
  return { type: 'message', text, textFormat: 'plain', ...(reply.type === 'prompt' ? { channelData: { msq: reply.meta } } : {}) };
}

/** An item id ("q4", "q4.cio.email", "respondent.capacity") or a confirmation ("submit"): short, dotted words. */
const questionIdSchema = z.string().max(100).regex(/^[a-z][A-Za-z0-9]*(\.[A-Za-z0-9]+)*$/);

/**
 * A card submit: `{ msq: { questionId, answer? } }` from the card's button, with the choice input merged in
 * at the top level as `answer` (multi-select: "id1,id2"). Unknown fields are ignored.
 */
const cardSubmitSchema = z.object({
  msq: z.object({ questionId: questionIdSchema, answer: z.string().optional() }),
  answer: z.string().optional(),
});

/** Only plain data objects (as parsed from JSON): nothing inherited, no class instances, no arrays. */
const isPlainObject = (value: unknown): value is Record<string, unknown> => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
};

/**
 * The engine input for a card submit (`activity.value`): the answer (top-level `answer`, else `msq.answer`)
 * and the question the card was for. Null for anything else or malformed; never throws.
 */
export function readCardSubmit(value: unknown): { text: string; questionId?: string } | null {
  try {
    if (!isPlainObject(value) || !Object.hasOwn(value, 'msq') || !isPlainObject(value.msq)) return null;
    const parsed = cardSubmitSchema.safeParse(value);
    if (!parsed.success) return null;
    const { msq, answer } = parsed.data;
    return { text: answer ?? msq.answer ?? '', questionId: msq.questionId };
  } catch {
    return null;
  }
}
