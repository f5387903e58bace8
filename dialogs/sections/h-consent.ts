import type { SectionInput } from '../schema';

/** H. Consent to publish this Questionnaire. */
export const consent: SectionInput = {
  id: 'H',
  items: [{ id: 'consent', kind: 'yesno', required: true }],
};
