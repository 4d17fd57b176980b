import type { Database, SqlJsStatic } from 'sql.js';

/**
 * SQLite databases as MLflow writes them at older Alembic revisions, for tests of reading such
 * stores. Table shapes from compat §4.2/§4.3 and MLflow's migration files:
 * - `0584bdc529eb` (head of MLflow 2.18–2.22): the 18 tables of §4.3 — datasets/inputs/input_tags
 *   (no inputs.step), registered_model_aliases, model_versions.storage_location, the three trace
 *   tables; no logged models.
 * - `cc1f77228345` (MLflow 2.0 era, 2022-08): no experiments.creation_time/last_update_time
 *   (97727af70f4d), no aliases (3500859a5d39), no datasets/inputs/input_tags (7f2a7d5fae7d), no
 *   model_versions.storage_location (acf3f17fdcc7), no trace tables; params.value VARCHAR(500)
 *   (cc1f77228345), tags.value VARCHAR(5000) (7ac759974ad8); runs.deleted_time exists (0c779009ac13).
 */

export type OlderRevision = '0584bdc529eb' | 'cc1f77228345';

const EXPERIMENT_TIMES = `,
    creation_time BIGINT,
    last_update_time BIGINT`;

function trackingTables(revision: OlderRevision): string[] {
  const newer = revision === '0584bdc529eb';
  return [
    `CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL, CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))`,
    `CREATE TABLE experiments (
    experiment_id INTEGER NOT NULL,
    name VARCHAR(256) NOT NULL,
    artifact_location VARCHAR(256),
    lifecycle_stage VARCHAR(32)${newer ? EXPERIMENT_TIMES : ''},
    CONSTRAINT experiment_pk PRIMARY KEY (experiment_id),
    UNIQUE (name),
    CONSTRAINT experiments_lifecycle_stage CHECK (lifecycle_stage IN ('active', 'deleted')))`,
    `CREATE TABLE experiment_tags (key VARCHAR(250) NOT NULL, value VARCHAR(5000), experiment_id INTEGER NOT NULL,
    CONSTRAINT experiment_tag_pk PRIMARY KEY (key, experiment_id), FOREIGN KEY(experiment_id) REFERENCES experiments (experiment_id))`,
    `CREATE TABLE runs (
    run_uuid VARCHAR(32) NOT NULL, name VARCHAR(250), source_type VARCHAR(20), source_name VARCHAR(500),
    entry_point_name VARCHAR(50), user_id VARCHAR(256), status VARCHAR(9), start_time BIGINT, end_time BIGINT,
    source_version VARCHAR(50), lifecycle_stage VARCHAR(20), artifact_uri VARCHAR(200), experiment_id INTEGER, deleted_time BIGINT,
    CONSTRAINT run_pk PRIMARY KEY (run_uuid),
    FOREIGN KEY(experiment_id) REFERENCES experiments (experiment_id),
    CONSTRAINT runs_lifecycle_stage CHECK (lifecycle_stage IN ('active', 'deleted')),
    CONSTRAINT source_type CHECK (source_type IN ('NOTEBOOK', 'JOB', 'LOCAL', 'UNKNOWN', 'PROJECT')),
    CHECK (status IN ('SCHEDULED', 'FAILED', 'FINISHED', 'RUNNING', 'KILLED')))`,
    `CREATE TABLE tags (key VARCHAR(250) NOT NULL, value VARCHAR(${newer ? 8000 : 5000}), run_uuid VARCHAR(32) NOT NULL,
    CONSTRAINT tag_pk PRIMARY KEY (key, run_uuid), FOREIGN KEY(run_uuid) REFERENCES runs (run_uuid))`,
    `CREATE TABLE params (key VARCHAR(250) NOT NULL, value VARCHAR(${newer ? 8000 : 500}) NOT NULL, run_uuid VARCHAR(32) NOT NULL,
    CONSTRAINT param_pk PRIMARY KEY (key, run_uuid), FOREIGN KEY(run_uuid) REFERENCES runs (run_uuid))`,
    `CREATE TABLE metrics (key VARCHAR(250) NOT NULL, value FLOAT NOT NULL, timestamp BIGINT NOT NULL, run_uuid VARCHAR(32) NOT NULL,
    step BIGINT DEFAULT '0' NOT NULL, is_nan BOOLEAN DEFAULT '0' NOT NULL,
    CONSTRAINT metric_pk PRIMARY KEY (key, timestamp, step, run_uuid, value, is_nan),
    FOREIGN KEY(run_uuid) REFERENCES runs (run_uuid), CHECK (is_nan IN (0, 1)))`,
    `CREATE TABLE latest_metrics (key VARCHAR(250) NOT NULL, value FLOAT NOT NULL, timestamp BIGINT, step BIGINT NOT NULL,
    is_nan BOOLEAN NOT NULL, run_uuid VARCHAR(32) NOT NULL,
    CONSTRAINT latest_metric_pk PRIMARY KEY (key, run_uuid), FOREIGN KEY(run_uuid) REFERENCES runs (run_uuid), CHECK (is_nan IN (0, 1)))`,
    'CREATE INDEX index_params_run_uuid ON params (run_uuid)',
    'CREATE INDEX index_metrics_run_uuid ON metrics (run_uuid)',
    'CREATE INDEX index_latest_metrics_run_uuid ON latest_metrics (run_uuid)',
    'CREATE INDEX index_tags_run_uuid ON tags (run_uuid)',
  ];
}

