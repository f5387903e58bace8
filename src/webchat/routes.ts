import { join } from 'node:path';
import type { ActivityHandler } from 'botbuilder';
import type { Request, Response, Server } from 'restify';
import { z } from 'zod';
import type { MsqAdapter } from '../bot/adapter';
import type { Env } from '../config/env';
import type { HttpLimits } from '../http/limits';
import type { Logger } from '../logger';
import { DEFAULT_DIRECT_LINE_ENDPOINT, DirectLineUpstreamError, generateDirectLineToken } from './azure';
import { DIRECT_LINE_PATH, mountDirectLine, type DirectLineOptions } from './directline';
import { createWebchatIdentity, userIdSchema } from './identity';
import { fileRoute, publicDir, webChatBundlePath } from './static';

export interface WebchatDeps {
  adapter: MsqAdapter;
  bot: ActivityHandler;
  env: Env;
  logger: Logger;
  /** The application's rate limits: the built-in Direct Line charges a conversation once its token is checked. */
  limits?: HttpLimits;
  /** Azure mode: the Direct Line service (a regional endpoint, or a local fake in tests). */
  directLineEndpoint?: string;
  /** Azure mode: how the token is fetched (tests). */
  fetch?: typeof fetch;
  /** Self-hosted mode: protocol limits and clock, for tests. */
  directLine?: Partial<Omit<DirectLineOptions, 'bot' | 'logger' | 'onTurnError' | 'throttle'>>;
}

/** The UN E-Government Knowledgebase, linked from the page (glossary). */
export const GLOSSARY_URL = 'https://publicadministration.un.org/egovkb';

/** The page asks with `{}`; a client may name the user id it believes it is (it must be its cookie's). */
const tokenRequestSchema = z.object({ user: z.object({ id: userIdSchema }).optional() });

/**
 * The respondents' web chat: the page (`GET /`, its script, style and texts, and Web Chat's bundle from the
 * installed package), and how the page reaches the bot.
 *
 * The respondent is the browser's web chat identity (`identity.ts`: an HttpOnly cookie from which the user id is
 * derived). `POST /api/directline/token` issues a token only for that user id — making a new identity for a
 * browser without one — and refuses (401) a request that names a user id its cookie does not prove.
 *
 * - Azure mode (`DIRECT_LINE_SECRET` set): the token endpoint exchanges the secret for a token bound to that user
 *   id; the page then talks to Direct Line, which posts to `/api/messages` with Bot Framework authentication
 *   (the bot needs its MicrosoftAppId).
 * - Self-hosted mode (no secret): this server is the Direct Line service (see `directline.ts`) and runs the bot's
 *   turns in process. It is for a bot without a MicrosoftAppId (no Azure Bot); with an app id and no secret,
 *   the token endpoint answers 503 and says so in the log.
 *
 * Every response carries security headers; the page's Content-Security-Policy allows only this server's own
 * scripts (no inline script), and connections to this server plus, in Azure mode, the Direct Line service.
 */
