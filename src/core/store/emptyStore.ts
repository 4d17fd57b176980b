import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Database, SqlJsStatic } from 'sql.js';
import { createSchema, SCHEMA_REVISION } from './schema';
import { readSchemaRevision } from './schemaInspect';
import { RUNLENS_APPLICATION_ID } from './storeIdentity';

/** The empty store written at build time next to the bundle (dist/empty-store.db). */
export const EMPTY_STORE_FILE = 'empty-store.db';

/**
 * A new database in MLflow's schema with the Default experiment, marked as a Runlens store
 * (storeIdentity.ts). Loading the prebuilt empty image is several times faster on a cold start
 * than running the schema's DDL; without the image (tests run from sources) the schema is
 * created statement by statement.
 */
export function newStoreDatabase(SQL: SqlJsStatic, now: number, defaultArtifactRoot: string, imageDir = __dirname): Database {
  const db = loadOrCreate(SQL, now, defaultArtifactRoot, imageDir);
  db.run(`PRAGMA application_id = ${RUNLENS_APPLICATION_ID}`);
  return db;
}

function loadOrCreate(SQL: SqlJsStatic, now: number, defaultArtifactRoot: string, imageDir: string): Database {
  const image = path.join(imageDir, EMPTY_STORE_FILE);
  if (fs.existsSync(image)) {
    const db = new SQL.Database(fs.readFileSync(image));
    if (readSchemaRevision(db) === SCHEMA_REVISION) {
      db.run('UPDATE experiments SET artifact_location = ?, creation_time = ?, last_update_time = ? WHERE experiment_id = 0', [
        `${defaultArtifactRoot}/0`,
        now,
        now,
      ]);
      return db;
    }
    db.close();
  }
  const db = new SQL.Database();
  db.run('PRAGMA journal_mode = MEMORY');
  createSchema(db, now, defaultArtifactRoot);
  return db;
}

/** Writes the empty-store image (run by the build). */
export function writeEmptyStoreImage(SQL: SqlJsStatic, file: string): void {
  const db = newStoreDatabase(SQL, 0, 'mlflow-artifacts:', path.join(path.dirname(file), '__no_image__'));
  fs.writeFileSync(file, db.export());
  db.close();
}
