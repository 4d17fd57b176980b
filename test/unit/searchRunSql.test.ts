import assert from 'node:assert/strict';
import initSqlJs from 'sql.js';
import type { Database } from 'sql.js';
import { MlflowError } from '../../src/core/errors';
import { SearchableRun, searchRunsInMemory } from '../../src/core/search/runEvaluator';
import { RunSearchQueryOptions, buildRunSearchQuery } from '../../src/core/search/runSearchSql';

/** Just the tables and indexes run search reads, with MLflow's column names (compat §4.3). */
const SCHEMA = `
CREATE TABLE runs (run_uuid VARCHAR(32) NOT NULL PRIMARY KEY, name VARCHAR(250), user_id VARCHAR(256), status VARCHAR(9),
  start_time BIGINT, end_time BIGINT, lifecycle_stage VARCHAR(20), artifact_uri VARCHAR(200), experiment_id INTEGER);
CREATE TABLE latest_metrics (key VARCHAR(250) NOT NULL, value FLOAT NOT NULL, timestamp BIGINT, step BIGINT NOT NULL,
  is_nan BOOLEAN NOT NULL, run_uuid VARCHAR(32) NOT NULL, PRIMARY KEY (key, run_uuid));
CREATE TABLE params (key VARCHAR(250) NOT NULL, value VARCHAR(8000) NOT NULL, run_uuid VARCHAR(32) NOT NULL, PRIMARY KEY (key, run_uuid));
CREATE TABLE tags (key VARCHAR(250) NOT NULL, value VARCHAR(8000), run_uuid VARCHAR(32) NOT NULL, PRIMARY KEY (key, run_uuid));
CREATE TABLE datasets (dataset_uuid VARCHAR(36) NOT NULL, experiment_id INTEGER NOT NULL, name VARCHAR(500) NOT NULL,
  digest VARCHAR(36) NOT NULL, PRIMARY KEY (experiment_id, name, digest));
CREATE TABLE inputs (input_uuid VARCHAR(36) NOT NULL, source_type VARCHAR(36) NOT NULL, source_id VARCHAR(36) NOT NULL,
  destination_type VARCHAR(36) NOT NULL, destination_id VARCHAR(36) NOT NULL, PRIMARY KEY (source_type, source_id, destination_type, destination_id));
CREATE TABLE input_tags (input_uuid VARCHAR(36) NOT NULL, name VARCHAR(255) NOT NULL, value VARCHAR(500) NOT NULL, PRIMARY KEY (input_uuid, name));
CREATE INDEX index_latest_metrics_run_uuid ON latest_metrics (run_uuid);
CREATE INDEX index_params_run_uuid ON params (run_uuid);
CREATE INDEX index_tags_run_uuid ON tags (run_uuid);
CREATE INDEX index_inputs_destination_type_destination_id_source_type ON inputs (destination_type, destination_id, source_type);
`;

interface FixtureRun {
  id: string;
  exp: number;
  name: string;
  user: string | null;
  status: string;
  start: number | null;
  end: number | null;
  stage?: 'active' | 'deleted';
  metrics?: Record<string, number>;
  params?: Record<string, string>;
  tags?: Record<string, string>;
  datasets?: Array<{ name: string; digest: string; context?: string }>;
}

