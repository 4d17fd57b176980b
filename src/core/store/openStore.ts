import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SqlDatabase } from './db/database';
import { SqliteFileDatabase } from './db/sqliteFile';
import { SqlJsReadOnlyDatabase } from './db/sqlJsReadOnly';
import { SCHEMA_REVISION } from './schema';
import { describeOrigin, readHeaderMarks, RUNLENS_APPLICATION_ID } from './storeIdentity';
import { StoreLock } from './storeLock';
import { ForeignStoreError } from './storeOpenError';

/**
 * Opens a local SQLite store the way its origin calls for (storeIdentity.ts):
 * - a new store, or one Runlens created: read-write, holding the store's lock;
 * - a store written by MLflow: read-only — in memory, re-read when MLflow changes it, with
 *   nothing written next to it — unless readWrite is set; then it is written like ours
 *   (lock included), but only at the schema revision Runlens writes.
 */

export interface OpenStoreOptions {
  dbPath: string;
  /** Artifact root of the Default experiment of a new store. */
  defaultArtifactRoot: string;
  log?: (message: string) => void;
  /** Write a store Runlens did not create (only at the revision Runlens writes). */
  readWrite?: boolean;
  /** Polling interval of a read-only store's file (default 1000 ms; 0: not watched). */
  watchIntervalMs?: number;
}

export interface StoreAccess {
  readOnly: boolean;
  /** How and why the store was opened, for the user. */
  description: string;
}

export interface OpenedStore {
  db: SqlDatabase;
  /** Held while the store is open read-write; release it after closing db. */
  lock?: StoreLock;
  access: StoreAccess;
}

type Peek = 'new' | 'ours' | 'foreign';

/** What the file's header says, without loading it. A file that is not SQLite goes the writable way, to be refused there. */
function peek(dbPath: string): Peek {
  const stat = fs.statSync(dbPath, { throwIfNoEntry: false });
  if (!stat || stat.size === 0) return 'new';
  const marks = readHeaderMarks(dbPath);
  if (!marks) return 'ours';
  // A store from before the application_id mark (user_version > 0) is only ours at our revision:
  // SqliteFileDatabase.open checks that, and a ForeignStoreError sends it the read-only way.
  if (marks.applicationId === RUNLENS_APPLICATION_ID || (marks.applicationId === 0 && marks.userVersion > 0)) return 'ours';
  return 'foreign';
}

async function openReadOnly(options: OpenStoreOptions): Promise<OpenedStore> {
  const { dbPath } = options;
  const db = await SqlJsReadOnlyDatabase.open({ dbPath, log: options.log, watchIntervalMs: options.watchIntervalMs });
  const description =
    `Opened ${dbPath} read-only: ${describeOrigin(db.readOnlyRevision)}. Writes are refused; start Runlens with ` +
    '--read-write to change it, or copy it into a Runlens store. Changes MLflow makes to the file are picked up.';
  return { db, access: { readOnly: true, description } };
}

export async function openStore(options: OpenStoreOptions): Promise<OpenedStore> {
  const dbPath = path.resolve(options.dbPath);
  const resolved = { ...options, dbPath };
  const kind = peek(dbPath);
  if (kind === 'foreign' && !options.readWrite) return openReadOnly(resolved);
  fs.mkdirSync(path.dirname(dbPath), { recursive: true });
  const lock = StoreLock.acquire(`${dbPath}.runlens-lock`);
  let db: SqliteFileDatabase;
  try {
    db = await SqliteFileDatabase.open({ dbPath, defaultArtifactRoot: options.defaultArtifactRoot, log: options.log, readWrite: options.readWrite });
  } catch (e) {
    lock.release();
    if (e instanceof ForeignStoreError && !options.readWrite) return openReadOnly(resolved);
    throw e;
  }
  const description = db.foreignStore
    ? `Opened ${dbPath} read-write because of --read-write, although ${describeOrigin(SCHEMA_REVISION)}. ` +
      'Do not let MLflow write it at the same time.'
    : kind === 'new'
      ? `Created a new Runlens store at ${dbPath} (read-write).`
      : `Opened the Runlens store ${dbPath} read-write.`;
  return { db, lock, access: { readOnly: false, description } };
}
