import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MlflowError } from '../../src/core/errors';
import { SqliteFileDatabase } from '../../src/core/store/db/sqliteFile';
import { sqliteWasm } from '../../src/core/store/db/sqliteWasm';
import { loadSqlJs } from '../../src/core/store/sqlJs';
import { StoreOpenError } from '../../src/core/store/storeOpenError';
import { makeTempDir } from '../support/tempDir';

const ROOT = 'mlflow-artifacts:';

function open(dbPath: string): Promise<SqliteFileDatabase> {
  return SqliteFileDatabase.open({ dbPath, defaultArtifactRoot: ROOT });
}

function insertExperiment(db: SqliteFileDatabase, id: number, name: string): Promise<number> {
  return db.write((w) => w.run("INSERT INTO experiments (experiment_id, name, artifact_location, lifecycle_stage) VALUES (?, ?, 'x', 'active')", [id, name]));
}

async function names(db: SqliteFileDatabase): Promise<string[]> {
  return (await db.all<{ name: string }>('SELECT name FROM experiments ORDER BY experiment_id')).map((r) => r.name);
}

/** Reads a database file (and its WAL, if any) the way SQLite does after a crash, from a copy. */
function namesAfterCrash(dbPath: string, copyDir: string): string[] {
  fs.mkdirSync(copyDir, { recursive: true });
  const copy = path.join(copyDir, 'copy.db');
  fs.copyFileSync(dbPath, copy);
  if (fs.existsSync(`${dbPath}-wal`)) fs.copyFileSync(`${dbPath}-wal`, `${copy}-wal`);
  const { Database } = sqliteWasm();
  const db = new Database(copy);
  try {
    db.exec('PRAGMA locking_mode = EXCLUSIVE');
    assert.equal((db.get('PRAGMA integrity_check') as { integrity_check: string }).integrity_check, 'ok');
    return db.all('SELECT name FROM experiments ORDER BY experiment_id').map((r) => String(r.name));
  } finally {
    db.close();
  }
}

const python = spawnSync('python3', ['-c', 'import sqlite3'], { encoding: 'utf8' }).status === 0;

