import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { MlflowError } from '../errors';
import { invalidPath, validateArtifactPath } from './artifactPath';
import { localArtifactRoot } from './artifactUri';
import { containedPath, isInside, realLocation, type ContainedPath } from './containedPath';
import { writeAllBuffers, fsyncDirectory } from './fileWrites';

/** Uploads in progress are written to `<folder>/.runlens-upload-<random>` and renamed into place; listings hide them. */
export const UPLOAD_TEMP_PREFIX = '.runlens-upload-';
/** Bytes gathered from the source before one write to disk. */
const WRITE_BATCH_BYTES = 1024 * 1024;

/** One entry of a folder listing. */
export interface ArtifactEntry {
  name: string;
  isDir: boolean;
  /** Size in bytes (files only). */
  size?: number;
}

/** An artifact location resolved to this machine and checked to stay inside its boundary. */
export interface ResolvedArtifact extends ContainedPath {
  uri: string;
  /** The validated relative path below the URI's folder ('' for the folder itself). */
  path: string;
  /** Whether the URI is one of the proxied artifact destination's. */
  proxied: boolean;
}

/** An opened artifact file, ready to stream. */
export interface ArtifactDownload {
  stream: Readable;
  size: number;
  /** The file's base name. */
  name: string;
}

export interface ArtifactWriteOptions {
  /** Refuse sources longer than this many bytes. */
  maxBytes?: number;
  /** The error thrown when maxBytes is exceeded. */
  tooLarge?: () => Error;
  /** Checked once the source has ended; false (e.g. an HTTP request cut short) discards the upload. */
  isComplete?: () => boolean;
  /** When given, an empty source is refused with this error. */
  whenEmpty?: () => Error;
}

function errorCode(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | undefined)?.code;
}

function missing(relativePath: string): MlflowError {
  return new MlflowError('INTERNAL_ERROR', `No such file or directory: '${relativePath}'`);
}

/**
 * Artifact storage on the local file system: maps artifact URIs (`mlflow-artifacts:/…` inside the
 * server's artifacts destination, `file://…` and local paths) plus a client-supplied relative path
 * to files, refusing anything that would leave the URI's boundary (compat §2.9, symlinks
 * included). Reads and writes stream; a write lands atomically (temporary file, fsync, rename).
 */
export class ArtifactRepository {
  /** @param destination absolute folder behind `mlflow-artifacts:/` URIs */
  /** `assertWritable` throws (PERMISSION_DENIED) before any write or removal when the server is read-only. */
  constructor(
    readonly destination: string,
    private readonly assertWritable: () => void = () => undefined,
  ) {}

  /** Validates `relativePath` (400 `Invalid path` when unsafe) and locates it under `uri`. */
  async resolve(uri: string, relativePath = ''): Promise<ResolvedArtifact> {
    const rel = validateArtifactPath(relativePath);
    const location = localArtifactRoot(uri, this.destination);
    const segments = rel.split('/').filter((s) => s !== '' && s !== '.');
    const target = segments.length > 0 ? path.join(location.root, ...segments) : location.root;
    const contained = await containedPath(location.boundary, target);
    return { uri, path: rel, proxied: location.proxied, ...contained };
  }

