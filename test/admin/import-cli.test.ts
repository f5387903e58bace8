/** npm run import (scripts/import.ts): a previous round's export checked, summarised and saved in the store; --dry-run saves nothing and says so. */
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { exportCsv, exportJson, exportXlsx } from '../../src/admin/exports';
import { main } from '../../scripts/import';
import { createEmbeddedStore } from '../../src/store/embedded';
import type { Store } from '../../src/store/port';
import { responseDoc } from '../fixtures/adminBot';
import { definition, i18n } from '../fixtures/interview';
import { hostileAnswers } from '../fixtures/previousRound';

jest.setTimeout(60_000);

const paraguay = responseDoc(hostileAnswers, { at: new Date('2022-06-30T12:00:00Z') });
const uruguay = responseDoc({ country: 'URY', 'respondent.name': 'Juan Pérez', q1: 'https://www.gub.uy' }, { at: new Date('2022-05-01T12:00:00Z') });
const unnamed = responseDoc({ 'respondent.name': 'Not yet' }, { status: 'in_progress' });

let dir: string;
beforeAll(async () => {
  dir = await fs.mkdtemp(join(tmpdir(), 'msq-import-test-'));
  await fs.writeFile(join(dir, 'round.xlsx'), await exportXlsx([paraguay, uruguay, unnamed], definition, i18n));
  await fs.writeFile(join(dir, 'round.csv'), exportCsv([uruguay], definition, i18n).replace(',URY,', ',XYZ,'));
  await fs.writeFile(join(dir, 'round.txt'), exportJson([uruguay], definition));
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

/** main() in this process, its output captured. */
const run = async (args: string[], openStore: () => Store = () => {
  throw new Error('a dry run opens no store');
}) => {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await main(args, { stdout: (l) => stdout.push(l), stderr: (l) => stderr.push(l) }, openStore);
  return { code, stdout, stderr };
};

test('an XLSX export: a table per country, rows without a country, and "nothing was saved"', async () => {
  const { code, stdout, stderr } = await run(['--file', join(dir, 'round.xlsx'), '--dry-run']);
  expect(code).toBe(0);
  expect(stdout[0]).toBe('Countries: 2; responses read: 3 (msq-2022 → msq-2022).');
  expect(stdout[1]).toMatch(/^Country +Answers that can be kept +Answers shown only +Items removed in this edition +Unknown items +Other responses of the country, not carried$/);
  expect(stdout[2]).toMatch(/^Paraguay \(PRY\) +\d+ +2 +None +None +0$/);
  expect(stdout[3]).toMatch(/^Uruguay \(URY\) +2 +1 +None +None +0$/);
  expect(stdout[4]).toBe('Rows without a country, skipped: 5.');
  expect(stderr).toEqual(['import: Dry run: nothing was saved.']);
});

test('without --dry-run each country is saved in the store, which is then closed', async () => {
  const dataDir = join(dir, 'data');
  const { code, stderr } = await run(['--file', join(dir, 'round.xlsx')], () => createEmbeddedStore({ dir: dataDir }));
  expect(code).toBe(0);
  expect(stderr).toEqual(["import: Saved: each country's previous round replaces the one imported before."]);
  const store = createEmbeddedStore({ dir: dataDir });
  try {
    expect((await store.getPreviousRound('URY'))!.round).toMatchObject({ country: 'URY', responseId: uruguay.id });
    expect((await store.getPreviousRound('PRY'))!.round).toMatchObject({ country: 'PRY', responseId: paraguay.id });
  } finally {
    await store.close();
  }
});

test('a bad file saves nothing', async () => {
  const dataDir = join(dir, 'data-bad');
  expect((await run(['--file', join(dir, 'round.csv')], () => createEmbeddedStore({ dir: dataDir }))).code).toBe(1);
  const store = createEmbeddedStore({ dir: dataDir });
  try {
    expect(await store.getPreviousRound('URY')).toBeNull();
  } finally {
    await store.close();
  }
});

test('in Spanish, and as JSON', async () => {
  const es = await run(['--file', join(dir, 'round.xlsx'), '--lang', 'es', '--dry-run']);
  expect(es.stdout[0]).toBe('Países: 2; respuestas leídas: 3 (msq-2022 → msq-2022).');
  expect(es.stderr[0]).toMatch(/^import: Simulación: no se guardó nada/);
  const json = await run(['--file', join(dir, 'round.txt'), '--format', 'json', '--json', '--dry-run']);
  expect(JSON.parse(json.stdout.join('\n'))).toMatchObject({ format: 'json', saved: false, countries: [{ code: 'URY', carried: 2 }] });
});

test('a bad file: where and why, exit code 1', async () => {
  const { code, stdout, stderr } = await run(['--file', join(dir, 'round.csv'), '--dry-run']);
  expect(code).toBe(1);
  expect(stdout).toEqual([]);
  expect(stderr).toEqual(['import: The file was not imported, and nothing changed. Row 3, column country_code: "XYZ" is not the ISO alpha-3 code of a UN Member State (e.g. PRY).']);
});

test.each([
  [[], '--file is required'],
  [['--file', 'x.txt'], 'give --format json, csv or xlsx (the file name does not say)'],
  [['--file', 'x.csv', '--format', 'pdf'], '--format pdf: use json, csv or xlsx'],
  [['--file', 'x.csv', '--lang', 'fr'], '--lang fr: use en or es'],
  [['--file', join(tmpdir(), 'no-such-file.csv')], 'no such file'],
  [['--file', 'x.csv', '--bogus'], "Unknown option '--bogus'"],
])('refuses %j', async (args, message) => {
  await expect(run(args)).rejects.toThrow(message);
});

test('as npm runs it: exit code 2 and one line for a mistake in the command line', async () => {
  const root = join(__dirname, '../..');
  const run = promisify(execFile);
  const error = (await run(join(root, 'node_modules/.bin/tsx'), ['scripts/import.ts', '--file', 'x.txt'], { cwd: root }).catch((e: unknown) => e)) as { code: number; stderr: string };
  expect(error.code).toBe(2);
  expect(error.stderr.trim().split('\n')).toHaveLength(1);
  expect(error.stderr).toContain('import: give --format json, csv or xlsx');
});
