import { yesNoWithDetail } from '../builders';
import type { SectionInput } from '../schema';

/** F. Usage, User Satisfaction and Evaluation. */
export const usage: SectionInput = {
  id: 'F',
  items: [...yesNoWithDetail('41', true), ...yesNoWithDetail('42', true)],
};
