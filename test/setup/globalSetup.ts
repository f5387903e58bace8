/**
 * Before any test: a live MongoDB-protocol server for the MongoDB tests. MONGODB_URI, when set, names a server of
 * your own (MongoDB, Atlas, Cosmos DB…); otherwise FerretDB is built (once) and started on a free port. Its address
 * reaches the test files as MSQ_TEST_MONGODB_URI (never as MONGODB_URI, which would switch every app a test builds
 * to MongoDB). When neither works, MSQ_TEST_MONGODB_ERROR says why and the MongoDB tests fail with it — they are
 * never skipped.
 */
import { ensureFerretDb, startFerretDb, type FerretDb } from '../../scripts/lib/ferretdb';

declare global {
  // eslint-disable-next-line no-var
  var __MSQ_FERRETDB__: FerretDb | undefined;
}

export default async function globalSetup(): Promise<void> {
  const own = process.env.MONGODB_URI?.trim();
  if (own) {
    process.env.MSQ_TEST_MONGODB_URI = own;
    return;
  }
  try {
    await ensureFerretDb((line) => process.stdout.write(`\n${line}\n`));
    const server = await startFerretDb();
    globalThis.__MSQ_FERRETDB__ = server;
    process.env.MSQ_TEST_MONGODB_URI = server.uri;
  } catch (error) {
    process.env.MSQ_TEST_MONGODB_ERROR = error instanceof Error ? error.message : String(error);
  }
}
