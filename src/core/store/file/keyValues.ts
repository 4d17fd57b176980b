/** Folders of one-file-per-key values (params/, tags/): the file content is the value, as stored. */
import * as path from 'node:path';
import type { KeyValue } from '../../entities';
import type { FileCache } from './fileCache';
import { listKeyFiles } from './fileLayout';

/** Every key below `dir` with its value, sorted by key; [] when the folder is absent. */
export async function readKeyValues(cache: FileCache, dir: string): Promise<KeyValue[]> {
  const keys = await listKeyFiles(cache, dir);
  const out: KeyValue[] = [];
  for (const key of keys) {
    const value = await cache.readText(path.join(dir, ...key.split('/')));
    // A file deleted between listing and reading is simply gone.
    if (value !== undefined) out.push({ key, value });
  }
  return out;
}

/** The same as a Map (for searches). */
export function toMap(values: readonly KeyValue[]): Map<string, string> {
  return new Map(values.map((kv) => [kv.key, kv.value]));
}
