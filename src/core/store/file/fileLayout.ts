/**
 * The mlruns/ folder layout (compat §5): folder names, id checks that keep requests inside the
 * store, and key files (params/, tags/, metrics/) whose nested paths are keys containing `/`.
 */
import * as path from 'node:path';
import { MlflowError } from '../../errors';
import { compareCodePoints } from '../../search/predicates';
import type { FileCache } from './fileCache';

export const META_FILE = 'meta.yaml';
export const TRASH_FOLDER = '.trash';
/** The registry folder under the root, and the logged-models folder under an experiment. */
export const MODELS_FOLDER = 'models';

/** Experiment sub-folders that are not runs. */
const RESERVED_EXPERIMENT_FOLDERS = new Set(['tags', 'datasets', 'traces', 'models']);

const RUN_ID = /^[a-zA-Z0-9][\w-]{0,255}$/;
const ENTITY_ID = /^[a-zA-Z0-9][\w-]{0,255}$/;

/** MLflow's run id check ("Invalid run ID"), which also keeps ids inside the store. */
export function validateRunId(runId: string): void {
  if (!RUN_ID.test(runId)) throw MlflowError.invalidParameter(`Invalid run ID: '${runId}'`);
}

/** Whether an experiment / logged-model id can name a folder of the store. */
export function isValidEntityId(id: string): boolean {
  return ENTITY_ID.test(id);
}

/** A single path segment that stays in its folder (registry names are folder names). */
export function isSafeSegment(name: string): boolean {
  return name !== '' && name !== '.' && name !== '..' && !/[/\\\u0000]/.test(name);
}

/** Sub-folders of an experiment folder that may be runs. */
export function isRunFolderName(name: string): boolean {
  return !RESERVED_EXPERIMENT_FOLDERS.has(name) && !name.startsWith('.');
}

/** Sub-folders of the root that may be experiments. */
export function isExperimentFolderName(name: string): boolean {
  return name !== MODELS_FOLDER && !name.startsWith('.');
}

/**
 * The file of a metric/param/tag key below `dir`; keys with `/` are nested folders. Keys that
 * would leave the folder (`..`, absolute, empty segments) are rejected as MLflow rejects them.
 */
export function keyFilePath(dir: string, key: string, kind: string): string {
  const segments = key.split('/');
  if (key === '' || key.includes('\\') || key.includes('\u0000') || segments.some((s) => s === '' || s === '.' || s === '..')) {
    throw MlflowError.invalidParameter(`Invalid ${kind} name: '${key}'. Names must not resolve to other names when treated as files.`);
  }
  return path.join(dir, ...segments);
}

/** Every file below `dir` as a key (relative path with `/`), sorted by code point; [] when absent. */
export async function listKeyFiles(cache: FileCache, dir: string): Promise<string[]> {
  const keys: string[] = [];
  const walk = async (folder: string, prefix: string): Promise<void> => {
    const entries = await cache.listDir(folder);
    if (!entries) return;
    for (const e of entries) {
      if (e.isFile) keys.push(prefix + e.name);
      else if (e.isDirectory) await walk(path.join(folder, e.name), `${prefix}${e.name}/`);
    }
  };
  await walk(dir, '');
  return keys.sort(compareKeys);
}

/** Code-point order (what the manifest and MLflow's sorted answers use). */
export function compareKeys(a: string, b: string): number {
  return compareCodePoints(a, b);
}

/** Runs a mapper over items with at most `limit` promises pending at once, keeping order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