const RUNS: FixtureRun[] = [
  {
    id: 'run01', exp: 1, name: 'alpha', user: 'alice', status: 'FINISHED', start: 100, end: 200,
    metrics: { acc: 0.9, loss: 0.5 }, params: { lr: '0.1', opt: 'Adam' }, tags: { 'mlflow.runName': 'alpha', team: 'Core' },
    datasets: [{ name: 'mnist', digest: 'aaa', context: 'training' }],
  },
  {
    id: 'run02', exp: 1, name: 'Beta', user: 'bob', status: 'FINISHED', start: 300, end: null,
    metrics: { acc: NaN, loss: 0.2 }, params: { lr: '0.01', opt: 'adam' }, tags: { 'mlflow.runName': 'Beta', team: 'core' },
    datasets: [{ name: 'mnist', digest: 'aaa', context: 'eval' }, { name: 'cifar', digest: 'bbb', context: 'training' }],
  },
  {
    id: 'run03', exp: 1, name: 'gamma_1', user: null, status: 'RUNNING', start: 300, end: 500,
    metrics: { acc: 0.95 }, tags: { 'mlflow.runName': 'gamma_1' },
  },
  {
    id: 'run04', exp: 1, name: 'delta*x', user: 'alice', status: 'FAILED', start: 50, end: 60, stage: 'deleted',
    metrics: { acc: -1 }, params: { lr: '0.1' }, tags: { 'mlflow.runName': 'delta*x' },
  },
  { id: 'run05', exp: 2, name: 'eps', user: 'erin', status: 'FINISHED', start: 400, end: 410, metrics: { acc: 0.1 }, tags: { 'mlflow.runName': 'eps' } },
  {
    id: 'run06', exp: 1, name: 'zeta', user: 'carol', status: 'KILLED', start: null, end: null,
    metrics: { acc: Infinity, loss: -Infinity }, params: { lr: '1e-3' }, tags: { 'mlflow.runName': 'zeta', team: 'Core' },
  },
  // No metrics, and a runs.name that differs from its (absent) mlflow.runName tag.
  { id: 'run07', exp: 1, name: 'eta', user: 'dave', status: 'FINISHED', start: 250, end: 260, params: { opt: 'sgd' } },
];

const MAX_DOUBLE = 1.7976931348623157e308;

function storedMetric(v: number): [number, number] {
  if (Number.isNaN(v)) return [0, 1];
  if (v === Infinity) return [MAX_DOUBLE, 0];
  if (v === -Infinity) return [-MAX_DOUBLE, 0];
  return [v, 0];
}

function load(db: Database): void {
  db.run(SCHEMA);
  const datasetIds = new Map<string, string>();
  let inputCount = 0;
  for (const r of RUNS) {
    db.run('INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)', [
      r.id, r.name, r.user, r.status, r.start, r.end, r.stage ?? 'active', `file:///a/${r.id}/artifacts`, r.exp,
    ]);
    for (const [key, v] of Object.entries(r.metrics ?? {})) {
      const [value, isNan] = storedMetric(v);
      db.run('INSERT INTO latest_metrics VALUES (?, ?, 1, 0, ?, ?)', [key, value, isNan, r.id]);
    }
    for (const [key, value] of Object.entries(r.params ?? {})) db.run('INSERT INTO params VALUES (?, ?, ?)', [key, value, r.id]);
    for (const [key, value] of Object.entries(r.tags ?? {})) db.run('INSERT INTO tags VALUES (?, ?, ?)', [key, value, r.id]);
    for (const d of r.datasets ?? []) {
      const dsKey = `${r.exp}/${d.name}/${d.digest}`;
      if (!datasetIds.has(dsKey)) {
        datasetIds.set(dsKey, `ds${datasetIds.size}`);
        db.run('INSERT INTO datasets VALUES (?, ?, ?, ?)', [datasetIds.get(dsKey)!, r.exp, d.name, d.digest]);
      }
      const inputId = `in${inputCount++}`;
      db.run("INSERT INTO inputs VALUES (?, 'DATASET', ?, 'RUN', ?)", [inputId, datasetIds.get(dsKey)!, r.id]);
      if (d.context) db.run("INSERT INTO input_tags VALUES (?, 'mlflow.data.context', ?)", [inputId, d.context]);
    }
  }
}

