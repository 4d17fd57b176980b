import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Database, SqlJsStatic } from 'sql.js';
import { RUNLENS_INDEX_STATEMENTS } from '../../src/core/store/runlensIndexes';
import { createSchema, SCHEMA_REVISION, SCHEMA_STATEMENTS } from '../../src/core/store/schema';
import { describeSchema, diffSchemas, readSchemaRevision, SchemaDescription, withoutRunlensIndexes } from '../../src/core/store/schemaInspect';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const initSqlJs: () => Promise<SqlJsStatic> = require('sql.js');

/** out/test/unit → repository root. */
const ROOT = path.resolve(__dirname, '..', '..', '..');
const FIXTURE_DB = path.join(ROOT, 'test', 'fixtures', 'mlflow-3.5', 'sqlite', 'mlflow.db');
const NOW = 1735689600000;
const ROOT_URI = 'file:///tmp/runlens-artifacts';

function scalar(db: Database, sql: string): unknown {
  const r = db.exec(sql);
  return r.length ? r[0].values[0][0] : undefined;
}

describe('schema (MLflow 3.5/3.6 head bf29a5ff90ea)', () => {
  let SQL: SqlJsStatic;
  let fixture: Database;
  let fresh: Database;
  let expected: SchemaDescription;

  before(async () => {
    SQL = await initSqlJs();
    // sql.js reads the bytes into memory: the file on disk is never written.
    fixture = new SQL.Database(fs.readFileSync(FIXTURE_DB));
    expected = describeSchema(fixture);
  });

  beforeEach(() => {
    fresh = new SQL.Database();
    createSchema(fresh, NOW, ROOT_URI);
  });

  afterEach(() => fresh.close());
  after(() => fixture.close());

  it('produces exactly the schema of a database written by MLflow 3.5, plus only the runlens_ indexes', () => {
    const full = describeSchema(fresh);
    assert.deepEqual(
      Object.keys(full.indexes).filter((name) => !(name in expected.indexes)),
      ['runlens_metrics_run_key_step', 'runlens_metrics_run_key_time'],
    );
    assert.deepEqual(full.indexes.runlens_metrics_run_key_step, { table: 'metrics', columns: ['run_uuid', 'key', 'step'], unique: false, where: null });
    const actual = withoutRunlensIndexes(full);
    assert.deepEqual(diffSchemas(expected, actual), []);
    assert.deepEqual(actual, expected);
  });

  it('has 34 tables, 34 explicit indexes (one unique) and the stored generated column', () => {
    for (const desc of [expected, withoutRunlensIndexes(describeSchema(fresh))]) {
      assert.equal(Object.keys(desc.tables).length, 34);
      assert.equal(Object.keys(desc.indexes).length, 34);
      assert.deepEqual(
        Object.entries(desc.indexes).filter(([, i]) => i.unique).map(([n]) => n),
        ['index_scorers_experiment_id_scorer_name'],
      );
      const duration = desc.tables.spans.columns.find((c) => c.name === 'duration_ns');
      assert.equal(duration?.hidden, 3);
      assert.equal(duration?.generated, 'end_time_unix_nano - start_time_unix_nano');
    }
    assert.equal(SCHEMA_STATEMENTS.filter((s) => /^\s*CREATE TABLE/i.test(s)).length, 34);
    assert.equal(SCHEMA_STATEMENTS.filter((s) => /^\s*CREATE (UNIQUE )?INDEX/i.test(s)).length, 34);
    assert.equal(scalar(fresh, "SELECT count(*) FROM sqlite_master WHERE type = 'table'"), 34);
    assert.equal(
      scalar(fresh, "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_autoindex_%'"),
      34 + RUNLENS_INDEX_STATEMENTS.length,
    );
  });

  it('stamps the single alembic_version row', () => {
    assert.equal(SCHEMA_REVISION, 'bf29a5ff90ea');
    assert.deepEqual(fresh.exec('SELECT version_num FROM alembic_version')[0].values, [['bf29a5ff90ea']]);
    assert.equal(readSchemaRevision(fresh), SCHEMA_REVISION);
    assert.equal(readSchemaRevision(fixture), SCHEMA_REVISION);
    const empty = new SQL.Database();
    assert.equal(readSchemaRevision(empty), undefined);
    empty.close();
  });

  it('inserts the Default experiment', () => {
    const r = fresh.exec(
      `SELECT experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time,
              typeof(creation_time), typeof(last_update_time)
       FROM experiments`,
    );
    assert.deepEqual(r[0].values, [
      [0, 'Default', `${ROOT_URI}/0`, 'active', NOW, NOW, 'integer', 'integer'],
    ]);
  });

  it('satisfies and enforces its foreign keys', () => {
    fresh.run('PRAGMA foreign_keys = ON');
    assert.deepEqual(fresh.exec('PRAGMA foreign_key_check'), []);
    assert.throws(
      () => fresh.run(
        "INSERT INTO runs (run_uuid, experiment_id, lifecycle_stage, status) VALUES ('0123456789abcdef0123456789abcdef', 42, 'active', 'RUNNING')",
      ),
      /FOREIGN KEY constraint failed/,
    );
    // The same row is accepted for an existing experiment, and CHECK constraints are live.
    fresh.run("INSERT INTO runs (run_uuid, experiment_id, lifecycle_stage, status) VALUES ('0123456789abcdef0123456789abcdef', 0, 'active', 'RUNNING')");
    assert.throws(() => fresh.run("UPDATE runs SET status = 'BOGUS'"), /CHECK constraint failed/);
  });

  it('computes spans.duration_ns', () => {
    fresh.run('PRAGMA foreign_keys = ON');
    fresh.run("INSERT INTO trace_info (request_id, experiment_id, timestamp_ms, status) VALUES ('tr-1', 0, 1, 'OK')");
    fresh.run("INSERT INTO spans (trace_id, experiment_id, span_id, status, start_time_unix_nano, end_time_unix_nano, content) VALUES ('tr-1', 0, 's1', 'OK', 1000, 3500, '{}')");
    assert.equal(scalar(fresh, 'SELECT duration_ns FROM spans'), 2500);
  });

  it('tells a difference when a column is missing', () => {
    const broken = new SQL.Database();
    try {
      createSchema(broken, NOW, ROOT_URI);
      broken.run('ALTER TABLE runs DROP COLUMN deleted_time');
      const diff = diffSchemas(expected, describeSchema(broken));
      assert.ok(diff.some((d) => d.startsWith('tables: runs.columns')), diff.join('\n'));
      assert.notDeepEqual(describeSchema(broken), expected);
    } finally {
      broken.close();
    }
  });

  it('tells a difference in a constraint name, an FK action or an index', () => {
    const variants: Array<[string, string]> = [
      ['CONSTRAINT run_pk PRIMARY KEY', 'CONSTRAINT run_primary PRIMARY KEY'],
      ['REFERENCES webhooks (webhook_id) ON DELETE CASCADE', 'REFERENCES webhooks (webhook_id)'],
      ['CREATE UNIQUE INDEX index_scorers', 'CREATE INDEX index_scorers'],
      ["DEFAULT 'ACTIVE'", "DEFAULT 'active'"],
      ['STORED', 'VIRTUAL'],
    ];
    for (const [from, to] of variants) {
      const db = new SQL.Database();
      try {
        let replaced = 0;
        for (const s of SCHEMA_STATEMENTS) {
          if (s.includes(from)) replaced++;
          db.run(s.replace(from, to));
        }
        assert.equal(replaced, 1, from);
        assert.notDeepEqual(diffSchemas(expected, describeSchema(db)), [], `${from} → ${to}`);
      } finally {
        db.close();
      }
    }
  });

  it('ignores whitespace, keyword case, quoting and clause order', () => {
    const db = new SQL.Database();
    try {
      db.run('CREATE TABLE t ("Key" varchar ( 10 ) default \'x\' not null, b INT, CONSTRAINT t_pk PRIMARY KEY ("Key"), CHECK (b IN (0, 1)))');
      const a = describeSchema(db);
      db.run('DROP TABLE t');
      db.run("CREATE TABLE t (\n  [Key] VARCHAR(10) NOT NULL DEFAULT 'x',\n  b INT,\n  check(b in (0,1)),\n  constraint T_PK primary key(`Key`)\n)");
      assert.deepEqual(describeSchema(db), a);
    } finally {
      db.close();
    }
  });
});
