import { text } from '../builders';
import type { SectionInput } from '../schema';

/** G. Other information. */
export const other: SectionInput = {
  id: 'G',
  items: [text('q43', '43', true), text('q44', '44', false)],
};
