import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Database, SqlJsStatic, SqlValue } from 'sql.js';
import { MlflowError } from '../errors';
import { JournalWriter } from './journal';
import { loadSqlJs } from './sqlJs';
import { newStoreDatabase } from './emptyStore';
import { StoreOpenError } from './storeOpenError';
import { releaseMemory } from './releaseMemory';
import { readJournals, journalPath, journalsAfter, removeJournal } from './journalFiles';
import { StatementCache, type Params } from './statementCache';
import { openDatabaseBytes, sha256, stampOf, writeFileAtomically, type FileStamp } from './storeFile';
import { checkWritable, readOnlyMessage, RUNLENS_APPLICATION_ID, RUNLENS_FOREIGN_APPLICATION_ID } from './storeIdentity';
import { ReadOnlySource, type LoadedStore } from './readOnlySource';

export type { Params } from './statementCache';

/** The write side of a transaction: every statement run through it is journaled. */
export interface SqlWriter {
  run(sql: string, params?: Params): void;
  /** Rows changed by the last run(). */
  changes(): number;
  get<T>(sql: string, params?: Params): T | undefined;
  all<T>(sql: string, params?: Params): T[];
}

export interface DurableDatabaseOptions {
  dbPath: string;
  /** Artifact root used for the Default experiment of a new store. */
  defaultArtifactRoot: string;
  log?: (message: string) => void;
  /** Snapshot once the journal holds this fraction of the database's size (default 0.5). */
  snapshotFraction?: number;
  /** ...but never for journals smaller than this (default 8 MiB). */
  minSnapshotJournalBytes?: number;
  /**
   * Also write a store that Runlens did not create (storeIdentity.ts) — only at the revision
   * Runlens writes. Without it such a store is refused here (open it with openReadOnly).
   */
  readWrite?: boolean;
}

export interface ReadOnlyOptions {
  dbPath: string;
  log?: (message: string) => void;
  /** How often the file is polled for changes made by another program (default 1000 ms; 0: not watched). */
  watchIntervalMs?: number;
}

/** A read-only database: where it comes from and which revision it has. */
interface ReadOnlyState {
  source: ReadOnlySource;
  revision: string | undefined;
}

/**
 * A sql.js database made durable: every committed transaction is appended to a write-ahead
 * journal and fsynced before write() resolves; the database file on disk is always a complete
 * SQLite database (the last snapshot), replaced atomically.
 *
 * Opened with openReadOnly() it is a read-only view of a file another program writes: write()
 * rejects with PERMISSION_DENIED, nothing is ever written next to the file, and the data is
 * re-read when the file changes (refresh(), and a polling watch).
 */
export class DurableDatabase {
  private queries: StatementCache;
  private journal!: JournalWriter;
  private generation = 0;
  private snapshotBytes = 0;
  private lastWritten: FileStamp | undefined;
  private snapshotting: Promise<void> | undefined;
  private externalChange = false;
  private closed = false;
  /** Journals superseded by a snapshot that has not reached the disk yet. */
  private retired: JournalWriter[] = [];
  private recordingSql: string[] = [];
  private recordingIndex = new Map<string, number>();
  private lastChanges = 0;
  /** A store Runlens did not create, written because of readWrite: it keeps a mark saying so. */
  private foreign = false;
  private readOnlyState: ReadOnlyState | undefined;

  private constructor(
    db: Database,
    private readonly options: DurableDatabaseOptions,
  ) {
    this.queries = new StatementCache(db);
  }

  private get db(): Database {
    return this.queries.db;
  }

  static async open(options: DurableDatabaseOptions): Promise<DurableDatabase> {
    const SQL = await loadSqlJs();
    const { dbPath } = options;
    fs.mkdirSync(path.dirname(dbPath), { recursive: true });
    const stamp = stampOf(dbPath);
    const journals = readJournals(dbPath);

    if (!stamp || stamp.size === 0) {
      if (journals.length > 0) {
        throw new StoreOpenError(
          `${dbPath} is missing, but its journal (${journals[0].path}) holds changes made on top of it. ` +
            'Restore the database file, or delete the journal to start an empty store.',
        );
      }
      const db = newStoreDatabase(SQL, Date.now(), options.defaultArtifactRoot);
      const store = new DurableDatabase(db, options);
      store.applyPragmas();
      await store.writeSnapshot();
      return store;
    }

    const bytes = fs.readFileSync(dbPath);
    const db = openDatabaseBytes(SQL, dbPath, bytes);
    const foreign = checkWritable(db, dbPath, options.readWrite ?? false);
    const store = new DurableDatabase(db, options);
    store.foreign = foreign;
    store.applyPragmas();
    store.generation = Number(db.exec('PRAGMA user_version')[0].values[0][0]);
    store.snapshotBytes = bytes.length;
    store.lastWritten = stamp;
    await store.recover(bytes, journals);
    return store;
  }

