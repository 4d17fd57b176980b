import * as fs from 'node:fs';
import * as path from 'node:path';
import { createSchema, SCHEMA_REVISION } from '../schema';
import { EMPTY_STORE_FILE } from '../emptyStore';
import { hasHotJournal, hasWal } from '../storeFile';
import { RUNLENS_APPLICATION_ID, RUNLENS_FOREIGN_APPLICATION_ID, writeRefusal, type StoreIdentity } from '../storeIdentity';
import { StoreOpenError } from '../storeOpenError';
import type { StatementPool } from './statementPool';

const SQLITE_MAGIC = 'SQLite format 3\u0000';

export interface PreparedFile {
  /** The store was created by this open. */
  readonly isNew: boolean;
  /** The file as found, before it was opened (fileFingerprint). */
  readonly fingerprint: string;
  /** A store Runlens did not create, written because of readWrite (known after finish). */
  foreign: boolean;
  /** Before anything is written: refuses a store Runlens may not write (reads only). */
  check(pool: StatementPool): void;
  /** Once the connection is in WAL mode: creates the schema of a new store, or marks an existing one. */
  initialize(pool: StatementPool): void;
}

interface SetupOptions {
  defaultArtifactRoot: string;
  readWrite?: boolean;
  /** Where the prebuilt empty store is (default: beside the bundle). */
  imageDir?: string;
}

/**
 * Gets a store file ready for the SQLite engine, before it is opened: a new store starts as a copy
 * of the prebuilt empty store (dist/empty-store.db) when there is one; files that SQLite could not
 * open safely are refused with a reason the user can act on.
 */
export function prepareStoreFile(dbPath: string, options: SetupOptions): PreparedFile {
  fs.mkdirSync(path.dirname(dbPath), { recursive: true });
  refuseLegacyJournal(dbPath);
  const stat = fs.statSync(dbPath, { throwIfNoEntry: false });
  if (!stat || stat.size === 0) {
    if (hasWal(dbPath)) {
      throw new StoreOpenError(
        `${dbPath} is missing, but its write-ahead log (${dbPath}-wal) holds changes made on top of it. ` +
          'Restore the database file, or delete the write-ahead log to start an empty store.',
      );
    }
    const image = path.join(options.imageDir ?? __dirname, EMPTY_STORE_FILE);
    const copied = fs.existsSync(image);
    if (copied) fs.copyFileSync(image, dbPath);
    else fs.writeFileSync(dbPath, '');
    return newStore(options, copied);
  }
  const fingerprint = fileFingerprint(dbPath);
  checkHeader(dbPath);
  if (hasHotJournal(dbPath)) {
    throw new StoreOpenError(
      `${dbPath} has an unfinished transaction of another program (a live ${path.basename(dbPath)}-journal). ` +
        'Open it once with that program (or the sqlite3 shell) so SQLite rolls it back, then start Runlens again.',
    );
  }
  const busy = hasWal(dbPath);
  let applicationId = 0;
  const file: PreparedFile = {
    isNew: false,
    fingerprint,
    foreign: false,
    check(pool) {
      const identity = readIdentity(pool);
      // A WAL left beside a store Runlens wrote is its own, from a crash: SQLite recovers it.
      const ownWal = identity.applicationId === RUNLENS_APPLICATION_ID || identity.applicationId === RUNLENS_FOREIGN_APPLICATION_ID;
      const { refusal, foreign } = writeRefusal(identity, dbPath, options.readWrite ?? false, busy && !ownWal);
      if (refusal) throw refusal;
      file.foreign = foreign;
      applicationId = identity.applicationId;
    },
    initialize(pool) {
      const mark = file.foreign ? RUNLENS_FOREIGN_APPLICATION_ID : RUNLENS_APPLICATION_ID;
      if (applicationId !== mark) pool.exec(`PRAGMA application_id = ${mark}`);
    },
  };
  return file;
}

function newStore(options: SetupOptions, fromImage: boolean): PreparedFile {
  return {
    isNew: true,
    fingerprint: '',
    foreign: false,
    check() {},
    initialize(pool) {
      const now = Date.now();
      pool.exec('BEGIN IMMEDIATE');
      try {
        if (fromImage) {
          pool.run('UPDATE experiments SET artifact_location = ?, creation_time = ?, last_update_time = ? WHERE experiment_id = 0', [
            `${options.defaultArtifactRoot}/0`,
            now,
            now,
          ]);
        } else {
          createSchema({ run: (sql, params) => pool.run(sql, params ?? []) }, now, options.defaultArtifactRoot);
        }
        pool.exec(`PRAGMA application_id = ${RUNLENS_APPLICATION_ID}`);
        pool.exec('COMMIT');
      } catch (e) {
        pool.exec('ROLLBACK');
        throw e;
      }
      const revision = readIdentity(pool).revision;
      if (revision !== SCHEMA_REVISION) throw new StoreOpenError(`The new store has schema revision ${revision}, expected ${SCHEMA_REVISION}.`);
    },
  };
}

function readIdentity(pool: StatementPool): StoreIdentity {
  const pragma = (name: string) => Number(Object.values(pool.get<Record<string, number>>(`PRAGMA ${name}`) ?? {})[0] ?? 0);
  const hasAlembic = pool.get("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'");
  const revision = hasAlembic ? pool.get<{ version_num: string }>('SELECT version_num FROM alembic_version LIMIT 1')?.version_num : undefined;
  return { applicationId: pragma('application_id'), userVersion: pragma('user_version'), revision };
}

function checkHeader(dbPath: string): void {
  const fd = fs.openSync(dbPath, 'r');
  try {
    const header = Buffer.alloc(16);
    const read = fs.readSync(fd, header, 0, 16, 0);
    if (read < 16 || header.toString('latin1') !== SQLITE_MAGIC) {
      throw new StoreOpenError(`${dbPath} is not a SQLite database; Runlens will not open or overwrite it.`);
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** Journals of the engine before this one hold changes that only that version can replay. */
function refuseLegacyJournal(dbPath: string): void {
  const prefix = `${path.basename(dbPath)}.runlens-journal-`;
  const legacy = fs.readdirSync(path.dirname(dbPath)).find((f) => f.startsWith(prefix));
  if (legacy) {
    throw new StoreOpenError(
      `${dbPath} has a journal of an earlier Runlens version (${legacy}) with changes not yet in the file. ` +
        'Start that version once on this store to fold them in (it does so on start), then this version opens it.',
    );
  }
}

/**
 * The file's size, modification time and SQLite's file change counter (header offset 24, bumped by
 * every rollback-journal commit): another program that writes the file between two runs changes it.
 */
export function fileFingerprint(dbPath: string): string {
  const stat = fs.statSync(dbPath, { throwIfNoEntry: false });
  if (!stat) return '';
  const header = Buffer.alloc(28);
  const fd = fs.openSync(dbPath, 'r');
  try {
    fs.readSync(fd, header, 0, 28, 0);
  } finally {
    fs.closeSync(fd);
  }
  return `${stat.size}:${stat.mtimeMs}:${header.readUInt32BE(24)}`;
}
