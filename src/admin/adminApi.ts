import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'restify';
import { z } from 'zod';
import type { Logger } from '../logger';
import { securityHeaders } from '../webchat/routes';

/** The id of a response or an invitation in a path. */
export const idSchema = z.string().min(1).max(200);

/** The content type of every JSON answer of the admin API. */
export const JSON_TYPE = 'application/json; charset=utf-8';

/** Every admin response: the web chat's security headers, never framed, never cached. */
export const adminHeaders = (): Record<string, string> => ({ ...securityHeaders(), 'X-Frame-Options': 'DENY', 'Cache-Control': 'no-store' });

/** What every admin API route shares: the token check, answers, and errors as JSON without details. */
export interface AdminApi {
  /** Whether the request carries `Authorization: Bearer <ADMIN_TOKEN>`. */
  authorized(req: Request): boolean;
  /** A route handler behind the token, with the query parsed; a failure is logged and answered 500 without details. */
  api(handler: (req: Request, res: Response, query: Record<string, string>) => Promise<void>): (req: Request, res: Response) => Promise<void>;
  /** 401 with WWW-Authenticate. */
  unauthorized(req: Request, res: Response): void;
  send(res: Response, status: number, body: string | Buffer, type: string, headers?: Record<string, string>): void;
  sendJson(res: Response, status: number, value: unknown): void;
  badRequest(res: Response, error: z.ZodError): void;
  notFound(res: Response, what: string): void;
}

/** The admin API's shared handling, for one ADMIN_TOKEN. */
export function createAdminApi(deps: { token: string; logger: Logger }): AdminApi {
  const { logger } = deps;
  const expected = sha256(deps.token);

  const send: AdminApi['send'] = (res, status, body, type, headers = {}) => {
    const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    res.writeHead(status, { ...adminHeaders(), 'Content-Type': type, 'Content-Length': String(bytes.length), ...headers });
    res.end(bytes);
  };
  const sendJson: AdminApi['sendJson'] = (res, status, value) => send(res, status, JSON.stringify(value), JSON_TYPE);

  /** Constant time: both sides are hashed to 32 bytes first, so neither the length nor the content leaks. */
  const authorized: AdminApi['authorized'] = (req) => {
    const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(String(req.headers.authorization ?? ''));
    const same = timingSafeEqual(sha256(match?.[1] ?? ''), expected);
    return match !== null && same;
  };

  const unauthorized: AdminApi['unauthorized'] = (req, res) => {
    logger.warn({ url: req.url?.split('?')[0], method: req.method }, 'admin: request without a valid token');
    send(res, 401, JSON.stringify({ error: 'Unauthorized: send Authorization: Bearer <ADMIN_TOKEN>.' }), JSON_TYPE, { 'WWW-Authenticate': 'Bearer realm="msq-admin"' });
  };

  const api: AdminApi['api'] = (handler) => async (req, res) => {
    if (!authorized(req)) return unauthorized(req, res);
    const query = Object.fromEntries(new URL(req.url ?? '/', 'http://admin.invalid').searchParams);
    try {
      await handler(req, res, query);
    } catch (error) {
      logger.error({ err: error, url: req.url?.split('?')[0] }, 'admin: request failed');
      if (!res.headersSent) sendJson(res, 500, { error: 'The request could not be completed; see the log.' });
    }
  };

  return {
    authorized,
    api,
    unauthorized,
    send,
    sendJson,
    badRequest: (res, error) => sendJson(res, 400, { error: 'Bad request.', issues: error.issues.map((i) => `${i.path.join('.') || 'query'}: ${i.message}`) }),
    notFound: (res, what) => sendJson(res, 404, { error: `No ${what} has this id.` }),
  };
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest();
