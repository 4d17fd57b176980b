import type { Database, Statement } from 'node-sqlite3-wasm';
import type { Params, SqlValue } from './database';

/** How many prepared statements are kept; search queries vary with their filters, so the pool is bounded. */
const MAX_STATEMENTS = 256;

type Bindable = Exclude<SqlValue, never>[];

/**
 * Prepared statements of one node-sqlite3-wasm connection, kept by their SQL text (least recently
 * used first out). Statements live in the wasm heap and must be finalized: close() does it.
 */
export class StatementPool {
  private readonly statements = new Map<string, Statement>();

  constructor(readonly db: Database) {}

  private statement(sql: string): Statement {
    let stmt = this.statements.get(sql);
    if (stmt) {
      this.statements.delete(sql);
    } else {
      stmt = this.db.prepare(sql);
      if (this.statements.size >= MAX_STATEMENTS) {
        const [oldest, old] = this.statements.entries().next().value as [string, Statement];
        this.statements.delete(oldest);
        old.finalize();
      }
    }
    this.statements.set(sql, stmt);
    return stmt;
  }

  all<T>(sql: string, params: Params = []): T[] {
    // all() steps to the end, so the statement holds no read snapshot afterwards.
    return this.statement(sql).all(params as Bindable) as T[];
  }

  get<T>(sql: string, params: Params = []): T | undefined {
    return this.all<T>(sql, params)[0];
  }

  run(sql: string, params: Params = []): number {
    return this.statement(sql).run(params as Bindable).changes;
  }

  /** Runs SQL text (several statements, no parameters) without keeping it. */
  exec(sql: string): void {
    this.db.exec(sql);
  }

  /** Finalizes every statement (before the connection closes). */
  clear(): void {
    for (const stmt of this.statements.values()) stmt.finalize();
    this.statements.clear();
  }
}
