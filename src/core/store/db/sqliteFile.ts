import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Database } from 'node-sqlite3-wasm';
import { MlflowError } from '../../errors';
import { RUNLENS_INDEX_STATEMENTS } from '../runlensIndexes';
import { StoreOpenError } from '../storeOpenError';
import type { Params, SqlDatabase, SqlSession } from './database';
import { SQLITE_DIALECT } from './dialect';
import { ForeignAccessGuard } from './foreignAccess';
import { fileFingerprint, prepareStoreFile, type PreparedFile } from './sqliteFileSetup';
import { sqliteWasm } from './sqliteWasm';
import { StatementPool } from './statementPool';
import { GroupCommit } from './groupCommit';

export interface SqliteFileOptions {
  dbPath: string;
  /** Artifact root of the Default experiment of a new store. */
  defaultArtifactRoot: string;
  log?: (message: string) => void;
  /** Also write a store Runlens did not create — only at the revision Runlens writes. */
  readWrite?: boolean;
  /** Where the prebuilt empty store is (default: beside the bundle). */
  imageDir?: string;
}

/** Pages in the WAL before it is checkpointed into the database (SQLite's default is 1000). */
const AUTOCHECKPOINT_PAGES = 1000;
/** SQLite's page cache, in KiB (negative cache_size). */
const CACHE_KIB = 8 * 1024;

/**
 * MLflow's schema in a SQLite file, paged from disk by SQLite itself (node-sqlite3-wasm):
 * nothing is held in memory beyond SQLite's page cache.
 *
 * Durability is SQLite's: WAL mode with synchronous=FULL, so a commit is fsynced before write()
 * resolves (transactions that arrive together share one commit: groupCommit.ts), and a crash is
 * recovered from the WAL on the next open. The lock is kept in the
 * process (locking_mode=EXCLUSIVE) because the wasm VFS has no shared memory; one writer per
 * store is the caller's StoreLock. On close the WAL is checkpointed and the file goes back to
 * rollback-journal mode: a plain SQLite database with no side files, as MLflow expects it.
 */
export class SqliteFileDatabase implements SqlDatabase {
  readonly dialect = SQLITE_DIALECT;
  readonly readOnly = false;
  /** Bumped when another program changed the file under this connection (see checkForeignAccess). */
  generation = 0;
  readonly soleWriter = true;
  readonly persistence: { cacheFile: string; openedAs: string; closedAs?: string };
  private readonly commits = new GroupCommit({
    session: this.sessionOf(),
    // The group's control statements (BEGIN, SAVEPOINT, RELEASE, COMMIT) are prepared once, not parsed per request.
    exec: (sql) => void this.pool.run(sql),
    inTransaction: () => this.pool.db.inTransaction,
    beforeGroup: () => {
      this.assertOpen();
      this.checkForeignAccess();
    },
    afterCommit: () => this.guard.noteWal(),
  });
  private readonly guard: ForeignAccessGuard;
  private closed = false;

  private constructor(
    private pool: StatementPool,
    private readonly options: SqliteFileOptions,
    readonly file: PreparedFile,
  ) {
    this.guard = new ForeignAccessGuard(options.dbPath);
    this.persistence = { cacheFile: `${options.dbPath}.runlens-cache.json`, openedAs: file.fingerprint };
  }

  /** Opens (or creates) a store for writing; the caller holds the store's lock. */
  static async open(options: SqliteFileOptions): Promise<SqliteFileDatabase> {
    const dbPath = path.resolve(options.dbPath);
    const file = prepareStoreFile(dbPath, options);
    const db = connect(dbPath);
    const pool = new StatementPool(db);
    try {
      file.check(pool);
      enterWalMode(db, dbPath);
      file.initialize(pool);
    } catch (e) {
      pool.clear();
      db.close();
      throw e;
    }
    const store = new SqliteFileDatabase(pool, { ...options, dbPath }, file);
    store.ensureRunlensIndexes();
    return store;
  }

  /** Whether this is a store Runlens did not create, written because of readWrite. */
  get foreignStore(): boolean {
    return this.file.foreign;
  }

  private sessionOf(): SqlSession {
    return {
      all: async (sql, params) => this.pool.all(sql, params),
      get: async (sql, params) => this.pool.get(sql, params),
      run: async (sql, params) => this.pool.run(sql, params),
    };
  }

  async all<T>(sql: string, params?: Params): Promise<T[]> {
    this.assertOpen();
    return this.pool.all<T>(sql, params);
  }

  async get<T>(sql: string, params?: Params): Promise<T | undefined> {
    this.assertOpen();
    return this.pool.get<T>(sql, params);
  }

  write<T>(fn: (session: SqlSession) => Promise<T>): Promise<T> {
    return this.commits.submit(fn);
  }

