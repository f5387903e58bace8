import { yesNoWithDetail } from '../builders';
import type { SectionInput } from '../schema';

/** C. Legal Framework: q9–q18, each yes/no with "If yes, please provide link and detail." */
export const legal: SectionInput = {
  id: 'C',
  items: ['9', '10', '11', '12', '13', '14', '15', '16', '17', '18'].flatMap((n) => yesNoWithDetail(n, true)),
};
