import { closeSync, fstatSync, openSync, writeSync } from 'node:fs';
import type Datastore from '@seald-io/nedb';

// nedb's document serializer (the format of its data files); not in its type definitions.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const model = require('@seald-io/nedb/lib/model') as { serialize(doc: unknown): string };

interface NedbPersistence {
  modes: { fileMode: number };
  afterSerialization(line: string): string | Promise<string>;
  persistNewStateAsync(newDocs: unknown[]): Promise<void>;
}

/**
 * Appends a nedb datastore's changes through one file descriptor kept open, with a synchronous write.
 *
 * Why: nedb appends every change with `fs.promises.appendFile` — open, write and close, three trips through
 * libuv's thread pool, one after the other for each change (nedb runs a datastore's operations one at a time).
 * A turn makes four or five changes; under load this was the bot's largest cost after the Bot Framework stack
 * itself (`npm run bench`: the file-backed store served ~45% fewer turns per second than the same store in
 * memory). One `write(2)` on an open descriptor costs microseconds (the data goes to the page cache).
 *
 * What stays the same: the file format (nedb's own serializer, one line per change, the same `afterSerialization`
 * hook), and durability: the line is in the file (the kernel's page cache) before the operation's promise resolves —
 * it survives kill -9 as before, and, as before, not a power cut (no fsync). nedb rewrites the file on load and on
 * compaction (a new file renamed over the old one): the descriptor is reopened after each (`compaction.done`), and
 * whenever the open file is no longer linked (deleted or replaced from outside); a write into a folder that is
 * gone fails, as before.
 *
 * Returns a function that closes the descriptor (the store's close()).
 */
export function appendThroughOpenFile(datastore: Datastore, filename: string): () => void {
  const persistence = (datastore as unknown as { persistence: NedbPersistence }).persistence;
  let fd: number | null = null;
  const release = () => {
    if (fd === null) return;
    const open = fd;
    fd = null;
    try {
      closeSync(open);
    } catch {
      // already closed: nothing to release
    }
  };
  // The file was replaced (load, compaction): the next append opens the new one.
  datastore.on('compaction.done', release);

  persistence.persistNewStateAsync = async function persistNewStateAsync(newDocs: unknown[]): Promise<void> {
    let lines = '';
    for (const doc of newDocs) lines += `${await persistence.afterSerialization(model.serialize(doc))}\n`;
    if (lines.length === 0) return;
    const data = Buffer.from(lines, 'utf8');
    try {
      // A file deleted (or its folder) or replaced behind our back: write to the path again, or fail — never into
      // an unlinked file, which would acknowledge a write nobody can read.
      if (fd !== null && fstatSync(fd).nlink === 0) release();
      fd ??= openSync(filename, 'a', persistence.modes.fileMode);
      for (let written = 0; written < data.length; ) written += writeSync(fd, data, written, data.length - written);
    } catch (error) {
      release();
      throw error;
    }
  };
  return release;
}