function registryTables(revision: OlderRevision): string[] {
  const newer = revision === '0584bdc529eb';
  const tables = [
    `CREATE TABLE registered_models (name VARCHAR(256) NOT NULL, creation_time BIGINT, last_updated_time BIGINT, description VARCHAR(5000),
    CONSTRAINT registered_model_pk PRIMARY KEY (name), UNIQUE (name))`,
    `CREATE TABLE registered_model_tags (key VARCHAR(250) NOT NULL, value VARCHAR(5000), name VARCHAR(256) NOT NULL,
    CONSTRAINT registered_model_tag_pk PRIMARY KEY (key, name), FOREIGN KEY(name) REFERENCES registered_models (name) ON UPDATE CASCADE)`,
    `CREATE TABLE model_versions (name VARCHAR(256) NOT NULL, version INTEGER NOT NULL, creation_time BIGINT, last_updated_time BIGINT,
    description VARCHAR(5000), user_id VARCHAR(256), current_stage VARCHAR(20), source VARCHAR(500), run_id VARCHAR(32),
    status VARCHAR(20), status_message VARCHAR(500), run_link VARCHAR(500)${newer ? ', storage_location VARCHAR(500)' : ''},
    CONSTRAINT model_version_pk PRIMARY KEY (name, version), FOREIGN KEY(name) REFERENCES registered_models (name) ON UPDATE CASCADE)`,
    `CREATE TABLE model_version_tags (key VARCHAR(250) NOT NULL, value VARCHAR(5000), name VARCHAR(256) NOT NULL, version INTEGER NOT NULL,
    CONSTRAINT model_version_tag_pk PRIMARY KEY (key, name, version),
    FOREIGN KEY(name, version) REFERENCES model_versions (name, version) ON UPDATE CASCADE)`,
  ];
  if (!newer) return tables;
  return [
    ...tables,
    `CREATE TABLE registered_model_aliases (alias VARCHAR(256) NOT NULL, version INTEGER NOT NULL, name VARCHAR(256) NOT NULL,
    CONSTRAINT registered_model_alias_pk PRIMARY KEY (name, alias),
    CONSTRAINT registered_model_alias_name_fkey FOREIGN KEY(name) REFERENCES registered_models (name) ON DELETE CASCADE ON UPDATE CASCADE)`,
  ];
}