export function webchatRoutes(deps: WebchatDeps): (server: Server) => void {
  return (server: Server) => {
    const { env, logger } = deps;
    const secret = env.DIRECT_LINE_SECRET;
    const endpoint = (deps.directLineEndpoint ?? DEFAULT_DIRECT_LINE_ENDPOINT).replace(/\/+$/, '');
    const selfHosted = !secret;
    const selfHostedBlocked = selfHosted && Boolean(env.MicrosoftAppId);
    if (selfHostedBlocked) {
      logger.warn(
        'web chat: DIRECT_LINE_SECRET is not set but MicrosoftAppId is; the built-in Direct Line only works for a bot without an app id. Set DIRECT_LINE_SECRET to use Azure Direct Line.',
      );
    }

    const directLine =
      selfHosted && !selfHostedBlocked
        ? mountDirectLine(server, {
            ...deps.directLine,
            bot: deps.bot,
            logger,
            ...(deps.limits ? { throttle: (conversationId, req, res) => deps.limits!.conversation(conversationId, req, res, 'directline') } : {}),
            // The application's turn error handler, as set on its adapter (read when a turn fails).
            onTurnError: (context, error) => (deps.adapter.onTurnError ? deps.adapter.onTurnError(context, error) : Promise.reject(error)),
          })
        : null;
    if (directLine) {
      // Held polls are answered at once when the server closes, so closing does not wait for them.
      const close = server.close.bind(server);
      server.close = ((...args: Parameters<Server['close']>) => {
        directLine.close();
        return close(...args);
      }) as Server['close'];
    }

    const csp = contentSecurityPolicy(selfHosted ? [] : directLineOrigins(endpoint));
    const pageHeaders = () => ({ ...securityHeaders(), 'Content-Security-Policy': csp, 'Cache-Control': 'no-cache' });
    const assetHeaders = () => ({ ...securityHeaders(), 'Cache-Control': 'no-cache' });

    const dir = publicDir();
    const page = fileRoute(join(dir, 'index.html'), pageHeaders);
    const routes: Array<[string, (req: Request, res: Response) => void]> = [
      ['/', page],
      ['/index.html', page],
      ['/app.js', fileRoute(join(dir, 'app.js'), assetHeaders)],
      ['/app.css', fileRoute(join(dir, 'app.css'), assetHeaders)],
      ['/i18n.json', fileRoute(join(dir, 'i18n.json'), assetHeaders)],
      ['/assets/webchat.js', fileRoute(webChatBundlePath(), () => ({ ...securityHeaders(), 'Cache-Control': 'public, max-age=86400' }))],
    ];
    for (const [path, handler] of routes) {
      const wrapped = async (req: Request, res: Response) => handler(req, res);
      server.get(path, wrapped);
      server.head(path, wrapped);
    }

    const identity = createWebchatIdentity({ secure: env.PUBLIC_URL?.startsWith('https:') ?? false });
    server.post('/api/directline/token', async (req: Request, res: Response) => {
      const json = (status: number, body: unknown) => {
        res.header('Cache-Control', 'no-store');
        for (const [name, value] of Object.entries(securityHeaders())) res.header(name, value);
        res.send(status, body);
      };
      const parsed = tokenRequestSchema.safeParse(req.body ?? {});
      if (!parsed.success) return json(400, { error: 'The body must be {} (or { "user": { "id": "dl_…" } } with the id this browser was given).' });
      if (selfHostedBlocked) {
        return json(503, { error: 'The web chat is not configured: set DIRECT_LINE_SECRET (this bot has a MicrosoftAppId).' });
      }
      const proven = identity.read(req);
      const claimed = parsed.data.user?.id;
      if (claimed !== undefined && claimed !== proven) {
        logger.warn({ proven: proven !== null }, 'web chat: a token was asked for a user id without its credential');
        return json(401, { error: 'This browser cannot speak for that user id. Reload the page to continue as this browser’s own respondent.' });
      }
      let userId: string;
      if (proven) {
        userId = proven;
        identity.renew(req, res);
      } else {
        userId = identity.issue(res);
      }
      if (selfHosted) return json(200, { ...directLine!.generate(userId), userId, domain: DIRECT_LINE_PATH, webSocket: false });
      try {
        const token = await generateDirectLineToken({ secret: secret!, userId, endpoint, ...(deps.fetch ? { fetch: deps.fetch } : {}) });
        return json(200, { ...token, userId, webSocket: true });
      } catch (error) {
        const status = error instanceof DirectLineUpstreamError ? error.status : 0;
        logger.error({ upstreamStatus: status, reason: error instanceof Error ? error.message : 'unknown' }, 'web chat: Direct Line did not issue a token');
        return json(502, { error: 'The chat service (Direct Line) did not issue a token. Please try again in a moment.' });
      }
    });
  };
}

/** Headers on everything the web chat serves. */
export const securityHeaders = (): Record<string, string> => ({
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'SAMEORIGIN',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=()',
});

/** The origins the page may connect to in Azure mode: the Direct Line endpoint over HTTPS and WebSocket. */
export function directLineOrigins(endpoint: string): string[] {
  const url = new URL(endpoint);
  const ws = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return [url.origin, `${ws}//${url.host}`];
}

/**
 * The page's policy: scripts only from this server (no inline script, no eval); inline styles are needed by Web
 * Chat (it injects its styles at run time) and by Adaptive Cards (style attributes).
 */
export function contentSecurityPolicy(connect: string[]): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "media-src 'self' data: blob:",
    ['connect-src', "'self'", ...connect].join(' '),
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'self'",
  ].join('; ');
}
