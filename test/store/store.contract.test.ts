/**
 * Runs the store contract against every adapter: the embedded store (on a temporary folder, and on one of the test's),
 * and MongoDB on the live server of the test run (FerretDB started by jest's global setup, or MONGODB_URI), on a
 * database of its own, dropped afterwards.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { createEmbeddedStore } from '../../src/store/embedded';
import { createMongoStore } from '../../src/store/mongodb';
import type { Store } from '../../src/store/port';
import { testDbName, testMongoUri } from '../fixtures/mongo';
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

describe('MongoDB store (a live MongoDB-protocol server: FerretDB, or MONGODB_URI)', () => {
  const dbName = testDbName('store');
  let admin: MongoClient;
  let uri: string;

  beforeAll(() => {
    uri = testMongoUri();
    admin = new MongoClient(uri, { serverSelectionTimeoutMS: 5000 });
  });

  afterAll(async () => {
    try {
      await admin?.db(dbName).dropDatabase();
    } finally {
      await admin?.close();
    }
  });

  describeStoreContract(
    `MongoDB store (${dbName})`,
    async ({ now }) => {
      await admin.db(dbName).dropDatabase(); // every test starts on an empty database
      return createMongoStore({ uri, dbName, now });
    },
    { reopen: async (_store, { now }) => createMongoStore({ uri, dbName, now }) },
  );
});
