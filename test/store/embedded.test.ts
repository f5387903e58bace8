/** What only the embedded store must do beyond the contract: survive a real kill -9, refuse a lost file, take old data over. */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DATA_FILE, createEmbeddedStore, type EmbeddedStoreOptions } from '../../src/store/embedded';
import { open as openLmdb } from 'lmdb';
import { Packr } from 'msgpackr';
import { encodeResponse, type StoreLogger } from '../../src/store/codec';
import type { Store } from '../../src/store/port';
import { sampleEvent, sampleInvitation, sampleResponse } from './contract';

const ROOT = resolve(__dirname, '../..');

/** Runs a TypeScript file with node and tsx's loader; resolves with how it ended. */
function runChild(file: string, env: Record<string, string> = {}): Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }> {
  return new Promise((done, fail) => {
    // node itself (not the tsx launcher, which would report the child's death as an exit code) with tsx's loader.
    const p = spawn(process.execPath, ['--import', 'tsx', file], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    p.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    p.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    p.on('error', fail);
    p.on('exit', (code, signal) => done({ code, signal, output }));
  });
}

/** A logger that keeps what it is told. */
function recordingLogger(): StoreLogger & { lines: Array<{ level: string; details: object; message: string }> } {
  const lines: Array<{ level: string; details: object; message: string }> = [];
  return {
    lines,
    info: (details, message) => lines.push({ level: 'info', details, message }),
    warn: (details, message) => lines.push({ level: 'warn', details, message }),
    error: (details, message) => lines.push({ level: 'error', details, message }),
  };
}

describe('embedded store on disk', () => {
  let dir: string;
  const opened: Store[] = [];
  const open = async (options: Partial<EmbeddedStoreOptions> = {}) => {
    const store = createEmbeddedStore({ dir, ...options });
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

  it('keeps one data file and its lock file under dir', async () => {
    const store = await open();
    await store.insertResponse(sampleResponse());
    expect((await readdir(dir)).sort()).toEqual([DATA_FILE, `${DATA_FILE}-lock`]);
  });

  it('has every acknowledged turn on disk when the process is killed with SIGKILL, and nothing half-written', async () => {
    const doc = sampleResponse({ answers: [{ itemId: 'q4.cio.name', value: 'Ñ\n'.repeat(1000) }] });
    const child = join(dir, 'child.ts');
    const storeModule = resolve(__dirname, '../../src/store/embedded.ts').replace(/\\/g, '/');
    await writeFile(
      child,
      `import { createEmbeddedStore } from ${JSON.stringify(storeModule)};
const revive = (k: string, v: unknown) => (/(At|^at)$/.test(k) && typeof v === 'string' ? new Date(v) : v);
const { doc, event } = JSON.parse(process.env.INPUT!, revive);
(async () => {
  const store = createEmbeddedStore({ dir: ${JSON.stringify(join(dir, 'data'))} });
  await store.init();
  await store.claimActivity('act', 30);
  const first = await store.commitTurn({ turnId: 't1', response: doc, expectedVersion: null, events: [event], activity: { key: 'act', ttlSeconds: 3600 } });
  if (!first.ok) throw new Error('conflict');
  const second = await store.commitTurn({ turnId: 't2', response: { ...doc, deferred: ['after-replace'] }, expectedVersion: 1, events: [] });
  if (!second.ok) throw new Error('conflict');
  // Turns still in flight when the kill comes: each is stored whole or not at all.
  for (let i = 0; i < 50; i++) {
    void store.commitTurn({ turnId: 'late-' + i, response: { ...doc, id: 'late-' + i, respondentKey: 'late:' + i }, expectedVersion: null, events: [{ ...event, id: 'late-' + i + ':1:0', responseId: 'late-' + i }] });
  }
  await new Promise((r) => setImmediate(r));
  process.kill(process.pid, 'SIGKILL');
})();
`,
    );
    const run = await runChild(child, { INPUT: JSON.stringify({ doc, event: sampleEvent(doc.id, 1) }) });
    expect(run.signal).toBe('SIGKILL');

    dir = join(dir, 'data');
    const store = await open();
    expect(await store.getResponse(doc.id)).toEqual({ ...doc, deferred: ['after-replace'], version: 2 });
    expect(await store.listEvents(doc.id)).toEqual([sampleEvent(doc.id, 1)]);
    expect(await store.claimActivity('act', 30)).toEqual({ claimed: false, state: 'done' });
    for (let i = 0; i < 50; i++) {
      const late = await store.getResponse(`late-${i}`);
      expect((await store.listEvents(`late-${i}`)).length).toBe(late ? 1 : 0);
    }
    dir = resolve(dir, '..');
  }, 60_000);

  it('reads the responses an earlier version wrote as msgpack, and writes them back as JSON', async () => {
    const earlier = sampleResponse({ submittedAt: new Date('2025-03-02T08:00:00.000Z'), status: 'submitted' });
    const env = openLmdb({ path: join(dir, DATA_FILE), noSubdir: true, maxDbs: 16 });
    const msgpack = { encoder: new Packr({ useRecords: false }) } as Parameters<typeof env.openDB>[1];
    await env.openDB<unknown, string>('responses', msgpack).put(earlier.id, encodeResponse(earlier, 1));
    await env.openDB<unknown, string>('respondents', msgpack).put(earlier.respondentKey, earlier.id);
    await env.close();

    const store = await open();
    expect(await store.findResponseByRespondent(earlier.respondentKey)).toEqual(earlier);
    const changed = { ...earlier, answers: [...earlier.answers, { itemId: 'q3', value: 'Ley 4017/2010 https://example.gov.py/ley' }], version: 2 };
    expect(await store.replaceResponse(changed, 2)).toEqual({ ok: false, reason: 'conflict' }); // its version is 1
    expect((await store.replaceResponse(changed, 1)).ok).toBe(true);
    expect(await store.replaceResponse(changed, 1)).toEqual({ ok: false, reason: 'conflict' }); // now 2
    expect((await store.committedTurns(earlier.id)).map((t) => t.version)).toEqual([2]);
    await store.close();

    const raw = openLmdb({ path: join(dir, DATA_FILE), noSubdir: true, maxDbs: 16 });
    const stored = raw.openDB<Buffer, string>('responses', { encoding: 'binary' }).get(earlier.id)!;
    await raw.close();
    expect(JSON.parse(stored.toString('utf8'))).toMatchObject({ _id: earlier.id, version: 2, submittedAt: '2025-03-02T08:00:00.000Z' });
    expect(await (await open()).getResponse(earlier.id)).toEqual(changed);
  });

  it('reads a response again when another writer changed it, though it keeps the last ones it read decoded', async () => {
    const first = await open();
    const other = await open(); // a second store on the same file: another process, as far as the first can tell
    const doc = sampleResponse();
    await first.insertResponse(doc);
    expect((await first.getResponse(doc.id))!.answers).toEqual(doc.answers);
    const changed = { ...doc, answers: [{ itemId: 'q1', value: 'no' }], version: 2 };
    expect((await other.replaceResponse(changed, 1)).ok).toBe(true);
    // Another writer's commit is seen from the reader's next read transaction (lmdb renews it after a timer tick).
    const nextReadTransaction = () => new Promise((resolve) => setTimeout(resolve, 5));
    await nextReadTransaction();
    expect(await first.getResponse(doc.id)).toEqual(changed);
    expect(await first.findResponseByRespondent(doc.respondentKey)).toEqual(changed);
    // Its own stale write is refused, and what it reads afterwards is still the other's.
    expect(await first.replaceResponse({ ...doc, version: 2 }, 1)).toEqual({ ok: false, reason: 'conflict' });
    expect(await first.getResponse(doc.id)).toEqual(changed);
    expect(await other.eraseResponse(doc.id, { channel: 'admin', userId: 'team' }, new Date())).toBe(true);
    await nextReadTransaction();
    expect(await first.getResponse(doc.id)).toBeNull();
  });

  it('refuses to write once its data file is deleted or replaced (and /healthz then fails), instead of writing where nobody reads', async () => {
    const store = await open();
    const doc = sampleResponse();
    await store.insertResponse(doc);
    await rename(join(dir, DATA_FILE), join(dir, 'moved-away.mdb'));
    await expect(store.insertResponse(sampleResponse())).rejects.toThrow(/data file .* is gone/);
    await expect(store.ping()).rejects.toThrow();
    await writeFile(join(dir, DATA_FILE), '');
    await expect(store.replaceResponse(doc, 1)).rejects.toThrow(/was replaced/);
    await expect(store.completeActivity('k', 30)).rejects.toThrow(/was replaced/);
  });

  it('creates the folder when it does not exist, and ping fails when it is gone', async () => {
    dir = join(dir, 'nested', 'data');
    const store = await open();
    await expect(store.ping()).resolves.toBeUndefined();
    await rm(dir, { recursive: true, force: true });
    await expect(store.ping()).rejects.toThrow();
    dir = resolve(dir, '../..');
  });

  it('deletes claim records a day after their claim, keeping the live ones', async () => {
    let time = Date.UTC(2026, 0, 1);
    const now = () => new Date(time);
    const first = await open({ now });
    await first.claimActivity('lapsed', 30);
    await first.completeActivity('done-long', 7 * 24 * 3600);
    await first.completeActivity('done-short', 60);
    await first.close();
    time += 25 * 3600 * 1000;
    const second = await open({ now }); // purges when it opens
    expect(await second.getActivityClaim('done-long')).not.toBeNull();
    // Gone, not only expired: claimed again as new.
    expect(await second.claimActivity('lapsed', 30)).toEqual({ claimed: true, retried: false });
    expect(await second.claimActivity('done-short', 30)).toEqual({ claimed: true, retried: false });
  });

  it('takes over the files of the earlier nedb store once, logging what it cannot read', async () => {
    const date = (iso: string) => ({ $$date: Date.parse(iso) });
    const answered = sampleResponse({ createdAt: new Date('2025-03-01T10:00:00Z') });
    const greetedOnly = sampleResponse({ answers: [], deferred: [] });
    const record = (doc: typeof answered) => ({
      _id: doc.id,
      respondentKey: doc.respondentKey,
      country: doc.country,
      locale: doc.locale,
      status: doc.status,
      answers: doc.answers,
      deferred: doc.deferred,
      engineJson: JSON.stringify(doc.engine),
      createdAt: date(doc.createdAt.toISOString()),
      updatedAt: date(doc.updatedAt.toISOString()),
      submittedAt: null,
      version: doc.version,
    });
    const deleted = sampleResponse();
    const lines = (...docs: unknown[]) => docs.map((d) => (typeof d === 'string' ? d : JSON.stringify(d))).join('\n');
    await writeFile(
      join(dir, 'responses.db'),
      `${lines(
        { $$indexCreated: { fieldName: 'respondentKey', unique: true } },
        record({ ...answered, answers: [] }),
        record(answered),
        record(greetedOnly),
        record(deleted),
        { $$deleted: true, _id: deleted.id },
        '{"_id":"garbled", this is not json',
        { ...record(sampleResponse()), answers: 'not a list' },
      )}\n{"_id":"torn","respondentKey":"half a li`,
    );
    const event = sampleEvent(answered.id, 1);
    await writeFile(join(dir, 'answer_events.db'), `${lines({ ...event, _id: event.id, id: undefined, at: date(event.at.toISOString()) })}\n`);
    await writeFile(join(dir, 'conversations.db'), `${lines({ _id: 'webchat:c', respondentKey: answered.respondentKey, referenceJson: '{"a":1}', updatedAt: date('2025-03-01T10:00:00Z') })}\n`);
    await writeFile(join(dir, 'processed_activities.db'), `${lines({ _id: 'old-act', claimedAt: date('2025-03-01T10:00:00Z'), expiresAt: date('2099-01-01T00:00:00Z') })}\n`);
    const invitation = sampleInvitation();
    const revoked = { ...invitation, revokedAt: new Date('2025-04-01T00:00:00Z') };
    const { id: _id, ...invitationFields } = revoked;
    await writeFile(join(dir, 'invitations.jsonl'), `${lines({ _id: invitation.id, ...invitationFields, revokedAt: undefined }, 'not json', { _id: invitation.id, ...invitationFields })}\n{"_id":"torn","codeHa`);

    const logger = recordingLogger();
    const store = await open({ logger });
    expect(await store.getResponse(answered.id)).toEqual(answered);
    expect(await store.findResponseByRespondent(greetedOnly.respondentKey)).toEqual(greetedOnly);
    expect((await store.listResponses()).map((r) => r.id)).toEqual([answered.id]); // the greeting-only one is not a response
    expect(await store.getResponse(deleted.id)).toBeNull();
    expect(await store.listEvents(answered.id)).toEqual([event]);
    expect((await store.getConversation('webchat:c'))?.reference).toEqual({ a: 1 });
    expect(await store.claimActivity('old-act', 30)).toEqual({ claimed: false, state: 'done' });
    expect(await store.listInvitations()).toEqual([revoked]);

    const warnings = logger.lines.filter((l) => l.level === 'warn');
    expect(warnings.map((l) => l.details)).toEqual([
      expect.objectContaining({ file: join(dir, 'responses.db'), line: 7 }),
      expect.objectContaining({ file: join(dir, 'responses.db') }), // the record whose answers are not a list
      expect.objectContaining({ file: join(dir, 'invitations.jsonl'), line: 2 }),
    ]);
    expect(logger.lines.filter((l) => l.level === 'info' && /torn last line/.test(l.message))).toHaveLength(2);
    expect((await readdir(dir)).filter((f) => f.endsWith('.imported')).sort()).toEqual(
      ['answer_events.db', 'conversations.db', 'invitations.jsonl', 'processed_activities.db', 'responses.db'].map((f) => `${f}.imported`),
    );

    // Once only: a second opening finds nothing to take over, and the store's own data stays.
    await store.insertResponse(sampleResponse({ respondentKey: 'webchat:later' }));
    await store.close();
    const again = await open({ logger });
    expect(await again.listResponses()).toHaveLength(2);
  });

  it('keeps the heap flat (within 2 MB) from 0 to 5,000 paused conversations: the data stays in the file', () => {
    // scripts/store-bench.ts in a fresh process with the GC exposed: 5,000 respondents answer 5 questions each
    // (claim, response, event, done) and leave a conversation reference; heap after a full GC, before and after.
    const child = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', 'scripts/store-bench.ts', '--child-heap', 'lmdb', '5000'], { cwd: ROOT, encoding: 'utf8' });
    expect(child.status).toBe(0);
    const { beforeMb, afterMb } = JSON.parse(child.stdout.trim().split('\n').at(-1)!) as { beforeMb: number; afterMb: number };
    expect(Math.abs(afterMb - beforeMb)).toBeLessThan(2);
  }, 180_000);
});
