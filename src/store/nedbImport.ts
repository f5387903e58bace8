/**
 * Reads the files of the embedded store of earlier versions (nedb's JSON lines under DATA_DIR, and the
 * invitations' `invitations.jsonl`) so that the LMDB store can take their data over once (see embedded.ts).
 *
 * nedb's format: one JSON document per line, a later line for the same `_id` replacing an earlier one,
 * `{"$$deleted":true,"_id":…}` deleting it, `{"$$indexCreated":…}` / `{"$$indexRemoved":…}` describing indexes, and
 * dates as `{"$$date":<ms>}`. The invitations file has plain JSON lines with ISO dates, the last line of an id
 * winning. A line that cannot be read is logged and skipped; a torn last line (an append cut short by a kill,
 * never acknowledged) is expected and only noted.
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import {
  collectionNames,
  decodeConversation,
  decodeEvent,
  decodeInvitation,
  decodeResponse,
  encodeConversation,
  encodeEvent,
  encodeInvitation,
  encodeResponse,
  type ActivityRecord,
  type ConversationRecord,
  type EventRecord,
  type InvitationRecord,
  type ResponseRecord,
  type StoreLogger,
} from './codec';

/** What the old files held, validated as the store validates a write. */
export interface NedbData {
  responses: ResponseRecord[];
  events: EventRecord[];
  conversations: ConversationRecord[];
  activities: ActivityRecord[];
  invitations: InvitationRecord[];
  /** The files read (to be renamed once their data is stored). */
  files: string[];
}

const NEDB_FILES = {
  responses: `${collectionNames.responses}.db`,
  events: `${collectionNames.events}.db`,
  conversations: `${collectionNames.conversations}.db`,
  activities: `${collectionNames.activities}.db`,
} as const;
const INVITATIONS_FILE = `${collectionNames.invitations}.jsonl`;

/** The suffix a file gets once its data is in the new store (kept, never deleted by the bot). */
export const IMPORTED_SUFFIX = '.imported';

/** The old files' data, or null when there are none. */
export async function readNedbFiles(dir: string, logger: StoreLogger): Promise<NedbData | null> {
  const files: string[] = [];
  const read = async <T>(name: string, revive: boolean, accept: (raw: Record<string, unknown>) => T): Promise<T[]> => {
    const path = join(dir, name);
    let text: string;
    try {
      text = await fs.readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    files.push(path);
    const records = latestById(path, text, revive, logger);
    const out: T[] = [];
    for (const raw of records) {
      try {
        out.push(accept(raw));
      } catch (error) {
        logger.warn({ file: path, id: String(raw._id), err: error }, 'embedded store: an old record is invalid and was not taken over');
      }
    }
    return out;
  };

  const responses = await read(NEDB_FILES.responses, true, (raw) => {
    const rec = raw as unknown as ResponseRecord;
    return encodeResponse(decodeResponse(rec), rec.version);
  });
  const events = await read(NEDB_FILES.events, true, (raw) => encodeEvent(decodeEvent(raw as unknown as EventRecord)));
  const conversations = await read(NEDB_FILES.conversations, true, (raw) => encodeConversation(decodeConversation(raw as unknown as ConversationRecord)));
  const activities = await read(NEDB_FILES.activities, true, (raw) => {
    const rec = raw as unknown as ActivityRecord;
    if (typeof rec._id !== 'string' || !(rec.claimedAt instanceof Date) || !(rec.expiresAt instanceof Date)) throw new Error('not a claim');
    return { _id: rec._id, state: 'done' as const, claimedAt: rec.claimedAt, expiresAt: rec.expiresAt };
  });
  const invitations = await read(INVITATIONS_FILE, false, (raw) => encodeInvitation(decodeInvitation(raw as unknown as InvitationRecord)));
  return files.length === 0 ? null : { responses, events, conversations, activities, invitations, files };
}

/** Renames the files whose data was taken over, so that they are never read again. */
export async function retireNedbFiles(files: string[], logger: StoreLogger): Promise<void> {
  for (const file of files) {
    try {
      await fs.rename(file, `${file}${IMPORTED_SUFFIX}`);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') logger.warn({ file, err: error }, 'embedded store: could not rename an imported old data file');
    }
  }
}

/** The last state of every document of a JSON-lines file (nedb's, or the invitations'). */
function latestById(path: string, text: string, revive: boolean, logger: StoreLogger): Record<string, unknown>[] {
  const byId = new Map<string, Record<string, unknown>>();
  const lines = text.split('\n');
  const torn = text.endsWith('\n') ? -1 : lines.length - 1;
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    let doc: unknown;
    try {
      doc = JSON.parse(line, revive ? nedbDates : undefined);
    } catch {
      if (index === torn) logger.info({ file: path, line: index + 1 }, 'embedded store: ignored a torn last line (a write cut short, never acknowledged)');
      else logger.warn({ file: path, line: index + 1 }, 'embedded store: an unreadable line of an old data file was skipped');
      return;
    }
    if (!doc || typeof doc !== 'object' || Array.isArray(doc)) return;
    const record = doc as Record<string, unknown>;
    if ('$$indexCreated' in record || '$$indexRemoved' in record) return;
    if (typeof record._id !== 'string') return;
    if (record.$$deleted === true) byId.delete(record._id);
    else byId.set(record._id, record);
  });
  return [...byId.values()];
}

/** nedb's dates: `{"$$date": <ms>}`. */
function nedbDates(_key: string, value: unknown): unknown {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const date = (value as { $$date?: unknown }).$$date;
    if (typeof date === 'number' && Object.keys(value).length === 1) return new Date(date);
  }
  return value;
}
