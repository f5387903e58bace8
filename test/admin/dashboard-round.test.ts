import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { exportCsv, exportXlsx } from '../../src/admin/exports';
import { responseDoc, startAdminBot } from '../fixtures/adminBot';
import { definition, i18n } from '../fixtures/interview';
import { startLinkServer } from '../fixtures/linkServer';

/**
 * The dashboard's tools for the next round, in headless Chromium: the links of a response checked from the server
 * (dead ones listed, in English and Spanish), and a previous round's export imported (the summary per country, and
 * a bad file's row and column). Chromium is required (see test/webchat/browser.test.ts).
 */

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = join(__dirname, '../../test-artifacts');
const TOKEN = 'dashboard-round-token-0123456789';

jest.setTimeout(90_000);

let site: Awaited<ReturnType<typeof startLinkServer>>;
let bot: Awaited<ReturnType<typeof startAdminBot>>;
let browser: Browser;
beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`The dashboard browser test needs Chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH).`);
  mkdirSync(ARTIFACTS, { recursive: true });
  site = await startLinkServer();
  bot = await startAdminBot(TOKEN, { linkCheck: { allowPrivateAddresses: true, timeoutMs: 1_000 } });
  const paraguay = responseDoc({
    country: 'PRY',
    'respondent.name': 'Ana María Giménez Núñez',
    q1: `The national portal: ${site.url}/live, the old one: ${site.url}/missing`,
    'q2.openData': 'http:/datos.gov.py',
    q3: `MITIC — ${site.url}/hang`,
  });
  const uruguay = responseDoc({ country: 'URY', 'respondent.name': 'Juan Pérez' }, { status: 'in_progress' });
  for (const doc of [paraguay, uruguay]) expect((await bot.store.insertResponse(doc)).ok).toBe(true);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
});
afterAll(async () => {
  await browser?.close();
  await bot?.close();
  await site?.close();
});

test('check the links of a response; import a previous round; in English and Spanish', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 }, locale: 'en-US' });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || /Content Security Policy/i.test(m.text())) errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  try {
    await page.goto(`${bot.url}/admin`);
    await page.getByLabel('Admin token').fill(TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('#responses tbody tr[data-id]').first().waitFor();

    // Links: Uruguay has none; Paraguay's four are checked from the server.
    const uruguay = page.locator('#responses tbody tr').filter({ hasText: 'Uruguay (URY)' });
    await expect(uruguay.innerText()).resolves.toContain('No links');
    await page.getByRole('button', { name: 'Check the links of Paraguay' }).click();
    await page.getByText('Checking the links of Paraguay').waitFor();
    const report = page.locator('#link-report');
    await report.getByText('Links checked: 4. Live: 1; dead: 2; refuse automatic checks: 0; not well-formed: 1; not checked: 0.').waitFor();
    const rows = await page.locator('#link-table tbody tr').allInnerTexts();
    expect(rows).toEqual([
      `1 — q1\t${site.url}/missing\tDead — HTTP 404`,
      '2 — q2.openData\thttp:/datos.gov.py\tNot a well-formed web address',
      `3 — q3\t${site.url}/hang\tDead — no answer in time`,
    ]);
    await page.screenshot({ path: join(ARTIFACTS, 'admin-links-en.png'), fullPage: true });

    await page.getByRole('button', { name: 'Español' }).click();
    await report.getByText('Enlaces verificados: 4. Activos: 1; inactivos: 2;', { exact: false }).waitFor();
    expect(await page.locator('#link-table tbody tr').first().innerText()).toContain('Inactivo — HTTP 404');
    await page.getByRole('button', { name: 'English' }).click();

    // Import: an XLSX export of a previous round, first checked only, then saved, summarised per country.
    const xlsx = await exportXlsx([responseDoc({ country: 'PRY', 'respondent.name': 'Ana', q1: 'https://www.paraguay.gov.py', consent: 'yes' })], definition, i18n);
    await page.getByLabel('Export file').setInputFiles({ name: 'msq-2022.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer: xlsx });
    await page.getByLabel('Check only (save nothing)').check();
    await page.getByRole('button', { name: 'Check and import' }).click();
    await page.getByText('Checked only (dry run): nothing was saved.').waitFor();
    expect(await bot.store.getPreviousRound('PRY')).toBeNull();
    await page.getByLabel('Check only (save nothing)').uncheck();
    await page.getByRole('button', { name: 'Check and import' }).click();
    await page.getByText('Imported: each country').waitFor();
    expect(await bot.store.getPreviousRound('PRY')).not.toBeNull();
    expect(await page.locator('#import-line').innerText()).toBe('Countries: 1; responses read: 1 (msq-2022 → msq-2022).');
    expect(await page.locator('#import-table tbody tr').allInnerTexts()).toEqual(['Paraguay (PRY)\t2\t2\tNone\tNone\t0']);

    // A bad file: where and why, and nothing imported.
    const csv = exportCsv([responseDoc({ country: 'URY', q1: 'x' })], definition, i18n).replace(',URY,', ',XYZ,');
    await page.getByLabel('Export file').setInputFiles({ name: 'round.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByRole('button', { name: 'Check and import' }).click();
    await page.getByText('The file was not imported, and nothing changed. Row 3, column country_code').waitFor();
    expect(await page.locator('#import-table').isHidden()).toBe(true);
    await page.screenshot({ path: join(ARTIFACTS, 'admin-import-en.png'), fullPage: true });

    await page.getByRole('button', { name: 'Español' }).click();
    await page.getByRole('heading', { name: 'Importar una ronda anterior' }).waitFor();
    // The refused file's 400 is logged by the browser as a failed resource; nothing else may be.
    expect(errors.filter((e) => !/status of 400/.test(e))).toEqual([]);
  } finally {
    await context.close();
  }
});
