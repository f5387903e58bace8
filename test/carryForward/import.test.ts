/**
 * importPreviousRound: a file in, a summary out (per country: answers that can be kept, shown only, removed and
 * unknown items), the rounds saved only when the whole file is sound; a bad file is refused with a message that
 * names the row and column, in English and Spanish, and changes nothing.
 */
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { loadDefinition, msq2022 } from '../../dialogs';
import { loadEditionMaps } from '../../dialogs/editions';
import { exportCsv, exportJson, exportXlsx } from '../../src/admin/exports';
import { describeProblem, type ImportProblem } from '../../src/carryForward/importProblem';
import { importPreviousRound, type ImportOptions } from '../../src/carryForward/importRound';
import { createMemoryPreviousRounds } from '../../src/carryForward/previousRoundSource';
import type { ResponseDoc } from '../../src/store/port';
import { responseDoc } from '../fixtures/adminBot';
import { msqTestNext } from '../fixtures/editions/msq-test-next';
import { definition, i18n } from '../fixtures/interview';
import { hostileAnswers } from '../fixtures/previousRound';

const next = loadDefinition(msqTestNext);
const maps = loadEditionMaps(join(__dirname, '../fixtures/editions'));
const editions = { 'msq-2022': msq2022, 'msq-test-next': msqTestNext };

const paraguay = responseDoc(hostileAnswers, { at: new Date('2022-06-30T12:00:00Z') });
const paraguayDraft = responseDoc({ ...hostileAnswers, q1: 'an older draft' }, { status: 'in_progress', at: new Date('2022-07-15T12:00:00Z') });
const uruguay = responseDoc({ country: 'URY', 'respondent.name': 'Juan Pérez', q1: 'https://www.gub.uy', q7: 'Presupuesto', q20: 'ten' }, { at: new Date('2022-05-01T12:00:00Z') });
const unnamed = responseDoc({ 'respondent.name': 'Not yet' }, { status: 'in_progress' });
const docs = [paraguay, paraguayDraft, uruguay, unnamed];

const file = {
  json: (list: ResponseDoc[] = docs) => Buffer.from(exportJson(list, definition)),
  csv: (list: ResponseDoc[] = docs) => Buffer.from(exportCsv(list, definition, i18n)),
  xlsx: (list: ResponseDoc[] = docs) => exportXlsx(list, definition, i18n),
};

const run = (options: Partial<ImportOptions> & Pick<ImportOptions, 'format' | 'data'>) => importPreviousRound({ current: next, editions, maps, now: new Date('2026-01-15T09:00:00Z'), ...options });

describe.each(['json', 'csv', 'xlsx'] as const)('a %s export of msq-2022 into the test edition', (format) => {
  test('a summary per country; one response per country (the submitted one); rows without a country skipped', async () => {
    const result = await run({ format, data: await file[format]() });
    if (!result.ok) throw new Error(describeProblem(result.problem, i18n, 'en'));
    const { summary } = result;
    expect(summary).toMatchObject({ format, fromEdition: 'msq-2022', edition: 'msq-test-next', responses: 4, saved: false, skipped: [{ row: format === 'json' ? 4 : 6, reason: 'noCountry' }] });
    const [pry, ury] = summary.countries;
    expect(pry).toMatchObject({ code: 'PRY', name: 'Paraguay', responseId: paraguay.id, removed: ['q7'], unknown: [], otherResponses: 1 });
    // Shown only: country and consent (asked again), q2.others split in two, q21 now yes/no, capacity lost "opinion".
    expect(pry.shownOnlyReasons).toEqual({ askedAgain: 2, split: 2, kindChanged: 1, optionGone: 1 });
    expect(pry.carried + pry.shownOnly).toBe(result.rounds[0].answers.length);
    expect(pry.carried).toBeGreaterThan(30);
    expect(ury).toMatchObject({ code: 'URY', carried: 3, shownOnly: 1, removed: ['q7'], otherResponses: 0 });
    expect(result.rounds[0].answers.find((a) => a.itemId === 'q1.portals')!.value).toBe(hostileAnswers.q1);
  });

  test('saved in the source only with one, and only when asked', async () => {
    const source = createMemoryPreviousRounds();
    const result = await run({ format, data: await file[format](), source });
    expect(result.ok && result.summary.saved).toBe(true);
    expect(source.countries()).toEqual(['PRY', 'URY']);
    const pry = (await source.previousAnswers('PRY'))!;
    expect(pry).toMatchObject({ fromEdition: 'msq-2022', edition: 'msq-test-next', definitionVersion: next.version, responseId: paraguay.id });
  });
});

