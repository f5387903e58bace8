/**
 * The embedded store's invitations are shared between processes on one DATA_DIR: the bot and `npm run invite`
 * read and change them at the same time, and every read-check-write is safe between them.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { createEmbeddedStore } from '../../src/store/embedded';
import type { Store } from '../../src/store/port';
import { sampleInvitation } from './contract';

const ROOT = resolve(__dirname, '../..');

jest.setTimeout(120_000);

describe('embedded store invitations shared between processes', () => {
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

  it('sees an invitation made by `npm run invite` at once while the bot has the store open, and the command sees the bot’s', async () => {
    const bot = await open();
    const mine = sampleInvitation();
    await bot.createInvitation(mine);
    const { stdout } = await promisify(execFile)(join(ROOT, 'node_modules/.bin/tsx'), ['scripts/invite.ts', '--country', 'Uruguay', '--expires', '10d'], {
      cwd: ROOT,
      env: { ...process.env, DATA_DIR: dir, MONGODB_URI: '', LOG_LEVEL: 'silent' },
    });
    const id = /id:\s+(\S+)/.exec(stdout)?.[1];
    expect(id).toBeDefined();
    expect((await bot.getInvitation(id!))?.country).toEqual({ code: 'URY', name: 'Uruguay' });
    const listed = await promisify(execFile)(join(ROOT, 'node_modules/.bin/tsx'), ['scripts/invite.ts', '--list'], {
      cwd: ROOT,
      env: { ...process.env, DATA_DIR: dir, MONGODB_URI: '', LOG_LEVEL: 'silent' },
    });
    expect(listed.stdout).toContain(mine.id);
    expect(listed.stdout).toContain(id);
  });

  it('two processes taking up, making and revoking invitations at the same time: one respondent per invitation, nothing lost', async () => {
    const store = await open();
    const shared = Array.from({ length: 20 }, () => sampleInvitation());
    for (const invitation of shared) await store.createInvitation(invitation);
    const worker = join(dir, 'worker.ts');
    const storeModule = resolve(__dirname, '../../src/store/embedded.ts').replace(/\\/g, '/');
    await writeFile(
      worker,
      `import { createHash, randomUUID } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { createEmbeddedStore } from ${JSON.stringify(storeModule)};
(async () => {
  const name = process.env.WORKER!;
  const ids: string[] = JSON.parse(process.env.IDS!);
  const store = createEmbeddedStore({ dir: ${JSON.stringify(dir)} });
  await store.init();
  // Everyone starts together: ready, then wait for the go.
  writeFileSync(${JSON.stringify(dir)} + '/' + name + '.ready', '');
  while (!existsSync(${JSON.stringify(dir)} + '/go')) await new Promise((r) => setTimeout(r, 2));
  const won: string[] = [];
  // Each process goes through the invitations from another starting point, so that each wins some.
  const order = name === 'a' ? ids : [...ids].reverse();
  for (let round = 0; round < 5; round++) {
    for (const id of order) {
      if (await store.markInvitationUsed(id, { respondentKey: name + ':' + round, responseId: name, at: new Date() })) won.push(id + ' ' + name + ':' + round);
    }
    const own = randomUUID();
    const made = await store.createInvitation({ id: own, codeHash: createHash('sha256').update(own).digest('hex'), country: { code: 'PRY', name: 'Paraguay' }, createdAt: new Date(), expiresAt: new Date(Date.now() + 86400000) });
    if (!made) throw new Error('lost my own invitation');
    await store.revokeInvitation(ids[round]!, new Date());
  }
  await store.close();
  console.log(JSON.stringify(won));
})().catch((e) => { console.error(e); process.exit(1); });
`,
    );
    const run = (name: string) =>
      new Promise<string[]>((done, fail) => {
        const p = spawn(process.execPath, ['--import', 'tsx', worker], { cwd: ROOT, env: { ...process.env, WORKER: name, IDS: JSON.stringify(shared.map((i) => i.id)) }, stdio: ['ignore', 'pipe', 'inherit'] });
        let out = '';
        p.stdout.on('data', (c: Buffer) => (out += c.toString()));
        p.on('error', fail);
        p.on('exit', (code) => (code === 0 ? done(JSON.parse(out) as string[]) : fail(new Error(`${name} exited with ${code}`))));
      });
    const workers = [run('a'), run('b')];
    // This process (the bot) takes up invitations at the same time as the two others, once they are ready.
    const mine = (async () => {
      while (!existsSync(join(dir, 'a.ready')) || !existsSync(join(dir, 'b.ready'))) await new Promise((r) => setTimeout(r, 10));
      await writeFile(join(dir, 'go'), '');
      const won: string[] = [];
      for (let round = 0; round < 5; round++) {
        for (const invitation of [...shared.slice(10), ...shared.slice(0, 10)]) if (await store.markInvitationUsed(invitation.id, { respondentKey: `bot:${round}`, responseId: 'bot', at: new Date() })) won.push(`${invitation.id} bot:${round}`);
      }
      return won;
    })();
    const wins = (await Promise.all([...workers, mine])).flat();

    const all = await store.listInvitations();
    expect(all).toHaveLength(shared.length + 10); // every invitation made by either process is there
    for (const invitation of shared) {
      const stored = all.find((i) => i.id === invitation.id)!;
      const winners = wins.filter((w) => w.startsWith(`${invitation.id} `)).map((w) => w.split(' ')[1]);
      // Exactly one respondent took it up (none of the others after it), and it is the one stored.
      expect(new Set(winners).size).toBeLessThanOrEqual(1);
      if (winners.length) expect(stored.usedBy?.respondentKey).toBe(winners[0]);
      else expect(stored.usedBy).toBeUndefined();
    }
    expect(all.filter((i) => i.revokedAt)).toHaveLength(5);
    // The processes really ran at the same time: the two command-line ones, going through the invitations from
    // opposite ends, each took some.
    for (const who of ['a:', 'b:']) expect(wins.some((w) => w.includes(` ${who}`))).toBe(true);
  });
});
