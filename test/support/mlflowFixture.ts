import * as fs from 'node:fs';
import * as path from 'node:path';

/** The real MLflow 3.5 SQLite store of test/fixtures (never written: tests work on copies). */
export const FIXTURE_DB = path.resolve(__dirname, '../../../test/fixtures/mlflow-3.5/sqlite/mlflow.db');
export const FIXTURE_MANIFEST = path.resolve(__dirname, '../../../test/fixtures/mlflow-3.5/manifest.json');

type Json = any;

/** The `sqlite` section of the fixture's manifest (what MLflow's client read back from the store). */
export function sqliteManifest(): Json {
  return JSON.parse(fs.readFileSync(FIXTURE_MANIFEST, 'utf8')).sqlite;
}

/** Copies the fixture database (only the database) into `dir`; returns the copy's path. */
export function copyFixtureDb(dir: string, name = 'mlflow.db'): string {
  const target = path.join(dir, name);
  fs.copyFileSync(FIXTURE_DB, target);
  return target;
}

/** `[{key, value}]` as a `{key: value}` object (undefined lists count as empty). */
export function kv(list: Array<{ key: string; value: string }> | undefined): Record<string, string> {
  return Object.fromEntries((list ?? []).map((t) => [t.key, t.value]));
}

/** The files of a folder, sorted. */
export function listing(dir: string): string[] {
  return fs.readdirSync(dir).sort();
}
