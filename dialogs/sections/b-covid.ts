import { text, yesNoWithDetail } from '../builders';
import type { SectionInput } from '../schema';

/** B. COVID-19 Response and Recovery. */
export const covid: SectionInput = {
  id: 'B',
  items: [...yesNoWithDetail('6', true), text('q7', '7', false), text('q8', '8', false)],
};
