import type { i18n } from 'i18next';
import type { Request, Response, Server } from 'restify';
import { DOCUMENT_LINK_MINUTES } from '../admin/documentLinks';
import { locales, translatorFor, type Locale, type Translator } from '../i18n';
import { COOKIE_MAX_AGE_SECONDS } from '../webchat/identity';
import { securityHeaders } from '../webchat/routes';

/** The two pages and their sections, in order (texts in locales/<lng>/legal.json). */
const PAGES = {
  privacy: ['stored', 'identity', 'use', 'retention', 'erasure', 'copy', 'contact'],
  terms: ['purpose', 'answers', 'conduct', 'service', 'privacy', 'changes'],
} as const;
type Page = keyof typeof PAGES;

/** Only this server's stylesheet; no script, no frames, no forms. */
const CSP = "default-src 'none'; style-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/**
 * `GET /privacy` and `GET /terms`: the privacy notice and the terms of use the Teams app package points to, in
 * English or Spanish — `?lang=es|en` first, then the browser's Accept-Language (Teams opens them in the
 * person's browser), then the default language — with a link to the other language and to each other.
 */
export function legalPages(deps: { i18n: i18n; defaultLocale: Locale }): (server: Server) => void {
  return (server) => {
    for (const page of Object.keys(PAGES) as Page[]) {
      const handler = async (req: Request, res: Response) => {
        const locale = requestedLocale(req, deps.defaultLocale);
        const html = renderPage(page, locale, translatorFor(deps.i18n, locale));
        res.writeHead(200, {
          ...securityHeaders(),
          'Content-Type': 'text/html; charset=utf-8',
          'Content-Language': locale,
          'Content-Security-Policy': CSP,
          'Cache-Control': 'no-cache',
          Vary: 'Accept-Language',
        });
        res.end(req.method === 'HEAD' ? undefined : html);
      };
      server.get(`/${page}`, handler);
      server.head(`/${page}`, handler);
    }
  };
}

/** `?lang=` when it names one of our languages, else the first of ours in Accept-Language (by q), else the default. */
function requestedLocale(req: Request, fallback: Locale): Locale {
  const asked = new URLSearchParams(req.getQuery()).get('lang');
  if (asked && (locales as readonly string[]).includes(asked)) return asked as Locale;
  const accepted = String(req.headers['accept-language'] ?? '')
    .split(',')
    .map((part) => {
      const [tag, ...params] = part.trim().split(';');
      const q = Number(params.find((p) => p.trim().startsWith('q='))?.trim().slice(2) ?? 1);
      return { tag: tag.trim(), q: Number.isFinite(q) ? q : 0 };
    })
    .filter((a) => a.tag && a.q > 0)
    .sort((a, b) => b.q - a.q);
  for (const { tag } of accepted) {
    const locale = locales.find((l) => tag.toLowerCase() === l || tag.toLowerCase().startsWith(`${l}-`));
    if (locale) return locale;
  }
  return fallback;
}

function renderPage(page: Page, locale: Locale, t: Translator): string {
  const other: Locale = locale === 'es' ? 'en' : 'es';
  const values = { days: Math.round(COOKIE_MAX_AGE_SECONDS / 86_400), minutes: DOCUMENT_LINK_MINUTES };
  const sections = PAGES[page].map((section) => `<h2>${escapeHtml(t(`legal:${page}.${section}.heading`))}</h2>\n${paragraphs(t(`legal:${page}.${section}.body`, values))}`);
  const sibling: Page = page === 'privacy' ? 'terms' : 'privacy';
  return `<!doctype html>
<html lang="${locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(t(`legal:${page}.title`))}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/app.css">
</head>
<body class="document">
<header class="masthead"><div class="masthead-text"><h1>${escapeHtml(t(`legal:${page}.title`))}</h1></div></header>
<main class="document-main">
<nav class="document-nav">
<a href="/${page}?lang=${other}" lang="${other}" hreflang="${other}">${escapeHtml(t('legal:page.otherLanguage'))}</a>
<a href="/${sibling}?lang=${locale}">${escapeHtml(t(`legal:page.${sibling}`))}</a>
<a href="/">${escapeHtml(t('legal:page.chat'))}</a>
</nav>
<p>${escapeHtml(t(`legal:${page}.intro`))}</p>
${sections.join('\n')}
</main>
</body>
</html>
`;
}

/** Paragraphs (one per line) and bullet lists (lines starting with "• "), every character escaped. */
function paragraphs(text: string): string {
  const out: string[] = [];
  let items: string[] = [];
  const flush = () => {
    if (items.length) out.push(`<ul>\n${items.map((i) => `<li>${escapeHtml(i)}</li>`).join('\n')}\n</ul>`);
    items = [];
  };
  for (const line of text.split('\n').map((l) => l.trim()).filter(Boolean)) {
    if (line.startsWith('• ')) {
      items.push(line.slice(2));
    } else {
      flush();
      out.push(`<p>${escapeHtml(line)}</p>`);
    }
  }
  flush();
  return out.join('\n');
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
