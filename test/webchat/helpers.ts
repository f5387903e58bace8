import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { createApp, type AppOverrides } from '../../src/app';
import { envSchema } from '../../src/config/env';
import { createEmbeddedStore } from '../../src/store/embedded';
import type { Store } from '../../src/store/port';

export interface WebchatBot {
  url: string;
  port: number;
  store: Store;
  close(): Promise<void>;
}

/**
 * The whole application (as `npm start` builds it) on a free port over an in-memory store. Extra options (a
 * fake Direct Line endpoint, protocol limits, a logger) go to the web chat routes. `listen: 'all'` listens on
 * every address, as `npm start` does (`server.listen(PORT)`), so that it can be reached over IPv4 and IPv6.
 */
export async function startWebchatBot(
  vars: Record<string, string> = {},
  options: NonNullable<AppOverrides['webchat']> & { logger?: AppOverrides['logger']; listen?: 'loopback' | 'all' } = {},
): Promise<WebchatBot> {
  const env = envSchema.parse({ PORT: '0', LOG_LEVEL: 'silent', ...vars });
  const { logger, listen = 'loopback', ...webchat } = options;
  const store = createEmbeddedStore({ dir: null });
  const app = await createApp(env, { store, logger: logger ?? pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }), webchat });
  await new Promise<void>((resolve) => (listen === 'all' ? app.server.listen(0, () => resolve()) : app.server.listen(0, '127.0.0.1', () => resolve())));
  const port = (app.server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    store,
    async close() {
      // Idle keep-alive connections (the browser's, the test's fetch) would hold close() open.
      (app.server as unknown as { server: { closeAllConnections?: () => void } }).server.closeAllConnections?.();
      await app.close();
    },
  };
}

/** What POST /api/directline/token answered, and the browser's cookie after it (the one it set, or the one sent). */
export interface Grant {
  status: number;
  body: { token: string; conversationId: string; expires_in: number; userId: string; domain: string; webSocket: boolean } & Record<string, unknown>;
  /** `name=value` of the web chat cookie, to send back as a browser would. */
  cookie: string | undefined;
  setCookie: string | null;
}

/** Asks for a web chat token as the page does (`{}`), optionally with a browser's cookie and a claimed user id. */
export async function askToken(url: string, options: { cookie?: string; userId?: string } = {}): Promise<Grant> {
  const res = await fetch(`${url}/api/directline/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(options.cookie ? { cookie: options.cookie } : {}) },
    body: JSON.stringify(options.userId ? { user: { id: options.userId } } : {}),
  });
  const setCookie = res.headers.get('set-cookie');
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : {}, cookie: setCookie?.split(';')[0] ?? options.cookie, setCookie };
}
