import * as fs from 'node:fs';
import * as os from 'node:os';

/** What a lock file records about the process that writes a store. */
export interface LockInfo {
  pid: number;
  port?: number;
  url?: string;
  startTime: number;
  hostname: string;
}

export class StoreLockedError extends Error {
  constructor(
    readonly lockPath: string,
    readonly holder: LockInfo,
  ) {
    const where = holder.url ? ` serving ${holder.url}` : holder.port ? ` on port ${holder.port}` : '';
    super(
      `The store is already in use by another Runlens server (pid ${holder.pid}${where}, started ` +
        `${new Date(holder.startTime).toISOString()}). Connect to that server, or stop it first. Lock file: ${lockPath}`,
    );
    this.name = 'StoreLockedError';
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function readLock(lockPath: string): LockInfo | undefined {
  try {
    const info = JSON.parse(fs.readFileSync(lockPath, 'utf8')) as LockInfo;
    return typeof info.pid === 'number' ? info : undefined;
  } catch {
    return undefined;
  }
}

/** Returns the live holder of a lock, or undefined when the lock is absent or stale. */
export function liveLockHolder(lockPath: string): LockInfo | undefined {
  const info = readLock(lockPath);
  if (!info) return undefined;
  if (info.hostname !== os.hostname()) return info;
  return info.pid === process.pid || isAlive(info.pid) ? info : undefined;
}

/**
 * An exclusive lock on a store: a file created with O_EXCL next to the database. A lock left by
 * a process that no longer exists is taken over.
 */
export class StoreLock {
  private info: LockInfo;

  private constructor(
    readonly path: string,
    info: LockInfo,
  ) {
    this.info = info;
  }

  static acquire(lockPath: string): StoreLock {
    const info: LockInfo = { pid: process.pid, startTime: Date.now(), hostname: os.hostname() };
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        fs.writeFileSync(lockPath, JSON.stringify(info), { flag: 'wx' });
        return new StoreLock(lockPath, info);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      const holder = readLock(lockPath);
      if (holder && holder.hostname === os.hostname() && !isAlive(holder.pid)) {
        fs.rmSync(lockPath, { force: true });
        continue;
      }
      if (!holder) {
        // A lock file being written right now, or an unreadable one: look again shortly.
        const stat = fs.statSync(lockPath, { throwIfNoEntry: false });
        if (stat && Date.now() - stat.mtimeMs > 5000) {
          fs.rmSync(lockPath, { force: true });
        }
        continue;
      }
      throw new StoreLockedError(lockPath, holder);
    }
    const holder = readLock(lockPath);
    throw new StoreLockedError(lockPath, holder ?? { pid: -1, startTime: 0, hostname: os.hostname() });
  }

  /** Records the address the server listens on, for other windows and processes to connect. */
  update(fields: Partial<Pick<LockInfo, 'port' | 'url'>>): void {
    this.info = { ...this.info, ...fields };
    const tmp = `${this.path}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(this.info));
    fs.renameSync(tmp, this.path);
  }

  release(): void {
    const current = readLock(this.path);
    if (current && current.pid === this.info.pid && current.startTime === this.info.startTime) {
      fs.rmSync(this.path, { force: true });
    }
  }
}
