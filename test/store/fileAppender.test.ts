import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Datastore from '@seald-io/nedb';
import { createEmbeddedStore } from '../../src/store/embedded';
import { appendThroughOpenFile } from '../../src/store/fileAppender';
import { sampleResponse } from './contract';

/** The embedded store's appends through one open file: same format, survives compaction, never into a lost file. */
describe('appending through an open file', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'msq-append-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test('writes the lines nedb itself writes, and nedb reads them back', async () => {
    const filename = join(dir, 'a.db');
    const ds = new Datastore<{ _id?: string; n: number; text: string }>({ filename });
    const release = appendThroughOpenFile(ds, filename);
    await ds.loadDatabaseAsync();
    await ds.insertAsync({ _id: 'x', n: 1, text: 'línea\nsegunda "comillas" 𝄞' });
    await ds.updateAsync({ _id: 'x' }, { $set: { n: 2 } });
    await ds.insertAsync({ _id: 'y', n: 3, text: '' });
    await ds.removeAsync({ _id: 'y' }, {});
    release();
    const lines = (await readFile(filename, 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l));
    expect(lines).toEqual([
      { _id: 'x', n: 1, text: 'línea\nsegunda "comillas" 𝄞' },
      { _id: 'x', n: 2, text: 'línea\nsegunda "comillas" 𝄞' },
      { _id: 'y', n: 3, text: '' },
      { _id: 'y', $$deleted: true },
    ]);
    const again = new Datastore<{ n: number }>({ filename });
    await again.loadDatabaseAsync();
    expect(await again.findAsync({})).toEqual([expect.objectContaining({ _id: 'x', n: 2 })]);
  });

  test('after the periodic compaction (a new file renamed over the old one) writes go to the new file', async () => {
    const store = createEmbeddedStore({ dir, compactionIntervalMs: 20 });
    try {
      await store.init();
      const first = sampleResponse();
      await store.insertResponse(first);
      await new Promise((resolve) => setTimeout(resolve, 150));
      const second = sampleResponse({ respondentKey: 'directline:after-compaction' });
      expect((await store.insertResponse(second)).ok).toBe(true);
      // On disk now, not only at close.
      const text = await readFile(join(dir, 'responses.db'), 'utf8');
      expect(text).toContain(first.id);
      expect(text).toContain(second.id);
    } finally {
      await store.close();
    }
  });

  test('a file replaced from outside is written at its path again', async () => {
    const store = createEmbeddedStore({ dir, compactionIntervalMs: 0 });
    try {
      await store.init();
      await store.insertResponse(sampleResponse());
      // Another nedb instance loading the file rewrites it (temporary file renamed over it).
      await new Datastore({ filename: join(dir, 'responses.db') }).loadDatabaseAsync();
      const second = sampleResponse({ respondentKey: 'directline:after-rewrite' });
      expect((await store.insertResponse(second)).ok).toBe(true);
      expect(await readFile(join(dir, 'responses.db'), 'utf8')).toContain(second.id);
    } finally {
      await store.close();
    }
  });

  test('a write after the data folder was deleted fails: nothing is acknowledged that is not on disk', async () => {
    const store = createEmbeddedStore({ dir: join(dir, 'data') });
    await store.init();
    await store.insertResponse(sampleResponse());
    await rm(join(dir, 'data'), { recursive: true, force: true });
    await expect(store.insertResponse(sampleResponse({ respondentKey: 'directline:too-late' }))).rejects.toThrow(/ENOENT/);
    await store.close();
  });
});
