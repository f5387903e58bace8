import type { Activity, Attachment } from 'botbuilder';
import type { PromptMeta, Reply } from '../interview/render';
import { splitLinks } from './links';
import { verbatimMarkdown, type MarkdownReader } from './markdown';
import { renderText } from './text';

/** Words a card needs besides the question, already translated (locale keys `card.send`, `card.answered`). */
export interface CardWords {
  send: string;
  answered: string;
}

/** A question reply (the engine's prompt). */
export type PromptReply = Extract<Reply, { type: 'prompt' }>;

export const ADAPTIVE_CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';
export const ADAPTIVE_CARD_SCHEMA = 'http://adaptivecards.io/schemas/adaptive-card.json';
/** Teams renders Adaptive Cards up to 1.5. */
export const ADAPTIVE_CARD_VERSION = '1.5';
/** The id of the card's choice input: its value arrives as `answer` in the submit (see `readCardSubmit`). */
export const ANSWER_INPUT_ID = 'answer';

/** What a card's Action.Submit carries; the client merges the inputs (`answer`) next to it. */
export interface SubmitData {
  msq: { questionId: string; answer?: string };
}

type CardElement = Record<string, unknown>;

export interface AdaptiveCard {
  type: 'AdaptiveCard';
  $schema: string;
  version: string;
  fallbackText?: string;
  body: CardElement[];
  actions?: CardAction[];
}

/** A card's button; `associatedInputs: 'none'` sends it without the card's inputs (Keep needs no option ticked). */
type CardAction = { type: 'Action.Submit'; title: string; data: SubmitData; associatedInputs?: 'none' };

/** "Keep" (the previous round's answer), when the question offers it: it sends the `keep` command. */
const keepActions = (reply: PromptReply): CardAction[] =>
  reply.meta.keep ? [{ type: 'Action.Submit', title: reply.meta.keep.label, data: { msq: { questionId: reply.meta.questionId, answer: 'keep' } }, associatedInputs: 'none' }] : [];

/**
 * A message as markdown that shows the text exactly as written (`*`, `_`, `[x](y)`, `<b>` and numbered lines in
 * answers stay as typed) with its web addresses as links. Plain text would keep the characters too, but
 * neither Teams nor Web Chat makes a link of an address in it.
 */
export function textMessage(text: string, reader: MarkdownReader, meta?: PromptMeta): Partial<Activity> {
  return { type: 'message', text: verbatimMarkdown(text, reader), textFormat: 'markdown', ...(meta ? { channelData: { msq: meta } } : {}) };
}

/** A question and how to answer it, as one plain text (for prompts answered by typing). */
export const promptText = (reply: PromptReply): string => [reply.text, reply.hint].filter(Boolean).join('\n\n');

/**
 * Verbatim text for a card. TextRun (unlike TextBlock) is never read as markdown; each line is its own
 * RichTextBlock, which always wraps and is never cut, so long items show their full wording on every client. A
 * web address is a TextRun of its own that opens it when clicked.
 */
export function textBlocks(text: string, style: { isSubtle?: boolean; weight?: 'bolder'; label?: string } = {}): CardElement[] {
  const { label, ...look } = style;
  const blocks: CardElement[] = [];
  let gap = false;
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '' && !(label && blocks.length === 0)) {
      gap = blocks.length > 0;
      continue;
    }
    const runs: CardElement[] = [];
    if (label && blocks.length === 0) runs.push({ type: 'TextRun', text: `${label}: `, weight: 'bolder', ...(look.isSubtle ? { isSubtle: true } : {}) });
    for (const segment of splitLinks(line)) {
      runs.push({ type: 'TextRun', text: segment.text, ...look, ...(segment.url ? { underline: true, selectAction: { type: 'Action.OpenUrl', url: segment.url } } : {}) });
    }
    blocks.push({ type: 'RichTextBlock', inlines: runs, ...(blocks.length > 0 ? { spacing: gap ? 'medium' : 'none' } : {}) });
    gap = false;
  }
  return blocks;
}

