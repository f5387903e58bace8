import { createApp } from './app';
import { ConfigError, loadEnv } from './config/env';

/** How long a shutdown may take in all (turns in flight get up to 10 s of it) before the process gives up. */
const SHUTDOWN_DEADLINE_MS = 20_000;

/** Composition root: configuration → application → listen; SIGTERM/SIGINT stop it gracefully. */
async function main(): Promise<void> {
  const env = loadEnv();
  const app = await createApp(env);
  app.server.listen(env.PORT, () => {
    app.logger.info({ port: env.PORT, store: app.store.kind, auth: env.MicrosoftAppId ? 'Bot Framework' : 'none (local)' }, `MSQ Bot listening on http://localhost:${env.PORT}`);
  });

  // Graceful shutdown: stop accepting, let the turns in flight finish (their answers are stored and acknowledged),
  // flush and close the store, exit 0. A second signal while stopping is ignored; a shutdown that hangs exits 1.
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    const started = Date.now();
    app.logger.info({ signal }, 'shutting down: finishing the turns in flight');
    setTimeout(() => {
      app.logger.error({ afterMs: SHUTDOWN_DEADLINE_MS }, 'shutdown did not finish in time; exiting');
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS).unref();
    app.close().then(
      () => {
        app.logger.info({ ms: Date.now() - started }, 'stopped');
        process.exit(0);
      },
      (error: unknown) => {
        app.logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(error.message);
  } else {
    console.error(`MSQ Bot could not start: ${error instanceof Error ? error.message : String(error)}`);
  }
  process.exit(1);
});
