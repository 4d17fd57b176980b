import * as fs from 'node:fs';

/**
 * Notices another SQLite program (MLflow, the sqlite3 shell) opening a store this process writes.
 *
 * The engine runs SQLite's WAL mode with an exclusive lock kept in the process, which native
 * SQLite clients cannot see. What they leave behind can be seen: a native client in WAL mode
 * creates the `-shm` file while it has the database open, and when it closes last it checkpoints
 * and deletes the `-wal` file. Writes are checked against both before they start.
 */
export type AccessVerdict = 'ok' | 'foreign-open' | 'wal-replaced';

function inodeOf(file: string): number | undefined {
  return fs.statSync(file, { throwIfNoEntry: false })?.ino;
}

export class ForeignAccessGuard {
  private walInode: number | undefined;

  constructor(readonly dbPath: string) {}

  /** Called after each commit: the WAL this process writes. */
  noteWal(): void {
    this.walInode ??= inodeOf(`${this.dbPath}-wal`);
  }

  /** Forgets the WAL (after the connection was reopened). */
  reset(): void {
    this.walInode = undefined;
  }

  check(): AccessVerdict {
    if (fs.existsSync(`${this.dbPath}-shm`)) return 'foreign-open';
    if (this.walInode !== undefined && inodeOf(`${this.dbPath}-wal`) !== this.walInode) return 'wal-replaced';
    return 'ok';
  }

  /** A `-shm` file with no WAL beside it was left by a native client that crashed: harmless, removed. */
  static removeStaleShm(dbPath: string): void {
    const wal = fs.statSync(`${dbPath}-wal`, { throwIfNoEntry: false });
    if (!wal || wal.size === 0) fs.rmSync(`${dbPath}-shm`, { force: true });
  }
}
