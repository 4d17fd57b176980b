/** Copies of the MLflow 3.5 file-store fixture for tests, with the root placeholder substituted. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { KeyValue } from '../../src/core/entities';
import { FileTrackingStore } from '../../src/core/store/file';
import { makeTempDir } from './tempDir';

const FIXTURE = path.resolve(__dirname, '../../../test/fixtures/mlflow-3.5');
export const TOKEN = '/__MLFLOW_FIXTURE_ROOT__';

/* eslint-disable @typescript-eslint/no-explicit-any */
export type Manifest = any;
export const manifest: Manifest = JSON.parse(fs.readFileSync(path.join(FIXTURE, 'manifest.json'), 'utf8'));

export interface FixtureCopy {
  /** The copied store folder (holds mlruns/); the placeholder stands for it. */
  storeDir: string;
  mlruns: string;
  /** The placeholder's replacement (the store folder as a file-URI path). */
  rootPath: string;
  /** The file_store section of the manifest with the placeholder replaced. */
  expected: Manifest;
  /** manifest.index, logical name → file-store id. */
  ids: { experiments: Record<string, string>; runs: Record<string, string>; models: Record<string, string> };
  cleanup: () => void;
}

function replaceDeep(value: unknown, from: string, to: string): unknown {
  if (typeof value === 'string') return value.split(from).join(to);
  if (Array.isArray(value)) return value.map((v) => replaceDeep(v, from, to));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replaceDeep(v, from, to)]));
  }
  return value;
}

/** Sets the times of every file and folder below `dir` an hour back (so no cache entry is "racy"). */
export function ageTree(dir: string, secondsAgo = 3600): void {
  const when = Date.now() / 1000 - secondsAgo;
  const walk = (p: string) => {
    if (fs.statSync(p).isDirectory()) for (const name of fs.readdirSync(p)) walk(path.join(p, name));
    fs.utimesSync(p, when, when);
  };
  walk(dir);
}

/**
 * Copies the fixture file store to a temporary folder and substitutes the root placeholder in the
 * metadata files (not in artifacts/, as the fixture README says).
 */
export function copyFixtureStore(): FixtureCopy {
  const tmp = makeTempDir('runlens-filestore-');
  const storeDir = path.join(tmp.dir, 'file-store');
  fs.cpSync(path.join(FIXTURE, 'file-store'), storeDir, { recursive: true });
  const rootPath = process.platform === 'win32' ? `/${storeDir.replace(/\\/g, '/')}` : storeDir;
  for (const f of manifest.placeholder.file_store.files as Array<{ path: string }>) {
    if (f.path.split('/').includes('artifacts')) continue;
    const file = path.join(storeDir, ...f.path.split('/'));
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').split(TOKEN).join(rootPath));
  }
  ageTree(storeDir);
  const pick = (section: Record<string, { file_store: string }>) => Object.fromEntries(Object.entries(section).map(([k, v]) => [k, v.file_store]));
  return {
    storeDir,
    mlruns: path.join(storeDir, 'mlruns'),
    rootPath,
    expected: replaceDeep(manifest.file_store, TOKEN, rootPath),
    ids: { experiments: pick(manifest.index.experiments), runs: pick(manifest.index.runs), models: pick(manifest.index.logged_models) },
    cleanup: tmp.cleanup,
  };
}

export function kv(list: readonly KeyValue[] | undefined): Record<string, string> {
  return Object.fromEntries((list ?? []).map((t) => [t.key, t.value]));
}

/** The manifest's metric value encoding ("NaN", "Infinity", "-Infinity" as strings). */
export function manifestValue(v: number | string): number {
  return v === 'NaN' ? NaN : v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : (v as number);
}

export async function rejectsWith(promise: Promise<unknown>, code: string, pattern?: RegExp): Promise<void> {
  await assert.rejects(promise, (e: any) => {
    assert.equal(e.errorCode, code, `expected ${code}, got ${e.errorCode}: ${e.message}`);
    if (pattern) assert.match(e.message, pattern);
    return true;
  });
}

