/** What only the embedded store must do beyond the contract: survive a real kill -9, a torn write, a reload. */
import { spawn } from 'node:child_process';
import { appendFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createEmbeddedStore } from '../../src/store/embedded';
import type { Store } from '../../src/store/port';
import { sampleEvent, sampleResponse } from './contract';

describe('embedded store on disk', () => {
  let dir: string;
  const opened: Store[] = [];
  const open = async () => {
    const store = createEmbeddedStore({ dir });
    opened.push(store);
    await store.init();
    return store;
  };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'msq-embedded-'));
  });

  afterEach(async () => {
    for (const s of opened.splice(0).reverse()) await s.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps one data file per datastore under dir', async () => {
    const store = await open();
    await store.insertResponse(sampleResponse());
    expect((await readdir(dir)).sort()).toEqual(['answer_events.db', 'conversations.db', 'processed_activities.db', 'responses.db']);
  });

  it('has every acknowledged write on disk when the process is killed with SIGKILL', async () => {
    const doc = sampleResponse({ answers: [{ itemId: 'q4.cio.name', value: 'Ñ\n'.repeat(1000) }] });
    const child = join(dir, 'child.ts');
    const storeModule = resolve(__dirname, '../../src/store/embedded.ts').replace(/\\/g, '/');
    await writeFile(
      child,
      `import { createEmbeddedStore } from ${JSON.stringify(storeModule)};
const doc = JSON.parse(process.env.DOC!, (k, v) => (/At$/.test(k) && typeof v === 'string' ? new Date(v) : v));
(async () => {
  const store = createEmbeddedStore({ dir: ${JSON.stringify(join(dir, 'data'))} });
  await store.init();
  const inserted = await store.insertResponse(doc);
  if (!inserted.ok) throw new Error('conflict');
  const replaced = await store.replaceResponse({ ...doc, deferred: ['after-replace'] }, 1);
  if (!replaced.ok) throw new Error('conflict');
  await store.appendEvents([{ ...doc.event, at: new Date(doc.event.at) }]);
  await store.claimActivity('act', 3600);
  process.kill(process.pid, 'SIGKILL');
})();
`,
    );
    const signal = await new Promise<NodeJS.Signals | null>((done, fail) => {
      // node itself (not the tsx launcher, which would report the child's death as an exit code) with tsx's loader.
      const p = spawn(process.execPath, ['--import', 'tsx', child], {
        cwd: resolve(__dirname, '../..'),
        env: { ...process.env, DOC: JSON.stringify({ ...doc, event: sampleEvent(doc.id, 1) }) },
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      p.on('error', fail);
      p.on('exit', (_code, sig) => done(sig));
    });
    expect(signal).toBe('SIGKILL');

    dir = join(dir, 'data');
    const store = await open();
    expect(await store.getResponse(doc.id)).toEqual({ ...doc, deferred: ['after-replace'], version: 2 });
    expect(await store.listEvents(doc.id)).toEqual([sampleEvent(doc.id, 1)]);
    expect(await store.claimActivity('act', 3600)).toBe(false);
    dir = resolve(dir, '..');
  }, 60_000);

  it('recovers from a torn last line (a write cut off by a crash), keeping the torn bytes aside', async () => {
    const first = await open();
    const doc = sampleResponse();
    expect((await first.insertResponse(doc)).ok).toBe(true);
    await appendFile(join(dir, 'responses.db'), '{"_id":"torn","respondentKey":"half a li');

    const second = await open();
    expect(await second.getResponse(doc.id)).toEqual(doc);
    expect(await second.listResponses()).toHaveLength(1);
    const torn = (await readdir(dir)).filter((f) => f.startsWith('responses.db.torn-'));
    expect(torn).toHaveLength(1);
    expect(await readFile(join(dir, torn[0]!), 'utf8')).toBe('{"_id":"torn","respondentKey":"half a li');
  });

  it('still expires claims after a reload (nedb does not persist the TTL of an index)', async () => {
    const first = await open();
    expect(await first.claimActivity('short', 0.2)).toBe(true);
    expect(await first.claimActivity('long', 3600)).toBe(true);
    expect(await first.claimActivity('untouched', 0.2)).toBe(true);
    await first.close();
    await new Promise((r) => setTimeout(r, 300));
    const second = await open();
    expect(await second.getActivityClaim('short')).toBeNull();
    expect(await second.getActivityClaim('long')).not.toBeNull();
    expect(await second.claimActivity('short', 60)).toBe(true);
    expect(await second.claimActivity('long', 60)).toBe(false);
    await second.close(); // compacts the append-only file
    const compacted = (await readFile(join(dir, 'processed_activities.db'), 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l) as { _id?: string });
    expect(compacted.filter((l) => l._id === 'short')).toEqual([expect.objectContaining({ _id: 'short' })]);
    expect(compacted.some((l) => '$$deleted' in l)).toBe(false);
    expect(compacted.some((l) => l._id === 'untouched')).toBe(false); // purged on load, though never read
  });

  it('creates the folder when it does not exist, and ping fails when it is gone', async () => {
    dir = join(dir, 'nested', 'data');
    const store = await open();
    await expect(store.ping()).resolves.toBeUndefined();
    await rm(dir, { recursive: true, force: true });
    await expect(store.ping()).rejects.toThrow();
    dir = resolve(dir, '../..');
  });
});
