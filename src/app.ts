import { CallerIdConstants, ConfigurationServiceClientCredentialFactory } from 'botbuilder';
import { MsqAuthentication } from './bot/authentication';
import { AuthenticationConstants } from 'botframework-connector';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Server } from 'restify';
import { loadDefinition } from '../dialogs';
import { MsqAdapter } from './bot/adapter';
import { MsqBot } from './bot/msqBot';
import { createProactiveSender } from './bot/proactiveSender';
import { createReviewService } from './review/flags';
import { createReminders, type Reminders } from './review/reminders';
import { createOnTurnError } from './bot/onTurnError';
import { createStorePreviousRounds } from './carryForward/previousRoundSource';
import { documentPdf } from './admin/document';
import { attributionsOf } from './session/participants';
import { createDocumentLinks } from './admin/documentLinks';
import { documentRoute } from './admin/documentRoute';
import { adminRoutes, type AdminDeps } from './admin/routes';
import type { Env } from './config/env';
import { createI18n } from './i18n';
import { createInterview } from './interview/engine';
import { createLogger, type Logger } from './logger';
import { legalPages } from './http/legalPages';
import { httpLimits } from './http/limits';
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
  /** The reminders of the deadline (scheduled every 5 minutes; stopped by close). */
  reminders: Reminders;
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
  /** Survey team API options for tests (link checks against a local server, previous rounds in memory). */
  admin?: Partial<Pick<AdminDeps, 'linkCheck' | 'previousRounds' | 'editions' | 'editionMaps'>>;
}

export async function createApp(env: Env, overrides: AppOverrides = {}): Promise<App> {
  const logger = overrides.logger ?? createLogger(env.LOG_LEVEL);
  const store = overrides.store ?? createStore({ mongodbUri: env.MONGODB_URI, mongodbDb: env.MONGODB_DB, dataDir: env.DATA_DIR, logger });
  await store.init();
  const i18n = createI18n();
  const interview = createInterview(loadDefinition(), i18n);
  // Each country's previous round, imported by the survey team (POST /admin/imports, npm run import), kept in the
  // store and offered to the country's respondent in the interview.
  const previousRounds = overrides.admin?.previousRounds ?? createStorePreviousRounds(store);
  const sessions = createSessionService({ store, interview, i18n, logger, requireInvitation: env.REQUIRE_INVITATION, previousRounds });

  const auth = new MsqAuthentication(
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
  // Links in replies use PUBLIC_URL, or this server's own port (known once it listens).
  const listening: { server?: Server } = {};
  const ownUrl = () => env.PUBLIC_URL ?? `http://localhost:${(listening.server?.address() as { port?: number } | null)?.port ?? env.PORT}`;
  const documentLinks = createDocumentLinks({ key: env.LINK_SIGNING_KEY, baseUrl: ownUrl });
  const bot = new MsqBot({ sessions, conversations: store, i18n, logger, defaultLocale: env.DEFAULT_LOCALE, documentLinks });
  const documents = documentRoute({ links: documentLinks, store, i18n, logger, renderPdf: async (doc, locale) => documentPdf(doc, interview.definition, i18n, locale, {}, (await attributionsOf(store, [doc])).get(doc.id)) });
  const limits = httpLimits(
    {
      conversation: { perMinute: env.RATE_LIMIT_CONVERSATION_PER_MINUTE, burst: env.RATE_LIMIT_CONVERSATION_BURST },
      ip: { perMinute: env.RATE_LIMIT_IP_PER_MINUTE, burst: env.RATE_LIMIT_IP_BURST },
      trustProxy: env.TRUST_PROXY,
    },
    logger,
  );
  const webchat = webchatRoutes({ adapter, bot, env, logger, limits, ...overrides.webchat });
  // The survey team's API and dashboard exist only when ADMIN_TOKEN is set.
  const sender = createProactiveSender({ adapter, appId: env.MicrosoftAppId, i18n });
  const review = createReviewService({ store, interview, logger, sender });
  const reminders = createReminders({ store, interview, i18n, logger, sender });
  reminders.start();
  const admin = env.ADMIN_TOKEN ? [adminRoutes({ token: env.ADMIN_TOKEN, store, definition: interview.definition, i18n, logger, publicUrl: ownUrl, review, reminders, ...overrides.admin, previousRounds })] : [];
  const server = createServer({ adapter, bot, store, logger, version, routes: [webchat, documents, legalPages({ i18n, defaultLocale: env.DEFAULT_LOCALE }), ...admin], limits, anonymous: !env.MicrosoftAppId });
  listening.server = server;

  return {
    server,
    store,
    logger,
    reminders,
    /** Stops accepting, lets turns in flight finish (up to 10 s), then flushes and closes the store. */
    async close() {
      const http = (server as unknown as { server: import('node:http').Server }).server;
      await new Promise<void>((resolve) => {
        const force = setTimeout(() => http.closeAllConnections(), 10_000);
        force.unref();
        // A keep-alive connection whose request finishes after close() would otherwise stay open until its
        // keep-alive timeout: close connections as soon as they are idle.
        const idle = setInterval(() => http.closeIdleConnections(), 50);
        server.close(() => {
          clearTimeout(force);
          clearInterval(idle);
          resolve();
        });
        http.closeIdleConnections();
      });
      await reminders.stop();
      await store.close();
    },
  };
}
