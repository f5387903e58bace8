/**
 * A previous round carried into the current edition: each answer on its item of today, keepable when it still
 * fits, shown only when it does not (and why), dropped when its item is gone.
 */
import { loadDefinition, msq2022 } from '../../dialogs';
import { loadEditionMaps } from '../../dialogs/editions';
import { ASKED_AGAIN, carryForward, sameEdition } from '../../src/carryForward/carryForward';
import { previousAnswersSchema, type PreviousAnswer, type PreviousResponse } from '../../src/carryForward/previousRound';
import { createMemoryPreviousRounds } from '../../src/carryForward/previousRoundSource';
import { msqTestNext } from '../fixtures/editions/msq-test-next';
import { join } from 'node:path';

const v2022 = loadDefinition(msq2022);
const next = loadDefinition(msqTestNext);
const [map] = loadEditionMaps(join(__dirname, '../fixtures/editions'));
const importedAt = new Date('2026-01-15T09:00:00Z');

/** Paraguay's 2022 response, as its export holds it. */
const paraguay2022: PreviousResponse = {
  responseId: 'r-2022-pry',
  country: 'PRY',
  edition: 'msq-2022',
  status: 'submitted',
  submittedAt: '2022-06-30T12:00:00.000Z',
  respondent: { name: 'Ana María Giménez Núñez', title: 'Directora', organization: 'MITIC', email: 'ana.gimenez@mitic.gov.py' },
  answers: [
    { itemId: 'country', value: 'PRY' },
    { itemId: 'respondent.name', value: 'Ana María Giménez Núñez' },
    { itemId: 'respondent.email', value: 'ana.gimenez@mitic.gov.py' },
    { itemId: 'respondent.capacity', value: ['authorized', 'opinion'] },
    { itemId: 'q1', value: 'https://www.paraguay.gov.py' },
    { itemId: 'q2.eServices', value: 'https://www.tramites.gov.py' },
    { itemId: 'q2.others', value: 'Portal de empleo: https://www.paraempleo.gov.py' },
    { itemId: 'q3', value: 'MITIC — https://www.mitic.gov.py' },
    { itemId: 'q4', value: 'yes' },
    { itemId: 'q4.cio.email', value: 'not an e-mail address' },
    { itemId: 'q7', value: 'Budget line 2020-2021' },
    { itemId: 'q9', value: 'yes' },
    { itemId: 'q20', value: 'three' },
    { itemId: 'q21', value: 'Aligned with the National Development Plan 2030' },
    { itemId: 'q29', value: ['ai', 'iot'] },
    { itemId: 'q29.iot.detail', value: 'IoT pilots in water management' },
    { itemId: 'consent', value: 'yes' },
    { itemId: 'q99.legacy', value: 'an item no edition has' },
  ],
};

const byItem = (answers: PreviousAnswer[]) => new Map(answers.map((a) => [a.itemId, a]));

describe('into the same edition', () => {
  const round = carryForward(paraguay2022, v2022, v2022, sameEdition('msq-2022'), { importedAt });

  test('every answer that still fits is keepable, as it was', () => {
    const answers = byItem(round.answers);
    for (const id of ['respondent.name', 'respondent.email', 'respondent.capacity', 'q1', 'q3', 'q4', 'q7', 'q20', 'q21', 'q29', 'q29.iot.detail']) {
      expect(answers.get(id)).toMatchObject({ fit: 'keepable', value: paraguay2022.answers.find((a) => a.itemId === id)!.value });
    }
    expect(answers.get('q4.cio.email')).toMatchObject({ fit: 'shownOnly', reason: 'invalid' });
  });

  test('the country and the consent are asked anew', () => {
    expect([...ASKED_AGAIN]).toEqual(['country', 'consent']);
    expect(byItem(round.answers).get('country')).toMatchObject({ fit: 'shownOnly', reason: 'askedAgain' });
    expect(byItem(round.answers).get('consent')).toMatchObject({ fit: 'shownOnly', reason: 'askedAgain' });
  });

  test('an item the edition does not have is dropped as unknown', () => {
    expect(round.dropped).toEqual([{ itemId: 'q99.legacy', value: 'an item no edition has', reason: 'unknown' }]);
  });

  test('the round is plain, valid data with where it came from', () => {
    expect(previousAnswersSchema.parse(round)).toEqual(round);
    expect(round).toMatchObject({ country: 'PRY', fromEdition: 'msq-2022', edition: 'msq-2022', definitionVersion: v2022.version, responseId: 'r-2022-pry', submittedAt: '2022-06-30T12:00:00.000Z', importedAt: '2026-01-15T09:00:00.000Z' });
  });
});