const card = (body: CardElement[], actions: AdaptiveCard['actions'], fallbackText?: string): AdaptiveCard => ({
  type: 'AdaptiveCard',
  $schema: ADAPTIVE_CARD_SCHEMA,
  version: ADAPTIVE_CARD_VERSION,
  ...(fallbackText ? { fallbackText } : {}),
  body,
  ...(actions ? { actions } : {}),
});

const attachment = (content: AdaptiveCard): Attachment => ({ contentType: ADAPTIVE_CARD_CONTENT_TYPE, content });

const heading = (reply: PromptReply): CardElement[] => [...textBlocks(reply.text), ...textBlocks(reply.hint, { isSubtle: true })];

/** Yes / No as two buttons; each carries its answer, so one click answers. */
export function yesNoCard(reply: PromptReply): AdaptiveCard | null {
  const { questionId, options } = reply.meta;
  if (!options?.length) return null;
  const actions = [...options.map((o) => ({ type: 'Action.Submit' as const, title: o.label, data: { msq: { questionId, answer: o.id } } })), ...keepActions(reply)];
  return card(heading(reply), actions, renderText(reply));
}

/** The options as radio buttons (one) or check boxes (several), then a Send button. */
export function choiceCard(reply: PromptReply, words: CardWords): AdaptiveCard | null {
  const { questionId, options, kind } = reply.meta;
  if (!options?.length) return null;
  const input: CardElement = {
    type: 'Input.ChoiceSet',
    id: ANSWER_INPUT_ID,
    style: 'expanded',
    label: words.answered,
    wrap: true,
    ...(kind === 'multi' ? { isMultiSelect: true } : {}),
    // An empty submission is never an answer (optional items are left blank with "skip", as the hint says):
    // the client shows the hint instead of sending it.
    isRequired: true,
    errorMessage: reply.hint,
    // Numbered as the hint says ("its number, its name, or a button"): typing 2 works as well as ticking it.
    choices: options.map((o, i) => ({ title: numbered(i, o.label), value: o.id })),
  };
  const actions = [{ type: 'Action.Submit' as const, title: words.send, data: { msq: { questionId } } }, ...keepActions(reply)];
  return card([...heading(reply), input], actions, renderText(reply));
}

/**
 * "2 — Three years": an option with the number the hints refer to. Not "2. …": Web Chat reads a choice's title
 * as markdown, where that starts a numbered list (and every option shows as "1.").
 */
export const numbered = (index: number, label: string): string => `${index + 1} — ${label}`;

/** The Adaptive Card of a yes/no, choice or multi-choice question; null for questions answered by typing. */
export function promptCard(reply: PromptReply, words: CardWords): Attachment | null {
  switch (reply.meta.kind) {
    case 'yesno': {
      const content = yesNoCard(reply);
      return content ? attachment(content) : null;
    }
    case 'choice':
    case 'multi': {
      const content = choiceCard(reply, words);
      return content ? attachment(content) : null;
    }
    default:
      // A typed answer needs no card, unless last time's answer can be kept with a click.
      return reply.meta.keep ? attachment(card(heading(reply), keepActions(reply), renderText(reply))) : null;
  }
}

/** A card prompt: no activity text, the full question is in the card; `channelData.msq` is the prompt's meta. */
export const cardActivity = (card: Attachment, meta: PromptMeta): Partial<Activity> => ({
  type: 'message',
  attachments: [card],
  channelData: { msq: meta },
});

/** Microsoft Teams: cards for yes/no and choices; typed questions as plain text (mobile and screen readers). */
export function renderTeams(reply: Reply, words: CardWords): Partial<Activity> {
  if (reply.type === 'message') return textMessage(reply.text, 'teams');
  const card = promptCard(reply, words);
  return card ? cardActivity(card, reply.meta) : textMessage(renderText(reply), 'teams', reply.meta);
}

/** Replaces an answered question's card: the question and "Your answer: …", with no inputs and no buttons. */
export function answeredCard(questionText: string, answerText: string, words: CardWords): Attachment {
  const body = [...textBlocks(questionText), ...textBlocks(answerText, { label: words.answered })];
  return attachment(card(body, undefined, `${questionText}\n\n${words.answered}: ${answerText}`));
}
