import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MlflowError } from '../../src/core/errors';
import { SqliteFileDatabase } from '../../src/core/store/db/sqliteFile';
import { SqlJsReadOnlyDatabase } from '../../src/core/store/db/sqlJsReadOnly';
import { openStore } from '../../src/core/store/openStore';
import { completeSchema } from '../../src/core/store/schemaCompletion';
import { loadSqlJs } from '../../src/core/store/sqlJs';
import { readHeaderMarks, RUNLENS_APPLICATION_ID } from '../../src/core/store/storeIdentity';
import { ForeignStoreError } from '../../src/core/store/storeOpenError';
import { copyFixtureDb, listing } from '../support/mlflowFixture';
import { createOlderMlflowDb } from '../support/olderMlflowSchemas';
import { makeTempDir } from '../support/tempDir';

const ROOT = 'mlflow-artifacts:';

/** Rewrites the header marks of a database file, as an older Runlens (or another tool) left them. */
async function setMarks(dbPath: string, applicationId: number, userVersion: number): Promise<void> {
  const SQL = await loadSqlJs();
  const db = new SQL.Database(fs.readFileSync(dbPath));
  db.run(`PRAGMA application_id = ${applicationId}`);
  db.run(`PRAGMA user_version = ${userVersion}`);
  fs.writeFileSync(dbPath, db.export());
  db.close();
}

describe('store identity and read-only stores', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let dbPath: string;
  beforeEach(() => {
    tmp = makeTempDir();
    dbPath = path.join(tmp.dir, 'mlflow.db');
  });
  afterEach(() => tmp.cleanup());

  it('marks a new store as a Runlens store', async () => {
    const db = await SqliteFileDatabase.open({ dbPath, defaultArtifactRoot: ROOT });
    await db.close();
    assert.deepEqual(readHeaderMarks(dbPath), { applicationId: RUNLENS_APPLICATION_ID, userVersion: 0 });
  });

  it('treats a store from before the mark (user_version > 0) as ours and marks it when it opens it', async () => {
    const first = await SqliteFileDatabase.open({ dbPath, defaultArtifactRoot: ROOT });
    await first.close();
    await setMarks(dbPath, 0, 3);
    const { db, lock, access } = await openStore({ dbPath, defaultArtifactRoot: ROOT });
    assert.equal(access.readOnly, false);
    await db.write((w) => w.run("INSERT INTO experiments (experiment_id, name, lifecycle_stage) VALUES (1, 'e', 'active')"));
    await db.close();
    lock?.release();
    assert.deepEqual(readHeaderMarks(dbPath), { applicationId: RUNLENS_APPLICATION_ID, userVersion: 3 });
  });

  it('does not write a store MLflow wrote unless asked to', async () => {
    copyFixtureDb(tmp.dir);
    const before = fs.readFileSync(dbPath);
    await assert.rejects(SqliteFileDatabase.open({ dbPath, defaultArtifactRoot: ROOT }), ForeignStoreError);
    assert.ok(fs.readFileSync(dbPath).equals(before), 'the refused file is not touched');
    const { db, lock, access } = await openStore({ dbPath, defaultArtifactRoot: ROOT, watchIntervalMs: 0 });
    assert.equal(access.readOnly, true);
    assert.equal(lock, undefined);
    let ran = false;
    await assert.rejects(
      db.write(async () => (ran = true)),
      (e: Error) => e instanceof MlflowError && e.errorCode === 'PERMISSION_DENIED' && /schema revision bf29a5ff90ea/.test(e.message),
    );
    assert.equal(ran, false);
    await db.close();
    assert.deepEqual(listing(tmp.dir), ['mlflow.db']);
  });

  it('opens a user_version > 0 file at another revision read-only, leaving no lock behind', async () => {
    const SQL = await loadSqlJs();
    fs.writeFileSync(dbPath, createOlderMlflowDb(SQL, '0584bdc529eb').export());
    await setMarks(dbPath, 0, 7);
    const { db, access } = await openStore({ dbPath, defaultArtifactRoot: ROOT, watchIntervalMs: 0 });
    assert.equal(access.readOnly, true);
    assert.equal((db as SqlJsReadOnlyDatabase).readOnlyRevision, '0584bdc529eb');
    await db.close();
    assert.deepEqual(listing(tmp.dir), ['mlflow.db']);
  });

  it('keeps the data it has while the file is gone, being written or damaged, and picks up the next good version', async () => {
    copyFixtureDb(tmp.dir);
    const db = await SqlJsReadOnlyDatabase.open({ dbPath, watchIntervalMs: 0 });
    const count = async () => (await db.get<{ n: number }>('SELECT count(*) AS n FROM experiments'))!.n;
    assert.equal(await count(), 3);
    const good = fs.readFileSync(dbPath);
    fs.rmSync(dbPath);
    db.refresh();
    assert.equal(await count(), 3);
    fs.writeFileSync(dbPath, 'not a database at all');
    db.refresh();
    assert.equal(await count(), 3);

    const SQL = await loadSqlJs();
    const next = new SQL.Database(good);
    next.run("INSERT INTO experiments (experiment_id, name, lifecycle_stage) VALUES (7, 'seventh', 'active')");
    // A live rollback journal: MLflow is in the middle of a transaction.
    fs.writeFileSync(`${dbPath}-journal`, Buffer.from([0xd9, 0xd5, 0x05, 0xf9, 0x20, 0xa1, 0x63, 0xd7, 0, 0, 0, 0]));
    fs.writeFileSync(dbPath, next.export());
    db.refresh();
    assert.equal(await count(), 3, 'not read while the journal is live');
    fs.rmSync(`${dbPath}-journal`);
    await new Promise((r) => setTimeout(r, 600)); // past the retry delay
    db.refresh();
    assert.equal(await count(), 4);
    next.close();
    await db.close();
  });

  it('completes an old schema in memory with the tables and columns it lacks', async () => {
    const SQL = await loadSqlJs();
    const db = createOlderMlflowDb(SQL, 'cc1f77228345');
    const added = completeSchema(SQL, db);
    for (const item of ['experiments.creation_time', 'experiments.last_update_time', 'model_versions.storage_location', 'datasets', 'inputs', 'input_tags', 'registered_model_aliases', 'logged_models', 'trace_info']) {
      assert.ok(added.includes(item), `${item} in ${added.join(', ')}`);
    }
    assert.deepEqual(completeSchema(SQL, db), [], 'complete after one pass');
    db.close();
  });
});