function searchable(r: FixtureRun): SearchableRun {
  return {
    info: {
      run_id: r.id, run_name: r.name, experiment_id: String(r.exp), user_id: r.user, status: r.status,
      start_time: r.start, end_time: r.end, artifact_uri: `file:///a/${r.id}/artifacts`, lifecycle_stage: r.stage ?? 'active',
    },
    metrics: r.metrics ?? {},
    params: new Map(Object.entries(r.params ?? {})),
    tags: r.tags ?? {},
    datasetInputs: (r.datasets ?? []).map((d) => ({
      dataset: { name: d.name, digest: d.digest },
      tags: new Map(d.context ? [['mlflow.data.context', d.context]] : []),
    })),
  };
}

type Search = Partial<RunSearchQueryOptions>;

describe('search: run SQL on sql.js', () => {
  let db: Database;
  const evaluatorRuns = RUNS.map(searchable);

  before(async () => {
    const SQL = await initSqlJs();
    db = new SQL.Database();
    load(db);
  });

  after(() => db.close());

  function options(s: Search): RunSearchQueryOptions {
    return { experimentIds: ['1'], viewType: 'ACTIVE_ONLY', offset: 0, limit: 100, ...s };
  }

  function sqlIds(s: Search): string[] {
    const { sql, params } = buildRunSearchQuery(options(s));
    const result = db.exec(sql, params);
    return result.length ? result[0].values.map((row) => String(row[0])) : [];
  }

  function memoryIds(s: Search): string[] {
    return searchRunsInMemory(evaluatorRuns, options(s)).map((r) => r.info.run_id);
  }

  /** Runs the query in SQL and in memory; both must give `expected`, in order. */
  function expectRuns(s: Search, expected: string[]): void {
    assert.deepEqual(sqlIds(s), expected, `SQL result for ${JSON.stringify(s)}`);
    assert.deepEqual(memoryIds(s), expected, `in-memory result for ${JSON.stringify(s)}`);
  }

  it('builds SELECT r.run_uuid FROM runs r ... LIMIT ? OFFSET ? with bound parameters', () => {
    const { sql, params } = buildRunSearchQuery(options({ filter: "params.lr = '0.1'", orderBy: ['metrics.acc DESC'], offset: 5, limit: 10 }));
    assert.match(sql, /^SELECT r\.run_uuid FROM runs r /);
    assert.match(sql, / LIMIT \? OFFSET \?$/);
    assert.doesNotMatch(sql, /0\.1|'acc'/);
    assert.deepEqual(params, ['acc', 1, 'lr', '0.1', 10, 5]);
  });

  it('orders by start_time DESC then run_id ASC by default, null start times last', () => {
    expectRuns({}, ['run02', 'run03', 'run07', 'run01', 'run06']);
  });

  it('scopes by experiment ids (non-integers match nothing) and view type', () => {
    expectRuns({ experimentIds: ['1', '2'] }, ['run05', 'run02', 'run03', 'run07', 'run01', 'run06']);
    expectRuns({ experimentIds: ['abc'] }, []);
    expectRuns({ experimentIds: [] }, []);
    expectRuns({ experimentIds: ['2', 'x'] }, ['run05']);
    expectRuns({ viewType: 'DELETED_ONLY' }, ['run04']);
    expectRuns({ viewType: 'ALL' }, ['run02', 'run03', 'run07', 'run01', 'run04', 'run06']);
  });

  it('pages with LIMIT and OFFSET', () => {
    expectRuns({ limit: 2, offset: 1 }, ['run03', 'run07']);
    expectRuns({ limit: 2, offset: 4 }, ['run06']);
  });

  it('makes LIKE case-sensitive and ILIKE case-insensitive', () => {
    expectRuns({ filter: "params.opt LIKE 'A%'" }, ['run01']);
    expectRuns({ filter: "params.opt ILIKE 'a%'" }, ['run02', 'run01']);
    expectRuns({ filter: "tags.team LIKE 'core'" }, ['run02']);
    expectRuns({ filter: "tags.team ILIKE 'CORE'" }, ['run02', 'run01', 'run06']);
    expectRuns({ filter: "params.opt = 'adam'" }, ['run02']);
  });

  it('matches LIKE wildcards on whole values with no escape character, GLOB characters literal', () => {
    expectRuns({ filter: "attributes.run_name LIKE 'gamma_1'" }, ['run03']);
    expectRuns({ filter: "attributes.run_name LIKE 'gamma_'" }, []);
    expectRuns({ filter: "attributes.run_name LIKE 'gamma%'" }, ['run03']);
    expectRuns({ filter: "attributes.run_name LIKE 'amm'" }, []);
    expectRuns({ filter: "attributes.run_name LIKE 'delta*%'", viewType: 'ALL' }, ['run04']);
    expectRuns({ filter: "attributes.run_name LIKE 'delta?x'", viewType: 'ALL' }, []);
    expectRuns({ filter: "attributes.run_name LIKE '%[*]%'", viewType: 'ALL' }, []);
    expectRuns({ filter: "attributes.run_name ILIKE 'DELTA_X'", viewType: 'ALL' }, ['run04']);
  });

  it('never matches a run lacking the key, even with !=', () => {
    expectRuns({ filter: "params.lr != '0.1'" }, ['run02', 'run06']);
    expectRuns({ filter: "tags.team != 'Core'" }, ['run02']);
    expectRuns({ filter: 'metrics.loss != 0.5' }, ['run02', 'run06']);
    expectRuns({ filter: "user_id != 'alice'" }, ['run02', 'run07', 'run06']);
    expectRuns({ filter: 'end_time != 200' }, ['run03', 'run07']);
  });

  it('matches run_name against the mlflow.runName tag', () => {
    expectRuns({ filter: "attributes.run_name = 'alpha'" }, ['run01']);
    expectRuns({ filter: "run_name = 'eta'" }, []);
    expectRuns({ filter: "`Run Name` ILIKE '%ET%'" }, ['run02', 'run06']);
  });

  it('compares metrics on latest values, NaN stored as 0, infinities as extremes', () => {
    expectRuns({ filter: 'metrics.acc > 0.5' }, ['run03', 'run01', 'run06']);
    expectRuns({ filter: 'metrics.acc >= 1e308' }, ['run06']);
    expectRuns({ filter: 'metrics.loss < -1e308' }, ['run06']);
    expectRuns({ filter: 'metrics.acc = 0' }, ['run02']);
    expectRuns({ filter: 'metrics.acc < .92 AND metrics.acc > -.5' }, ['run02', 'run01']);
  });

  it('compares numeric attributes, with the created alias', () => {
    expectRuns({ filter: "start_time > 100 AND status = 'FINISHED'" }, ['run02', 'run07']);
    expectRuns({ filter: 'created >= 300' }, ['run02', 'run03']);
    expectRuns({ filter: 'attributes.end_time <= 260' }, ['run07', 'run01']);
  });

  it('supports run_id IN / NOT IN, dropping ids with upper-case letters', () => {
    expectRuns({ filter: "run_id IN ('run01', 'RUN02', 'run03')" }, ['run03', 'run01']);
    expectRuns({ filter: "run_id IN ('RUN02')" }, []);
    expectRuns({ filter: "run_id NOT IN ('run01', 'run02')" }, ['run03', 'run07', 'run06']);
    expectRuns({ filter: "run_id NOT IN ('RUN01')" }, ['run02', 'run03', 'run07', 'run01', 'run06']);
    expectRuns({ filter: "attributes.run_id = 'run07'" }, ['run07']);
  });

  it('matches each dataset clause against any dataset input of the run', () => {
    expectRuns({ filter: "dataset.name = 'mnist'" }, ['run02', 'run01']);
    expectRuns({ filter: "dataset.context = 'training'" }, ['run02', 'run01']);
    expectRuns({ filter: "dataset.name = 'cifar' AND dataset.context = 'training'" }, ['run02']);
    expectRuns({ filter: "dataset.name = 'mnist' AND dataset.context = 'training'" }, ['run02', 'run01']);
    expectRuns({ filter: "datasets.digest IN ('aaa', 'zzz')" }, ['run02', 'run01']);
    expectRuns({ filter: "dataset.name NOT IN ('mnist')" }, ['run02']);
    expectRuns({ filter: "dataset.name != 'mnist'" }, ['run02']);
    expectRuns({ filter: "dataset.context ILIKE 'EVAL'" }, ['run02']);
    expectRuns({ filter: "dataset.name LIKE 'M%'" }, []);
  });

  it('orders metrics with NaN after numbers and missing last, in both directions', () => {
    expectRuns({ orderBy: ['metrics.acc ASC'] }, ['run01', 'run03', 'run06', 'run02', 'run07']);
    expectRuns({ orderBy: ['metrics.acc DESC'] }, ['run06', 'run03', 'run01', 'run02', 'run07']);
    expectRuns({ orderBy: ['metrics.loss'] }, ['run06', 'run02', 'run01', 'run03', 'run07']);
  });

  it('puts runs missing a param, tag or attribute last, in both directions', () => {
    // Missing: run03, run07, run06 keep the start_time DESC tie-breaker (nulls last).
    expectRuns({ orderBy: ['params.lr ASC'] }, ['run02', 'run01', 'run06', 'run03', 'run07']);
    expectRuns({ orderBy: ['params.lr DESC'] }, ['run06', 'run01', 'run02', 'run03', 'run07']);
    expectRuns({ orderBy: ['tags.team'] }, ['run01', 'run06', 'run02', 'run03', 'run07']);
    expectRuns({ orderBy: ['attributes.end_time ASC'] }, ['run01', 'run07', 'run03', 'run02', 'run06']);
    expectRuns({ orderBy: ['end_time DESC'] }, ['run03', 'run07', 'run01', 'run02', 'run06']);
    expectRuns({ orderBy: ['user_id DESC'] }, ['run07', 'run06', 'run02', 'run01', 'run03']);
  });

  it('orders by start_time without a second start_time term, run_id breaking ties', () => {
    const { sql } = buildRunSearchQuery(options({ orderBy: ['start_time ASC'] }));
    assert.equal(sql.match(/start_time/g)?.length, 2); // IS NULL term + the ordering itself
    expectRuns({ orderBy: ['start_time ASC'] }, ['run01', 'run07', 'run02', 'run03', 'run06']);
    expectRuns({ orderBy: ['created DESC'] }, ['run02', 'run03', 'run07', 'run01', 'run06']);
  });

  it('orders strings by code point and by runs.name for run_name', () => {
    expectRuns({ orderBy: ['attributes.run_name'] }, ['run02', 'run01', 'run07', 'run03', 'run06']);
    expectRuns({ orderBy: ['status DESC', 'run_id DESC'] }, ['run03', 'run06', 'run07', 'run02', 'run01']);
  });

  it('combines filters and several order keys', () => {
    expectRuns({ filter: "params.opt ILIKE '%a%'", orderBy: ['params.opt DESC', 'metrics.acc'] }, ['run02', 'run01']);
    expectRuns({ filter: 'metrics.acc > -5', orderBy: ['tags.team DESC', 'metrics.acc DESC'], viewType: 'ALL' }, [
      'run02', 'run06', 'run01', 'run03', 'run04',
    ]);
  });

  it('rejects bad filters and order_by before touching the database', () => {
    assert.throws(() => buildRunSearchQuery(options({ filter: 'metrics.a = x' })), MlflowError);
    assert.throws(() => buildRunSearchQuery(options({ orderBy: ['metrics.a', 'metrics.a'] })), /duplicate fields/);
    assert.throws(() => searchRunsInMemory(evaluatorRuns, { filter: 'metrics.a ~ 1' }), /Invalid comparator '~'/);
  });

  it('checks order_by before comparators, as MLflow does', () => {
    assert.throws(
      () => buildRunSearchQuery(options({ filter: 'metrics.a == 1', orderBy: ['metrics.a ACS'] })),
      /Invalid ordering key/,
    );
  });
});
