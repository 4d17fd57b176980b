import * as fs from 'node:fs';

/** Writes every byte of `buffers` at the handle's position, looping over partial writes. */
export async function writeAllBuffers(handle: fs.promises.FileHandle, buffers: Buffer[]): Promise<void> {
  let pending = buffers;
  while (pending.length > 0) {
    const { bytesWritten } = await handle.writev(pending);
    let skip = bytesWritten;
    let i = 0;
    while (i < pending.length && skip >= pending[i].length) skip -= pending[i++].length;
    pending = pending.slice(i);
    if (skip > 0) pending[0] = pending[0].subarray(skip);
  }
}

/** Makes a rename inside `folder` durable; platforms that cannot fsync a folder still renamed atomically. */
export async function fsyncDirectory(folder: string): Promise<void> {
  let handle: fs.promises.FileHandle | undefined;
  try {
    handle = await fs.promises.open(folder, 'r');
    await handle.sync();
  } catch {
    // Not supported here (e.g. Windows): nothing more to do.
  } finally {
    await handle?.close().catch(() => undefined);
  }
}
