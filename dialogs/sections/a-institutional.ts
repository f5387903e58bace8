import { text } from '../builders';
import type { SectionInput } from '../schema';

const q2 = ['eServices', 'eParticipation', 'openData', 'procurement', 'others'].map((s) => `q2.${s}`);
const q5 = ['planning', 'education', 'health', 'socialWelfare', 'employment', 'environment', 'justice', 'economy', 'industry'];

/** A. Institutional / Organizational Framework. */
export const institutional: SectionInput = {
  id: 'A',
  items: [
    text('q1', '1', true),
    // Each link is optional; the printed `*` of question 2 asks for at least one of them (the group below).
    ...q2.map((id) => text(id, '2', false)),
    // "Please provide name and link of the government agency…".
    { ...text('q3', '3', true), asksForLink: true },
    { id: 'q4', kind: 'yesno', required: true, number: '4', inlineDetail: 'q4.details' },
    ...['name', 'title', 'organization', 'email'].map((field) => ({
      id: `q4.cio.${field}`,
      kind: field === 'email' ? ('email' as const) : ('text' as const),
      required: true,
      number: '4',
      when: { op: 'equals' as const, item: 'q4', value: 'yes' },
    })),
    text('q4.details', '4', false),
    // "Sectoral agencies/departments/ministries" stands before question 5 in the printed questionnaire.
    ...q5.map((s, i) => ({ ...text(`q5.${s}`, '5', true), ...(i === 0 ? { heading: true as const } : {}) })),
  ],
  groups: [{ id: 'q2', items: q2, atLeast: 1 }],
};
