import type { SectionInput } from './schema';

type ItemInput = SectionInput['items'][number];

/** A required-or-not text item numbered like the printed MSQ. */
export const text = (id: string, number: string | undefined, required: boolean): ItemInput => ({
  id,
  kind: 'text',
  required,
  ...(number ? { number } : {}),
});

/**
 * A yes/no question followed, when answered yes, by its optional "If yes, please provide link and detail."
 * (`<id>.detail`), which a "Yes — Law 5282/2014 https://…" answer fills in the same message. The detail asks for a
 * link and for detail: a thin one gets one follow-up.
 */
export const yesNoWithDetail = (number: string, required: boolean): ItemInput[] => [
  { id: `q${number}`, kind: 'yesno', required, number, inlineDetail: `q${number}.detail` },
  { id: `q${number}.detail`, kind: 'text', required: false, number, when: { op: 'equals', item: `q${number}`, value: 'yes' }, asksForLink: true, asksForDetail: true },
];
