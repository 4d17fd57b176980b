import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import initSqlJs from 'sql.js';
import type { Database, SqlValue } from 'sql.js';
import { SearchableRun, searchRunsInMemory } from '../../src/core/search/runEvaluator';
import { buildRunSearchQuery } from '../../src/core/search/runSearchSql';
import { buildModelVersionSearchQuery } from '../../src/core/search/modelVersionSearch';
import { buildExperimentSearchQuery } from '../../src/core/search/experimentSearchSql';

// The real MLflow 3.5 SQLite store (read into memory; never written). Ids change when the fixture
// is regenerated, so runs are named by their run names.
const FIXTURE_DB = path.resolve(__dirname, '../../../test/fixtures/mlflow-3.5/sqlite/mlflow.db');

function rows(db: Database, sql: string, params: SqlValue[] = []): SqlValue[][] {
  const result = db.exec(sql, params);
  return result.length ? result[0].values : [];
}

/** Reads every run with its latest metrics, params, tags and dataset inputs, for the evaluator. */
function loadSearchableRuns(db: Database): SearchableRun[] {
  return rows(db, 'SELECT run_uuid, name, experiment_id, user_id, status, start_time, end_time, artifact_uri, lifecycle_stage FROM runs').map(
    ([id, name, exp, user, status, start, end, uri, stage]) => {
      const runId = String(id);
      const kv = (sql: string) => new Map(rows(db, sql, [runId]).map(([k, v]) => [String(k), v]));
      const metrics = new Map(
        rows(db, 'SELECT key, value, is_nan FROM latest_metrics WHERE run_uuid = ?', [runId]).map(([k, v, nan]) => [String(k), nan ? NaN : Number(v)]),
      );
      const datasetInputs = rows(
        db,
        "SELECT d.name, d.digest, (SELECT value FROM input_tags t WHERE t.input_uuid = i.input_uuid AND t.name = 'mlflow.data.context') " +
          "FROM inputs i JOIN datasets d ON d.dataset_uuid = i.source_id WHERE i.destination_type = 'RUN' AND i.destination_id = ?",
        [runId],
      ).map(([n, g, ctx]) => ({
        dataset: { name: String(n), digest: String(g) },
        tags: new Map(ctx === null ? [] : [['mlflow.data.context', String(ctx)]]),
      }));
      return {
        info: {
          run_id: runId, run_name: name as string | null, experiment_id: String(exp), user_id: user as string | null,
          status: status as string | null, start_time: start as number | null, end_time: end as number | null,
          artifact_uri: uri as string | null, lifecycle_stage: stage as string | null,
        },
        metrics,
        params: kv('SELECT key, value FROM params WHERE run_uuid = ?') as Map<string, string>,
        tags: kv('SELECT key, value FROM tags WHERE run_uuid = ?') as Map<string, string | null>,
        datasetInputs,
      };
    },
  );
}

describe('search: against the real MLflow 3.5 fixture database', () => {
  let db: Database;
  let runs: SearchableRun[];
  let nameOf: Map<string, string>;

  before(async function () {
    if (!fs.existsSync(FIXTURE_DB)) this.skip();
    const SQL = await initSqlJs();
    db = new SQL.Database(fs.readFileSync(FIXTURE_DB));
    runs = loadSearchableRuns(db);
    nameOf = new Map(runs.map((r) => [r.info.run_id, String(r.info.run_name)]));
  });

  after(() => db?.close());

  function names(filter: string | undefined, orderBy: string[] | undefined, viewType: 'ACTIVE_ONLY' | 'ALL' = 'ACTIVE_ONLY'): string[] {
    const opts = { experimentIds: ['0', '1', '2'], filter, orderBy, viewType, offset: 0, limit: 1000 };
    const { sql, params } = buildRunSearchQuery(opts);
    const fromSql = rows(db, sql, params).map(([id]) => nameOf.get(String(id))!);
    const fromMemory = searchRunsInMemory(runs, opts).map((r) => String(r.info.run_name));
    assert.deepEqual(fromMemory, fromSql, `evaluator vs SQL for ${filter} / ${orderBy}`);
    return fromSql;
  }

  it('finds runs by name pattern, newest first', () => {
    assert.deepEqual(names("attributes.run_name LIKE 'sweep-C%'", undefined), ['sweep-C10', 'sweep-C1', 'sweep-C0.1']);
    assert.deepEqual(names("run_name ILIKE 'SWEEP-c1%'", ['attributes.run_name DESC']), ['sweep-C10', 'sweep-C1']);
  });

  it('compares stored infinities and finds datasets by context', () => {
    assert.deepEqual(names('metrics.inf_latest > 1e308', undefined), ['metrics-edge-cases']);
    assert.deepEqual(names('metrics.neg_inf_latest < -1e308', undefined), ['metrics-edge-cases']);
    assert.deepEqual(names("dataset.context = 'evaluation' AND dataset.name = 'iris-train'", undefined), ['train-logreg']);
    assert.deepEqual(names("dataset.digest IN ('0bb88ea1')", undefined), ['train-logreg']);
  });

  it('matches Unicode keys and values', () => {
    assert.deepEqual(names("params.`学习率` = '0.001' AND params.\"größe\" LIKE 'groß%'", undefined), ['metrics-edge-cases']);
    assert.deepEqual(names("tags.ключ = 'значение'", undefined), ['metrics-edge-cases', 'train-logreg']);
    assert.deepEqual(names("params.empty_value = ''", undefined), ['metrics-edge-cases']);
  });

  it('agrees with the evaluator on a range of filters and orderings', () => {
    const filters = [
      undefined,
      "params.C = '0.1'",
      "params.solver != 'x'",
      'metrics.accuracy >= 0.92',
      "tags.stage = 'dev'",
      "status != 'FAILED'",
      "user_id LIKE '%user'",
      'start_time > 1735700000000',
    ];
    const orders = [undefined, ['metrics.accuracy DESC'], ['metrics.nan_latest'], ['params.C', 'metrics.loss DESC'], ['end_time'], ['tags.trial DESC']];
    for (const filter of filters) {
      for (const orderBy of orders) {
        names(filter, orderBy);
        names(filter, orderBy, 'ALL');
      }
    }
    assert.deepEqual(names(undefined, ['metrics.accuracy DESC']).slice(0, 2), ['train-logreg', 'train-logreg-small-C']);
  });

  it('searches experiments and model versions in the real schema', () => {
    const exp = buildExperimentSearchQuery({ viewType: 'ALL', orderBy: ['name'], offset: 0, limit: 10 });
    assert.deepEqual(rows(db, exp.sql, exp.params).map(([id]) => Number(id)), [0, 1, 2]);
    const mv = buildModelVersionSearchQuery({ filter: "name = 'iris-classifier'", offset: 0, limit: 10, orderBy: ['version_number DESC'] });
    assert.deepEqual(rows(db, mv.sql, mv.params).map(([n, v]) => `${n}/${v}`), ['iris-classifier/2', 'iris-classifier/1']);
  });
});