  readOnlyError(): MlflowError {
    return new MlflowError('PERMISSION_DENIED', 'This store is read-only.');
  }

  assertWritable(): void {}

  refresh(): void {}

  private assertOpen(): void {
    if (this.closed) throw new MlflowError('TEMPORARILY_UNAVAILABLE', 'The store is closed.');
  }

  /**
   * Another SQLite program has the file open: refuse to write until it is gone. When it has
   * checkpointed and removed the WAL this connection wrote, the connection's view is stale: it is
   * abandoned unclosed (closing would checkpoint old frames over the other program's pages) and
   * the file opened anew.
   */
  private checkForeignAccess(): void {
    const verdict = this.guard.check();
    if (verdict === 'ok') return;
    if (verdict === 'foreign-open') {
      throw new MlflowError(
        'TEMPORARILY_UNAVAILABLE',
        `Another program has ${this.options.dbPath} open (its ${path.basename(this.options.dbPath)}-shm file exists). ` +
          'Runlens does not write while another SQLite client uses the store: close it (mlflow, sqlite3…) and try again.',
      );
    }
    this.log(`${this.options.dbPath} was checkpointed by another program; reopening it.`);
    this.abandon();
    const db = connect(this.options.dbPath);
    enterWalMode(db, this.options.dbPath);
    this.pool = new StatementPool(db);
    this.guard.reset();
    this.generation++;
  }

  private ensureRunlensIndexes(): void {
    const started = Date.now();
    const missing = RUNLENS_INDEX_STATEMENTS.filter(
      (s) => !this.pool.get("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?", [indexName(s)]),
    );
    if (missing.length === 0) return;
    this.pool.exec('BEGIN IMMEDIATE');
    try {
      for (const statement of missing) this.pool.exec(statement);
      this.pool.exec('COMMIT');
    } catch (e) {
      this.pool.exec('ROLLBACK');
      throw e;
    }
    const took = Date.now() - started;
    if (took > 100) this.log(`Added ${missing.map(indexName).join(', ')} to ${this.options.dbPath} in ${took} ms.`);
  }

  /** Drops the connection without closing it (no checkpoint) and releases SQLite's lock folder. */
  private abandon(): void {
    fs.rmSync(`${this.options.dbPath}.lock`, { recursive: true, force: true });
  }

  /** Checkpoints the WAL into the file, leaves WAL mode and closes. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.commits.idle();
    this.closed = true;
    const db = this.pool.db;
    this.pool.clear();
    try {
      if (this.guard.check() === 'ok') {
        db.exec('PRAGMA wal_checkpoint(TRUNCATE)');
        db.get('PRAGMA journal_mode = DELETE');
      }
    } catch (e) {
      this.log(`Could not checkpoint ${this.options.dbPath} on close (${(e as Error).message}); SQLite recovers it from the WAL on the next open.`);
    } finally {
      db.close();
    }
    this.persistence.closedAs = fileFingerprint(this.options.dbPath);
  }

  private readonly log = (message: string): void => {
    this.options.log?.(message);
  };
}

function indexName(statement: string): string {
  return /CREATE INDEX (?:IF NOT EXISTS )?(\w+)/i.exec(statement)![1];
}

/** A connection holding SQLite's lock for as long as it is open (see the class comment). */
function connect(dbPath: string): Database {
  fs.rmSync(`${dbPath}.lock`, { recursive: true, force: true });
  ForeignAccessGuard.removeStaleShm(dbPath);
  const { Database } = sqliteWasm();
  let db: Database;
  try {
    db = new Database(dbPath, { fileMustExist: true });
  } catch (e) {
    throw new StoreOpenError(`Could not open ${dbPath}: ${(e as Error).message}`);
  }
  db.exec('PRAGMA locking_mode = EXCLUSIVE');
  return db;
}

/** WAL with fsync at every commit; the pragmas the engine relies on. */
function enterWalMode(db: Database, dbPath: string): void {
  try {
    const mode = (db.get('PRAGMA journal_mode = WAL') as { journal_mode?: string } | null)?.journal_mode;
    if (mode !== 'wal') throw new Error(`journal_mode is ${mode}`);
    db.exec('PRAGMA synchronous = FULL');
    db.exec('PRAGMA foreign_keys = ON');
    db.exec(`PRAGMA cache_size = -${CACHE_KIB}`);
    // Sorts and statement journals stay in memory: the wasm VFS has no anonymous temporary files.
    db.exec('PRAGMA temp_store = MEMORY');
    db.exec(`PRAGMA wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
  } catch (e) {
    throw new StoreOpenError(`${dbPath} could not be opened for writing: ${(e as Error).message}`);
  }
}