test('the same edition needs no map; a CSV says its edition by its columns', async () => {
  const result = await importPreviousRound({ format: 'csv', data: file.csv([uruguay]), current: definition });
  expect(result.ok && result.summary).toMatchObject({ fromEdition: 'msq-2022', edition: 'msq-2022', countries: [{ code: 'URY', carried: 4, shownOnly: 1, removed: [] }] });
});

/** The message, in English and Spanish, of a refused file; and that nothing was saved. */
async function refused(options: Partial<ImportOptions> & Pick<ImportOptions, 'format' | 'data'>): Promise<{ problem: ImportProblem; en: string; es: string }> {
  const source = createMemoryPreviousRounds();
  const result = await run({ ...options, source });
  if (result.ok) throw new Error('the file was accepted');
  expect(source.countries()).toEqual([]);
  const en = describeProblem(result.problem, i18n, 'en');
  const es = describeProblem(result.problem, i18n, 'es');
  expect(es).not.toBe(en);
  for (const text of [en, es]) expect(text).not.toMatch(/\{\w+\}|import\.problem/);
  return { problem: result.problem, en, es };
}

/** The CSV export of Paraguay and Uruguay with one raw cell changed (row as a spreadsheet numbers it, column by id). */
const csvWith = (row: number, column: string, value: string): Buffer => {
  const records = parse(exportCsv([paraguay, uruguay], definition, i18n), { bom: true }) as string[][];
  records[row - 1][records[0].indexOf(column)] = value;
  const field = (cell: string) => (/[",\r\n]/.test(cell) ? `"${cell.replace(/"/g, '""')}"` : cell);
  return Buffer.from(`${records.map((r) => r.map(field).join(',')).join('\r\n')}\r\n`);
};

describe('a bad file is refused, naming where, and nothing is saved', () => {
  test('a country that is not a UN Member State', async () => {
    const { problem, en, es } = await refused({ format: 'csv', data: csvWith(4, 'country_code', 'XYZ') });
    expect(problem).toMatchObject({ code: 'country', row: 4, column: 'country_code', value: 'XYZ' });
    expect(en).toBe('Row 4, column country_code: "XYZ" is not the ISO alpha-3 code of a UN Member State (e.g. PRY).');
    expect(es).toBe('Fila 4, columna country_code: "XYZ" no es el código ISO alfa-3 de un Estado Miembro de las Naciones Unidas (p. ej., PRY).');
  });

  test('a row with a cell too many or too few', async () => {
    const csv = exportCsv([uruguay], definition, i18n).replace(/\r\n$/, ',extra\r\n');
    const { en } = await refused({ format: 'csv', data: Buffer.from(csv) });
    expect(en).toMatch(/^Row 3: this row has \d+ cells, but the first row has \d+ columns\.$/);
  });

  test('a quote left open', async () => {
    const csv = exportCsv([uruguay], definition, i18n).replace('Juan Pérez', '"Juan Pérez');
    const { problem, en } = await refused({ format: 'csv', data: Buffer.from(csv) });
    expect(problem.code).toBe('csvSyntax');
    expect(en).toMatch(/^Line \d+: the CSV file cannot be read here \(.+\)/);
  });

  test('a date, a status', async () => {
    expect((await refused({ format: 'csv', data: csvWith(3, 'submitted_at', '30/06/2022') })).en).toBe(
      'Row 3, column submitted_at: "30/06/2022" is not a date and time as the export writes them (e.g. 2026-11-28T10:00:00.000Z).',
    );
    expect((await refused({ format: 'csv', data: csvWith(3, 'response_status', 'done') })).problem).toMatchObject({ code: 'status', row: 3, column: 'response_status' });
  });

  test('the country code and the country answer disagree', async () => {
    const { en } = await refused({ format: 'csv', data: csvWith(3, 'country', 'URY') });
    expect(en).toBe('Row 3: the country code PRY and the answer to COUNTRY NAME (URY) differ.');
  });

  test('a missing or repeated column', async () => {
    expect((await refused({ format: 'csv', data: Buffer.from(exportCsv([uruguay], definition, i18n).replace('country_code', 'pais')) })).en).toBe(
      'Row 1, column country_code: there is no such column. The first row must hold the column ids of the export.',
    );
    expect((await refused({ format: 'csv', data: Buffer.from(exportCsv([uruguay], definition, i18n).replace(',q3,', ',q1,')) })).en).toBe('Row 1, column q1: this column appears twice.');
  });

  test('an XLSX cell that holds a formula, named by its reference', async () => {
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await file.xlsx([paraguay])) as unknown as ArrayBuffer);
    workbook.getWorksheet('Responses')!.getCell('J3').value = { formula: 'A1&"x"' } as ExcelJS.CellFormulaValue;
    const data = Buffer.from(await workbook.xlsx.writeBuffer());
    const { problem, en, es } = await refused({ format: 'xlsx', data });
    expect(problem).toMatchObject({ code: 'cellType', cell: 'J3', row: 3 });
    expect(en).toBe('Cell J3: this cell holds a formula, a date or an error value instead of text. Type the value as text, or export the file again.');
    expect(es).toMatch(/^Celda J3: esta celda contiene una fórmula/);
  });

  test('not an XLSX file; a workbook without the Responses sheet', async () => {
    expect((await refused({ format: 'xlsx', data: Buffer.from('country_code\nPRY\n') })).problem.code).toBe('notXlsx');
    const workbook = new ExcelJS.Workbook();
    workbook.addWorksheet('Hoja1').addRow(['country_code']);
    expect((await refused({ format: 'xlsx', data: Buffer.from(await workbook.xlsx.writeBuffer()) })).en).toBe(
      'The workbook has no sheet named "Responses": import the XLSX export as it was made.',
    );
  });

  test('not JSON; a JSON response that is not a response', async () => {
    expect((await refused({ format: 'json', data: Buffer.from('{"id": ') })).en).toMatch(/^The file is not JSON \(.+\)\. Use the JSON export/);
    const list = JSON.parse(exportJson([uruguay, paraguay], definition));
    list[1].answers.q4 = 42;
    const { problem, en } = await refused({ format: 'json', data: Buffer.from(JSON.stringify(list)) });
    expect(problem).toMatchObject({ code: 'jsonResponse', row: 2, column: 'answers.q4' });
    expect(en).toMatch(/^Response 2, column answers\.q4: .+\. Use the JSON export as it was made\.$/);
  });

  test('an unknown edition, a conflicting one, one that cannot be told, one without a map', async () => {
    expect((await refused({ format: 'json', data: file.json(), edition: 'msq-2019' })).en).toBe('The edition given (msq-2019) is not the one the file records (msq-2022).');
    expect((await refused({ format: 'csv', data: file.csv(), edition: 'msq-2019' })).en).toBe('The edition msq-2019 is not known to this bot (known: msq-2022, msq-test-next).');
    const fewer = Buffer.from(exportCsv([uruguay], definition, i18n).replace(/,q44(?=,)/, ',q44x'));
    expect((await refused({ format: 'csv', data: fewer })).problem.code).toBe('editionUndetected');
    expect((await refused({ format: 'csv', data: file.csv(), maps: [] })).en).toBe(
      'There is no map from msq-2022 to msq-test-next: a developer adds dialogs/editions/msq-2022--msq-test-next.json (renamed, split and removed items).',
    );
    const broken = maps.map((m) => ({ ...m, removed: [] }));
    expect((await refused({ format: 'csv', data: file.csv(), maps: broken })).en).toBe(
      'The map from msq-2022 to msq-test-next does not fit the two editions: "q7" of msq-2022 is not in msq-test-next: list it under renamed, split or removed',
    );
  });
});
