/**
 * How the embedded store writes a response record (and its head): one JSON document (UTF-8). A response is its answers — dozens
 * of small `{ itemId, value }` objects — and V8's JSON reads and writes those several times faster than msgpack
 * does (a turn reads its response once and writes it once: this was a tenth of a turn's CPU). The record's three
 * dates are ISO strings in the JSON and Dates again when read; every other field is a string, a number, a list
 * of strings or null, which JSON keeps exactly (answer values are strings or lists of strings).
 *
 * Records written by earlier versions are msgpack: a msgpack record (a map) never starts with `{` (0x7b, a bare
 * integer in msgpack), so both layouts are told apart by their first byte and read alike.
 */
import type { Packr } from 'msgpackr';
import type { ResponseRecord } from './codec';

/** The first byte of a JSON record. */
const OPEN_BRACE = 0x7b;

/** An lmdb value encoder (lmdb calls `encode` on put and `decode` on get). */
export interface Encoder<T> {
  encode(value: T): Buffer;
  decode(bytes: Uint8Array): T;
}

/** The encoder of the embedded store's responses database. */
export const responseEncoder = (legacy: Packr): Encoder<ResponseRecord> => jsonEncoder(legacy, reviveResponse);

/**
 * JSON values (msgpack ones, of earlier versions, read alike); `revive` turns what JSON.parse gives back into the
 * value written (Dates). Also used for records of a few dozen small objects, such as a response's recent turns.
 */
export function jsonEncoder<T>(legacy: Packr, revive: (parsed: never) => T = (parsed) => parsed): Encoder<T> {
  return {
    encode: (value) => Buffer.from(JSON.stringify(value), 'utf8'),
    decode: (bytes) => (bytes[0] === OPEN_BRACE ? revive(JSON.parse(utf8(bytes)) as never) : (legacy.unpack(bytes) as T)),
  };
}

function reviveResponse(rec: Omit<ResponseRecord, 'createdAt' | 'updatedAt' | 'submittedAt'> & { createdAt: string; updatedAt: string; submittedAt: string | null }): ResponseRecord {
  return { ...rec, createdAt: new Date(rec.createdAt), updatedAt: new Date(rec.updatedAt), submittedAt: rec.submittedAt === null ? null : new Date(rec.submittedAt) };
}

const text = new TextDecoder();
const utf8 = (bytes: Uint8Array): string => (Buffer.isBuffer(bytes) ? bytes.toString('utf8') : text.decode(bytes));
