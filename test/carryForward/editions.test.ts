/**
 * Editions of the questionnaire as data: the definition carries its edition, a map file says how items moved
 * between two editions, and a map that does not fit the two editions is refused with each problem named.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDefinition, msq2022 } from '../../dialogs';
import { checkEditionMap } from '../../dialogs/editions/check';
import { editionMapsDir, EditionMapError, knownEditions, loadEditionMaps } from '../../dialogs/editions';
import { editionMapSchema, type EditionMap } from '../../dialogs/editions/schema';
import { msqTestNext } from '../fixtures/editions/msq-test-next';

const fixtures = join(__dirname, '../fixtures/editions');
const v2022 = loadDefinition(msq2022);
const next = loadDefinition(msqTestNext);
const testMap = (): EditionMap => structuredClone(loadEditionMaps(fixtures)[0]);

test('the definition carries its edition; the bot knows msq-2022', () => {
  expect(v2022.questionnaire.id).toBe('msq-2022');
  expect(Object.keys(knownEditions)).toEqual(['msq-2022']);
});

test('the test edition (a fixture, not a UN edition) is a valid questionnaire with a few changes', () => {
  expect(next.questionnaire.id).toBe('msq-test-next');
  const ids = (def: typeof v2022) => new Set(def.items.map((i) => i.id));
  const [old, now] = [ids(v2022), ids(next)];
  expect([...old].filter((id) => !now.has(id)).sort()).toEqual(['q1', 'q2.others', 'q29.iot.detail', 'q3', 'q7']);
  expect([...now].filter((id) => !old.has(id)).sort()).toEqual(['q1.portals', 'q2.others.link', 'q2.others.name', 'q29.sensors.detail', 'q3.agency', 'q45']);
  expect(readFileSync(join(fixtures, 'msq-2022--msq-test-next.json'), 'utf8')).toContain('TEST FIXTURE');
});

test('the test map is read from its file, validated, and fits both editions', () => {
  const [map] = loadEditionMaps(fixtures);
  expect(map).toMatchObject({ from: 'msq-2022', to: 'msq-test-next', removed: ['q7'], split: { 'q2.others': ['q2.others.name', 'q2.others.link'] } });
  expect(checkEditionMap(map, v2022, next)).toEqual([]);
});

test('every map shipped in dialogs/editions fits its two known editions', () => {
  for (const map of loadEditionMaps(editionMapsDir)) {
    expect([map.from, map.to].every((id) => id in knownEditions)).toBe(true);
    expect(checkEditionMap(map, loadDefinition(knownEditions[map.from]), loadDefinition(knownEditions[map.to]))).toEqual([]);
  }
});

test('a map that does not fit is refused, each problem naming its entry', () => {
  const map = testMap();
  delete map.renamed.q3; // q3 is then unaccounted for
  map.renamed.q99 = 'q1.portals'; // no such old item
  map.renamed['q20.other'] = 'q45'; // fine on its own…
  map.split['q20.other'] = ['q43', 'q44']; // …but it is also split, onto items that keep their own answers
  map.options.q20 = { two: 'short', seven: 'short', three: 'long' };
  map.options.q21 = { x: 'y' };
  expect(checkEditionMap(map, v2022, next)).toEqual([
    'renamed "q99": not an item of msq-2022',
    '"q20.other" is both renamed and split',
    '"q3" of msq-2022 is not in msq-test-next: list it under renamed, split or removed',
    '"q20.other" and "q43" both become "q43"',
    '"q20.other" and "q44" both become "q44"',
    'options "q20": "seven" is not one of its options in msq-2022',
    'options "q20": "long" is not one of the options of "q20" in msq-test-next',
    'options "q21": not a choice or multi-choice item',
  ]);
});

test('a map from or to the wrong editions is refused', () => {
  expect(checkEditionMap({ ...testMap(), from: 'msq-2019' }, v2022, next)).toContain('"from" is msq-2019, but the old edition is msq-2022');
});

describe('map files', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'msq-editions-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('a file that is not JSON, or not a map, is refused naming the file and the field', () => {
    writeFileSync(join(dir, 'msq-2022--msq-2024.json'), '{ "from": "msq-2022", ');
    expect(() => loadEditionMaps(dir)).toThrow(EditionMapError);
    expect(() => loadEditionMaps(dir)).toThrow(/^msq-2022--msq-2024\.json: not valid JSON/);
    writeFileSync(join(dir, 'msq-2022--msq-2024.json'), JSON.stringify({ from: 'msq-2022', to: 'msq-2024', renamed: { q1: 7 }, extra: true }));
    expect(() => loadEditionMaps(dir)).toThrow(/^msq-2022--msq-2024\.json: .*renamed\.q1: .*; \(file\): Unrecognized key: "extra"/);
  });

  test('a file named for other editions than it maps is refused', () => {
    writeFileSync(join(dir, 'msq-2022--msq-2024.json'), JSON.stringify({ from: 'msq-2022', to: 'msq-2026' }));
    expect(() => loadEditionMaps(dir)).toThrow('msq-2022--msq-2024.json: a map from msq-2022 to msq-2026 must be named msq-2022--msq-2026.json');
  });

  test('other files are ignored; defaults fill what a map leaves out', () => {
    writeFileSync(join(dir, 'README.md'), 'notes');
    writeFileSync(join(dir, 'msq-2022--msq-2024.json'), JSON.stringify({ from: 'msq-2022', to: 'msq-2024' }));
    expect(loadEditionMaps(dir)).toEqual([{ from: 'msq-2022', to: 'msq-2024', renamed: {}, split: {}, removed: [], options: {} }]);
  });

  test('edition ids are lower-case words joined by single hyphens', () => {
    expect(editionMapSchema.safeParse({ from: 'MSQ 2022', to: 'msq--2024' }).success).toBe(false);
  });
});