describe('into the next edition, with the map (test edition msq-test-next)', () => {
  const round = carryForward(paraguay2022, v2022, next, map, { importedAt });
  const answers = byItem(round.answers);

  test('a renamed item keeps its answer under its new id', () => {
    expect(answers.get('q1.portals')).toEqual({ itemId: 'q1.portals', value: 'https://www.paraguay.gov.py', fit: 'keepable', previous: { itemId: 'q1', value: 'https://www.paraguay.gov.py' } });
    expect(answers.get('q3.agency')).toMatchObject({ fit: 'keepable', value: 'MITIC — https://www.mitic.gov.py' });
    expect(answers.has('q1')).toBe(false);
  });

  test('a split item shows its answer with each new item, never to keep', () => {
    for (const id of ['q2.others.name', 'q2.others.link']) {
      expect(answers.get(id)).toEqual({ itemId: id, value: 'Portal de empleo: https://www.paraempleo.gov.py', fit: 'shownOnly', reason: 'split', previous: { itemId: 'q2.others', value: 'Portal de empleo: https://www.paraempleo.gov.py' } });
    }
  });

  test('a removed item is dropped; an added item has no previous answer', () => {
    expect(round.dropped).toEqual([
      { itemId: 'q7', value: 'Budget line 2020-2021', reason: 'removed' },
      { itemId: 'q99.legacy', value: 'an item no edition has', reason: 'unknown' },
    ]);
    expect(answers.has('q45')).toBe(false);
  });

  test('options are renamed; an answer with an option that is gone is shown only', () => {
    expect(answers.get('q20')).toMatchObject({ value: 'short', fit: 'keepable', previous: { itemId: 'q20', value: 'three' } });
    expect(answers.get('q29')).toMatchObject({ value: ['ai', 'sensors'], fit: 'keepable' });
    expect(answers.get('q29.sensors.detail')).toMatchObject({ value: 'IoT pilots in water management', fit: 'keepable', previous: { itemId: 'q29.iot.detail' } });
    expect(answers.get('respondent.capacity')).toMatchObject({ value: ['authorized', 'opinion'], fit: 'shownOnly', reason: 'optionGone' });
  });

  test('an item that now asks another kind of answer shows the old one only', () => {
    expect(answers.get('q21')).toMatchObject({ fit: 'shownOnly', reason: 'kindChanged', value: 'Aligned with the National Development Plan 2030' });
  });

  test('yes/no stays yes/no; the answers follow the new edition order', () => {
    expect(answers.get('q4')).toMatchObject({ value: 'yes', fit: 'keepable' });
    const order = next.items.map((i) => i.id).filter((id) => answers.has(id));
    expect(round.answers.map((a) => a.itemId)).toEqual(order);
  });

  test('the previous round is kept by country, replaced by a later import, and copied both ways', async () => {
    const source = createMemoryPreviousRounds();
    expect(await source.previousAnswers('PRY')).toBeNull();
    await source.save([round]);
    const found = (await source.previousAnswers('PRY'))!;
    expect(found).toEqual(round);
    found.answers.length = 0;
    expect((await source.previousAnswers('PRY'))!.answers).toHaveLength(round.answers.length);
    await source.save([{ ...round, responseId: 'r-later' }]);
    expect((await source.previousAnswers('PRY'))!.responseId).toBe('r-later');
    await expect(source.save([{ ...round, country: 'Paraguay' }, { ...round, country: 'URY' }])).rejects.toThrow();
    expect(source.countries()).toEqual(['PRY']);
  });
});
