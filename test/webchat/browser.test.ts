import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { webchatUserId } from '../../src/webchat/identity';
import { startWebchatBot, type WebchatBot } from './helpers';

/**
 * The page in headless Chromium against the real bot and the self-hosted Direct Line: typing, a card with
 * check boxes, a suggested action, the progress bar, resuming after a reload, and Spanish. Screenshots go to
 * test-artifacts/. Chromium is required: without it the test fails (CI installs it), it is never skipped.
 */

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = join(__dirname, '../../test-artifacts');
const PHONE = { width: 390, height: 844 };

jest.setTimeout(90_000);

let bot: WebchatBot;
let browser: Browser;
beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`The web chat browser test needs Chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH).`);
  }
  mkdirSync(ARTIFACTS, { recursive: true });
  bot = await startWebchatBot();
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
});
afterAll(async () => {
  await browser?.close();
  await bot?.close();
});

/** A fresh browser profile (its own storage) at phone size, on the page at `url`; console errors are collected. */
async function open(locale = 'en-US', url = `${bot.url}/`): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: PHONE, locale, deviceScaleFactor: 1 });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || /Content Security Policy|Failed to render/i.test(message.text())) errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(url);
  return { context, page, errors };
}

/** A bot message (plain text) or card containing the text, the latest one. */
const botSays = (page: Page, text: string | RegExp) =>
  page.locator('.webchat__text-content, .ac-adaptiveCard').filter({ hasText: text }).last();

const sendBox = (page: Page) => page.locator('textarea[data-id="webchat-sendbox-input"]');

async function type(page: Page, text: string): Promise<void> {
  await sendBox(page).fill(text);
  await sendBox(page).press('Enter');
}

/** Waits until the progress bar reads this ("Question 4 of 44 · section A"). */
async function progressIs(page: Page, text: string): Promise<void> {
  await page.waitForFunction((t) => document.getElementById('progress-text')?.textContent === t, text);
}

/** Waits until the bot has acknowledged this many answers ("Saved." or "Saved: …"). */
async function savedCount(page: Page, n: number): Promise<void> {
  await page.waitForFunction(
    (count) => Array.from(document.querySelectorAll('.webchat__text-content')).filter((p) => /^\s*Saved[.:]/.test(p.textContent ?? '')).length >= count,
    n,
  );
}

const CONTACT = 'Country and contact information · before the 44 questions';

const progress = (page: Page) =>
  page.evaluate(() => {
    const bar = document.getElementById('progress') as HTMLProgressElement;
    return { value: bar.value, max: bar.max, text: document.getElementById('progress-text')!.textContent };
  });

