/**
 * POST /admin/imports over HTTP, on the real server: a previous round's export (JSON, CSV, XLSX) checked and
 * summarised per country, saved in the bot's store (or the source a test wires) unless `dryRun=true`, refused with a message naming
 * the row and column (in the language asked for) and nothing saved, behind the admin token.
 */
import { join } from 'node:path';
import { msq2022 } from '../../dialogs';
import { loadEditionMaps } from '../../dialogs/editions';
import { exportCsv, exportJson, exportXlsx } from '../../src/admin/exports';
import { IMPORT_MAX_BYTES } from '../../src/admin/importRoutes';
import type { ImportSummary } from '../../src/carryForward/importRound';
import { createMemoryPreviousRounds } from '../../src/carryForward/previousRoundSource';
import { responseDoc, startAdminBot } from '../fixtures/adminBot';
import { definition, i18n } from '../fixtures/interview';
import { hostileAnswers } from '../fixtures/previousRound';

jest.setTimeout(30_000);

const TOKEN = 'import-token-0123456789abc';
const auth = { Authorization: `Bearer ${TOKEN}` };
const paraguay = responseDoc(hostileAnswers, { at: new Date('2022-06-30T12:00:00Z') });
const uruguay = responseDoc({ country: 'URY', 'respondent.name': 'Juan Pérez', q1: 'https://www.gub.uy', q20: 'ten' }, { at: new Date('2022-05-01T12:00:00Z') });

type Bot = Awaited<ReturnType<typeof startAdminBot>>;
let dryRun: Bot;
let wired: Bot;
const previousRounds = createMemoryPreviousRounds();

beforeAll(async () => {
  dryRun = await startAdminBot(TOKEN);
  wired = await startAdminBot(TOKEN, { previousRounds, editions: { 'msq-2022': msq2022 }, editionMaps: loadEditionMaps(join(__dirname, '../fixtures/editions')) });
});
afterAll(async () => {
  await dryRun?.close();
  await wired?.close();
});

const upload = (bot: Bot, query: string, body: string | Buffer, headers: Record<string, string> = {}) =>
  fetch(`${bot.url}/admin/imports${query}`, { method: 'POST', headers: { ...auth, ...headers }, body: new Uint8Array(typeof body === 'string' ? Buffer.from(body) : body) });

test.each([
  ['json', () => exportJson([paraguay, uruguay], definition)],
  ['csv', () => exportCsv([paraguay, uruguay], definition, i18n)],
  ['xlsx', () => exportXlsx([paraguay, uruguay], definition, i18n)],
] as const)('%s: validated and summarised per country; with dryRun=true nothing is saved', async (format, make) => {
  const res = await upload(dryRun, `?format=${format}&dryRun=true`, await make());
  expect(res.status).toBe(200);
  const { summary, message } = (await res.json()) as { summary: ImportSummary; message: string };
  expect(summary).toMatchObject({ format, fromEdition: 'msq-2022', edition: 'msq-2022', responses: 2, saved: false, skipped: [] });
  expect(summary.countries.map((c) => [c.code, c.removed, c.unknown])).toEqual([
    ['PRY', [], []],
    ['URY', [], []],
  ]);
  expect(summary.countries[1]).toMatchObject({ carried: 3, shownOnly: 1, shownOnlyReasons: { askedAgain: 1 } });
  expect(message).toBe('Checked only (dry run): nothing was saved.');
  expect(await dryRun.store.getPreviousRound('PRY')).toBeNull();
});