  /**
   * Opens a database file read-only: loaded into memory (tables and columns its schema revision
   * lacks are added empty there, see schemaCompletion.ts), never written, no lock, no journal,
   * nothing created next to it. Writes are refused with PERMISSION_DENIED.
   */
  static async openReadOnly(options: ReadOnlyOptions): Promise<DurableDatabase> {
    const SQL: SqlJsStatic = await loadSqlJs();
    const { dbPath, log } = options;
    const loaded = await ReadOnlySource.loadInitial(SQL, dbPath, log);
    const store = new DurableDatabase(loaded.db, { dbPath, defaultArtifactRoot: '', log });
    const source = new ReadOnlySource(SQL, dbPath, loaded, (next) => store.swap(next), log);
    store.readOnlyState = { source, revision: loaded.revision };
    if (options.watchIntervalMs !== 0) source.watch(options.watchIntervalMs);
    return store;
  }

  /** Whether this is a store Runlens did not create, written because of readWrite. */
  get foreignStore(): boolean {
    return this.foreign;
  }

  /** Whether writes are refused (a store opened with openReadOnly). */
  get readOnly(): boolean {
    return this.readOnlyState !== undefined;
  }

  /** The schema revision of a read-only store's file, as last read. */
  get readOnlyRevision(): string | undefined {
    return this.readOnlyState?.revision;
  }

  /** The PERMISSION_DENIED error a write to this read-only store gets. */
  readOnlyError(): MlflowError {
    return new MlflowError('PERMISSION_DENIED', readOnlyMessage(this.readOnlyState?.revision));
  }

  /** Throws PERMISSION_DENIED when the store is read-only (for writes that do not go through write()). */
  assertWritable(): void {
    if (this.readOnlyState) throw this.readOnlyError();
  }

  /** A read-only store re-reads its file if another program changed it; a no-op otherwise. Never throws. */
  refresh(): void {
    if (!this.closed) this.readOnlyState?.source.refresh();
  }

  private swap(loaded: LoadedStore): void {
    if (this.closed || !this.readOnlyState) {
      loaded.db.close();
      return;
    }
    const previous = this.queries;
    this.queries = new StatementCache(loaded.db);
    previous.close();
    if (loaded.revision !== this.readOnlyState.revision) {
      this.log(`${this.options.dbPath} now has schema revision ${loaded.revision} (was ${this.readOnlyState.revision}).`);
    }
    this.readOnlyState.revision = loaded.revision;
  }

  /** Replays the journals that follow the snapshot just loaded. */
  private async recover(snapshot: Buffer, journals: ReturnType<typeof readJournals>): Promise<void> {
    const { dbPath } = this.options;
    const { current, stale, pendingRecords } = journalsAfter(dbPath, snapshot, this.generation, journals, (m) => this.log(m));
    const own = current[0];
    for (const journal of current) {
      for (const record of journal.records) this.replay(record);
      if (journal.tornTail) this.log(`Cut a torn record at the end of ${journal.path}.`);
    }
    for (const journal of stale) removeJournal(journal.path);
    if (pendingRecords > 0 || current.length > 1) {
      this.log(`Replayed ${pendingRecords} journaled transactions.`);
      for (const journal of current) removeJournal(journal.path);
      await this.writeSnapshot();
      return;
    }
    if (own) {
      this.journal = await JournalWriter.reopen(own.path, own.header, own.validLength);
    } else {
      this.journal = JournalWriter.create(journalPath(dbPath, this.generation), {
        generation: this.generation,
        snapshotSize: snapshot.length,
        snapshotSha256: sha256(snapshot),
      });
    }
  }

  /**
   * Foreign keys as MLflow enforces them. SQLite's own rollback journal stays in memory: the
   * database lives in memory and durability comes from our journal, so a file journal would only
   * cost time.
   */
  private applyPragmas(): void {
    this.db.run('PRAGMA foreign_keys = ON');
    this.db.run('PRAGMA journal_mode = MEMORY');
    this.db.run('PRAGMA synchronous = OFF');
    this.db.run('PRAGMA locking_mode = EXCLUSIVE');
  }

  private control(sql: 'BEGIN' | 'COMMIT' | 'ROLLBACK'): void {
    const stmt = this.queries.statement(sql);
    stmt.step();
    stmt.reset();
  }

  /** Reads rows as objects keyed by column name. */
  all<T>(sql: string, params: Params = []): T[] {
    return this.queries.all<T>(sql, params);
  }

  /** Reads rows as arrays of column values (cheaper for large results). */
  rows(sql: string, params: Params = []): SqlValue[][] {
    return this.queries.rows(sql, params);
  }

  get<T>(sql: string, params: Params = []): T | undefined {
    return this.queries.get<T>(sql, params);
  }

  private execute(sql: string, params: Params): void {
    this.lastChanges = this.queries.run(sql, params);
  }