describe('the web chat page in Chromium', () => {
  test('English at phone width: typing, a check-box card, a suggested action, progress, and resuming after a reload', async () => {
    const { context, page, errors } = await open('en-US');
    try {
      await botSays(page, 'COUNTRY NAME').waitFor();
      expect(await page.getAttribute('html', 'lang')).toBe('en');
      expect(await page.locator('h1').textContent()).toBe('Member States Questionnaire (MSQ) for the United Nations E-Government Survey 2022');
      expect(await page.getByRole('button', { name: 'English' }).getAttribute('aria-pressed')).toBe('true');
      expect(await page.getByRole('link', { name: /Glossary/ }).getAttribute('href')).toBe('https://publicadministration.un.org/egovkb');
      expect(await progress(page)).toEqual({ value: 0, max: 44, text: CONTACT });
      // The browser's identity is an HttpOnly, SameSite=Strict cookie: page script cannot read it.
      const [cookie] = await context.cookies();
      expect(cookie).toMatchObject({ name: 'msq-webchat', httpOnly: true, sameSite: 'Strict', path: '/' });
      expect(await page.evaluate(() => document.cookie)).toBe('');
      expect(await page.evaluate(() => Object.keys(localStorage))).not.toContain('msq.webchat.userId');
      const userId = webchatUserId(cookie.value);

      // Typed answers.
      await type(page, 'Paraguay');
      await botSays(page, 'Contact information — Your name').waitFor();
      await savedCount(page, 1);
      await type(page, 'Ana');
      await botSays(page, 'Contact information — Title').waitFor();
      await type(page, 'Director');
      await botSays(page, 'Contact information — Organization').waitFor();
      await type(page, 'MITIC');
      await botSays(page, 'Contact information — Email').waitFor();
      await type(page, 'ana@example.org');
      await savedCount(page, 5);
      expect(await progress(page)).toEqual({ value: 0, max: 44, text: CONTACT });

      // The multi-choice card: tick a box, Send; the card is then replaced by the answer, without inputs.
      const card = page.locator('.ac-adaptiveCard').filter({ hasText: 'Please select whichever applies' }).last();
      await card.waitFor();
      // Numbered options, as the hint says; an answer that is not understood is answered in a few words, and
      // the card stays the only one.
      const labels = await card.locator('label[for]').allTextContents();
      expect(labels.map((l) => l.trim().slice(0, 20)).filter((l) => !l.startsWith('Your answer'))).toEqual(['1 — I am authorized ', '2 — A group of gover', '3 — I did not have t', '4 — I mostly provide', '5 — Other']);
      await type(page, '9');
      await botSays(page, /Please choose one or more options: numbers from 1 to \d/).waitFor();
      expect(await page.locator('.ac-adaptiveCard').filter({ hasText: 'Please select whichever applies' }).count()).toBe(1);
      await card.getByRole('checkbox', { name: /I am authorized/ }).check();
      await page.screenshot({ path: join(ARTIFACTS, 'webchat-en-card-390.png') });
      await card.getByRole('button', { name: 'Send' }).click();
      await progressIs(page, 'Question 1 of 44 · section A');
      await botSays(page, /What is the official e-government portal/).waitFor();
      const answered = page.locator('.ac-adaptiveCard').filter({ hasText: 'Please select whichever applies' }).last();
      await answered.filter({ hasText: 'I am authorized and fully knowledgeable' }).waitFor();
      await page.waitForFunction(
        () => !Array.from(document.querySelectorAll('.ac-adaptiveCard')).some((c) => c.textContent?.includes('Please select whichever applies') && c.querySelector('input, button')),
      );

      // Typed answers (links) up to the first yes/no question, answered with its suggested action.
      const yes = page.getByRole('toolbar', { name: 'Suggested actions' }).getByRole('button', { name: 'Yes', exact: true });
      let answeredCount = 6;
      while (!(await yes.isVisible())) {
        expect(answeredCount).toBeLessThan(20);
        await type(page, `https://www.paraguay.gov.py/portal-${answeredCount}`);
        answeredCount += 1;
        await savedCount(page, answeredCount);
      }
      await botSays(page, /Chief Information Officer \(CIO\) or equivalent to manage/).waitFor();
      await page.screenshot({ path: join(ARTIFACTS, 'webchat-en-suggested-actions-390.png') });
      await yes.click();
      answeredCount += 1;
      await savedCount(page, answeredCount);
      await botSays(page, /If yes, please provide contact information of national Chief Information Officer \(CIO\) or equivalent: Your name/).waitFor();
      // Answering yes opens the CIO fields of question 4; the count of the printed questionnaire stays 44.
      expect(await progress(page)).toEqual({ value: 4, max: 44, text: 'Question 4 of 44 · section A' });
      await page.screenshot({ path: join(ARTIFACTS, 'webchat-en-390.png') });

      // Reload: the same respondent is welcomed back at the same question, with the progress restored.
      await page.reload();
      await botSays(page, 'Welcome back').waitFor();
      await botSays(page, /If yes, please provide contact information of national Chief Information Officer \(CIO\) or equivalent: Your name/).waitFor();
      await progressIs(page, 'Question 4 of 44 · section A');
      expect((await context.cookies())[0].value).toBe(cookie.value);
      const stored = await bot.store.findResponseByRespondent(`directline:${userId}`);
      expect(stored?.answers.find((a) => a.itemId === 'q4')?.value).toBe('yes');
      await page.screenshot({ path: join(ARTIFACTS, 'webchat-en-reloaded-390.png') });
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  test('switching to Español: page, Web Chat and the questions change language, and the choice is remembered', async () => {
    const { context, page, errors } = await open('en-US');
    try {
      await botSays(page, 'COUNTRY NAME').waitFor();
      await page.getByRole('button', { name: 'Español' }).click();
      expect(await page.getAttribute('html', 'lang')).toBe('es');
      expect(await page.locator('h1').textContent()).toContain('Cuestionario para los Estados Miembros (MSQ)');
      expect(await page.getByRole('button', { name: 'Español' }).getAttribute('aria-pressed')).toBe('true');
      // The bot got "idioma es" and asks the current question again, in Spanish.
      await botSays(page, 'NOMBRE DEL PAÍS').waitFor();
      expect(await sendBox(page).getAttribute('placeholder')).toMatch(/mensaje/i);
      await type(page, 'Paraguay');
      await botSays(page, 'Información de contacto — Su nombre').waitFor();
      expect(await progress(page)).toEqual({ value: 0, max: 44, text: 'País e información de contacto · antes de las 44 preguntas' });
      await page.screenshot({ path: join(ARTIFACTS, 'webchat-es-390.png') });

      await page.reload();
      await botSays(page, 'Información de contacto — Su nombre').waitFor();
      expect(await page.getAttribute('html', 'lang')).toBe('es');
      expect(await page.getByRole('button', { name: 'Español' }).getAttribute('aria-pressed')).toBe('true');
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  test('another browser that knows her user id is a new respondent: no welcome back, no token for her id', async () => {
    const ana = await open('en-US');
    const stranger = await browser.newContext({ viewport: PHONE, locale: 'en-US' });
    try {
      await botSays(ana.page, 'COUNTRY NAME').waitFor();
      await type(ana.page, 'Uruguay');
      await botSays(ana.page, 'Contact information — Your name').waitFor();
      await type(ana.page, 'Ana Pérez');
      await botSays(ana.page, 'Contact information — Title').waitFor();
      // The stranger learned her user id (from an export, a log, a shared screen) and puts it where earlier
      // versions of the page kept the browser's identity.
      const responses = await bot.store.listResponses();
      const key = responses.find((r) => r.answers.some((a) => a.value === 'Ana Pérez'))!.respondentKey;
      const userId = key.replace(/^directline:/, '');
      await stranger.addInitScript((id) => localStorage.setItem('msq.webchat.userId', id), userId);
      const page = await stranger.newPage();
      page.setDefaultTimeout(15_000);
      await page.goto(`${bot.url}/`);
      await botSays(page, 'COUNTRY NAME').waitFor();
      expect(await page.locator('.webchat__bubble').filter({ hasText: 'Welcome back' }).count()).toBe(0);
      expect(await page.locator('.webchat__bubble').filter({ hasText: 'Ana Pérez' }).count()).toBe(0);
      const asked = await page.evaluate(async (id) => {
        const res = await fetch('/api/directline/token', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ user: { id } }) });
        return res.status;
      }, userId);
      expect(asked).toBe(401);
      expect((await bot.store.findResponseByRespondent(key))!.answers.find((a) => a.itemId === 'respondent.name')?.value).toBe('Ana Pérez');
    } finally {
      await stranger.close();
      await ana.context.close();
    }
  });

  test('the bot’s links can be clicked; what the respondent typed is shown as typed, never as formatting', async () => {
    const { context, page, errors } = await open('en-US');
    try {
      await botSays(page, 'COUNTRY NAME').waitFor();
      const fromBot = page.locator('.webchat__bubble:not(.webchat__bubble--from-user)');
      // The welcome's glossary and survey links, in the conversation itself.
      for (const href of ['https://publicadministration.un.org/egovkb', 'https://publicadministration.un.org/en/Research/UN-e-Government-Surveys']) {
        const link = fromBot.locator(`a[href="${href}"]`).first();
        expect(await link.textContent()).toContain(href);
        expect(await link.getAttribute('target')).toBe('_blank');
      }
      await type(page, 'Paraguay');
      const pasted = 'Ana *Giménez* _Núñez_ [x](https://evil.example/) <b>bold</b> "Dir." -- (c)';
      await type(page, pasted);
      await botSays(page, 'Contact information — Title').waitFor();
      await type(page, 'review');
      const review = fromBot.filter({ hasText: 'Your answers so far:' }).last();
      await review.waitFor();
      // (Web Chat puts zero-width spaces around a link, and an "opens in a new window" icon in it.)
      expect((await review.textContent())!.replace(/\u200b/g, '')).toContain(pasted);
      expect(await fromBot.locator('em, strong, b, h1, h2, h3, code, pre, blockquote, ol, ul, img:not(.webchat__render-markdown__external-link-icon)').count()).toBe(0);
      // The address in her answer is a link to itself, and nothing else in it is.
      expect(await review.locator('a').evaluateAll((links) => links.map((a) => [a.getAttribute('href'), a.textContent?.trim()]))).toEqual([['https://evil.example/', 'https://evil.example/']]);
      // The copy link.
      await type(page, 'copy');
      const copy = fromBot.filter({ hasText: 'Here is your questionnaire' }).last();
      await copy.waitFor();
      const href = await copy.locator('a').first().getAttribute('href');
      expect(href).toMatch(/\/documents\/[A-Za-z0-9_-]+~[A-Za-z0-9_-]+$/);
      const pdf = await page.request.get(href!.replace(/^http:\/\/localhost:\d+/, bot.url));
      expect(pdf.headers()['content-type']).toBe('application/pdf');
      await page.screenshot({ path: join(ARTIFACTS, 'webchat-en-links-390.png') });
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  test('a Spanish browser starts in Spanish; the page fits a 360 px screen without sideways scrolling', async () => {
    const context = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'es-PY' });
    try {
      const page = await context.newPage();
      page.setDefaultTimeout(15_000);
      await page.goto(`${bot.url}/`);
      await botSays(page, 'NOMBRE DEL PAÍS').waitFor();
      expect(await page.getAttribute('html', 'lang')).toBe('es');
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
      // Keyboard: the skip link is first and visible on focus.
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => document.activeElement?.className)).toBe('skip-link');
      await page.screenshot({ path: join(ARTIFACTS, 'webchat-es-360.png') });
    } finally {
      await context.close();
    }
  });
});

describe('the server listening on every address, as npm start does', () => {
  let everywhere: WebchatBot;
  beforeAll(async () => {
    everywhere = await startWebchatBot({}, { listen: 'all' });
  });
  afterAll(async () => {
    await everywhere?.close();
  });

  // Chromium reaches `localhost` over IPv6 (::1) when it can: the bot must answer however the page was reached.
  test.each([['localhost'], ['[::1]'], ['127.0.0.1']])('the page at http://%s:PORT/ is greeted and answered', async (host) => {
    const { context, page, errors } = await open('en-US', `http://${host}:${everywhere.port}/`);
    try {
      await botSays(page, 'COUNTRY NAME').waitFor();
      await type(page, 'Paraguay');
      await botSays(page, 'Contact information — Your name').waitFor();
      await progressIs(page, CONTACT);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

