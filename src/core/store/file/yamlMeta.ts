/**
 * Reading MLflow's `meta.yaml` files (compat §5, "YAML conventions"). MLflow writes them with
 * PyYAML's safe dumper (YAML 1.1: strings that would read as numbers, booleans or dates are
 * quoted), so they are parsed with the YAML 1.1 schema. Integers are read as BigInt first, so
 * 18-digit ids written unquoted by very old versions keep every digit; duplicate keys are allowed
 * (the last one wins, as in PyYAML). Missing and extra keys are tolerated by the field readers.
 */
import * as fs from 'node:fs';
import { parse } from 'yaml';
import type { FileCache } from './fileCache';

export type YamlMap = Readonly<Record<string, unknown>>;

/** A meta.yaml that cannot be used: not YAML, empty, or not a mapping. */
export class MetaFileError extends Error {
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super(`${path}: ${reason}`);
    this.name = 'MetaFileError';
  }
}

/** Parses a meta.yaml's text into a mapping, or throws MetaFileError naming the file. */
export function parseMetaYaml(text: string, path: string): YamlMap {
  let value: unknown;
  try {
    value = parse(text, { version: '1.1', intAsBigInt: true, uniqueKeys: false, maxAliasCount: 100 });
  } catch (e) {
    const message = e instanceof Error ? e.message.split('\n')[0] : String(e);
    throw new MetaFileError(path, `not valid YAML (${message})`);
  }
  if (value === null || value === undefined) throw new MetaFileError(path, 'the file is empty');
  if (typeof value !== 'object' || Array.isArray(value) || value instanceof Date) {
    throw new MetaFileError(path, 'expected a mapping of keys to values');
  }
  return value as YamlMap;
}

/** A string field: strings as they are, numbers and booleans as text; null/missing → undefined. */
export function str(meta: YamlMap, key: string): string | undefined {
  const v = meta[key];
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'bigint' || typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v instanceof Date) return v.toISOString();
  return undefined;
}

/** An integer field (timestamps, enums, steps); null, missing or non-numeric → undefined. */
export function int(meta: YamlMap, key: string): number | undefined {
  const v = meta[key];
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'number') return Number.isFinite(v) ? Math.trunc(v) : undefined;
  if (typeof v === 'string' && /^\s*[+-]?\d+\s*$/.test(v)) return Number(v.trim());
  return undefined;
}

/** A mapping field with string values (e.g. an input's `tags`); anything else → {}. */
export function stringMap(meta: YamlMap, key: string): Record<string, string> {
  const v = meta[key];
  const out: Record<string, string> = {};
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return out;
  for (const k of Object.keys(v as object)) {
    const s = str(v as YamlMap, k);
    out[k] = s ?? '';
  }
  return out;
}

/**
 * The parsed meta.yaml at `path` through the cache (parse errors are cached too, until the file
 * changes); undefined when the file does not exist; throws MetaFileError when it is unusable.
 */
export async function readMeta(cache: FileCache, path: string): Promise<YamlMap | undefined> {
  const result = await cache.memo(path, 'meta', async (st): Promise<{ meta: YamlMap } | { error: MetaFileError } | undefined> => {
    if (!st.isFile()) return { error: new MetaFileError(path, 'not a file') };
    let text: string;
    try {
      text = await fs.promises.readFile(path, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
      return { error: new MetaFileError(path, e instanceof Error ? e.message : String(e)) };
    }
    try {
      return { meta: parseMetaYaml(text, path) };
    } catch (e) {
      return { error: e as MetaFileError };
    }
  });
  if (!result) return undefined;
  if ('error' in result) throw result.error;
  return result.meta;
}
