/** The embedded store's invitations are shared between processes on one DATA_DIR (the bot and `npm run invite`). */
import { appendFile, mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEmbeddedStore } from '../../src/store/embedded';
import type { Store } from '../../src/store/port';
import { sampleInvitation } from './contract';

describe('embedded store invitations on disk', () => {
  let dir: string;
  const opened: Store[] = [];
  const open = async () => {
    const store = createEmbeddedStore({ dir });
    opened.push(store);
    await store.init();
    return store;
  };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'msq-invitations-'));
  });
  afterEach(async () => {
    for (const s of opened.splice(0).reverse()) await s.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('sees an invitation written by another instance at once, and keeps it when that instance closes', async () => {
    const bot = await open();
    expect(await bot.listInvitations()).toEqual([]);
    // The command line never calls init(): it must not load (and so rewrite) the bot's nedb files.
    const before = await readdir(dir);
    const inode = async () => (await stat(join(dir, 'responses.db'))).ino;
    const responsesFile = await inode();
    const cli = createEmbeddedStore({ dir });
    const invitation = sampleInvitation();
    expect(await cli.createInvitation(invitation)).toBe(true);
    await cli.close();
    expect((await readdir(dir)).sort()).toEqual([...before, 'invitations.jsonl'].sort());
    expect(await inode()).toBe(responsesFile); // nedb rewrites a file by renaming a new one over it

    expect(await bot.findInvitationByHash(invitation.codeHash)).toEqual(invitation);
    expect(await bot.markInvitationUsed(invitation.id, { respondentKey: 'webchat:a', responseId: 'r', at: new Date() })).toBe(true);
    await bot.close(); // compacts the nedb files; the invitations file is not rewritten

    const later = await open();
    expect((await later.getInvitation(invitation.id))!.usedBy?.respondentKey).toBe('webchat:a');
    expect(await readdir(dir)).toContain('invitations.jsonl');
  });

  it('stores only the hash of a code, and survives a torn last line', async () => {
    const store = await open();
    const a = sampleInvitation();
    await store.createInvitation(a);
    await appendFile(join(dir, 'invitations.jsonl'), '{"_id":"torn","codeHa');
    const b = sampleInvitation({ createdAt: new Date('2025-03-05T00:00:00Z') });
    expect(await store.createInvitation(b)).toBe(true);
    expect((await store.listInvitations()).map((i) => i.id)).toEqual([a.id, b.id]);
    const file = await readFile(join(dir, 'invitations.jsonl'), 'utf8');
    expect(file).toContain(a.codeHash);
    expect(file).not.toContain(`MSQ-${a.id}`);
  });
});
