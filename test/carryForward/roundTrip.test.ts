/**
 * Export → import gives back the same answers, for JSON, CSV and XLSX, with hostile content: line breaks,
 * quotes, formulas and text that only looks neutralised, accents, emoji, Excel's escapes, 20,000 characters.
 */
import fc from 'fast-check';
import { exportCsv, exportJson, exportXlsx } from '../../src/admin/exports';
import { adminView } from '../../src/admin/view';
import { toPreviousResponses, type ReadExport } from '../../src/carryForward/exportRecords';
import { readCsvExport } from '../../src/carryForward/readCsvExport';
import { readJsonExport } from '../../src/carryForward/readJsonExport';
import { readXlsxExport } from '../../src/carryForward/readXlsxExport';
import type { ResponseDoc } from '../../src/store/port';
import { responseDoc } from '../fixtures/adminBot';
import { definition, i18n } from '../fixtures/interview';
import { hostileAnswers, longAnswer } from '../fixtures/previousRound';
import { englishTricky, responseFrom, spanishTricky } from '../fixtures/responses';

jest.setTimeout(60_000);

const formats = {
  json: async (docs: ResponseDoc[]) => readJsonExport(exportJson(docs, definition)),
  csv: async (docs: ResponseDoc[]) => readCsvExport(exportCsv(docs, definition, i18n)),
  xlsx: async (docs: ResponseDoc[]) => readXlsxExport(await exportXlsx(docs, definition, i18n)),
} as const;

/** What the export holds of a response: the answers that apply, in questionnaire order, and its metadata. */
const expected = (doc: ResponseDoc) => {
  const view = adminView(doc, definition);
  return {
    responseId: doc.id,
    country: view.country!.code,
    edition: 'msq-2022',
    status: view.status,
    submittedAt: view.submittedAt,
    updatedAt: view.updatedAt,
    respondent: view.respondent,
    answers: Object.entries(view.answers).map(([itemId, value]) => ({ itemId, value })),
  };
};

const back = (read: ReadExport) => toPreviousResponses(read, definition);

const hostile = responseDoc(hostileAnswers, { at: new Date('2022-06-30T12:00:00Z') });
const inProgress = responseDoc({ country: 'URY', 'respondent.name': 'Juan Pérez', q1: '=1+1' }, { status: 'in_progress', at: new Date('2022-07-01T08:00:00Z') });
const noCountry = responseDoc({ 'respondent.name': 'Not yet' }, { status: 'in_progress' });
const englishRun = responseFrom(englishTricky, { now: new Date('2022-05-01T10:00:00Z') });
const spanishRun = responseFrom(spanishTricky, { locale: 'es', now: new Date('2022-05-02T10:00:00Z') });

describe.each(Object.keys(formats) as Array<keyof typeof formats>)('%s: export → import', (format) => {
  test('gives back every answer exactly, and the response metadata', async () => {
    const docs = [hostile, inProgress, englishRun, spanishRun];
    const { responses, skipped } = back(await formats[format](docs));
    expect(skipped).toEqual([]);
    expect(responses).toEqual(docs.map(expected));
    const q9 = responses[0].answers.find((a) => a.itemId === 'q9.detail')!;
    expect(q9.value).toBe(longAnswer());
    expect((q9.value as string).length).toBe(20_000);
  });

  test('the edition is known from the file (recorded, or by its columns)', async () => {
    const read = await formats[format]([hostile]);
    expect(read.edition).toBe(format === 'csv' ? null : 'msq-2022');
    if (format !== 'json') expect(read.itemIds).toEqual(definition.items.map((i) => i.id));
  });

  test('a response without a country is skipped and reported by its row', async () => {
    const { responses, skipped } = back(await formats[format]([hostile, noCountry]));
    expect(responses.map((r) => r.country)).toEqual(['PRY']);
    expect(skipped).toEqual([{ row: format === 'json' ? 2 : 4, reason: 'noCountry' }]);
  });
});

/** Characters and pieces that exports must keep: every one of them has broken an exporter or a parser somewhere. */
const hostilePiece = fc.constantFrom(
  'a', 'Z', '7', ' ', '=', '+', '-', '@', "'", '"', ',', ';', '\n', '\r', '\r\n', '\t', '_x0041_', '_x005F_', '_x000D_', 'é', 'ñ', '«', '€',
  '😀', '🇵🇾', '日', '\u0001', '\u001F', '\u007F', '\u2028', '\uFEFF', 'https://x.gov.py/a?b=c&d', 'www.x.gov.py', 'Law 5282/2014',
);
const hostileText = fc.array(hostilePiece, { minLength: 1, maxLength: 40 }).map((pieces) => pieces.join(''));

test.each(Object.keys(formats) as Array<keyof typeof formats>)('%s: any hostile text comes back exactly (property)', async (format) => {
  await fc.assert(
    fc.asyncProperty(fc.tuple(hostileText, hostileText, hostileText), async ([q1, q3, detail]) => {
      const doc = responseDoc({ country: 'PRY', q1, q3, q4: 'yes', 'q4.details': detail });
      const [response] = back(await formats[format]([doc])).responses;
      expect(response.answers).toEqual([
        { itemId: 'country', value: 'PRY' },
        { itemId: 'q1', value: q1 },
        { itemId: 'q3', value: q3 },
        { itemId: 'q4', value: 'yes' },
        { itemId: 'q4.details', value: detail },
      ]);
    }),
    { numRuns: format === 'xlsx' ? 40 : 150 },
  );
});
