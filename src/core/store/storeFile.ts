import * as fs from 'node:fs';
import type { Database, SqlJsStatic } from 'sql.js';
import { StoreOpenError } from './storeOpenError';

/** Reading a SQLite database file into sql.js safely, also while another program writes it. */

export interface FileStamp {
  size: number;
  mtimeMs: number;
}

const SQLITE_MAGIC = 'SQLite format 3\u0000';
/** The first bytes of a live (hot) SQLite rollback journal; a persisted, finished one is zeroed. */
const HOT_JOURNAL_MAGIC = Buffer.from([0xd9, 0xd5, 0x05, 0xf9, 0x20, 0xa1, 0x63, 0xd7]);

export function stampOf(file: string): FileStamp | undefined {
  const stat = fs.statSync(file, { throwIfNoEntry: false });
  return stat ? { size: stat.size, mtimeMs: stat.mtimeMs } : undefined;
}

export function sameStamp(a: FileStamp | undefined, b: FileStamp | undefined): boolean {
  return a !== undefined && b !== undefined && a.size === b.size && a.mtimeMs === b.mtimeMs;
}

/** The file is being written right now (or was left mid-transaction): try again later. */
export class StoreBusyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreBusyError';
  }
}

/** Whether SQLite's rollback journal next to the database holds a transaction in progress. */
export function hasHotJournal(dbPath: string): boolean {
  let fd: number;
  try {
    fd = fs.openSync(`${dbPath}-journal`, 'r');
  } catch {
    return false;
  }
  try {
    const head = Buffer.alloc(HOT_JOURNAL_MAGIC.length);
    const read = fs.readSync(fd, head, 0, head.length, 0);
    return read === head.length && head.equals(HOT_JOURNAL_MAGIC);
  } finally {
    fs.closeSync(fd);
  }
}

/** Whether a write-ahead log next to the database may hold commits the main file lacks. */
export function hasWal(dbPath: string): boolean {
  return (stampOf(`${dbPath}-wal`)?.size ?? 0) > 0;
}

/**
 * The bytes of a database file as one consistent version: not while SQLite's hot journal says a
 * transaction is half written, and not if the file changed while it was read (StoreBusyError).
 */
export function readStableFile(dbPath: string, options: { ignoreHotJournal?: boolean } = {}): { bytes: Buffer; stamp: FileStamp } {
  if (!options.ignoreHotJournal && hasHotJournal(dbPath)) {
    throw new StoreBusyError(`${dbPath} is being written (its rollback journal is live)`);
  }
  const before = stampOf(dbPath);
  if (!before) throw new StoreOpenError(`${dbPath} does not exist.`);
  const bytes = fs.readFileSync(dbPath);
  const after = stampOf(dbPath);
  if (!sameStamp(before, after) || bytes.length !== after!.size) {
    throw new StoreBusyError(`${dbPath} changed while it was being read`);
  }
  return { bytes, stamp: after! };
}

/**
 * Opens database bytes in sql.js after checking that they are a complete, undamaged SQLite
 * database. A file in WAL mode is opened as a rollback-journal database (sql.js has no shared
 * memory for a WAL); commits still in the WAL are then not seen.
 */
export function openDatabaseBytes(SQL: SqlJsStatic, dbPath: string, bytes: Uint8Array): Database {
  if (Buffer.from(bytes.subarray(0, 16)).toString('latin1') !== SQLITE_MAGIC) {
    throw new StoreOpenError(`${dbPath} is not a SQLite database; Runlens will not open or overwrite it.`);
  }
  let image = bytes;
  if (bytes[18] === 2 || bytes[19] === 2) {
    image = Uint8Array.from(bytes);
    image[18] = 1;
    image[19] = 1;
  }
  let db: Database | undefined;
  try {
    db = new SQL.Database(image);
    const check = db.exec('PRAGMA quick_check');
    const verdict = String(check[0]?.values[0]?.[0] ?? '');
    if (verdict !== 'ok') throw new Error(verdict);
    return db;
  } catch (e) {
    db?.close();
    throw new StoreOpenError(`${dbPath} is a damaged SQLite database (${(e as Error).message}); Runlens will not overwrite it.`);
  }
}