  /** One folder level, sorted by name; a file or a missing path lists as []. */
  async list(uri: string, relativePath = ''): Promise<ArtifactEntry[]> {
    const target = await this.resolve(uri, relativePath);
    let dirents: fs.Dirent[];
    try {
      dirents = await fs.promises.readdir(target.real, { withFileTypes: true });
    } catch (e) {
      if (errorCode(e) === 'ENOENT' || errorCode(e) === 'ENOTDIR') return [];
      throw e;
    }
    const entries = await Promise.all(
      dirents.filter((d) => !d.name.startsWith(UPLOAD_TEMP_PREFIX)).map((d) => this.entry(target, d)),
    );
    return entries
      .filter((e): e is ArtifactEntry => e !== undefined)
      .sort((a, b) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)));
  }

  private async entry(folder: ResolvedArtifact, dirent: fs.Dirent): Promise<ArtifactEntry | undefined> {
    const full = path.join(folder.real, dirent.name);
    try {
      if (dirent.isSymbolicLink()) {
        // A link is listed as what it points to, and not at all when that is outside the boundary.
        if (!isInside(folder.boundary, await realLocation(full))) return undefined;
      } else if (dirent.isDirectory()) {
        return { name: dirent.name, isDir: true };
      }
      const stat = await fs.promises.stat(full);
      return stat.isDirectory() ? { name: dirent.name, isDir: true } : { name: dirent.name, isDir: false, size: stat.size };
    } catch {
      return undefined; // vanished meanwhile, or a dangling link
    }
  }

  /** Opens a file for streaming; a missing path or a folder is MLflow's 500 INTERNAL_ERROR. */
  async openRead(uri: string, relativePath: string): Promise<ArtifactDownload> {
    const target = await this.resolve(uri, relativePath);
    let handle: fs.promises.FileHandle;
    try {
      handle = await fs.promises.open(target.real, 'r');
    } catch (e) {
      if (errorCode(e) === 'ENOENT' || errorCode(e) === 'ENOTDIR') throw missing(target.path);
      throw e;
    }
    try {
      const stat = await handle.stat();
      if (stat.isDirectory()) throw new MlflowError('INTERNAL_ERROR', `'${target.path}' is a directory, not a file`);
      return { stream: handle.createReadStream({ highWaterMark: 256 * 1024 }), size: stat.size, name: path.basename(target.entry) };
    } catch (e) {
      await handle.close();
      throw e;
    }
  }

  /**
   * Streams `source` into the file at `relativePath` (creating folders): written to a temporary
   * file beside it, fsynced, then renamed over the target, so readers see the old file or the
   * whole new one and an interrupted upload leaves nothing behind. Resolves with the byte count.
   */
  async write(uri: string, relativePath: string, source: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>, options: ArtifactWriteOptions = {}): Promise<number> {
    this.assertWritable();
    const target = await this.resolve(uri, relativePath);
    if (target.path === '' || target.entry === target.boundary) throw invalidPath();
    const folder = await this.makeFolder(target.boundary, path.dirname(target.entry));
    const temp = path.join(folder, `${UPLOAD_TEMP_PREFIX}${randomBytes(8).toString('hex')}`);
    const handle = await fs.promises.open(temp, 'wx', 0o644);
    let committed = false;
    try {
      let total = 0;
      let batch: Buffer[] = [];
      let batchBytes = 0;
      for await (const chunk of source) {
        const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
        total += bytes.length;
        if (options.maxBytes !== undefined && total > options.maxBytes) {
          throw options.tooLarge?.() ?? MlflowError.invalidParameter(`The artifact exceeds ${options.maxBytes} bytes.`);
        }
        batch.push(bytes);
        batchBytes += bytes.length;
        if (batchBytes >= WRITE_BATCH_BYTES) {
          await writeAllBuffers(handle, batch);
          batch = [];
          batchBytes = 0;
        }
      }
      if (batch.length > 0) await writeAllBuffers(handle, batch);
      if (options.isComplete && !options.isComplete()) throw new Error('The upload ended before all of its bytes arrived.');
      if (total === 0 && options.whenEmpty) throw options.whenEmpty();
      await handle.sync();
      await handle.close();
      await fs.promises.rename(temp, path.join(folder, path.basename(target.entry))).catch((e: unknown) => {
        const code = errorCode(e);
        if (code === 'EISDIR' || code === 'ENOTEMPTY' || code === 'EEXIST') {
          throw new MlflowError('INTERNAL_ERROR', `'${target.path}' is a directory; a file cannot replace it.`);
        }
        throw e;
      });
      committed = true;
      await fsyncDirectory(folder);
      return total;
    } finally {
      if (!committed) {
        await handle.close().catch(() => undefined);
        await fs.promises.rm(temp, { force: true }).catch(() => undefined);
      }
    }
  }

  /** Creates a folder (and its parents) and checks again, now that it exists, that it is inside the boundary. */
  private async makeFolder(boundary: string, folder: string): Promise<string> {
    try {
      await fs.promises.mkdir(folder, { recursive: true });
    } catch (e) {
      if (errorCode(e) === 'EEXIST' || errorCode(e) === 'ENOTDIR') {
        throw new MlflowError('INTERNAL_ERROR', 'Cannot create the artifact folder: a file is in the way.');
      }
      throw e;
    }
    const real = await realLocation(folder);
    if (!isInside(boundary, real)) throw invalidPath();
    return real;
  }

  /**
   * Deletes a file or a whole folder (a link is removed, never followed). Missing paths are fine.
   * Resolves with whether anything was there. The artifacts destination itself is never removed.
   */
  async remove(uri: string, relativePath = ''): Promise<boolean> {
    this.assertWritable();
    const target = await this.resolve(uri, relativePath);
    if (target.entry === (await realLocation(this.destination))) throw invalidPath();
    try {
      await fs.promises.lstat(target.entry);
    } catch (e) {
      if (errorCode(e) === 'ENOENT' || errorCode(e) === 'ENOTDIR') return false;
      throw e;
    }
    await fs.promises.rm(target.entry, { recursive: true, force: true });
    return true;
  }
}