  /**
   * Runs fn in one transaction. Its writes are visible at once to readers in this process and
   * the returned promise resolves once they are durable on disk. A throw rolls everything back.
   * A read-only store rejects with PERMISSION_DENIED without running fn.
   */
  write<T>(fn: (w: SqlWriter) => T): Promise<T> {
    if (this.readOnlyState) return Promise.reject(this.readOnlyError());
    if (this.closed) return Promise.reject(new Error('The store is closed.'));
    const recorded: Array<[number, Params]> = [];
    this.recordingSql = [];
    this.recordingIndex = new Map();
    const writer: SqlWriter = {
      run: (sql, params = []) => {
        this.execute(sql, params);
        let index = this.recordingIndex.get(sql);
        if (index === undefined) {
          index = this.recordingSql.push(sql) - 1;
          this.recordingIndex.set(sql, index);
        }
        recorded.push([index, params]);
      },
      changes: () => this.lastChanges,
      get: (sql, params) => this.get(sql, params),
      all: (sql, params) => this.all(sql, params),
    };
    let result: T;
    this.control('BEGIN');
    try {
      result = fn(writer);
      this.control('COMMIT');
    } catch (e) {
      this.control('ROLLBACK');
      return Promise.reject(e);
    }
    if (recorded.length === 0) return Promise.resolve(result);
    const payload = Buffer.from(JSON.stringify({ q: this.recordingSql, r: recorded }));
    const durable = this.journal.append(payload);
    this.maybeSnapshot();
    return durable.then(() => result);
  }

  private replay(record: Buffer): void {
    const { q, r } = JSON.parse(record.toString('utf8')) as { q: string[]; r: Array<[number, Params]> };
    this.control('BEGIN');
    try {
      for (const [index, params] of r) this.execute(q[index], params);
      this.control('COMMIT');
    } catch (e) {
      this.control('ROLLBACK');
      throw new StoreOpenError(`A journaled transaction could not be replayed: ${(e as Error).message}`);
    }
  }

  private maybeSnapshot(): void {
    const fraction = this.options.snapshotFraction ?? 0.5;
    const floor = this.options.minSnapshotJournalBytes ?? 8 * 1024 * 1024;
    const threshold = Math.max(floor, this.snapshotBytes * fraction);
    if (this.snapshotting || this.externalChange || this.journal.recordBytes < threshold) return;
    this.snapshotting = this.writeSnapshot()
      .catch((e: Error) => this.log(`Snapshot failed; changes stay in the journal: ${e.message}`))
      .finally(() => {
        this.snapshotting = undefined;
      });
  }

  /**
   * Exports the database as the next generation, switches appends to a new journal for that
   * generation, then replaces the database file atomically and drops the old journal.
   */
  private async writeSnapshot(): Promise<void> {
    const { dbPath } = this.options;
    const onDisk = stampOf(dbPath);
    if (this.lastWritten && onDisk && (onDisk.size !== this.lastWritten.size || onDisk.mtimeMs !== this.lastWritten.mtimeMs)) {
      this.externalChange = true;
      throw new Error(
        `${dbPath} was changed by another program while Runlens was running; Runlens will not overwrite it ` +
          'and keeps every change in its journal.',
      );
    }
    const previous = this.journal as JournalWriter | undefined;
    if (previous) this.retired.push(previous);
    const generation = this.generation + 1;
    this.db.run(`PRAGMA user_version = ${generation}`);
    // Marks who created the store (storeIdentity.ts); stores from before the mark get it here.
    this.db.run(`PRAGMA application_id = ${this.foreign ? RUNLENS_FOREIGN_APPLICATION_ID : RUNLENS_APPLICATION_ID}`);
    const exported = this.db.export();
    const bytes = Buffer.from(exported.buffer, exported.byteOffset, exported.byteLength);
    this.applyPragmas();
    const digest = sha256(bytes);
    this.generation = generation;
    // Records committed from here on go to the next generation's journal, created with its
    // first record; until the new snapshot is in place the older journals stay, and replay on
    // start applies them all in order.
    this.journal = JournalWriter.create(journalPath(dbPath, generation), {
      generation,
      snapshotSize: bytes.length,
      snapshotSha256: digest,
    });

    await writeFileAtomically(dbPath, bytes, `${dbPath}.runlens-snapshot-${process.pid}.tmp`);
    this.lastWritten = stampOf(dbPath);
    this.snapshotBytes = bytes.length;
    const retired = this.retired;
    this.retired = [];
    for (const journal of retired) {
      await journal.close().catch(() => undefined);
      removeJournal(journal.path);
    }
    if (bytes.length > 4 * 1024 * 1024) setImmediate(releaseMemory);
  }

  /** Writes a final snapshot when there are journaled changes, then closes. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.readOnlyState) {
      this.readOnlyState.source.close();
      this.queries.close();
      return;
    }
    await this.snapshotting;
    await this.journal.drain();
    if (this.journal.recordBytes > 0 && !this.externalChange) {
      await this.writeSnapshot().catch((e: Error) => this.log(`Final snapshot failed; changes stay in the journal: ${e.message}`));
    }
    await this.journal.close();
    if (this.journal.recordBytes === 0) removeJournal(this.journal.path);
    this.queries.close();
  }

  private log(message: string): void {
    this.options.log?.(message);
  }
}
