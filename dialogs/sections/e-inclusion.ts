import { text, yesNoWithDetail } from '../builders';
import type { SectionInput } from '../schema';

/** E. Digital Inclusion and E-Participation; announced with its note on vulnerable groups. */
export const inclusion: SectionInput = {
  id: 'E',
  hasNote: true,
  items: [
    ...yesNoWithDetail('33', true),
    ...yesNoWithDetail('34', true),
    ...yesNoWithDetail('35', true),
    ...yesNoWithDetail('36', false),
    ...yesNoWithDetail('37', true),
    ...yesNoWithDetail('38', true),
    ...yesNoWithDetail('39', true),
    text('q39.guidelines', '39', false),
    ...yesNoWithDetail('40', true),
  ],
};
