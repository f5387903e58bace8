import type { Activity, ActivityHandler, TurnContext } from 'botbuilder';
import type { MsqAdapter } from './bot/adapter';
import type { Logger } from 'pino';
import restify, { type Request, type Response, type Server } from 'restify';
import { z } from 'zod';
import type { Store } from './store/port';

export interface ServerDeps {
  adapter: MsqAdapter;
  bot: ActivityHandler;
  store: Pick<Store, 'kind' | 'ping'>;
  logger: Logger;
  version: string;
  /** Extra routes (web chat page and channel, admin), added by their own modules. */
  routes?: Array<(server: Server) => void>;
}

/** The largest request body accepted: a 20,000-character answer in any script fits with room to spare. */
export const MAX_BODY_BYTES = 512 * 1024;

/** The fields of an activity the bot relies on; anything else is passed through untouched. */
const activitySchema = z.looseObject({
  type: z.string().min(1).max(64),
  id: z.string().max(512).optional(),
  channelId: z.string().min(1).max(128),
  serviceUrl: z.string().max(2048).optional(),
  conversation: z.looseObject({ id: z.string().min(1).max(1024) }),
  from: z.looseObject({ id: z.string().max(512) }).optional(),
  text: z.string().optional(),
});

/** The HTTP server: `POST /api/messages` through the Bot Framework adapter, and `GET /healthz`. */
export function createServer(deps: ServerDeps): Server {
  const server = restify.createServer({ name: 'msq-bot', version: deps.version, handleUncaughtExceptions: false });
  server.use(restify.plugins.bodyParser({ maxBodySize: MAX_BODY_BYTES, mapParams: false, rejectUnknown: true }));
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
 * botbuilder rethrows unwrapped — and no error text reaches the caller.
 */
async function handleMessages(deps: ServerDeps, req: Request, res: Response): Promise<void> {
  const parsed = activitySchema.safeParse(req.body);
  if (!parsed.success) {
    deps.logger.warn({ issues: parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.')}: ${i.message}`) }, 'malformed activity');
    res.send(400, { error: 'The request body is not a valid activity.' });
    return;
  }
  const authorization = String(req.headers.authorization ?? '');
  let started = false;
  try {
    const invoke = await deps.adapter.handleActivity(authorization, req.body as Activity, async (context: TurnContext) => {
      started = true;
      await deps.bot.run(context);
    });
    if (invoke?.body !== undefined) res.send(invoke.status ?? 200, invoke.body);
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
