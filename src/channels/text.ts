import type { Reply } from '../interview/render';

/** A reply for channels without buttons (and the terminal): the question, numbered options, how to answer. */
export function renderText(reply: Reply): string {
  if (reply.type === 'message') return reply.text;
  const { options, kind } = reply.meta;
  const numbered = options && kind !== 'yesno' ? options.map((o, i) => `${i + 1}. ${o.label}`).join('\n') : '';
  return [reply.text, numbered, reply.hint].filter(Boolean).join('\n\n');
}
