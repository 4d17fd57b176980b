import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Database, SqlValue, Statement } from 'sql.js';
import { JournalWriter } from './journal';
import { loadSqlJs } from './sqlJs';
import { SCHEMA_REVISION } from './schema';
import { newStoreDatabase } from './emptyStore';
import { readSchemaRevision } from './schemaInspect';
import { StoreOpenError } from './storeOpenError';
import { releaseMemory } from './releaseMemory';
import { readJournals, journalPath, removeJournal } from './journalFiles';

export type Params = SqlValue[];

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
}

interface FileStamp {
  size: number;
  mtimeMs: number;
}

const SQLITE_MAGIC = 'SQLite format 3\u0000';

function sha256(bytes: Uint8Array): Buffer {
  return createHash('sha256').update(bytes).digest();
}

function stampOf(file: string): FileStamp | undefined {
  const stat = fs.statSync(file, { throwIfNoEntry: false });
  return stat ? { size: stat.size, mtimeMs: stat.mtimeMs } : undefined;
}

function fsyncDir(dir: string): void {
  try {
    const fd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    // Some platforms cannot fsync a directory; the rename is still atomic there.
  }
}

/**
 * A sql.js database made durable: every committed transaction is appended to a write-ahead
 * journal and fsynced before write() resolves; the database file on disk is always a complete
 * SQLite database (the last snapshot), replaced atomically.
 */
export class DurableDatabase {
  private readonly statements = new Map<string, Statement>();
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

  private constructor(
    private readonly db: Database,
    private readonly options: DurableDatabaseOptions,
  ) {}

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
    if (bytes.subarray(0, 16).toString('latin1') !== SQLITE_MAGIC) {
      throw new StoreOpenError(`${dbPath} is not a SQLite database; Runlens will not open or overwrite it.`);
    }
    let db: Database;
    try {
      db = new SQL.Database(bytes);
      const check = db.exec('PRAGMA quick_check');
      const verdict = String(check[0]?.values[0]?.[0] ?? '');
      if (verdict !== 'ok') throw new Error(verdict);
    } catch (e) {
      throw new StoreOpenError(`${dbPath} is a damaged SQLite database (${(e as Error).message}); Runlens will not overwrite it.`);
    }
    const revision = readSchemaRevision(db);
    if (revision !== SCHEMA_REVISION) {
      db.close();
      throw new StoreOpenError(
        revision
          ? `${dbPath} has MLflow schema revision ${revision}; Runlens writes revision ${SCHEMA_REVISION} (MLflow 3.5/3.6). ` +
              'Upgrade it with `mlflow db upgrade`, or open it read-only.'
          : `${dbPath} is not an MLflow tracking database (no alembic_version table).`,
      );
    }

    const store = new DurableDatabase(db, options);
    store.applyPragmas();
    store.generation = Number(db.exec('PRAGMA user_version')[0].values[0][0]);
    store.snapshotBytes = bytes.length;
    store.lastWritten = stamp;
    await store.recover(bytes, journals);
    return store;
  }

  /** Replays the journals that follow the snapshot just loaded. */
  private async recover(snapshot: Buffer, journals: ReturnType<typeof readJournals>): Promise<void> {
    const { dbPath } = this.options;
    const stale = journals.filter((j) => j.header.generation < this.generation);
    const current = journals.filter((j) => j.header.generation >= this.generation);
    if (current.length > 0 && current[0].header.generation !== this.generation) {
      throw new StoreOpenError(
        `${dbPath} is older than its journal (snapshot generation ${this.generation}, journal ${current[0].header.generation}): ` +
          'the database file was replaced by an older copy. Runlens will not overwrite it.',
      );
    }
    const own = current[0];
    const pendingRecords = current.reduce((n, j) => n + j.records.length, 0);
    if (own) {
      const matches = own.header.snapshotSize === snapshot.length && own.header.snapshotSha256.equals(sha256(snapshot));
      if (!matches && pendingRecords > 0) {
        throw new StoreOpenError(
          `${dbPath} was changed by another program since Runlens last wrote it, and Runlens' journal holds ` +
            `${pendingRecords} acknowledged changes made on top of the earlier version. Runlens will not overwrite either; ` +
            'move the database away to keep the other program\'s version, or restore the earlier file to recover the journal.',
        );
      }
      if (!matches) this.log(`${dbPath} was changed by another program while Runlens was stopped; using it as it is.`);
    }
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
    const stmt = this.statement(sql);
    stmt.step();
    stmt.reset();
  }

  private statement(sql: string): Statement {
    let stmt = this.statements.get(sql);
    if (!stmt) {
      stmt = this.db.prepare(sql);
      this.statements.set(sql, stmt);
    }
    return stmt;
  }

  /** Reads rows as objects keyed by column name. */
  all<T>(sql: string, params: Params = []): T[] {
    const stmt = this.statement(sql);
    try {
      stmt.bind(params);
      const rows: T[] = [];
      while (stmt.step()) rows.push(stmt.getAsObject() as T);
      return rows;
    } finally {
      stmt.reset();
    }
  }

  /** Reads rows as arrays of column values (cheaper for large results). */
  rows(sql: string, params: Params = []): SqlValue[][] {
    const stmt = this.statement(sql);
    try {
      stmt.bind(params);
      const rows: SqlValue[][] = [];
      while (stmt.step()) rows.push(stmt.get());
      return rows;
    } finally {
      stmt.reset();
    }
  }

  get<T>(sql: string, params: Params = []): T | undefined {
    const stmt = this.statement(sql);
    try {
      stmt.bind(params);
      return stmt.step() ? (stmt.getAsObject() as T) : undefined;
    } finally {
      stmt.reset();
    }
  }

  private execute(sql: string, params: Params): void {
    const stmt = this.statement(sql);
    try {
      stmt.run(params);
    } finally {
      stmt.reset();
    }
    this.lastChanges = this.db.getRowsModified();
  }

  /**
   * Runs fn in one transaction. Its writes are visible at once to readers in this process and
   * the returned promise resolves once they are durable on disk. A throw rolls everything back.
   */
  write<T>(fn: (w: SqlWriter) => T): Promise<T> {
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

    const tmp = `${dbPath}.runlens-snapshot-${process.pid}.tmp`;
    const handle = await fs.promises.open(tmp, 'w');
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.promises.rename(tmp, dbPath);
    fsyncDir(path.dirname(dbPath));
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
    await this.snapshotting;
    await this.journal.drain();
    if (this.journal.recordBytes > 0 && !this.externalChange) {
      await this.writeSnapshot().catch((e: Error) => this.log(`Final snapshot failed; changes stay in the journal: ${e.message}`));
    }
    await this.journal.close();
    if (this.journal.recordBytes === 0) removeJournal(this.journal.path);
    for (const stmt of this.statements.values()) stmt.free();
    this.statements.clear();
    this.db.close();
  }

  private log(message: string): void {
    this.options.log?.(message);
  }
}
