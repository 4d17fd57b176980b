/**
 * Streams a text file line by line from a byte offset, in fixed-size chunks, so a large metric
 * file is never held in memory and a reader can stop as soon as it has what it needs.
 */
import * as fs from 'node:fs';

export interface ScanResult {
  /** Byte offset just after the last complete (newline-terminated) line seen. */
  completeEnd: number;
  /** Text after the last newline at end of file (a line still being written, or no final newline). */
  tail?: string;
  /** True when the callback stopped the scan early. */
  stopped: boolean;
}

/** Called per complete line (without its newline) with the byte offset just after it; `false` stops. */
export type LineCallback = (line: string, endOffset: number) => boolean | void;

const CHUNK = 64 * 1024;

/** Scans `path` from `start`; undefined when the file does not exist. */
export async function scanLines(path: string, start: number, onLine: LineCallback): Promise<ScanResult | undefined> {
  let handle: fs.promises.FileHandle;
  try {
    handle = await fs.promises.open(path, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw e;
  }
  try {
    const chunk = Buffer.allocUnsafe(CHUNK);
    let pending: Buffer = Buffer.alloc(0);
    let pendingStart = start;
    let position = start;
    for (;;) {
      const { bytesRead } = await handle.read(chunk, 0, CHUNK, position);
      if (bytesRead === 0) break;
      position += bytesRead;
      const data = pending.length ? Buffer.concat([pending, chunk.subarray(0, bytesRead)]) : chunk.subarray(0, bytesRead);
      let lineStart = 0;
      for (let nl = data.indexOf(10, 0); nl >= 0; nl = data.indexOf(10, lineStart)) {
        const end = pendingStart + nl + 1;
        const keepGoing = onLine(data.toString('utf8', lineStart, nl), end);
        lineStart = nl + 1;
        if (keepGoing === false) return { completeEnd: end, stopped: true };
      }
      pending = Buffer.from(data.subarray(lineStart));
      pendingStart += lineStart;
    }
    return { completeEnd: pendingStart, tail: pending.length ? pending.toString('utf8') : undefined, stopped: false };
  } finally {
    await handle.close();
  }
}

/** Up to `length` bytes from `start` (fewer at end of file); undefined when the file cannot be read. */
export async function readBytes(path: string, start: number, length: number): Promise<Buffer | undefined> {
  try {
    const handle = await fs.promises.open(path, 'r');
    try {
      const b = Buffer.alloc(length);
      const { bytesRead } = await handle.read(b, 0, length, start);
      return b.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  } catch {
    return undefined;
  }
}

/** The byte just before `offset` (to check a saved offset still starts a line); undefined if unreadable. */
export async function byteBefore(path: string, offset: number): Promise<number | undefined> {
  if (offset <= 0) return 10;
  const b = await readBytes(path, offset - 1, 1);
  return b && b.length === 1 ? b[0] : undefined;
}