test("without dryRun the bot's own store keeps each country's round; a new import replaces it", async () => {
  const first = await upload(dryRun, '?format=json', exportJson([paraguay, uruguay], definition));
  expect(first.status).toBe(200);
  const { summary, message } = (await first.json()) as { summary: ImportSummary; message: string };
  expect(summary.saved).toBe(true);
  expect(message).toBe("Imported: each country's answers will be offered to its respondent in the next round.");
  const stored = (await dryRun.store.getPreviousRound('URY'))!;
  expect(stored.round).toMatchObject({ country: 'URY', responseId: uruguay.id });
  expect(await dryRun.store.getPreviousRound('PRY')).not.toBeNull();

  const newer = responseDoc({ country: 'URY', q1: 'https://www.gub.uy/nuevo' }, { at: new Date('2022-07-01T12:00:00Z') });
  expect((await upload(dryRun, '?format=json', exportJson([newer], definition))).status).toBe(200);
  expect((await dryRun.store.getPreviousRound('URY'))!.round).toMatchObject({ responseId: newer.id });
  expect((await dryRun.store.getPreviousRound('PRY'))!.round).toMatchObject({ responseId: paraguay.id });

  const bad = await upload(dryRun, '?format=json&dryRun=perhaps', exportJson([newer], definition));
  expect(bad.status).toBe(400);
  expect(((await bad.json()) as { error: string }).error).toBe('dryRun must be true or false, not "perhaps".');
});

test('the format from the content type; the message in Spanish', async () => {
  const res = await upload(dryRun, '?lang=es&dryRun=1', exportJson([uruguay], definition), { 'content-type': 'application/json' });
  expect(res.status).toBe(200);
  expect(((await res.json()) as { message: string }).message).toMatch(/^Solo se verificó/);
});

test('with a store for previous rounds the answers are saved, mapped to the current edition', async () => {
  const res = await upload(wired, '?format=csv', exportCsv([uruguay], definition, i18n));
  expect(res.status).toBe(200);
  const { summary } = (await res.json()) as { summary: ImportSummary };
  expect(summary.saved).toBe(true);
  const ury = (await previousRounds.previousAnswers('URY'))!;
  expect(ury.answers.filter((a) => a.fit === 'keepable').map((a) => [a.itemId, a.value])).toEqual([
    ['respondent.name', 'Juan Pérez'],
    ['q1', 'https://www.gub.uy'],
    ['q20', 'ten'],
  ]);
});

test('a bad file: 400, where and what in the language asked for, and nothing saved', async () => {
  const csv = exportCsv([uruguay], definition, i18n).replace(',URY,', ',XYZ,');
  const before = await previousRounds.previousAnswers('URY');
  const en = await upload(wired, '?format=csv', csv);
  expect(en.status).toBe(400);
  expect(await en.json()).toMatchObject({
    error: 'Row 3, column country_code: "XYZ" is not the ISO alpha-3 code of a UN Member State (e.g. PRY).',
    problem: { code: 'country', row: 3, column: 'country_code', value: 'XYZ', format: 'csv' },
  });
  const es = await upload(wired, '?format=csv&lang=es', csv);
  expect(((await es.json()) as { error: string }).error).toMatch(/^Fila 3, columna country_code: "XYZ" no es el código ISO alfa-3/);
  expect(await previousRounds.previousAnswers('URY')).toEqual(before);
});

test('no format, a malformed edition, a file too large', async () => {
  const none = await upload(dryRun, '', 'x');
  expect(none.status).toBe(400);
  expect(((await none.json()) as { error: string }).error).toBe("Give the file's format: json, csv or xlsx.");
  const edition = await upload(dryRun, '?format=csv&edition=MSQ%202022', 'x');
  expect(((await edition.json()) as { error: string }).error).toBe('The edition MSQ 2022 is not known to this bot (known: msq-2022).');
  const big = await upload(dryRun, '?format=csv', Buffer.alloc(IMPORT_MAX_BYTES + 1, 'a'));
  expect(big.status).toBe(413);
  expect(((await big.json()) as { error: string }).error).toBe('The file is larger than 32 MB.');
});

test('the admin token is required', async () => {
  const res = await fetch(`${dryRun.url}/admin/imports?format=json`, { method: 'POST', body: '[]' });
  expect(res.status).toBe(401);
  expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
  // Other routes are untouched by the import's own body handling.
  expect((await fetch(`${dryRun.url}/admin/responses`, { headers: auth })).status).toBe(200);
});
