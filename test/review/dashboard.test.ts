import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { englishScript } from '../fixtures/answers';
import { post, teamsActivity } from '../fixtures/http';
import { responseFrom } from '../fixtures/responses';
import { startWebchatBot, type WebchatBot } from '../webchat/helpers';

/** The dashboard's "Ask back": the survey team flags an item with a comment, sees it open, then answered again. */

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = join(__dirname, '../../test-artifacts');
const TOKEN = 'dashboard-token-0123456789abcdef';

jest.setTimeout(90_000);

let bot: WebchatBot;
let browser: Browser;
beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`The dashboard browser test needs Chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH).`);
  mkdirSync(ARTIFACTS, { recursive: true });
  bot = await startWebchatBot({ ADMIN_TOKEN: TOKEN });
  const submitted = responseFrom(englishScript, { respondentKey: 'msteams:aad-dashboard' });
  expect((await bot.store.insertResponse(submitted)).ok).toBe(true);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'] });
});
afterAll(async () => {
  await browser?.close();
  await bot?.close();
});

test('ask back about q3 from the dashboard; the flag shows open, then answered again once the respondent answers (in Spanish)', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error' || /Content Security Policy/i.test(m.text())) errors.push(m.text());
  });
  try {
    await page.goto(`${bot.url}/admin`);
    await page.getByLabel('Admin token').fill(TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const paraguay = page.locator('#responses tbody tr').filter({ hasText: 'Paraguay (PRY)' });
    await paraguay.waitFor();
    await paraguay.getByRole('button', { name: 'Ask Paraguay about an answer' }).click();
    await page.getByText('No questions asked yet.').waitFor();

    // An item that does not exist: refused, with the reason.
    await page.getByLabel(/^Item/).fill('q999');
    await page.getByLabel('Comment for the respondent').fill('Please check');
    await page.getByRole('button', { name: 'Flag and tell the respondent' }).click();
    await page.getByText(/could not be flagged: itemId/).waitFor();

    await page.getByLabel(/^Item/).fill('q3');
    await page.getByLabel('Comment for the respondent').fill('The link in q3 returns 404');
    await page.getByRole('button', { name: 'Flag and tell the respondent' }).click();
    await page.getByText(/^Flagged\./).waitFor();
    const flag = page.locator('#review-table tbody tr');
    await expect(flag.innerText()).resolves.toMatch(/q3\tThe link in q3 returns 404\tOpen since .*\tMITIC — https:\/\/www\.mitic\.gov\.py/);
    await paraguay.filter({ hasText: '1 open · 0 answered' }).waitFor();

    // The respondent answers q3 again (in Teams).
    const activity = teamsActivity('https://smba.trafficmanager.net/amer/', { aadObjectId: 'aad-dashboard' }, { text: 'MITIC — https://www.mitic.gov.py/en', deliveryMode: 'expectReplies' });
    expect((await post(bot.url, activity)).status).toBe(200);

    await page.getByRole('button', { name: 'Refresh' }).click();
    await page.getByRole('button', { name: 'Español' }).click();
    await paraguay.filter({ hasText: '0 abiertas · 1 respondidas' }).waitFor();
    await paraguay.getByRole('button', { name: 'Consultar a Paraguay sobre una respuesta' }).click();
    await expect(page.locator('#review-table tbody tr').innerText()).resolves.toMatch(/Respondida de nuevo el .*\tMITIC — https:\/\/www\.mitic\.gov\.py\/en/);
    await page.screenshot({ path: join(ARTIFACTS, 'admin-review-es.png'), fullPage: true });
    expect(errors.filter((e) => !/40[01]/.test(e))).toEqual([]);
  } finally {
    await context.close();
  }
});

test('set the deadline and the reminder days, then send the reminders due now', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  try {
    await page.goto(`${bot.url}/admin`);
    await page.getByLabel('Admin token').fill(TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('No deadline is set: nobody is reminded.').waitFor();

    await page.getByLabel('Days before the deadline').fill('two weeks');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText(/This could not be done: reminderDays/).waitFor();

    await page.getByLabel('Deadline', { exact: true }).fill('2099-12-31');
    await page.getByLabel('Days before the deadline').fill('2, 14 7');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByText(/^Saved\. Deadline: December 31, 2099 \(end of the day, UTC\)\. Reminders 14, 7, 2 days before\.$/).waitFor();
    expect(await bot.store.getSettings()).toMatchObject({ deadline: new Date('2099-12-31T23:59:59.999Z'), reminderDays: [14, 7, 2] });

    await page.getByRole('button', { name: 'Send the reminders due now' }).click();
    await page.getByText('No reminder is due now.').waitFor();

    await page.reload();
    // The form is filled once the page has read the settings back: wait for that, then check both fields.
    const deadline = page.getByLabel('Deadline', { exact: true });
    for (let i = 0; i < 150 && (await deadline.inputValue()) !== '2099-12-31'; i++) await page.waitForTimeout(100);
    expect(await deadline.inputValue()).toBe('2099-12-31');
    expect(await page.getByLabel('Days before the deadline').inputValue()).toBe('14, 7, 2');
    expect(errors).toEqual([]);
  } finally {
    await context.close();
  }
});
