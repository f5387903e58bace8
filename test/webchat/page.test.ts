import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { contentSecurityPolicy, directLineOrigins } from '../../src/webchat/routes';
import { startWebchatBot, type WebchatBot } from './helpers';

/** The page and its assets: content types, security headers, no inline script, texts in both languages. */

let bot: WebchatBot;
beforeAll(async () => {
  bot = await startWebchatBot();
});
afterAll(async () => {
  await bot.close();
});

const directives = (csp: string) => Object.fromEntries(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name, values]));

test('GET / is the page, with a CSP allowing only its own scripts and no inline script', async () => {
  const res = await fetch(`${bot.url}/`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
  const csp = res.headers.get('content-security-policy');
  expect(csp).toBeTruthy();
  const d = directives(csp!);
  expect(d['default-src']).toEqual(["'self'"]);
  expect(d['script-src']).toEqual(["'self'"]);
  expect(csp).not.toMatch(/script-src[^;]*'unsafe-(inline|eval)'/);
  expect(d['connect-src']).toEqual(["'self'"]);
  expect(d['object-src']).toEqual(["'none'"]);
  expect(d['frame-ancestors']).toEqual(["'self'"]);
  expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  expect(res.headers.get('referrer-policy')).toBe('no-referrer');
  expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');

  const html = await res.text();
  expect(html).toMatch(/<html lang="en">/);
  // Every <script> has a src and no content; no inline event handlers; no CDN.
  const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
  expect(scripts.length).toBeGreaterThanOrEqual(2);
  for (const [, attributes, body] of scripts) {
    expect(attributes).toMatch(/\bsrc="\/[^"]+"/);
    expect(body.trim()).toBe('');
  }
  expect(html).not.toMatch(/\son[a-z]+\s*=/i);
  expect(html).not.toMatch(/<script[^>]+src="(https?:)?\/\//i);
  expect(html).toContain('href="https://publicadministration.un.org/egovkb"');
  expect(html).toMatch(/<progress\b[^>]*id="progress"/);
  expect(html).toMatch(/<label[^>]*for="progress"/);
});

test('the assets are served with their content types, security headers and gzip; Web Chat comes from node_modules', async () => {
  const cases: Array<[string, string]> = [
    ['/app.js', 'text/javascript; charset=utf-8'],
    ['/app.css', 'text/css; charset=utf-8'],
    ['/i18n.json', 'application/json; charset=utf-8'],
    ['/assets/webchat.js', 'text/javascript; charset=utf-8'],
  ];
  for (const [path, type] of cases) {
    const res = await fetch(`${bot.url}${path}`);
    expect([path, res.status]).toEqual([path, 200]);
    expect(res.headers.get('content-type')).toBe(type);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    const etag = res.headers.get('etag')!;
    await res.arrayBuffer();
    const again = await fetch(`${bot.url}${path}`, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
  }
  const bundle = await fetch(`${bot.url}/assets/webchat.js`, { headers: { 'accept-encoding': 'gzip' } });
  expect(bundle.headers.get('content-encoding')).toBe('gzip');
  const text = await bundle.text();
  const file = readFileSync(join(__dirname, '../../node_modules/botframework-webchat/dist/webchat.js'), 'utf8');
  expect(text.length).toBe(file.length);
  expect((await fetch(`${bot.url}/assets/../package.json`)).status).toBe(404);
  expect((await fetch(`${bot.url}/public/index.html`)).status).toBe(404);
});

test('the page script never evaluates code and talks only to this server', () => {
  const js = readFileSync(join(__dirname, '../../public/app.js'), 'utf8');
  expect(js).not.toMatch(/\beval\s*\(|new Function|innerHTML|document\.write/);
  expect(js).not.toMatch(/https?:\/\/(?!publicadministration)/);
});

test('every page text exists in English and Spanish', () => {
  const texts = JSON.parse(readFileSync(join(__dirname, '../../public/i18n.json'), 'utf8')) as Record<string, Record<string, string>>;
  expect(Object.keys(texts).sort()).toEqual(['en', 'es']);
  expect(Object.keys(texts.es).sort()).toEqual(Object.keys(texts.en).sort());
  for (const key of Object.keys(texts.en)) {
    expect(texts.en[key].trim()).not.toBe('');
    expect(texts.es[key].trim()).not.toBe('');
  }
  expect(texts.es.switchCommand).toBe('idioma es');
  expect(texts.en.switchCommand).toBe('language en');
  const html = readFileSync(join(__dirname, '../../public/index.html'), 'utf8');
  for (const [, key] of html.matchAll(/data-i18n="([^"]+)"/g)) expect(texts.en[key]).toBeDefined();
});

test('the CSP names the Direct Line service in Azure mode, over https and wss', () => {
  expect(directLineOrigins('https://directline.botframework.com')).toEqual(['https://directline.botframework.com', 'wss://directline.botframework.com']);
  expect(contentSecurityPolicy(directLineOrigins('https://europe.directline.botframework.com/'))).toContain(
    "connect-src 'self' https://europe.directline.botframework.com wss://europe.directline.botframework.com",
  );
});

test('with a MicrosoftAppId and no DIRECT_LINE_SECRET the page says the chat is not configured (503), not a silent failure', async () => {
  const configured = await startWebchatBot({ MicrosoftAppId: '11111111-2222-3333-4444-555555555555', MicrosoftAppPassword: 'x' });
  try {
    const res = await fetch(`${configured.url}/api/directline/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user: { id: 'dl_needs-secret-1' } }) });
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: string }).error).toContain('DIRECT_LINE_SECRET');
  } finally {
    await configured.close();
  }
});
