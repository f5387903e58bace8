import { CallerIdConstants, ConfigurationBotFrameworkAuthentication, ConfigurationServiceClientCredentialFactory } from 'botbuilder';
import { AuthenticationConstants } from 'botframework-connector';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Server } from 'restify';
import { loadDefinition } from '../dialogs';
import { MsqAdapter } from './bot/adapter';
import { MsqBot } from './bot/msqBot';
import { createOnTurnError } from './bot/onTurnError';
import type { Env } from './config/env';
import { createI18n } from './i18n';
import { createInterview } from './interview/engine';
import { createLogger, type Logger } from './logger';
import { createServer } from './server';
import { createSessionService } from './session/service';
import { createStore } from './store';
import { webchatRoutes, type WebchatDeps } from './webchat/routes';
import type { Store } from './store/port';

/** The application's version, from package.json (found from `src/` under tsx or jest, and from `dist/src/`). */
export const version: string = readVersion();

function readVersion(): string {
  for (const path of [join(__dirname, '..', 'package.json'), join(__dirname, '..', '..', 'package.json')]) {
    if (!existsSync(path)) continue;
    const pkg = JSON.parse(readFileSync(path, 'utf8')) as { name?: string; version?: string };
    if (pkg.name === 'msq-bot' && pkg.version) return pkg.version;
  }
  return '0.0.0';
}

export interface App {
  server: Server;
  store: Store;
  logger: Logger;
  close(): Promise<void>;
}

/**
 * Builds the whole application from a validated configuration: store → wording → engine → sessions →
 * adapter → bot → server. Tests pass their own store or logger.
 */
export interface AppOverrides {
  store?: Store;
  logger?: Logger;
  /** Web chat options for tests (a fake Direct Line endpoint, protocol limits, a clock). */
  webchat?: Partial<Omit<WebchatDeps, 'adapter' | 'bot' | 'env' | 'logger'>>;
}

export async function createApp(env: Env, overrides: AppOverrides = {}): Promise<App> {
  const logger = overrides.logger ?? createLogger(env.LOG_LEVEL);
  const store = overrides.store ?? createStore({ mongodbUri: env.MONGODB_URI, mongodbDb: env.MONGODB_DB, dataDir: env.DATA_DIR });
  await store.init();
  const i18n = createI18n();
  const interview = createInterview(loadDefinition(), i18n);
  const sessions = createSessionService({ store, interview, i18n, logger });

  const auth = new ConfigurationBotFrameworkAuthentication(
    {
      MicrosoftAppId: env.MicrosoftAppId,
      MicrosoftAppTenantId: env.MicrosoftAppTenantId,
      MicrosoftAppType: env.MicrosoftAppType,
      // Overriding one endpoint makes botbuilder take every endpoint from the configuration: give it the
      // public cloud's for the rest.
      ...(env.ToBotFromChannelOpenIdMetadataUrl
        ? {
            ToBotFromChannelOpenIdMetadataUrl: env.ToBotFromChannelOpenIdMetadataUrl,
            ToBotFromChannelTokenIssuer: AuthenticationConstants.ToBotFromChannelTokenIssuer,
            ToChannelFromBotLoginUrl: AuthenticationConstants.ToChannelFromBotLoginUrl,
            ToChannelFromBotOAuthScope: AuthenticationConstants.ToChannelFromBotOAuthScope,
            ToBotFromEmulatorOpenIdMetadataUrl: AuthenticationConstants.ToBotFromEmulatorOpenIdMetadataUrl,
            OAuthUrl: AuthenticationConstants.OAuthUrl,
            CallerId: CallerIdConstants.PublicAzureChannel,
          }
        : {}),
    },
    new ConfigurationServiceClientCredentialFactory({
      MicrosoftAppId: env.MicrosoftAppId,
      MicrosoftAppPassword: env.MicrosoftAppPassword,
      MicrosoftAppType: env.MicrosoftAppType,
      MicrosoftAppTenantId: env.MicrosoftAppTenantId,
    }),
  );
  const adapter = new MsqAdapter(auth);
  adapter.onTurnError = createOnTurnError({ i18n, logger, defaultLocale: env.DEFAULT_LOCALE });
  const bot = new MsqBot({ sessions, conversations: store, i18n, logger, defaultLocale: env.DEFAULT_LOCALE });
  const webchat = webchatRoutes({ adapter, bot, env, logger, publicUrl: env.PUBLIC_URL, ...overrides.webchat });
  const server = createServer({ adapter, bot, store, logger, version, routes: [webchat] });

  return {
    server,
    store,
    logger,
    /** Stops accepting, lets turns in flight finish (up to 10 s), then flushes and closes the store. */
    async close() {
      const http = (server as unknown as { server: import('node:http').Server }).server;
      await new Promise<void>((resolve) => {
        const force = setTimeout(() => http.closeAllConnections(), 10_000);
        force.unref();
        server.close(() => {
          clearTimeout(force);
          resolve();
        });
        http.closeIdleConnections();
      });
      await store.close();
    },
  };
}