describe('SqliteFileDatabase (node-sqlite3-wasm, WAL)', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let dbPath: string;
  beforeEach(() => {
    tmp = makeTempDir();
    dbPath = path.join(tmp.dir, 'mlflow.db');
  });
  afterEach(() => tmp.cleanup());

  it('creates MLflow\'s schema with the Default experiment, and a clean close leaves a plain database with no side files', async () => {
    const db = await open(dbPath);
    assert.deepEqual(await names(db), ['Default']);
    await insertExperiment(db, 1, 'first');
    await db.close();
    assert.deepEqual(fs.readdirSync(tmp.dir), ['mlflow.db']);
    const header = fs.readFileSync(dbPath).subarray(0, 20);
    assert.deepEqual([header[18], header[19]], [1, 1], 'rollback-journal mode, as MLflow creates its files');
    const SQL = await loadSqlJs();
    const copy = new SQL.Database(fs.readFileSync(dbPath));
    assert.deepEqual(copy.exec('SELECT name FROM experiments ORDER BY experiment_id')[0].values.map((r) => r[0]), ['Default', 'first']);
    copy.close();
  });

  it('keeps every acknowledged write when the process dies without closing (recovered from the WAL)', async () => {
    const db = await open(dbPath);
    for (let i = 1; i <= 20; i++) await insertExperiment(db, i, `e${i}`);
    // The files as a crash would leave them: the WAL holds the commits.
    assert.ok(fs.statSync(`${dbPath}-wal`).size > 0);
    const recovered = namesAfterCrash(dbPath, path.join(tmp.dir, 'crash'));
    assert.equal(recovered.length, 21);
    assert.equal(recovered[20], 'e20');
    await db.close();
  });

  it('reopens a store left by a crash (stale lock folder and WAL) with its data', async () => {
    const db = await open(dbPath);
    await insertExperiment(db, 1, 'before crash');
    // Simulated crash: copy the live files elsewhere, lock folder included, and open the copy.
    const crashed = path.join(tmp.dir, 'crashed');
    fs.mkdirSync(crashed);
    for (const f of ['mlflow.db', 'mlflow.db-wal']) fs.copyFileSync(path.join(tmp.dir, f), path.join(crashed, f));
    fs.mkdirSync(path.join(crashed, 'mlflow.db.lock'));
    await db.close();
    const reopened = await open(path.join(crashed, 'mlflow.db'));
    assert.deepEqual(await names(reopened), ['Default', 'before crash']);
    await insertExperiment(reopened, 2, 'after');
    await reopened.close();
  });

  it('rolls back a transaction that throws', async () => {
    const db = await open(dbPath);
    await assert.rejects(
      db.write(async (w) => {
        await w.run("INSERT INTO experiments (experiment_id, name, artifact_location, lifecycle_stage) VALUES (5, 'x', 'x', 'active')");
        throw new Error('boom');
      }),
      /boom/,
    );
    assert.deepEqual(await names(db), ['Default']);
    await db.close();
  });

  it('runs concurrent transactions one after another, never interleaved', async () => {
    const db = await open(dbPath);
    const order: string[] = [];
    await Promise.all(
      [1, 2, 3].map((i) =>
        db.write(async (w) => {
          order.push(`begin ${i}`);
          await w.run("INSERT INTO experiments (experiment_id, name, artifact_location, lifecycle_stage) VALUES (?, ?, 'x', 'active')", [i, `e${i}`]);
          await new Promise((r) => setTimeout(r, 5));
          order.push(`end ${i}`);
        }),
      ),
    );
    assert.deepEqual(order, ['begin 1', 'end 1', 'begin 2', 'end 2', 'begin 3', 'end 3']);
    await db.close();
  });

  it('commits concurrent transactions together, rolling back only the one that fails', async () => {
    const db = await open(dbPath);
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) =>
        db.write(async (w) => {
          await w.run("INSERT INTO experiments (experiment_id, name, artifact_location, lifecycle_stage) VALUES (?, ?, 'x', 'active')", [i + 1, `e${i + 1}`]);
          if (i === 4) throw new Error('the fifth fails');
          return i;
        }),
      ),
    );
    assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled', 'fulfilled', 'fulfilled']);
    assert.deepEqual(await names(db), ['Default', 'e1', 'e2', 'e3', 'e4', 'e6', 'e7', 'e8', 'e9', 'e10']);
    await db.close();
  });

  it('settles a transaction submitted just as the one before it settles, whatever the timing', async () => {
    const db = await open(dbPath);
    for (let hops = 0; hops < 8; hops++) {
      let second: Promise<number> | undefined;
      const first = insertExperiment(db, 100 + 2 * hops, `first${hops}`);
      void first.then(async () => {
        for (let i = 0; i < hops; i++) await null;
        second = insertExperiment(db, 101 + 2 * hops, `second${hops}`);
      });
      await first;
      for (let i = 0; i < hops + 2; i++) await null;
      const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`the second write never settled (${hops} hops)`)), 2000));
      assert.equal(await Promise.race([second!, timeout]), 1);
    }
    assert.equal((await names(db)).length, 17);
    await db.close();
  });

  it('refuses a file that is not a SQLite database and leaves it untouched', async () => {
    fs.writeFileSync(dbPath, 'hello, I am a text file that happens to be called mlflow.db');
    await assert.rejects(open(dbPath), (e: Error) => e instanceof StoreOpenError && /is not a SQLite database/.test(e.message));
    assert.equal(fs.readFileSync(dbPath, 'utf8'), 'hello, I am a text file that happens to be called mlflow.db');
  });

  it('refuses a database at another schema revision and leaves it untouched', async () => {
    const SQL = await loadSqlJs();
    const other = new SQL.Database();
    other.run("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL); INSERT INTO alembic_version VALUES ('0584bdc529eb')");
    fs.writeFileSync(dbPath, Buffer.from(other.export()));
    const before = fs.readFileSync(dbPath);
    await assert.rejects(open(dbPath), (e: Error) => e instanceof StoreOpenError && /revision 0584bdc529eb/.test(e.message));
    assert.ok(fs.readFileSync(dbPath).equals(before));
  });

  it('refuses a database with another program\'s unfinished transaction (a live rollback journal)', async () => {
    const db = await open(dbPath);
    await db.close();
    fs.writeFileSync(`${dbPath}-journal`, Buffer.from([0xd9, 0xd5, 0x05, 0xf9, 0x20, 0xa1, 0x63, 0xd7, 0, 0, 0, 0]));
    await assert.rejects(open(dbPath), (e: Error) => e instanceof StoreOpenError && /unfinished transaction/.test(e.message));
  });

  it('refuses a store with a journal of the earlier engine, naming it', async () => {
    const db = await open(dbPath);
    await db.close();
    fs.writeFileSync(`${dbPath}.runlens-journal-3`, 'RLJ');
    await assert.rejects(open(dbPath), (e: Error) => e instanceof StoreOpenError && /mlflow\.db\.runlens-journal-3/.test(e.message));
  });

  it('refuses to write while another SQLite program has the file open (its -shm file exists)', async () => {
    const db = await open(dbPath);
    await insertExperiment(db, 1, 'first');
    fs.writeFileSync(`${dbPath}-shm`, Buffer.alloc(32768));
    await assert.rejects(
      insertExperiment(db, 2, 'second'),
      (e: Error) => e instanceof MlflowError && e.errorCode === 'TEMPORARILY_UNAVAILABLE' && /Another program has .*mlflow\.db open/.test(e.message),
    );
    fs.rmSync(`${dbPath}-shm`);
    await insertExperiment(db, 2, 'second');
    assert.deepEqual(await names(db), ['Default', 'first', 'second']);
    await db.close();
  });

  (python ? it : it.skip)('detects a native SQLite client (Python) writing the store: refuses meanwhile, then reopens and keeps both writes', async () => {
    const db = await open(dbPath);
    await insertExperiment(db, 1, 'ours');
    // Python's sqlite3 writes a row and closes: as the last connection it checkpoints and removes the WAL.
    const script =
      'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); ' +
      "c.execute(\"INSERT INTO experiments (experiment_id, name, artifact_location, lifecycle_stage) VALUES (7, 'theirs', 'x', 'active')\"); " +
      'c.commit(); c.close()';
    const result = spawnSync('python3', ['-c', script, dbPath], { encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
    assert.equal(fs.existsSync(`${dbPath}-wal`), false, 'the native client removed the WAL');
    assert.equal(db.generation, 0);
    await insertExperiment(db, 2, 'ours again');
    assert.equal(db.generation, 1, 'caches of derived data learn that the data changed under them');
    assert.deepEqual(await names(db), ['Default', 'ours', 'ours again', 'theirs']);
    await db.close();
    const SQL = await loadSqlJs();
    const check = new SQL.Database(fs.readFileSync(dbPath));
    assert.equal(check.exec('PRAGMA integrity_check')[0].values[0][0], 'ok');
    assert.deepEqual(check.exec('SELECT name FROM experiments ORDER BY experiment_id')[0].values.map((r) => r[0]), ['Default', 'ours', 'ours again', 'theirs']);
    check.close();
  });
});
