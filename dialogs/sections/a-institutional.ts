import { text } from '../builders';
import type { SectionInput } from '../schema';

const q5 = ['planning', 'education', 'health', 'socialWelfare', 'employment', 'environment', 'justice', 'economy', 'industry'];

/** A. Institutional / Organizational Framework. */
export const institutional: SectionInput = {
  id: 'A',
  items: [
    text('q1', '1', true),
    ...['eServices', 'eParticipation', 'openData', 'procurement', 'others'].map((s) => text(`q2.${s}`, '2', false)),
    text('q3', '3', true),
    { id: 'q4', kind: 'yesno', required: true, number: '4', inlineDetail: 'q4.details' },
    ...['name', 'title', 'organization', 'email'].map((field) => ({
      id: `q4.cio.${field}`,
      kind: field === 'email' ? ('email' as const) : ('text' as const),
      required: true,
      number: '4',
      when: { op: 'equals' as const, item: 'q4', value: 'yes' },
    })),
    text('q4.details', '4', false),
    ...q5.map((s) => text(`q5.${s}`, '5', true)),
  ],
};
