import * as fs from 'node:fs';
import type { Database } from 'sql.js';
import { SCHEMA_REVISION } from './schema';
import { readSchemaRevision } from './schemaInspect';
import { hasHotJournal, hasWal } from './storeFile';
import { ForeignStoreError, StoreOpenError } from './storeOpenError';

/**
 * Who wrote a store, and therefore whether Runlens may write it without being asked to.
 *
 * A store is "ours" when Runlens created it: new stores carry `PRAGMA application_id =
 * RUNLENS_APPLICATION_ID`. Stores created before that mark existed have application_id 0 (as
 * MLflow's files do) but a snapshot generation in `user_version` > 0, which MLflow never sets;
 * at our schema revision those are ours too (and get the mark with their next snapshot). Anything
 * else — MLflow's own files at any revision, or an MLflow file Runlens was allowed to write with
 * --read-write (marked RUNLENS_FOREIGN_APPLICATION_ID so that it stays foreign) — is not ours.
 */

/** "RLNS": a store Runlens created. */
export const RUNLENS_APPLICATION_ID = 0x524c4e53;
/** "RLNF": a store written by MLflow that Runlens has written with --read-write. */
export const RUNLENS_FOREIGN_APPLICATION_ID = 0x524c4e46;

const SQLITE_MAGIC = 'SQLite format 3\u0000';

export interface StoreMarks {
  applicationId: number;
  userVersion: number;
}

export function isOurs(marks: StoreMarks, revision: string | undefined): boolean {
  if (revision !== SCHEMA_REVISION) return false;
  return marks.applicationId === RUNLENS_APPLICATION_ID || (marks.applicationId === 0 && marks.userVersion > 0);
}

export function readMarks(db: Database): StoreMarks {
  const value = (pragma: string) => Number(db.exec(`PRAGMA ${pragma}`)[0]?.values[0]?.[0] ?? 0);
  return { applicationId: value('application_id'), userVersion: value('user_version') };
}

/**
 * The marks in a database file's 100-byte header (user_version at offset 60, application_id at
 * 68, both big-endian), without loading the file; undefined when it is missing, empty or not
 * SQLite.
 */
export function readHeaderMarks(file: string): StoreMarks | undefined {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return undefined;
  }
  try {
    const header = Buffer.alloc(100);
    if (fs.readSync(fd, header, 0, 100, 0) < 100) return undefined;
    if (header.subarray(0, 16).toString('latin1') !== SQLITE_MAGIC) return undefined;
    return { userVersion: header.readInt32BE(60), applicationId: header.readInt32BE(68) };
  } finally {
    fs.closeSync(fd);
  }
}

/** How a store is described to the user: "written by MLflow (schema revision X)". */
export function describeOrigin(revision: string | undefined): string {
  return `it was written by MLflow (schema revision ${revision ?? 'unknown'})`;
}

/** The message every write to a read-only store is refused with (403 PERMISSION_DENIED). */
export function readOnlyMessage(revision: string | undefined): string {
  return (
    `This store is opened read-only: ${describeOrigin(revision)}. ` +
    'Start Runlens with --read-write to change it, or copy it into a Runlens store.'
  );
}

/** Why --read-write is refused for a store at another revision than the one Runlens writes. */
export function readWriteRefusal(dbPath: string, revision: string | undefined): string {
  return (
    `${dbPath} has MLflow schema revision ${revision ?? 'unknown'}; Runlens writes only revision ${SCHEMA_REVISION} ` +
    '(MLflow 3.5/3.6), so it cannot open this store with --read-write. Take a backup, upgrade it with ' +
    `\`mlflow db upgrade sqlite:///${dbPath.replace(/\\/g, '/')}\` (MLflow 3.5 or 3.6), or start without --read-write to browse it read-only.`
  );
}

/** Convenience for a loaded database: its marks, revision and whether it is ours. */
export function identify(db: Database): StoreMarks & { revision: string | undefined; ours: boolean } {
  const marks = readMarks(db);
  const revision = readSchemaRevision(db);
  return { ...marks, revision, ours: isOurs(marks, revision) };
}

export interface StoreIdentity extends StoreMarks {
  revision: string | undefined;
}

/**
 * Why Runlens may not write a database with this identity (undefined: it may); `foreign` tells
 * whether it is a store Runlens did not create, written because of readWrite.
 */
export function writeRefusal(
  identity: StoreIdentity,
  dbPath: string,
  readWrite: boolean,
  busy = hasHotJournal(dbPath) || hasWal(dbPath),
): { refusal?: Error; foreign: boolean } {
  if (!identity.revision) return { refusal: new StoreOpenError(`${dbPath} is not an MLflow tracking database (no alembic_version table).`), foreign: true };
  if (isOurs(identity, identity.revision)) return { foreign: false };
  if (!readWrite) return { refusal: new ForeignStoreError(dbPath, identity.revision), foreign: true };
  if (identity.revision !== SCHEMA_REVISION) return { refusal: new StoreOpenError(readWriteRefusal(dbPath, identity.revision)), foreign: true };
  if (busy) {
    return {
      refusal: new StoreOpenError(
        `${dbPath} is being written by another program (its SQLite journal or write-ahead log is not empty). ` +
          'Stop that program (or let it finish) before opening the store with --read-write.',
      ),
      foreign: true,
    };
  }
  return { foreign: true };
}

/**
 * Throws unless Runlens may write this loaded database (and then closes it); returns whether it
 * is a store Runlens did not create, written because of readWrite.
 */
export function checkWritable(db: Database, dbPath: string, readWrite: boolean): boolean {
  const { refusal, foreign } = writeRefusal(identify(db), dbPath, readWrite);
  if (refusal) {
    db.close();
    throw refusal;
  }
  return foreign;
}
