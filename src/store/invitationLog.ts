/**
 * The embedded store's invitations: a JSON-lines file, appended to and re-read on every operation.
 *
 * Why not a nedb datastore like the rest: invitations are made by `npm run invite` in another process while the
 * bot runs on the same DATA_DIR. nedb keeps its data in memory and rewrites the whole file when it loads or
 * compacts, so the bot would neither see an invitation made by the command line nor keep it. Appending lines
 * (each append is one write on a file opened with O_APPEND) and reading the file back before each operation lets
 * both processes share the file; the last line written for an id is the invitation's state. Invitations are few
 * (a few hundred), so reading the file each time costs nothing that matters.
 */
import { promises as fs } from 'node:fs';
import { dirname } from 'node:path';
import type { InvitationRecord } from './codec';

export interface InvitationLog {
  /** The current record of every invitation (the last line for each id), in the order they were first written. */
  read(): Promise<InvitationRecord[]>;
  /** Appends a record (a new invitation, or a new state of one), on disk before the promise resolves. */
  append(record: InvitationRecord): Promise<void>;
  /** Runs read-check-append sequences one at a time within this process. */
  exclusive<T>(task: () => Promise<T>): Promise<T>;
}

/** A log on `file`, or in memory when `file` is null (tests). */
export function createInvitationLog(file: string | null): InvitationLog {
  const memory: string[] = [];
  let queue: Promise<unknown> = Promise.resolve();
  /** Whether the file's last byte is a newline (false after an append cut short by a kill). */
  let endsClean = true;

  async function lines(): Promise<string[]> {
    if (file === null) return memory;
    let data: string;
    try {
      data = await fs.readFile(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
        endsClean = true;
        return [];
      }
      throw e;
    }
    endsClean = data.length === 0 || data.endsWith('\n');
    return data.split('\n');
  }

  return {
    async read() {
      const byId = new Map<string, InvitationRecord>();
      for (const line of await lines()) {
        if (line.trim() === '') continue;
        let record: InvitationRecord;
        try {
          record = JSON.parse(line) as InvitationRecord;
        } catch {
          continue; // a torn line: an append cut short by a kill, never acknowledged
        }
        if (record && typeof record === 'object' && typeof record._id === 'string') byId.set(record._id, record);
      }
      return [...byId.values()];
    },

    async append(record) {
      const line = JSON.stringify(record);
      if (file === null) {
        memory.push(line);
        return;
      }
      await fs.mkdir(dirname(file), { recursive: true });
      await lines(); // learn whether a torn line must be ended first
      const handle = await fs.open(file, 'a', 0o600);
      try {
        await handle.appendFile(`${endsClean ? '' : '\n'}${line}\n`, 'utf8');
        await handle.datasync();
      } finally {
        await handle.close();
      }
      endsClean = true;
    },

    exclusive(task) {
      const run = queue.then(task, task);
      queue = run.catch(() => undefined);
      return run;
    },
  };
}
