import * as fs from 'node:fs';
import type { Database, SqlJsStatic } from 'sql.js';
import { completeSchema, describeCompletion } from './schemaCompletion';
import { readSchemaRevision } from './schemaInspect';
import { openDatabaseBytes, readStableFile, sameStamp, stampOf, StoreBusyError, hasWal, type FileStamp } from './storeFile';
import { StoreOpenError } from './storeOpenError';

/** One version of a read-only store, loaded into memory. */
export interface LoadedStore {
  db: Database;
  stamp: FileStamp;
  revision: string | undefined;
  /** Tables and columns the file's revision lacks, added empty in memory (schemaCompletion.ts). */
  added: string[];
}

type Log = (message: string) => void;

/** When a failed reload is tried again; doubled (up to MAX_RETRY_MS) while the file stays the same. */
const RETRY_MS = 500;
const MAX_RETRY_MS = 30_000;
/** Reloads take at most about 1/LOAD_SHARE of the time while the file keeps changing (large stores load slowly). */
const LOAD_SHARE = 5;
/** How long the first load waits for a file that is being written. */
const OPEN_PATIENCE_MS = 3000;

/** Loads the file as it is now; throws StoreBusyError (try later) or StoreOpenError. */
export function loadReadOnly(SQL: SqlJsStatic, dbPath: string, options: { ignoreHotJournal?: boolean } = {}): LoadedStore {
  const { bytes, stamp } = readStableFile(dbPath, options);
  const db = openDatabaseBytes(SQL, dbPath, bytes);
  try {
    const revision = readSchemaRevision(db);
    const tables = new Set((db.exec("SELECT name FROM sqlite_master WHERE type = 'table'")[0]?.values ?? []).map((r) => String(r[0])));
    if (revision === undefined || !tables.has('experiments') || !tables.has('runs')) {
      throw new StoreOpenError(`${dbPath} is not an MLflow tracking database (no alembic_version, experiments or runs table).`);
    }
    const added = completeSchema(SQL, db);
    db.run('PRAGMA query_only = ON');
    return { db, stamp, revision, added };
  } catch (e) {
    db.close();
    throw e;
  }
}

/**
 * Follows a database file that another program (MLflow) writes: checked before each request and
 * on a polling watch, a changed file (size or mtime) is loaded into a new sql.js database that
 * replaces the previous one. A load that fails — the file is mid-write, truncated, damaged — keeps
 * the previous data and is retried shortly; nothing here throws or writes to the disk. While the
 * file keeps changing, reloads are spaced so that loading a large store does not take over.
 */
export class ReadOnlySource {
  private current: FileStamp;
  private failed: { stamp: FileStamp | undefined; at: number; message: string; delay: number } | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private debounceTimer: NodeJS.Timeout | undefined;
  private watching = false;
  private closed = false;
  private lastLoad = { at: 0, durationMs: 0 };
  /** Reloads are logged at most once a minute (MLflow may change the file with every logged metric). */
  private reloadLog = { at: 0, unlogged: 0 };

  constructor(
    private readonly SQL: SqlJsStatic,
    readonly dbPath: string,
    loaded: LoadedStore,
    private readonly onLoad: (loaded: LoadedStore) => void,
    private readonly log: Log = () => undefined,
  ) {
    this.current = loaded.stamp;
  }

  /** The first load, waiting a little for a file that is being written. */
  static async loadInitial(SQL: SqlJsStatic, dbPath: string, log: Log = () => undefined): Promise<LoadedStore> {
    const deadline = Date.now() + OPEN_PATIENCE_MS;
    for (;;) {
      try {
        const loaded = loadReadOnly(SQL, dbPath, { ignoreHotJournal: Date.now() >= deadline });
        if (hasWal(dbPath)) log(`${dbPath} has a write-ahead log; changes not yet checkpointed into the file are not shown.`);
        if (loaded.added.length > 0) {
          log(`Schema revision ${loaded.revision} predates parts of MLflow's current schema; shown empty: ${describeCompletion(loaded.added)}.`);
        }
        return loaded;
      } catch (e) {
        if (!(e instanceof StoreBusyError)) throw e;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }

  /** Reloads when the file changed since the last load. Never throws. */
  refresh(): void {
    if (this.closed) return;
    const now = stampOf(this.dbPath);
    if (now === undefined || sameStamp(now, this.current)) return;
    if (this.failed && sameStamp(this.failed.stamp, now) && Date.now() - this.failed.at < this.failed.delay) return;
    const wait = this.lastLoad.at + this.lastLoad.durationMs * LOAD_SHARE - Date.now();
    if (wait > 0) {
      this.scheduleRetry(wait);
      return;
    }
    const started = Date.now();
    let loaded: LoadedStore;
    try {
      loaded = loadReadOnly(this.SQL, this.dbPath);
      this.lastLoad = { at: Date.now(), durationMs: Date.now() - started };
    } catch (e) {
      const message = (e as Error).message;
      if (this.failed?.message !== message) this.log(`Could not re-read ${this.dbPath} yet (${message}); keeping the data read before and trying again.`);
      const stamp = stampOf(this.dbPath);
      const delay = this.failed && sameStamp(this.failed.stamp, stamp) ? Math.min(this.failed.delay * 2, MAX_RETRY_MS) : RETRY_MS;
      this.failed = { stamp, at: Date.now(), message, delay };
      this.scheduleRetry(delay);
      return;
    }
    this.failed = undefined;
    this.current = loaded.stamp;
    try {
      this.onLoad(loaded);
    } catch (e) {
      loaded.db.close();
      this.log(`Could not switch to the re-read ${this.dbPath}: ${(e as Error).message}`);
      return;
    }
    this.reloadLog.unlogged++;
    if (Date.now() - this.reloadLog.at >= 60_000) {
      const times = this.reloadLog.unlogged > 1 ? ` (${this.reloadLog.unlogged} times since the last message)` : '';
      this.log(`Re-read ${this.dbPath}: it was changed by another program${times}.`);
      this.reloadLog = { at: Date.now(), unlogged: 0 };
    }
  }

  /** Polls the file for changes (fs.watchFile: also sees a file replaced by rename), debounced. */
  watch(intervalMs = 1000): void {
    if (this.watching || this.closed) return;
    this.watching = true;
    fs.watchFile(this.dbPath, { interval: intervalMs, persistent: false }, this.onWatch);
  }

  private readonly onWatch = (): void => {
    if (this.closed) return;
    clearTimeout(this.debounceTimer);
    this.debounceTimer = setTimeout(() => this.refresh(), 100);
    this.debounceTimer.unref();
  };

  private scheduleRetry(delay: number): void {
    if (this.retryTimer || this.closed) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.refresh();
    }, delay);
    this.retryTimer.unref();
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.retryTimer);
    clearTimeout(this.debounceTimer);
    if (this.watching) fs.unwatchFile(this.dbPath, this.onWatch);
  }
}
