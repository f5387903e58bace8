/**
 * Runs the store contract against every adapter: the embedded store on a temporary folder (as `dir: null` and on
 * a folder of the test's) always, MongoDB when MONGODB_URI is set (on a database of its own, dropped afterwards).
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { createEmbeddedStore } from '../../src/store/embedded';
import { createMongoStore } from '../../src/store/mongodb';
import type { Store } from '../../src/store/port';
import { describeStoreContract } from './contract';

describeStoreContract('embedded store, temporary (dir: null)', async ({ now }) => createEmbeddedStore({ dir: null, now }));

describe('embedded store on a temporary folder', () => {
  const dirs: string[] = [];
  const dirOf = new WeakMap<Store, string>();
  const onDir = (dir: string, now: () => Date) => {
    const store = createEmbeddedStore({ dir, now });
    dirOf.set(store, dir);
    return store;
  };

  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  describeStoreContract(
    'embedded store on files',
    async ({ now }) => {
      const dir = await mkdtemp(join(tmpdir(), 'msq-store-'));
      dirs.push(dir);
      return onDir(dir, now);
    },
    {
      reopen: async (store, { now }) => {
        const dir = dirOf.get(store);
        if (!dir) throw new Error('unknown store');
        return onDir(dir, now);
      },
    },
  );
});

const mongoUri = process.env.MONGODB_URI?.trim();

if (mongoUri) {
  describe('MongoDB store', () => {
    const dbName = `msq_store_test_${Date.now()}_${randomUUID().slice(0, 8)}`;
    const admin = new MongoClient(mongoUri, { serverSelectionTimeoutMS: 5000 });

    afterAll(async () => {
      try {
        await admin.db(dbName).dropDatabase();
      } finally {
        await admin.close();
      }
    });

    describeStoreContract(
      `MongoDB store (${dbName})`,
      async ({ now }) => {
        await admin.db(dbName).dropDatabase(); // every test starts on an empty database
        return createMongoStore({ uri: mongoUri, dbName, now });
      },
      { reopen: async (_store, { now }) => createMongoStore({ uri: mongoUri, dbName, now }) },
    );
  });
} else {
  console.warn('MongoDB store contract skipped: set MONGODB_URI to run it against a real MongoDB.');
  describe.skip('MongoDB store — skipped: set MONGODB_URI to run the contract against a real MongoDB', () => {
    it('runs the store contract against MongoDB', () => undefined);
  });
}
