import type { SectionInput } from '../schema';

/** Country and contact information of the person answering. */
export const respondent: SectionInput = {
  id: 'respondent',
  items: [
    { id: 'country', kind: 'country', required: true },
    { id: 'respondent.name', kind: 'text', required: true },
    { id: 'respondent.title', kind: 'text', required: true },
    { id: 'respondent.organization', kind: 'text', required: true },
    { id: 'respondent.email', kind: 'email', required: true },
    {
      id: 'respondent.capacity',
      kind: 'multi',
      required: true,
      options: ['authorized', 'collective', 'incomplete', 'opinion', 'other'],
    },
    {
      id: 'respondent.capacityOther',
      kind: 'text',
      required: true,
      when: { op: 'includes', item: 'respondent.capacity', value: 'other' },
    },
  ],
};
