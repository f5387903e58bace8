import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { responseFrom } from '../fixtures/responses';
import { englishScript } from '../fixtures/answers';
import { startWebchatBot, type WebchatBot } from '../webchat/helpers';
import { interview } from '../fixtures/interview';
import { ownState, teamKey } from '../../src/session/team';
import { createInvitation } from '../../src/admin/invitations';
import type { ResponseDoc } from '../../src/store/port';

/**
 * The survey team's dashboard in headless Chromium: the token asked once and kept for the tab, the responses'
 * table (sorting, filtering, totals), a document download with the token, the Spanish switch, and an invitation
 * made with the form. Chromium is required (see test/webchat/browser.test.ts).
 */

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = join(__dirname, '../../test-artifacts');
const TOKEN = 'dashboard-token-0123456789abcdef';

jest.setTimeout(90_000);

let bot: WebchatBot;
let browser: Browser;
beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`The dashboard browser test needs Chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH).`);
  mkdirSync(ARTIFACTS, { recursive: true });
  bot = await startWebchatBot({ ADMIN_TOKEN: TOKEN, PUBLIC_URL: 'https://msq.example.org' });
  const completed = responseFrom(englishScript, { submit: true, now: new Date('2026-11-20T10:00:00Z') });
  const started = responseFrom({ ...englishScript, country: 'Uruguay', 'respondent.name': 'Juan Pérez' }, { stopAfter: 'respondent.name', now: new Date('2026-11-25T10:00:00Z') });
  for (const doc of [completed, started]) expect((await bot.store.insertResponse(doc)).ok).toBe(true);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
});
afterAll(async () => {
  await browser?.close();
  await bot?.close();
});

const rowTexts = (page: Page) => page.locator('#responses tbody tr').allInnerTexts();

test('sign in once, see the responses, sort, filter, download a PDF, switch to Spanish, make an invitation', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US', acceptDownloads: true });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || /Content Security Policy/i.test(m.text())) errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  try {
    await page.goto(`${bot.url}/admin`);
    await page.getByLabel('Admin token').fill('wrong-token-0123456789');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('This token was not accepted').waitFor();

    await page.getByLabel('Admin token').fill(TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('#responses tbody tr[data-id]').first().waitFor();

    // The completed response's row; the totals.
    const paraguay = page.locator('#responses tbody tr').filter({ hasText: 'Paraguay (PRY)' });
    await expect(paraguay.innerText()).resolves.toContain(englishScript['respondent.name']);
    await expect(paraguay.innerText()).resolves.toContain('Submitted');
    await expect(paraguay.innerText()).resolves.toContain('None');
    // The in-progress response's required questions still unanswered are named as the questionnaire names them.
    const uruguay = page.locator('#responses tbody tr').filter({ hasText: 'Uruguay (URY)' });
    await expect(uruguay.innerText()).resolves.toContain('Your title; ');
    await expect(uruguay.innerText()).resolves.not.toContain('respondent.title');
    expect(await page.locator('#total-submitted').innerText()).toBe('1');
    expect(await page.locator('#total-in-progress').innerText()).toBe('1');
    expect(await page.locator('#total-invited').innerText()).toBe('0');

    // Sorting by country, both ways; filtering by status and by text.
    expect((await rowTexts(page)).map((r) => r.split('\t')[0])).toEqual(['Paraguay (PRY)', 'Uruguay (URY)']);
    await page.getByRole('button', { name: 'Country' }).click();
    expect((await rowTexts(page)).map((r) => r.split('\t')[0])).toEqual(['Uruguay (URY)', 'Paraguay (PRY)']);
    expect(await page.locator('th[data-sort="country"]').getAttribute('aria-sort')).toBe('descending');
    await page.getByLabel('Status').selectOption('in_progress');
    expect(await rowTexts(page)).toEqual([expect.stringContaining('Juan Pérez')]);
    await page.getByLabel('Status').selectOption('');
    await page.getByLabel(/^Search/).fill('mitic');
    expect(await rowTexts(page)).toEqual([expect.stringContaining('Paraguay')]);
    await page.getByLabel(/^Search/).fill('');

    // A document, fetched with the token and saved under the server's file name.
    const [download] = await Promise.all([page.waitForEvent('download'), paraguay.getByRole('button', { name: /as PDF, in English/ }).click()]);
    expect(download.suggestedFilename()).toMatch(/^msq-PRY-[0-9a-f]{8}-en\.pdf$/);
    const file = await download.path();
    expect(readFileSync(file!).subarray(0, 5).toString('latin1')).toBe('%PDF-');

    // Spanish.
    await page.getByRole('button', { name: 'Español' }).click();
    expect(await page.getAttribute('html', 'lang')).toBe('es');
    await page.getByRole('heading', { name: 'Respuestas' }).waitFor();
    await expect(paraguay.innerText()).resolves.toContain('Enviado');

    // An invitation, made with the form; the token is still kept after a reload.
    await page.getByLabel('País', { exact: true }).fill('Chile');
    await page.getByRole('button', { name: 'Crear invitación' }).click();
    await page.locator('#invite-code').filter({ hasText: /^MSQ-/ }).waitFor();
    expect(await page.locator('#invite-link').innerText()).toMatch(/^https:\/\/msq\.example\.org\/\?invitation=MSQ-/);
    expect(await page.locator('#total-invited').innerText()).toBe('1');
    expect((await bot.store.listInvitations()).map((i) => i.country.code)).toEqual(['CHL']);
    await page.screenshot({ path: join(ARTIFACTS, 'admin-dashboard-es.png'), fullPage: true });

    await page.reload();
    await page.locator('#responses tbody tr[data-id]').first().waitFor();
    expect(await page.locator('#invitations tbody').innerText()).toContain('Chile (CHL)');
    expect(await page.evaluate(() => sessionStorage.getItem('msq.admin.token'))).toBe(TOKEN);
    expect(await page.evaluate(() => localStorage.getItem('msq.admin.token'))).toBeNull();
    expect(errors.filter((e) => !/401/.test(e))).toEqual([]);
  } finally {
    await context.close();
  }
});

