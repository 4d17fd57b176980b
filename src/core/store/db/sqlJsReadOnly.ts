import type { SqlJsStatic } from 'sql.js';
import { MlflowError } from '../../errors';
import { ReadOnlySource, type LoadedStore } from '../readOnlySource';
import { loadSqlJs } from '../sqlJs';
import { StatementCache } from '../statementCache';
import { readOnlyMessage } from '../storeIdentity';
import type { Params, SqlDatabase, SqlSession } from './database';
import { SQLITE_DIALECT } from './dialect';

export interface ReadOnlyOptions {
  dbPath: string;
  log?: (message: string) => void;
  /** How often the file is polled for changes made by another program (default 1000 ms; 0: not watched). */
  watchIntervalMs?: number;
}

/**
 * A read-only view of a database file that another program (MLflow) writes. The file is read
 * whole into sql.js, so a reader never sees a half-written state: each version is checked before
 * it replaces the previous one (readOnlySource.ts). Writes are refused with PERMISSION_DENIED and
 * nothing is ever written next to the file.
 */
export class SqlJsReadOnlyDatabase implements SqlDatabase {
  readonly dialect = SQLITE_DIALECT;
  readonly readOnly = true;
  readonly soleWriter = false;
  private version = 0;
  private queries: StatementCache;
  private revision: string | undefined;
  private closed = false;
  private source!: ReadOnlySource;

  private constructor(
    loaded: LoadedStore,
    private readonly options: ReadOnlyOptions,
  ) {
    this.queries = new StatementCache(loaded.db);
    this.revision = loaded.revision;
  }

  static async open(options: ReadOnlyOptions): Promise<SqlJsReadOnlyDatabase> {
    const SQL: SqlJsStatic = await loadSqlJs();
    const loaded = await ReadOnlySource.loadInitial(SQL, options.dbPath, options.log);
    const store = new SqlJsReadOnlyDatabase(loaded, options);
    store.source = new ReadOnlySource(SQL, options.dbPath, loaded, (next) => store.swap(next), options.log);
    if (options.watchIntervalMs !== 0) store.source.watch(options.watchIntervalMs);
    return store;
  }

  /** The schema revision of the file, as last read. */
  get readOnlyRevision(): string | undefined {
    return this.revision;
  }

  get generation(): number {
    return this.version;
  }

  async all<T>(sql: string, params?: Params): Promise<T[]> {
    return this.queries.all<T>(sql, params as never);
  }

  async get<T>(sql: string, params?: Params): Promise<T | undefined> {
    return this.queries.get<T>(sql, params as never);
  }

  write<T>(_fn: (session: SqlSession) => Promise<T>): Promise<T> {
    return Promise.reject(this.readOnlyError());
  }

  readOnlyError(): MlflowError {
    return new MlflowError('PERMISSION_DENIED', readOnlyMessage(this.revision));
  }

  assertWritable(): void {
    throw this.readOnlyError();
  }

  /** Re-reads the file if another program changed it. Never throws. */
  refresh(): void {
    if (!this.closed) this.source.refresh();
  }

  private swap(loaded: LoadedStore): void {
    if (this.closed) {
      loaded.db.close();
      return;
    }
    const previous = this.queries;
    this.queries = new StatementCache(loaded.db);
    previous.close();
    if (loaded.revision !== this.revision) {
      this.options.log?.(`${this.options.dbPath} now has schema revision ${loaded.revision} (was ${this.revision}).`);
    }
    this.revision = loaded.revision;
    this.version++;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.source.close();
    this.queries.close();
  }
}
