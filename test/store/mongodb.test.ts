/** What the MongoDB adapter must do without a server: fail fast, never cache the failure; and the store choice. */
import { createStore } from '../../src/store';
import { createMongoStore, dbNameFromUri } from '../../src/store/mongodb';

describe('MongoDB store without a reachable server', () => {
  it('fails fast instead of hanging a turn, and tries again on the next call', async () => {
    const store = createMongoStore({ uri: 'mongodb://127.0.0.1:9/msq_unreachable', serverSelectionTimeoutMS: 300 });
    try {
      for (const call of [() => store.init(), () => store.ping(), () => store.getResponse('x'), () => store.claimActivity('k', 60)]) {
        const started = Date.now();
        await expect(call()).rejects.toThrow();
        expect(Date.now() - started).toBeLessThan(5000);
      }
    } finally {
      await store.close();
    }
    await expect(store.ping()).rejects.toThrow(/closed/);
  });

  it('rejects crafted (non-string) keys before any I/O', async () => {
    const store = createMongoStore({ uri: 'mongodb://127.0.0.1:9', serverSelectionTimeoutMS: 300 });
    try {
      await expect(store.findResponseByRespondent({ $gt: '' } as unknown as string)).rejects.toThrow(TypeError);
      await expect(store.listResponses({ countryCode: { $ne: null } as unknown as string })).rejects.toThrow(TypeError);
    } finally {
      await store.close();
    }
  });
});

describe('dbNameFromUri', () => {
  it.each([
    ['mongodb://localhost:27017/msq', 'msq'],
    ['mongodb://user:p%40ss@h1:27017,h2:27017/survey?replicaSet=rs0&w=majority', 'survey'],
    ['mongodb+srv://user:pw@cluster0.example.net/un_msq?retryWrites=true', 'un_msq'],
    ['mongodb://localhost:27017/', undefined],
    ['mongodb://localhost:27017', undefined],
    ['mongodb://localhost:27017/?replicaSet=rs0', undefined],
  ])('%s → %s', (uri, name) => {
    expect(dbNameFromUri(uri)).toBe(name);
  });
});

describe('createStore', () => {
  it('picks MongoDB when a URI is given, without connecting yet', async () => {
    const store = createStore({ mongodbUri: 'mongodb://127.0.0.1:9/msq', dataDir: '/nonexistent' });
    expect(store.kind).toBe('mongodb');
    await store.close();
  });

  it('picks the embedded store otherwise', async () => {
    for (const mongodbUri of [undefined, '', '  ']) {
      const store = createStore({ mongodbUri, dataDir: null });
      expect(store.kind).toBe('embedded');
      await store.init();
      await store.close();
    }
  });
});