/** Tables MLflow 2.4+ added (datasets, inputs without step, input_tags) and 2.13+ (traces). */
const DATASET_AND_TRACE_TABLES = [
  `CREATE TABLE datasets (dataset_uuid VARCHAR(36) NOT NULL, experiment_id INTEGER NOT NULL, name VARCHAR(500) NOT NULL,
    digest VARCHAR(36) NOT NULL, dataset_source_type VARCHAR(36) NOT NULL, dataset_source TEXT NOT NULL, dataset_schema TEXT, dataset_profile TEXT,
    CONSTRAINT dataset_pk PRIMARY KEY (experiment_id, name, digest),
    CONSTRAINT fk_datasets_experiment_id_experiments FOREIGN KEY(experiment_id) REFERENCES experiments (experiment_id) ON DELETE CASCADE)`,
  `CREATE TABLE inputs (input_uuid VARCHAR(36) NOT NULL, source_type VARCHAR(36) NOT NULL, source_id VARCHAR(36) NOT NULL,
    destination_type VARCHAR(36) NOT NULL, destination_id VARCHAR(36) NOT NULL,
    CONSTRAINT inputs_pk PRIMARY KEY (source_type, source_id, destination_type, destination_id))`,
  `CREATE TABLE input_tags (input_uuid VARCHAR(36) NOT NULL, name VARCHAR(255) NOT NULL, value VARCHAR(500) NOT NULL,
    CONSTRAINT input_tags_pk PRIMARY KEY (input_uuid, name))`,
  'CREATE INDEX index_datasets_dataset_uuid ON datasets (dataset_uuid)',
  'CREATE INDEX index_datasets_experiment_id_dataset_source_type ON datasets (experiment_id, dataset_source_type)',
  'CREATE INDEX index_inputs_input_uuid ON inputs (input_uuid)',
  'CREATE INDEX index_inputs_destination_type_destination_id_source_type ON inputs (destination_type, destination_id, source_type)',
  `CREATE TABLE trace_info (request_id VARCHAR(50) NOT NULL, experiment_id INTEGER NOT NULL, timestamp_ms BIGINT NOT NULL,
    execution_time_ms BIGINT, status VARCHAR(50) NOT NULL, CONSTRAINT trace_info_pk PRIMARY KEY (request_id),
    CONSTRAINT fk_trace_info_experiment_id FOREIGN KEY(experiment_id) REFERENCES experiments (experiment_id))`,
  `CREATE TABLE trace_tags (key VARCHAR(250) NOT NULL, value VARCHAR(8000), request_id VARCHAR(50) NOT NULL,
    CONSTRAINT trace_tag_pk PRIMARY KEY (key, request_id),
    CONSTRAINT fk_trace_tags_request_id FOREIGN KEY(request_id) REFERENCES trace_info (request_id) ON DELETE CASCADE)`,
  `CREATE TABLE trace_request_metadata (key VARCHAR(250) NOT NULL, value VARCHAR(8000), request_id VARCHAR(50) NOT NULL,
    CONSTRAINT trace_request_metadata_pk PRIMARY KEY (key, request_id),
    CONSTRAINT fk_trace_request_metadata_request_id FOREIGN KEY(request_id) REFERENCES trace_info (request_id) ON DELETE CASCADE)`,
  'CREATE INDEX index_trace_info_experiment_id_timestamp_ms ON trace_info (experiment_id, timestamp_ms)',
  'CREATE INDEX index_trace_tags_request_id ON trace_tags (request_id)',
  'CREATE INDEX index_trace_request_metadata_request_id ON trace_request_metadata (request_id)',
];

/** The ids and values the seeded rows use, for assertions. */
export const SEED = {
  runId: 'a'.repeat(32),
  otherRunId: 'b'.repeat(32),
  experimentName: 'legacy-experiment',
  model: 'legacy-model',
  datasetUuid: 'd'.repeat(32),
  inputUuid: 'e'.repeat(32),
  t0: 1_660_000_000_000,
};

/** An empty database in MLflow's schema at `revision`, with the Default experiment, as MLflow leaves it on first start. */
export function createOlderMlflowDb(SQL: SqlJsStatic, revision: OlderRevision): Database {
  const db = new SQL.Database();
  const statements = [...trackingTables(revision), ...registryTables(revision)];
  if (revision === '0584bdc529eb') statements.push(...DATASET_AND_TRACE_TABLES);
  for (const statement of statements) db.run(statement);
  db.run('INSERT INTO alembic_version VALUES (?)', [revision]);
  const times = revision === '0584bdc529eb';
  db.run(
    `INSERT INTO experiments (experiment_id, name, artifact_location, lifecycle_stage${times ? ', creation_time, last_update_time' : ''})
     VALUES (0, 'Default', './mlruns/0', 'active'${times ? `, ${SEED.t0}, ${SEED.t0}` : ''})`,
  );
  return db;
}

