import * as fs from 'node:fs';
import type { SqlJsStatic } from 'sql.js';
import { createSchema } from './schema';
import { RUNLENS_APPLICATION_ID } from './storeIdentity';

/**
 * The empty store written at build time next to the bundle (dist/empty-store.db): MLflow's schema
 * with the Default experiment, marked as a Runlens store (storeIdentity.ts). A new store starts as
 * a copy of it (db/sqliteFileSetup.ts), several times faster on a cold start than running the
 * schema's DDL; without it (tests run from sources) the DDL runs.
 */
export const EMPTY_STORE_FILE = 'empty-store.db';

/** Writes the empty-store image (run by the build). */
export function writeEmptyStoreImage(SQL: SqlJsStatic, file: string): void {
  const db = new SQL.Database();
  db.run('PRAGMA journal_mode = MEMORY');
  createSchema(db, 0, 'mlflow-artifacts:');
  db.run(`PRAGMA application_id = ${RUNLENS_APPLICATION_ID}`);
  fs.writeFileSync(file, db.export());
  db.close();
}
