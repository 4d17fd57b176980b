import { Transform, type TransformCallback } from 'node:stream';
import type { StreamResponse } from '../client/httpTransport';
import type { FileInfo } from '../client/mlflowClient';
import type { CopyContext } from './copyContext';

/** One level of an artifact tree: entries whose paths are relative to the tree's root. */
export type ListLevel = (path?: string) => Promise<FileInfo[]>;
/** Opens one file of the source tree for streaming. */
export type OpenFile = (path: string) => Promise<StreamResponse>;

/** Every file of an artifact tree (recursively), with its size when the listing gives one. */
export async function listFiles(list: ListLevel, ctx?: CopyContext): Promise<FileInfo[]> {
  const files: FileInfo[] = [];
  const folders: Array<string | undefined> = [undefined];
  while (folders.length > 0) {
    ctx?.throwIfCancelled();
    const folder = folders.shift();
    for (const entry of await list(folder)) {
      if (entry.path === folder) continue;
      if (entry.is_dir) folders.push(entry.path);
      else files.push(entry);
    }
  }
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Passes bytes through, counting them. */
class ByteCounter extends Transform {
  bytes = 0;
  constructor(private readonly onBytes: (n: number) => void) {
    super();
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    this.onBytes(chunk.length);
    done(null, chunk);
  }
}

/**
 * The path inside a server's artifacts destination of a proxied artifact URI:
 * `mlflow-artifacts:/<p>`, `mlflow-artifacts://host:port/<p>`, or the http(s) URL of the proxied
 * route `…/api/2.0/mlflow-artifacts/artifacts/<p>`; undefined for anything else.
 */
export function proxiedPath(uri: string): string | undefined {
  const proxied = /^mlflow-artifacts:(?:\/\/[^/]*)?(.*)$/i.exec(uri);
  if (proxied) return proxied[1].replace(/^\/+/, '');
  const route = /^https?:\/\/[^/]+(?:\/.*)?\/api\/2\.0\/mlflow-artifacts\/artifacts\/(.*)$/i.exec(uri);
  return route ? decodeURIComponent(route[1]) : undefined;
}

/**
 * The path under the destination's proxied artifact store (`mlflow-artifacts:/<this>`) of an
 * artifact location, or an error saying why files cannot be uploaded there.
 */
export function destinationRoot(artifactUri: string, what: string): string {
  const root = proxiedPath(artifactUri);
  if (root === undefined) {
    throw new Error(
      `the destination stores the artifacts of ${what} at '${artifactUri}', which is not served through its proxied artifact store (mlflow-artifacts:); run the destination server with artifact serving (mlflow server --serve-artifacts, the default) and no --default-artifact-root`,
    );
  }
  return root.replace(/\/+$/, '');
}

export interface TreeCopy {
  files: number;
  bytes: number;
  skipped: number;
}

/**
 * Copies the files of a source tree into the destination's proxied store under `destRoot`,
 * streaming each download into its upload (nothing is buffered whole) and checking the byte
 * count. Files the destination already has with the same size (`present`) are skipped.
 */
export async function copyTree(
  ctx: CopyContext,
  files: readonly FileInfo[],
  open: OpenFile,
  destRoot: string,
  present: ReadonlyMap<string, number | undefined> = new Map(),
): Promise<TreeCopy> {
  const result: TreeCopy = { files: 0, bytes: 0, skipped: 0 };
  const queue = files.filter((f) => {
    const have = present.get(f.path);
    const same = present.has(f.path) && (f.file_size === undefined || have === f.file_size);
    if (same) result.skipped++;
    return !same;
  });
  const worker = async () => {
    for (let file = queue.shift(); file; file = queue.shift()) {
      ctx.throwIfCancelled();
      const bytes = await copyFile(ctx, file, open, `${destRoot}/${file.path}`);
      result.files++;
      result.bytes += bytes;
      ctx.counts.artifactFiles++;
      ctx.report('artifacts', `artifact ${file.path} copied (${bytes} bytes)`);
    }
  };
  const concurrency = Math.max(1, ctx.options.artifactConcurrency ?? 4);
  await Promise.all(Array.from({ length: Math.min(concurrency, queue.length) }, worker));
  return result;
}

async function copyFile(ctx: CopyContext, file: FileInfo, open: OpenFile, destPath: string): Promise<number> {
  let counter: ByteCounter | undefined;
  await ctx.dest.uploadProxiedArtifact(destPath, async () => {
    if (counter) ctx.counts.artifactBytes -= counter.bytes; // a retry starts over
    const download = await open(file.path);
    const declared = Number(download.headers['content-length']);
    counter = new ByteCounter((n) => (ctx.counts.artifactBytes += n));
    download.stream.on('error', (e) => counter!.destroy(ctx.source.transport.streamFailure('GET', file.path, e)));
    download.stream.pipe(counter);
    return { stream: counter, length: Number.isFinite(declared) && declared >= 0 ? declared : undefined };
  });
  const bytes = counter?.bytes ?? 0;
  if (file.file_size !== undefined && file.file_size !== bytes) {
    throw new Error(`artifact '${file.path}' was ${bytes} bytes while copying, but its listing says ${file.file_size}; it may have changed during the copy`);
  }
  return bytes;
}

/** The files the destination already has under a listing, by path, with their sizes. */
export async function presentFiles(list: ListLevel, ctx: CopyContext): Promise<Map<string, number | undefined>> {
  try {
    return new Map((await listFiles(list, ctx)).map((f) => [f.path, f.file_size]));
  } catch {
    return new Map();
  }
}
