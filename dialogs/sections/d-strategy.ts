import { text, yesNoWithDetail } from '../builders';
import type { SectionInput } from '../schema';

const q29 = ['ai', 'robotics', 'blockchain', '5g', 'iot', 'others'];

/** D. Strategy and Implementation. */
export const strategy: SectionInput = {
  id: 'D',
  items: [
    ...yesNoWithDetail('19', true),
    { id: 'q20', kind: 'choice', required: true, number: '20', options: ['two', 'three', 'five', 'ten', 'other'] },
    { id: 'q20.other', kind: 'text', required: true, number: '20', when: { op: 'equals', item: 'q20', value: 'other' } },
    ...['21', '22', '23', '24', '25', '26', '27', '28'].map((n) => text(`q${n}`, n, false)),
    { id: 'q29', kind: 'multi', required: false, number: '29', options: q29 },
    ...q29.map((option) => ({
      id: `q29.${option}.detail`,
      kind: 'text' as const,
      required: false,
      number: '29',
      when: { op: 'includes' as const, item: 'q29', value: option },
    })),
    ...['30', '31', '32'].map((n) => text(`q${n}`, n, false)),
  ],
};
