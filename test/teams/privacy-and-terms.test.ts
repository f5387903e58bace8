import fs from 'node:fs';
import path from 'node:path';
import { startWebchatBot, type WebchatBot } from '../webchat/helpers';

/**
 * The privacy notice and the terms of use the Teams app package links to, served by the bot in English and
 * Spanish, and truthful about what the bot keeps.
 */

let bot: WebchatBot;
beforeAll(async () => {
  bot = await startWebchatBot();
});
afterAll(async () => {
  await bot.close();
});

const get = async (pathname: string, headers: Record<string, string> = {}) => {
  const res = await fetch(`${bot.url}${pathname}`, { headers });
  return { res, html: await res.text() };
};
/** The page's text, without tags. */
const textOf = (html: string) => html.replace(/<[^>]+>/g, ' ').replace(/&#39;/g, "'").replace(/&#34;/g, '"').replace(/\s+/g, ' ');

test('the manifest’s privacy and terms addresses are pages of this bot', async () => {
  const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '../../appPackage/manifest.json'), 'utf8')) as { developer: Record<string, string> };
  for (const key of ['privacyUrl', 'termsOfUseUrl']) {
    const pathname = new URL(manifest.developer[key].replace('{{BOT_DOMAIN}}', 'msq.example.org')).pathname;
    const { res, html } = await get(pathname);
    expect([key, res.status]).toEqual([key, 200]);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(html).toMatch(/^<!doctype html>/);
  }
});

test('the privacy notice says what is kept, for how long, and how to erase it', async () => {
  const { res, html } = await get('/privacy');
  expect(res.headers.get('content-language')).toBe('en');
  expect(html).toContain('<html lang="en">');
  const text = textOf(html);
  for (const fact of [
    'Your answers to the questionnaire',
    'An audit trail of your answers',
    'The conversation reference',
    'Microsoft Entra ID',
    'it cannot be read by the page\'s scripts',
    'kept for 400 days after your last visit',
    'kept until you delete them or the survey team deletes them',
    'type delete my answers (or borrar mis respuestas)',
    'The link works for 60 minutes',
  ]) {
    expect(text).toContain(fact);
  }
});

test('in Spanish by ?lang=es or by the browser’s languages, with links between the pages and languages', async () => {
  const asked = await get('/privacy?lang=es');
  expect(asked.html).toContain('<html lang="es">');
  expect(textOf(asked.html)).toContain('escriba borrar mis respuestas (o delete my answers)');
  expect(textOf(asked.html)).toContain('el DAES');
  expect(asked.html).toContain('href="/privacy?lang=en"');
  expect(asked.html).toContain('href="/terms?lang=es"');

  const negotiated = await get('/terms', { 'accept-language': 'fr-FR,fr;q=0.9,es-PY;q=0.8,en;q=0.5' });
  expect(negotiated.res.headers.get('content-language')).toBe('es');
  expect(negotiated.res.headers.get('vary')).toContain('Accept-Language');
  expect(textOf(negotiated.html)).toContain('Condiciones de uso — Bot MSQ');
  expect(negotiated.html).toContain('href="/privacy?lang=es"');

  expect((await get('/terms', { 'accept-language': 'en-GB,es;q=0.9' })).res.headers.get('content-language')).toBe('en');
  expect((await get('/terms?lang=de', { 'accept-language': 'de' })).res.headers.get('content-language')).toBe('en');
});

test('the default language serves browsers that ask for neither', async () => {
  const spanish = await startWebchatBot({ DEFAULT_LOCALE: 'es' });
  try {
    const res = await fetch(`${spanish.url}/privacy`, { headers: { 'accept-language': 'fr' } });
    expect(res.headers.get('content-language')).toBe('es');
  } finally {
    await spanish.close();
  }
});

test('the pages run no script and carry the security headers', async () => {
  for (const pathname of ['/privacy', '/terms?lang=es']) {
    const { res, html } = await get(pathname);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(html).not.toMatch(/<script/i);
    expect((await fetch(`${bot.url}${pathname}`, { method: 'HEAD' })).status).toBe(200);
  }
});

test('the web chat page links to both, in its language', async () => {
  const html = await (await fetch(`${bot.url}/`)).text();
  expect(html).toMatch(/<a id="privacy" href="\/privacy"/);
  expect(html).toMatch(/<a id="terms" href="\/terms"/);
});
