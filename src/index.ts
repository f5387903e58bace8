import { createApp } from './app';
import { ConfigError, loadEnv } from './config/env';

/** Composition root: configuration → application → listen. */
async function main(): Promise<void> {
  const env = loadEnv();
  const app = await createApp(env);
  app.server.listen(env.PORT, () => {
    app.logger.info({ port: env.PORT, store: app.store.kind, auth: env.MicrosoftAppId ? 'Bot Framework' : 'none (local)' }, `MSQ Bot listening on http://localhost:${env.PORT}`);
  });
  const stop = () => {
    app.logger.info('shutting down');
    app.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(error.message);
  } else {
    console.error(`MSQ Bot could not start: ${error instanceof Error ? error.message : String(error)}`);
  }
  process.exit(1);
});
