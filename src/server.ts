import type { Activity, ActivityHandler, TurnContext } from 'botbuilder';
import type { MsqAdapter } from './bot/adapter';
import type { Logger } from 'pino';
import restify, { type Next, type Request, type Response, type Server } from 'restify';
import type { HttpLimits } from './http/limits';
import { readActivity } from './http/activity';
import { jsonBody } from './http/jsonBody';
import type { Store } from './store/port';
import { claimsWebchatIdentity } from './webchat/identity';
import { securityHeaders } from './webchat/routes';

export interface ServerDeps {
  adapter: MsqAdapter;
  bot: ActivityHandler;
  store: Pick<Store, 'kind' | 'ping'>;
  logger: Logger;
  version: string;
  /** Extra routes (web chat page and channel, admin), added by their own modules. */
  routes?: Array<(server: Server) => void>;
  /** Rate limits of /api/messages and the web chat's endpoints (shared with the built-in Direct Line); none when absent. */
  limits?: HttpLimits;
  /**
   * The bot runs without a MicrosoftAppId, so /api/messages authenticates nobody (local use, the Emulator): it
   * then refuses activities that speak for a web chat respondent, whose identity only the web chat proves.
   */
  anonymous?: boolean;
}

/** The largest request body accepted: a 20,000-character answer in any script fits with room to spare. */
export const MAX_BODY_BYTES = 512 * 1024;

/**
 * The HTTP server: `POST /api/messages` through the Bot Framework adapter, and `GET /healthz`; security headers
 * on every response (also errors and 404s), rate limits (429 with Retry-After), bodies over MAX_BODY_BYTES
 * refused (413), malformed JSON (400) and malformed activities (400) refused before the adapter sees them.
 */
export function createServer(deps: ServerDeps): Server {
  const server = restify.createServer({ name: 'msq-bot', version: deps.version, handleUncaughtExceptions: false });
  const headers = Object.entries(securityHeaders());
  server.pre((_req: Request, res: Response, next: Next) => {
    for (const [name, value] of headers) res.setHeader(name, value);
    next();
  });
  if (deps.limits) server.pre(deps.limits.perAddress);
  server.use(jsonBody(MAX_BODY_BYTES, restify.plugins.bodyParser({ maxBodySize: MAX_BODY_BYTES, mapParams: false, rejectUnknown: true })));
  server.post('/api/messages', async (req: Request, res: Response) => handleMessages(deps, req, res));
  server.get('/healthz', async (_req: Request, res: Response) => health(deps, res));
  for (const route of deps.routes ?? []) route(server);
  server.on('restifyError', (req: Request, res: Response, error: Error & { statusCode?: number }, callback: () => void) => {
    deps.logger.warn({ err: error, url: req.url, status: error.statusCode }, 'request refused');
    callback();
  });
  return server;
}

/**
 * Runs one activity through the adapter. A request that fails authentication gets 401 — also for token errors
 * botbuilder rethrows unwrapped — and no error text reaches the caller. The conversation's rate limit is charged
 * only once botbuilder has authenticated the request (inside the turn, before the bot runs): requests with a
 * missing or forged token never spend the quota of the conversation they name.
 */
async function handleMessages(deps: ServerDeps, req: Request, res: Response): Promise<void> {
  const parsed = readActivity(req.body);
  if (!parsed.success) {
    deps.logger.warn({ issues: parsed.issues }, 'malformed activity');
    res.send(400, { error: 'The request body is not a valid activity.' });
    return;
  }
  if (deps.anonymous && claimsWebchatIdentity(parsed.data)) {
    deps.logger.warn({ channel: parsed.data.channelId }, 'request refused: an unauthenticated activity claimed a web chat identity');
    res.send(403, { error: 'Web chat respondents reach the bot through the web chat page.' });
    return;
  }
  const authorization = String(req.headers.authorization ?? '');
  const conversation = `${parsed.data.channelId.slice(0, 128)}:${parsed.data.conversation.id}`;
  let started = false;
  let throttled = false;
  try {
    const invoke = await deps.adapter.handleActivity(authorization, req.body as Activity, async (context: TurnContext) => {
      started = true;
      if (deps.limits && !deps.limits.conversation(conversation, req, res, 'messages')) {
        throttled = true;
        return;
      }
      await deps.bot.run(context);
    });
    if (throttled) return; // answered 429
    // An invoke the bot does not implement is answered as an unknown activity is (200, nothing done): a 5xx
    // would make the channel retry and the monitoring alarm, for a request that can never succeed.
    if (invoke?.status === 501 && invoke.body === undefined) res.send(200);
    else if (invoke?.body !== undefined) res.send(invoke.status ?? 200, invoke.body);
    else res.send(invoke?.status ?? 200);
  } catch (error) {
    if (!started) {
      deps.logger.warn({ err: { name: (error as Error)?.name, message: (error as Error)?.message } }, 'request refused: authentication failed');
      res.send(401, { error: 'Unauthorized.' });
      return;
    }
    deps.logger.error({ err: error }, 'turn failed');
    res.send(500, { error: 'The message could not be processed.' });
  }
}

async function health(deps: ServerDeps, res: Response): Promise<void> {
  try {
    await deps.store.ping();
    res.send(200, { status: 'ok', version: deps.version, store: deps.store.kind });
  } catch {
    res.send(503, { status: 'degraded', version: deps.version, store: deps.store.kind, reason: 'the store is unreachable' });
  }
}