/** Rows as MLflow would write them: an experiment with a tag, two runs with params/metrics/tags, a registered model with a version. */
export function seedOlderMlflowDb(db: Database, revision: OlderRevision): void {
  const { runId, otherRunId, t0 } = SEED;
  const times = revision === '0584bdc529eb';
  db.run(
    `INSERT INTO experiments (experiment_id, name, artifact_location, lifecycle_stage${times ? ', creation_time, last_update_time' : ''})
     VALUES (1, ?, './mlruns/1', 'active'${times ? `, ${t0}, ${t0}` : ''})`,
    [SEED.experimentName],
  );
  db.run("INSERT INTO experiment_tags VALUES ('team', 'legacy', 1)");
  for (const [id, name, status, end] of [
    [runId, 'first-run', 'FINISHED', t0 + 60_000],
    [otherRunId, 'second-run', 'FAILED', t0 + 120_000],
  ] as const) {
    db.run(
      `INSERT INTO runs VALUES (?, ?, 'UNKNOWN', '', '', 'old-user', ?, ?, ?, '', 'active', ?, 1, NULL)`,
      [id, name, status, t0, end, `./mlruns/1/${id}/artifacts`],
    );
    db.run("INSERT INTO tags VALUES ('mlflow.runName', ?, ?)", [name, id]);
    db.run("INSERT INTO tags VALUES ('mlflow.user', 'old-user', ?)", [id]);
    db.run("INSERT INTO params VALUES ('lr', ?, ?)", [id === runId ? '0.1' : '0.2', id]);
  }
  for (let step = 0; step < 3; step++) {
    db.run("INSERT INTO metrics VALUES ('loss', ?, ?, ?, ?, 0)", [1 / (step + 1), t0 + step * 1000, runId, step]);
  }
  db.run("INSERT INTO latest_metrics VALUES ('loss', ?, ?, 2, 0, ?)", [1 / 3, t0 + 2000, runId]);
  db.run("INSERT INTO registered_models VALUES (?, ?, ?, 'a model from MLflow 2')", [SEED.model, t0, t0]);
  db.run("INSERT INTO registered_model_tags VALUES ('owner', 'old-user', ?)", [SEED.model]);
  const version = [SEED.model, 1, t0, t0, null, null, 'Production', `./mlruns/1/${runId}/artifacts/model`, runId, 'READY', null, ''];
  if (revision === '0584bdc529eb') version.push(`./mlruns/1/${runId}/artifacts/model`);
  db.run(`INSERT INTO model_versions VALUES (${version.map(() => '?').join(', ')})`, version);
  db.run("INSERT INTO model_version_tags VALUES ('validated', 'yes', ?, 1)", [SEED.model]);
  if (revision !== '0584bdc529eb') return;
  db.run("INSERT INTO registered_model_aliases VALUES ('champion', 1, ?)", [SEED.model]);
  db.run(
    `INSERT INTO datasets VALUES (?, 1, 'train', 'abc123', 'local', '{"uri": "/data/train.csv"}', NULL, NULL)`,
    [SEED.datasetUuid],
  );
  db.run("INSERT INTO inputs VALUES (?, 'DATASET', ?, 'RUN', ?)", [SEED.inputUuid, SEED.datasetUuid, runId]);
  db.run("INSERT INTO input_tags VALUES (?, 'mlflow.data.context', 'training')", [SEED.inputUuid]);
}

/**
 * The fork head `1b5f0d9ad7c1` (compat §4.5) made from a `bf29a5ff90ea` database: the workspace
 * columns and the workspaces table (keys and indexes left as they were; reads do not use them).
 */
export function upgradeToForkHead(db: Database): void {
  for (const table of ['experiments', 'registered_models', 'model_versions', 'registered_model_tags', 'model_version_tags',
    'registered_model_aliases', 'evaluation_datasets', 'webhooks', 'jobs']) {
    db.run(`ALTER TABLE ${table} ADD COLUMN workspace VARCHAR(63) DEFAULT 'default' NOT NULL`);
  }
  db.run('CREATE TABLE workspaces (name VARCHAR(63) NOT NULL, description TEXT, CONSTRAINT workspaces_pk PRIMARY KEY (name))');
  db.run("INSERT INTO workspaces VALUES ('default', 'Default workspace for legacy resources')");
  db.run("UPDATE alembic_version SET version_num = '1b5f0d9ad7c1'");
}
