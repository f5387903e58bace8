/** The store: MongoDB when a URI is configured, the embedded (LMDB) store otherwise. */
import { createEmbeddedStore } from './embedded';
import { createMongoStore } from './mongodb';
import type { StoreLogger } from './codec';
import type { Store } from './port';

export * from './port';
export { createEmbeddedStore, DATA_FILE, type EmbeddedStoreOptions } from './embedded';
export { createMongoStore, type MongoStoreOptions } from './mongodb';

/** Store configuration: a MongoDB URI (and optional database name), or a data folder for the embedded store (null: memory). */
export interface StoreConfig {
  mongodbUri?: string;
  mongodbDb?: string;
  dataDir: string | null;
  /** Where a store reports what it handled by itself (a failed purge, an event copy redone later, unreadable old data). */
  logger?: StoreLogger;
}

/** Picks MongoDB when a URI is given, the embedded store otherwise. */
export function createStore(config: StoreConfig): Store {
  const uri = config.mongodbUri?.trim();
  const logger = config.logger;
  if (uri) return createMongoStore({ uri, dbName: config.mongodbDb?.trim() || undefined, ...(logger ? { logger } : {}) });
  return createEmbeddedStore({ dir: config.dataDir, ...(logger ? { logger } : {}) });
}
