import { responseOf } from '../../src/session/participants';
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createInvitation } from '../../src/admin/invitations';
import { webchatUserId } from '../../src/webchat/identity';
import { startWebchatBot, type WebchatBot } from '../webchat/helpers';

/**
 * The web chat page opened from an invitation link (`/?invitation=MSQ-…`) with REQUIRE_INVITATION=true, in headless
 * Chromium: the page hands the code to the bot, the country is pre-filled, and the code leaves the address bar.
 */

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

jest.setTimeout(90_000);

let bot: WebchatBot;
let browser: Browser;
beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`This browser test needs Chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH).`);
  bot = await startWebchatBot({ REQUIRE_INVITATION: 'true' });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
});
afterAll(async () => {
  await browser?.close();
  await bot?.close();
});

const botSays = (page: Page, text: string | RegExp) => page.locator('.webchat__text-content, .ac-adaptiveCard').filter({ hasText: text }).last();

test('the link’s code is given to the bot: the country is pre-filled; a reload welcomes back without asking again', async () => {
  const made = await createInvitation(bot.store, { country: 'Paraguay' });
  if (!made.ok) throw new Error('no invitation');
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'en-US' });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  try {
    await page.goto(`${bot.url}/?invitation=${encodeURIComponent(made.code)}`);
    await botSays(page, 'This invitation is for Paraguay.').waitFor();
    await botSays(page, 'Contact information — Your name').waitFor();
    // One welcome; whom they answer for comes before the section's heading.
    const shown = await page.locator('.webchat__text-content').allInnerTexts();
    expect(shown.filter((text) => text.includes('Welcome. I will guide you'))).toHaveLength(1);
    const answeringFor = shown.findIndex((text) => text.includes('You are answering for Paraguay'));
    expect(answeringFor).toBeGreaterThan(-1);
    expect(answeringFor).toBeLessThan(shown.findIndex((text) => text.includes('Section: Country and contact information')));
    expect(new URL(page.url()).search).toBe('');
    const userId = webchatUserId((await context.cookies())[0].value);
    const stored = (await responseOf(bot.store, `directline:${userId}`))!;
    expect(stored.country).toEqual({ code: 'PRY', name: 'Paraguay' });

    await page.reload();
    await botSays(page, 'Welcome back').waitFor();
    expect(await page.locator('.webchat__text-content').filter({ hasText: 'invitation code' }).count()).toBe(0);
  } finally {
    await context.close();
  }
});

test('without a code the page’s respondent is asked for one, and can type it', async () => {
  const made = await createInvitation(bot.store, { country: 'URY' });
  if (!made.ok) throw new Error('no invitation');
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: 'en-US' });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  try {
    await page.goto(`${bot.url}/`);
    await botSays(page, 'please type the invitation code').waitFor();
    const box = page.locator('textarea[data-id="webchat-sendbox-input"]');
    await box.fill(made.code.toLowerCase());
    await box.press('Enter');
    await botSays(page, 'This invitation is for Uruguay.').waitFor();
  } finally {
    await context.close();
  }
});
