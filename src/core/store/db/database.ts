import type { MlflowError } from '../../errors';
import type { Dialect } from './dialect';

/**
 * The one database interface the tables' code runs on (store/sql/), whatever engine is behind it:
 * the file-backed SQLite engine (sqliteFile.ts), the read-only reader of MLflow's own files
 * (sqlJsReadOnly.ts), and later a pooled PostgreSQL engine. It is asynchronous so that a network
 * database plugs in; the SQLite engines answer synchronously inside.
 *
 * SQL is written once with `?` placeholders and standard SQL; what differs per database lives in
 * the dialect (dialect.ts).
 */

export type SqlValue = number | bigint | string | Uint8Array | null;
export type Params = readonly SqlValue[];

/** Reads, inside or outside a transaction. */
export interface SqlReader {
  /** Every row, as objects keyed by column name. */
  all<T>(sql: string, params?: Params): Promise<T[]>;
  /** The first row, or undefined. */
  get<T>(sql: string, params?: Params): Promise<T | undefined>;
}

/** The statements of one transaction. */
export interface SqlSession extends SqlReader {
  /** Runs a statement and returns the number of rows it changed. */
  run(sql: string, params?: Params): Promise<number>;
}

export interface SqlDatabase extends SqlReader {
  readonly dialect: Dialect;
  /** Writes are refused with PERMISSION_DENIED (a store opened read-only). */
  readonly readOnly: boolean;
  /**
   * Runs fn in one transaction: committed and durable when the promise resolves, rolled back
   * when fn throws. Transactions never interleave. Reads inside fn must go through its session,
   * not through the database (they would not see the transaction's own writes on every engine).
   * An engine may run fn again when the database asks for a retry (a serialization failure), so
   * fn has no effects outside its session.
   */
  write<T>(fn: (session: SqlSession) => Promise<T>): Promise<T>;
  /** The PERMISSION_DENIED error a write to a read-only store gets. */
  readOnlyError(): MlflowError;
  /** Throws when writes are refused. */
  assertWritable(): void;
  /** A read-only view of a file another program writes picks up its changes; a no-op otherwise. */
  refresh(): void;
  /**
   * A number that changes whenever the data may have changed under this process's feet (a
   * read-only file re-read); caches of derived data compare it. Writes made through write() do
   * not change it: callers invalidate what they write.
   */
  readonly generation: number;
  /** Whether this process is the only writer, so caches of derived data stay valid between writes. */
  readonly soleWriter: boolean;
  /**
   * Where caches of derived data may be kept across restarts (a file path), and fingerprints of the
   * data as it was found when opened and as it was left by close(): when a new open finds the
   * fingerprint a clean close left, nothing changed the data in between. Undefined where caches
   * cannot outlive the process.
   */
  readonly persistence?: { cacheFile: string; openedAs: string; closedAs?: string };
  close(): Promise<void>;
}
