/**
 * A cache of file contents, parsed files and directory listings, keyed by each path's stat
 * stamp (inode, size, mtime and ctime in nanoseconds). Every access stats the path, so changes
 * made by MLflow after a read are always seen; unchanged files are not read again.
 *
 * Entries whose mtime is within RACY_MS of the moment they were read are "racy" (as in git): a
 * change in the same timestamp tick could go unnoticed on file systems with coarse timestamps, so
 * such entries are re-read until they have aged.
 */
import * as fs from 'node:fs';

export interface DirEntry {
  name: string;
  isDirectory: boolean;
  isFile: boolean;
}

export interface CacheStats {
  /** Lookups answered from the cache. */
  hits: number;
  /** Lookups that read or parsed the file system entry again. */
  misses: number;
}

interface Entry {
  stamp: string;
  racy: boolean;
  value: unknown;
}

const RACY_MS = 2000;

export function stampOf(st: fs.BigIntStats): string {
  return `${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
}

function isMissing(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

export class FileCache {
  private readonly entries = new Map<string, Entry>();
  readonly stats: CacheStats = { hits: 0, misses: 0 };

  constructor(private readonly maxEntries = 200_000) {}

  /** The path's stat (following symlinks), or undefined when it does not exist. */
  async stat(path: string): Promise<fs.BigIntStats | undefined> {
    try {
      return await fs.promises.stat(path, { bigint: true });
    } catch (e) {
      if (isMissing(e)) return undefined;
      throw e;
    }
  }

  /**
   * `compute(stat)` for the path, cached under `kind` until the path's stamp changes; undefined
   * when the path does not exist.
   */
  async memo<T>(path: string, kind: string, compute: (st: fs.BigIntStats) => Promise<T>): Promise<T | undefined> {
    const st = await this.stat(path);
    if (!st) {
      this.entries.delete(`${kind}\u0000${path}`);
      return undefined;
    }
    const key = `${kind}\u0000${path}`;
    const stamp = stampOf(st);
    const cached = this.entries.get(key);
    if (cached && cached.stamp === stamp && !cached.racy) {
      this.stats.hits++;
      return cached.value as T;
    }
    this.stats.misses++;
    const value = await compute(st);
    const racy = Date.now() - Number(st.mtimeNs / 1_000_000n) < RACY_MS;
    this.entries.delete(key);
    this.entries.set(key, { stamp, racy, value });
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    return value;
  }

  /** A file's UTF-8 text (exactly as stored), or undefined when it does not exist. */
  readText(path: string): Promise<string | undefined> {
    return this.memo(path, 'text', async (st) => {
      if (!st.isFile()) return undefined;
      try {
        return await fs.promises.readFile(path, 'utf8');
      } catch (e) {
        if (isMissing(e)) return undefined;
        throw e;
      }
    });
  }

  /** A directory's entries sorted by name, or undefined when it is missing or no directory. */
  listDir(path: string): Promise<DirEntry[] | undefined> {
    return this.memo(path, 'dir', async (st) => {
      if (!st.isDirectory()) return undefined;
      let dirents: fs.Dirent[];
      try {
        dirents = await fs.promises.readdir(path, { withFileTypes: true });
      } catch (e) {
        if (isMissing(e)) return undefined;
        throw e;
      }
      const out: DirEntry[] = [];
      for (const d of dirents) {
        let isDirectory = d.isDirectory();
        let isFile = d.isFile();
        if (d.isSymbolicLink()) {
          const target = await this.stat(`${path}/${d.name}`);
          isDirectory = !!target?.isDirectory();
          isFile = !!target?.isFile();
        }
        out.push({ name: d.name, isDirectory, isFile });
      }
      return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    });
  }

  clear(): void {
    this.entries.clear();
  }
}
