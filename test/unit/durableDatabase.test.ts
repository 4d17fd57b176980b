import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DurableDatabase } from '../../src/core/store/durableDatabase';
import { readJournals } from '../../src/core/store/journalFiles';
import { StoreOpenError } from '../../src/core/store/storeOpenError';
import { loadSqlJs } from '../../src/core/store/sqlJs';
import { makeTempDir } from '../support/tempDir';

const ROOT = 'mlflow-artifacts:';

async function open(dbPath: string, extra: Partial<Parameters<typeof DurableDatabase.open>[0]> = {}): Promise<DurableDatabase> {
  return DurableDatabase.open({ dbPath, defaultArtifactRoot: ROOT, ...extra });
}

function insertExperiment(db: DurableDatabase, id: number, name: string): Promise<void> {
  return db.write((w) =>
    w.run("INSERT INTO experiments (experiment_id, name, artifact_location, lifecycle_stage) VALUES (?, ?, 'x', 'active')", [id, name]),
  );
}

function names(db: DurableDatabase): string[] {
  return db.all<{ name: string }>('SELECT name FROM experiments ORDER BY experiment_id').map((r) => r.name);
}

/** Reads the database file on disk as SQLite, the way another program would. */
async function namesOnDisk(dbPath: string): Promise<string[]> {
  const SQL = await loadSqlJs();
  const db = new SQL.Database(fs.readFileSync(dbPath));
  try {
    return (db.exec('SELECT name FROM experiments ORDER BY experiment_id')[0]?.values ?? []).map((r) => String(r[0]));
  } finally {
    db.close();
  }
}

describe('DurableDatabase', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let dbPath: string;
  beforeEach(() => {
    tmp = makeTempDir();
    dbPath = path.join(tmp.dir, 'mlflow.db');
  });
  afterEach(() => tmp.cleanup());

  it('creates a complete database file with the Default experiment at once', async () => {
    const db = await open(dbPath);
    assert.deepEqual(await namesOnDisk(dbPath), ['Default']);
    await db.close();
  });

  it('keeps acknowledged writes across a crash (no close) by replaying the journal', async () => {
    const db = await open(dbPath);
    await insertExperiment(db, 1, 'first');
    await insertExperiment(db, 2, 'second');
    assert.deepEqual(await namesOnDisk(dbPath), ['Default'], 'the snapshot has not been rewritten yet');
    // Simulated crash: the process never closes `db`.
    const reopened = await open(dbPath);
    assert.deepEqual(names(reopened), ['Default', 'first', 'second']);
    assert.deepEqual(await namesOnDisk(dbPath), ['Default', 'first', 'second'], 'replay is followed by a snapshot');
    await reopened.close();
  });

  it('rolls back a transaction that throws and journals nothing for it', async () => {
    const db = await open(dbPath);
    await assert.rejects(
      db.write((w) => {
        w.run("INSERT INTO experiments (experiment_id, name, artifact_location, lifecycle_stage) VALUES (5, 'x', 'x', 'active')");
        throw new Error('boom');
      }),
      /boom/,
    );
    assert.deepEqual(names(db), ['Default']);
    const reopened = await open(dbPath);
    assert.deepEqual(names(reopened), ['Default']);
    await reopened.close();
  });

  it('snapshots when the journal grows and drops the old journal', async () => {
    const db = await open(dbPath, { minSnapshotJournalBytes: 1, snapshotFraction: 0 });
    for (let i = 1; i <= 5; i++) await insertExperiment(db, i, `e${i}`);
    await db.close();
    assert.deepEqual(await namesOnDisk(dbPath), ['Default', 'e1', 'e2', 'e3', 'e4', 'e5']);
    assert.equal(readJournals(dbPath).length, 0, 'a clean close leaves no journal');
  });

  it('cuts a torn journal tail and keeps the intact records', async () => {
    const db = await open(dbPath);
    await insertExperiment(db, 1, 'kept');
    const [journal] = readJournals(dbPath);
    fs.appendFileSync(journal.path, Buffer.from([200, 0, 0, 0, 1, 2, 3, 4, 5]));
    const reopened = await open(dbPath);
    assert.deepEqual(names(reopened), ['Default', 'kept']);
    await reopened.close();
  });

  it('refuses a file that is not a SQLite database and leaves it untouched', async () => {
    fs.writeFileSync(dbPath, 'hello, I am a text file that happens to be called mlflow.db');
    await assert.rejects(open(dbPath), (e: Error) => e instanceof StoreOpenError && /is not a SQLite database/.test(e.message));
    assert.equal(fs.readFileSync(dbPath, 'utf8'), 'hello, I am a text file that happens to be called mlflow.db');
  });

  it('refuses a database at another schema revision', async () => {
    const SQL = await loadSqlJs();
    const other = new SQL.Database();
    other.run("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL); INSERT INTO alembic_version VALUES ('0584bdc529eb')");
    fs.writeFileSync(dbPath, Buffer.from(other.export()));
    const before = fs.readFileSync(dbPath);
    await assert.rejects(open(dbPath), (e: Error) => e instanceof StoreOpenError && /revision 0584bdc529eb/.test(e.message));
    assert.ok(fs.readFileSync(dbPath).equals(before));
  });

  it('refuses a snapshot changed by another program while the journal holds changes', async () => {
    const db = await open(dbPath);
    await insertExperiment(db, 1, 'ours');
    // Another program rewrites the database file while our journal still has an acknowledged change.
    const SQL = await loadSqlJs();
    const theirs = new SQL.Database(fs.readFileSync(dbPath));
    theirs.run("INSERT INTO experiments (experiment_id, name, lifecycle_stage) VALUES (9, 'theirs', 'active')");
    fs.writeFileSync(dbPath, Buffer.from(theirs.export()));
    const changed = fs.readFileSync(dbPath);
    await assert.rejects(open(dbPath), (e: Error) => e instanceof StoreOpenError && /changed by another program/.test(e.message));
    assert.ok(fs.readFileSync(dbPath).equals(changed), 'the other program\'s file is not overwritten');
  });

  it('does not overwrite a file changed by another program while it runs', async () => {
    const db = await open(dbPath, { minSnapshotJournalBytes: 1, snapshotFraction: 0 });
    await insertExperiment(db, 1, 'first');
    await db.close();
    const db2 = await open(dbPath, { minSnapshotJournalBytes: 1, snapshotFraction: 0 });
    const SQL = await loadSqlJs();
    const theirs = new SQL.Database(fs.readFileSync(dbPath));
    theirs.run("INSERT INTO experiments (experiment_id, name, lifecycle_stage) VALUES (9, 'theirs', 'active')");
    await new Promise((r) => setTimeout(r, 20));
    fs.writeFileSync(dbPath, Buffer.from(theirs.export()));
    await insertExperiment(db2, 2, 'second');
    await db2.close();
    assert.deepEqual(await namesOnDisk(dbPath), ['Default', 'first', 'theirs']);
    assert.equal(readJournals(dbPath)[0].records.length, 1, 'our change stays in the journal');
  });
});