test('a country’s team: its participants (name or e-mail, the lead marked, their sections, access withdrawn) in the response’s row, in English and Spanish', async () => {
  // Ecuador's response, begun by its team: the country from an invitation, no contact name given yet.
  const begun = responseFrom({ ...englishScript, country: 'Ecuador' }, { stopAfter: 'country', now: new Date('2026-11-26T10:00:00Z') });
  const state = ownState(interview.load({ ...begun.engine, answers: begun.answers, deferred: begun.deferred })!);
  const joinedAt = new Date('2026-11-26T10:00:00Z');
  // Jorge joined with an invitation of his own (the participant's id is the invitation's).
  const jorge = await createInvitation(bot.store, { country: 'Ecuador', sections: ['C', 'D'] });
  if (!jorge.ok) throw new Error('no invitation');
  const team: ResponseDoc = {
    ...begun,
    respondentKey: teamKey('msq-2022', 'ECU'),
    engine: {},
    team: {
      participants: [
        { id: 'inv-maria', email: 'maria@mintel.gob.ec', lead: true, sections: [], joinedAt, state },
        { id: jorge.invitation.id, name: 'Jorge Ríos', lead: false, sections: ['C', 'D'], joinedAt, state },
      ],
    },
  };
  expect((await bot.store.insertResponse(team)).ok).toBe(true);

  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  try {
    await page.goto(`${bot.url}/admin`);
    await page.getByLabel('Admin token').fill(TOKEN);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const ecuador = page.locator('#responses tbody tr').filter({ hasText: 'Ecuador (ECU)' });
    await ecuador.waitFor();
    const participants = ecuador.getByRole('list', { name: "The country's team (2 participants)" });
    expect(await participants.getByRole('listitem').allInnerTexts()).toEqual(['maria@mintel.gob.ec — lead', 'Jorge Ríos — sections C, D']);
    await expect(ecuador.innerText()).resolves.not.toContain('(not given yet)');
    // A participant is found by the search.
    await page.getByLabel(/^Search/).fill('mintel');
    expect(await rowTexts(page)).toEqual([expect.stringContaining('Ecuador (ECU)')]);
    await page.getByLabel(/^Search/).fill('');
    // One respondent's own response lists nobody.
    expect(await page.locator('#responses tbody tr').filter({ hasText: 'Uruguay (URY)' }).locator('.participants').count()).toBe(0);

    // The survey team revokes Jorge's invitation in the dashboard: his access is withdrawn, and his line says since when.
    page.once('dialog', (dialog) => void dialog.accept());
    await page.locator(`#invitations [data-revoke="${jorge.invitation.id}"]`).click();
    await participants.locator('.participant-withdrawn').waitFor();
    const revokedAt = (await bot.store.getInvitation(jorge.invitation.id))!.revokedAt!;
    const day = (lang: string) => revokedAt.toLocaleDateString(lang, { timeZone: 'UTC', dateStyle: 'long' });
    expect(await participants.getByRole('listitem').allInnerTexts()).toEqual(['maria@mintel.gob.ec — lead', `Jorge Ríos — sections C, D — access withdrawn on ${day('en')}`]);
    // The admin view of the response says it too (Maria's access stands).
    const view = await fetch(`${bot.url}/admin/responses/${team.id}?format=json`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect((await view.json()).participants).toEqual([
      expect.not.objectContaining({ revokedAt: expect.anything() }),
      expect.objectContaining({ id: jorge.invitation.id, label: 'Jorge Ríos', revokedAt: revokedAt.toISOString() }),
    ]);

    await page.getByRole('button', { name: 'Español' }).click();
    await page.getByRole('heading', { name: 'Respuestas' }).waitFor();
    const equipo = ecuador.getByRole('list', { name: 'El equipo del país (2 participantes)' });
    expect(await equipo.getByRole('listitem').allInnerTexts()).toEqual(['maria@mintel.gob.ec — persona coordinadora', `Jorge Ríos — secciones C, D — acceso retirado el ${day('es')}`]);
    await expect(ecuador.innerText()).resolves.not.toContain('(aún no indicado)');
  } finally {
    await context.close();
  }
});
