import type { SqlSession } from './database';

/** What group commit needs from a connection. */
export interface GroupTarget {
  readonly session: SqlSession;
  /** Runs SQL text without parameters. */
  exec(sql: string): void;
  inTransaction(): boolean;
  /** Checks made before each group (the store is open, no other program writes it); throws to refuse. */
  beforeGroup(): void;
  /** After each durable commit. */
  afterCommit(): void;
}

interface PendingWrite {
  fn: (session: SqlSession) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** The most transactions one commit carries. */
const MAX_GROUP = 64;

/**
 * Group commit: transactions that wait while one is committing are run together, each in its own
 * savepoint (a transaction that throws rolls back alone), and made durable by one COMMIT — one
 * fsync for the group. Each promise resolves only once its group is on disk. Transactions never
 * interleave: they run one after another, in the order they were submitted.
 */
export class GroupCommit {
  private readonly pending: PendingWrite[] = [];
  /** Set and cleared synchronously, so a write submitted as the last group settles is never left behind. */
  private active = false;
  private draining: Promise<void> = Promise.resolve();

  constructor(private readonly target: GroupTarget) {}

  submit<T>(fn: (session: SqlSession) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ fn, resolve: resolve as (value: unknown) => void, reject });
      if (!this.active) {
        this.active = true;
        // Start after the event loop has read the requests that already arrived, so that they join
        // this group: the commit's fsync blocks the loop, and requests parsed only after it would
        // each pay one of their own.
        this.draining = new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.drain());
      }
    });
  }

  /** Resolves once every submitted transaction has finished. */
  async idle(): Promise<void> {
    while (this.active) await this.draining;
  }

  /** Runs groups until none waits; `active` is cleared in the same step that finds the queue empty. */
  private async drain(): Promise<void> {
    while (this.pending.length > 0) {
      const group = this.pending.splice(0, MAX_GROUP);
      try {
        this.target.beforeGroup();
      } catch (e) {
        for (const w of group) w.reject(e);
        continue;
      }
      try {
        await this.runGroup(group);
      } catch (e) {
        // A statement of the group's own bookkeeping failed: nothing of the group is kept.
        if (this.target.inTransaction()) this.target.exec('ROLLBACK');
        for (const w of group) w.reject(e); // settled promises ignore this
      }
    }
    this.active = false;
  }

  private async runGroup(group: PendingWrite[]): Promise<void> {
    const { target } = this;
    const done: Array<[PendingWrite, unknown]> = [];
    target.exec('BEGIN IMMEDIATE');
    for (const w of group) {
      target.exec('SAVEPOINT runlens_write');
      try {
        const result = await w.fn(target.session);
        target.exec('RELEASE runlens_write');
        done.push([w, result]);
      } catch (e) {
        if (!target.inTransaction()) {
          // SQLite rolled the whole transaction back (an I/O error, a full disk): all of it fails.
          w.reject(e);
          for (const [earlier] of done) earlier.reject(e);
          for (const later of group.slice(group.indexOf(w) + 1)) later.reject(e);
          return;
        }
        target.exec('ROLLBACK TO runlens_write');
        target.exec('RELEASE runlens_write');
        w.reject(e);
      }
    }
    try {
      target.exec('COMMIT');
    } catch (e) {
      if (target.inTransaction()) target.exec('ROLLBACK');
      for (const [w] of done) w.reject(e);
      return;
    }
    target.afterCommit();
    for (const [w, result] of done) w.resolve(result);
  }
}
