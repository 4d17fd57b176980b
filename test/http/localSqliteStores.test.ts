import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startTrackingServer, type RunningServer } from '../../src/core/server/trackingServer';
import { loadSqlJs } from '../../src/core/store/sqlJs';
import { RUNLENS_FOREIGN_APPLICATION_ID } from '../../src/core/store/storeIdentity';
import { StoreLockedError } from '../../src/core/store/storeLock';
import { StoreOpenError } from '../../src/core/store/storeOpenError';
import { call } from '../support/mlflowClient';
import { copyFixtureDb, kv, listing, sqliteManifest } from '../support/mlflowFixture';
import { createOlderMlflowDb, OlderRevision, SEED, seedOlderMlflowDb, upgradeToForkHead } from '../support/olderMlflowSchemas';
import { spawnServer, exited } from '../support/serverProcess';
import { makeTempDir } from '../support/tempDir';

const REFUSAL = (revision: string) =>
  `This store is opened read-only: it was written by MLflow (schema revision ${revision}). ` +
  'Start Runlens with --read-write to change it, or copy it into a Runlens store.';

const sha = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');
const byName = <T extends { dataset: { name: string } }>(a: T, b: T) => a.dataset.name.localeCompare(b.dataset.name);

function start(dbPath: string, extra: Partial<Parameters<typeof startTrackingServer>[0]> = {}): Promise<RunningServer> {
  return startTrackingServer({ dbPath, artifactsDestination: path.join(path.dirname(dbPath), 'artifacts'), port: 0, ...extra });
}

/** Rewrites a database file the way another program would (sql.js, then a plain write). */
async function editDb(dbPath: string, sql: string): Promise<Uint8Array> {
  const SQL = await loadSqlJs();
  const db = new SQL.Database(fs.readFileSync(dbPath));
  db.run(sql);
  const bytes = db.export();
  db.close();
  return bytes;
}

describe('local MLflow SQLite stores', function () {
  this.timeout(30000);
  let tmp: ReturnType<typeof makeTempDir>;
  beforeEach(() => (tmp = makeTempDir()));
  afterEach(() => tmp.cleanup());

  describe('the MLflow 3.5 fixture, served read-only', () => {
    const manifest = sqliteManifest();
    let server: RunningServer;
    let dbPath: string;
    let logged: string[];
    const get = (route: string, query: Record<string, unknown>) => call(server.url, 'GET', route, query);
    beforeEach(async () => {
      dbPath = copyFixtureDb(tmp.dir);
      logged = [];
      server = await start(dbPath, { watchIntervalMs: 50, log: (m) => logged.push(m) });
    });
    afterEach(() => server.close());

    it('is opened read-only, says why, and puts nothing next to the file', async () => {
      assert.equal(server.access.readOnly, true);
      assert.match(server.access.description, /read-only: it was written by MLflow \(schema revision bf29a5ff90ea\)/);
      assert.equal(server.store.readOnly, true);
      assert.deepEqual(listing(tmp.dir), ['mlflow.db']);
    });

    it('answers experiments as MLflow read them back', async () => {
      for (const e of manifest.experiments) {
        const { experiment } = (await get('experiments/get', { experiment_id: e.experiment_id })).body;
        const { tags, ...info } = experiment;
        assert.deepEqual({ ...info, tags: kv(tags) }, e);
      }
      const all = (await get('experiments/search', { view_type: 'ALL', max_results: 100 })).body.experiments;
      assert.deepEqual(all.map((x: { name: string }) => x.name).sort(), manifest.experiments.map((x: { name: string }) => x.name).sort());
    });

    it('answers runs: info, params, metrics, tags, inputs and outputs', async () => {
      for (const r of manifest.runs) {
        const { run } = (await get('runs/get', { run_id: r.run_id })).body;
        const i = run.info;
        assert.deepEqual(
          [i.run_id, i.experiment_id, i.run_name, i.status, i.lifecycle_stage, i.start_time, i.end_time ?? null, i.user_id, i.artifact_uri],
          [r.run_id, r.experiment_id, r.run_name, r.status, r.lifecycle_stage, r.start_time, r.end_time, r.user_id, r.artifact_uri],
        );
        assert.deepEqual(kv(run.data.params), r.params, `params of ${r.run_name}`);
        assert.deepEqual(kv(run.data.tags), r.tags, `tags of ${r.run_name}`);
        const metrics = Object.fromEntries((run.data.metrics ?? []).map((m: any) => [m.key, { value: m.value, step: m.step, timestamp: m.timestamp }]));
        assert.deepEqual(metrics, r.metrics, `metrics of ${r.run_name}`);
        const datasets = (run.inputs.dataset_inputs ?? []).map((d: any) => ({
          dataset: { schema: null, profile: null, ...d.dataset },
          tags: kv(d.tags),
        }));
        assert.deepEqual(datasets.sort(byName), [...r.inputs.dataset_inputs].sort(byName), `dataset inputs of ${r.run_name}`);
        assert.deepEqual(run.inputs.model_inputs ?? [], r.inputs.model_inputs, `model inputs of ${r.run_name}`);
        assert.deepEqual(run.outputs?.model_outputs ?? [], r.outputs.model_outputs, `model outputs of ${r.run_name}`);
      }
    });

    it('answers every metric history in MLflow\'s order', async () => {
      for (const h of manifest.metric_histories) {
        const { metrics } = (await get('metrics/get-history', { run_id: h.run_id, metric_key: h.key })).body;
        const points = metrics.map((m: any) => ({ step: m.step, timestamp: m.timestamp, value: m.value }));
        assert.equal(points.length, h.count, `${h.run_name}/${h.key}`);
        assert.deepEqual(points, h.points, `${h.run_name}/${h.key}`);
      }
    });

    it('answers registered models, model versions and aliases', async () => {
      for (const m of manifest.registered_models) {
        const rm = (await get('registered-models/get', { name: m.name })).body.registered_model;
        assert.deepEqual(
          {
            name: rm.name,
            description: rm.description,
            creation_timestamp: rm.creation_timestamp,
            last_updated_timestamp: rm.last_updated_timestamp,
            tags: kv(rm.tags),
            aliases: Object.fromEntries((rm.aliases ?? []).map((a: any) => [a.alias, Number(a.version)])),
            latest_versions: rm.latest_versions.map((v: any) => ({ version: v.version, current_stage: v.current_stage })).sort((a: any, b: any) => a.version - b.version),
          },
          m,
        );
        for (const [alias, version] of Object.entries(m.aliases)) {
          const mv = (await get('registered-models/alias', { name: m.name, alias })).body.model_version;
          assert.equal(mv.version, String(version));
        }
      }
      for (const v of manifest.model_versions) {
        const mv = (await get('model-versions/get', { name: v.name, version: v.version })).body.model_version;
        const { model_id, ...expected } = v;
        assert.equal(model_id, null);
        assert.deepEqual(
          {
            name: mv.name, version: mv.version, source: mv.source, run_id: mv.run_id, run_link: mv.run_link ?? null, status: mv.status,
            status_message: mv.status_message ?? null, current_stage: mv.current_stage, description: mv.description ?? null,
            user_id: mv.user_id ?? null, creation_timestamp: mv.creation_timestamp, last_updated_timestamp: mv.last_updated_timestamp,
            tags: kv(mv.tags), aliases: mv.aliases ?? [],
          },
          expected,
        );
      }
    });

    it('answers logged models', async () => {
      const found = (await call(server.url, 'POST', 'logged-models/search', { experiment_ids: ['0', '1', '2'] })).body.models;
      for (const m of manifest.logged_models) {
        const { info, data } = (await get(`logged-models/${m.model_id}`, {})).body.model;
        assert.deepEqual(
          {
            model_id: info.model_id, name: info.name, experiment_id: info.experiment_id, source_run_id: info.source_run_id,
            status: info.status.replace(/^LOGGED_MODEL_/, ''), status_message: info.status_message ?? null, model_type: info.model_type || null,
            artifact_location: info.artifact_uri, creation_timestamp: info.creation_timestamp_ms, last_updated_timestamp: info.last_updated_timestamp_ms,
            tags: kv(info.tags), params: kv(data.params), metrics: data.metrics ?? [],
          },
          Object.fromEntries(Object.entries(m).filter(([k]) => k !== 'returned_by_search_logged_models' && k !== 'artifacts')),
        );
        assert.equal(found.some((x: any) => x.info.model_id === m.model_id), m.returned_by_search_logged_models);
      }
    });

    it('refuses every write with 403 PERMISSION_DENIED and leaves the file alone', async () => {
      const before = sha(dbPath);
      const runId = manifest.runs[0].run_id;
      const writes: Array<[string, string, unknown]> = [
        ['POST', 'experiments/create', { name: 'new' }],
        ['POST', 'runs/create', { experiment_id: '1' }],
        ['POST', 'runs/log-batch', { run_id: runId, metrics: [{ key: 'm', value: 1, timestamp: 1, step: 0 }] }],
        ['POST', 'runs/set-tag', { run_id: runId, key: 'k', value: 'v' }],
        ['POST', 'registered-models/create', { name: 'new-model' }],
        ['POST', 'registered-models/alias', { name: 'iris-classifier', alias: 'other', version: '1' }],
        ['POST', 'model-versions/transition-stage', { name: 'iris-classifier', version: '1', stage: 'Staging', archive_existing_versions: false }],
        ['POST', 'logged-models', { experiment_id: '1' }],
      ];
      for (const [method, route, body] of writes) {
        const res = await call(server.url, method, route, body);
        assert.equal(res.status, 403, route);
        assert.deepEqual(res.body, { error_code: 'PERMISSION_DENIED', message: REFUSAL('bf29a5ff90ea') }, route);
      }
      const upload = await fetch(`${server.url}/api/2.0/mlflow-artifacts/artifacts/x/file.txt`, { method: 'PUT', body: 'hello' });
      assert.equal(upload.status, 403);
      assert.equal(((await upload.json()) as { error_code: string }).error_code, 'PERMISSION_DENIED');
      assert.equal(sha(dbPath), before);
      assert.deepEqual(listing(tmp.dir), ['mlflow.db']);
    });

    it('re-reads the file when another program changes it, keeping the old data while it is torn', async () => {
      const bytes = await editDb(
        dbPath,
        "INSERT INTO experiments (experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time) VALUES (3, 'added-by-mlflow', 'file:///x/3', 'active', 5, 5)",
      );
      fs.writeFileSync(dbPath, bytes.subarray(0, 3 * 4096)); // caught in the middle of being written
      assert.equal((await get('experiments/get-by-name', { experiment_name: 'iris-classification' })).status, 200);
      assert.equal((await get('experiments/get-by-name', { experiment_name: 'added-by-mlflow' })).status, 404);
      assert.ok(logged.some((m) => m.startsWith('Could not re-read')), logged.join('\n'));
      fs.writeFileSync(dbPath, bytes);
      const added = await get('experiments/get-by-name', { experiment_name: 'added-by-mlflow' });
      assert.equal(added.status, 200);
      assert.equal(added.body.experiment.experiment_id, '3');

      // Without requests, the watch picks a change up too.
      fs.writeFileSync(dbPath, await editDb(dbPath, "UPDATE experiments SET name = 'renamed-by-mlflow' WHERE experiment_id = 3"));
      const deadline = Date.now() + 5000;
      while (!(await server.store.getExperimentByName('renamed-by-mlflow')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      assert.ok(await server.store.getExperimentByName('renamed-by-mlflow'), 'the watch re-read the file');
    });
  });

  describe('--read-write', () => {
    it('writes an MLflow store at our revision, holding the lock, and keeps it foreign', async () => {
      const dbPath = copyFixtureDb(tmp.dir);
      const server = await start(dbPath, { readWrite: true });
      try {
        assert.equal(server.access.readOnly, false);
        assert.match(server.access.description, /read-write because of --read-write/);
        assert.ok(fs.existsSync(`${dbPath}.runlens-lock`));
        await assert.rejects(start(dbPath, { readWrite: true }), StoreLockedError);
        const created = await call(server.url, 'POST', 'experiments/create', { name: 'written-by-runlens' });
        assert.equal(created.status, 200);
      } finally {
        await server.close();
      }
      assert.ok(!fs.existsSync(`${dbPath}.runlens-lock`));
      const SQL = await loadSqlJs();
      const db = new SQL.Database(fs.readFileSync(dbPath));
      assert.deepEqual(db.exec("SELECT count(*) FROM experiments WHERE name = 'written-by-runlens'")[0].values, [[1]]);
      assert.equal(db.exec('PRAGMA application_id')[0].values[0][0], RUNLENS_FOREIGN_APPLICATION_ID);
      db.close();
      const again = await start(dbPath);
      try {
        assert.equal(again.access.readOnly, true, 'still not a Runlens store');
        assert.ok(await again.store.getExperimentByName('written-by-runlens'));
      } finally {
        await again.close();
      }
    });

    it('refuses a store at another revision, suggesting mlflow db upgrade, and creates nothing', async () => {
      const dbPath = path.join(tmp.dir, 'mlflow.db');
      const SQL = await loadSqlJs();
      fs.writeFileSync(dbPath, createOlderMlflowDb(SQL, '0584bdc529eb').export());
      await assert.rejects(start(dbPath, { readWrite: true }), (e: Error) => e instanceof StoreOpenError && /revision 0584bdc529eb/.test(e.message) && /mlflow db upgrade/.test(e.message));
      assert.deepEqual(listing(tmp.dir), ['mlflow.db']);
    });
  });

  for (const revision of ['cc1f77228345', '0584bdc529eb'] as OlderRevision[]) {
    describe(`a store at MLflow revision ${revision}`, () => {
      let server: RunningServer;
      const get = (route: string, query: Record<string, unknown>) => call(server.url, 'GET', route, query);
      const post = (route: string, body: unknown) => call(server.url, 'POST', route, body);
      beforeEach(async () => {
        const SQL = await loadSqlJs();
        const db = createOlderMlflowDb(SQL, revision);
        seedOlderMlflowDb(db, revision);
        const dbPath = path.join(tmp.dir, 'mlflow.db');
        fs.writeFileSync(dbPath, db.export());
        db.close();
        server = await start(dbPath);
      });
      afterEach(() => server.close());
      const modern = revision === '0584bdc529eb';

      it('serves experiments and runs read-only', async () => {
        assert.equal(server.access.readOnly, true);
        const experiments = (await get('experiments/search', { max_results: 10 })).body.experiments;
        assert.deepEqual(experiments.map((e: any) => e.name).sort(), ['Default', SEED.experimentName]);
        const legacy = experiments.find((e: any) => e.name === SEED.experimentName);
        assert.deepEqual(kv(legacy.tags), { team: 'legacy' });
        assert.equal(legacy.creation_time, modern ? SEED.t0 : undefined);
        const { run } = (await get('runs/get', { run_id: SEED.runId })).body;
        assert.equal(run.info.run_name, 'first-run');
        assert.deepEqual(kv(run.data.params), { lr: '0.1' });
        assert.deepEqual(run.data.metrics.map((m: any) => [m.key, m.step]), [['loss', 2]]);
        const inputs = run.inputs.dataset_inputs ?? [];
        assert.deepEqual(inputs.map((d: any) => [d.dataset.name, kv(d.tags)]), modern ? [['train', { 'mlflow.data.context': 'training' }]] : []);
        const history = (await get('metrics/get-history', { run_id: SEED.runId, metric_key: 'loss' })).body.metrics;
        assert.deepEqual(history.map((m: any) => m.step), [0, 1, 2]);
      });

      it('searches runs, also by dataset, without SQL errors', async () => {
        const all = await post('runs/search', { experiment_ids: ['1'], order_by: ['params.lr DESC'] });
        assert.deepEqual(all.body.runs.map((r: any) => r.info.run_name), ['second-run', 'first-run']);
        const byDataset = await post('runs/search', { experiment_ids: ['1'], filter: "dataset.name = 'train'" });
        assert.equal(byDataset.status, 200);
        assert.deepEqual((byDataset.body.runs ?? []).map((r: any) => r.info.run_name), modern ? ['first-run'] : []);
        assert.deepEqual((await post('logged-models/search', { experiment_ids: ['1'] })).body.models ?? [], []);
      });

      it('serves the registry, with aliases only where the revision has them', async () => {
        const rm = (await get('registered-models/get', { name: SEED.model })).body.registered_model;
        assert.deepEqual(kv(rm.tags), { owner: 'old-user' });
        assert.deepEqual(rm.aliases ?? [], modern ? [{ alias: 'champion', version: '1' }] : []);
        const alias = await get('registered-models/alias', { name: SEED.model, alias: 'champion' });
        assert.equal(alias.status, modern ? 200 : 400);
        const uri = (await get('model-versions/get-download-uri', { name: SEED.model, version: '1' })).body.artifact_uri;
        assert.equal(uri, `./mlruns/1/${SEED.runId}/artifacts/model`);
        const versions = (await get('model-versions/search', { filter: `name = '${SEED.model}'` })).body.model_versions;
        assert.deepEqual(versions.map((v: any) => [v.version, v.current_stage, kv(v.tags)]), [['1', 'Production', { validated: 'yes' }]]);
      });

      it('refuses writes, naming the revision', async () => {
        const res = await post('runs/set-tag', { run_id: SEED.runId, key: 'k', value: 'v' });
        assert.deepEqual([res.status, res.body], [403, { error_code: 'PERMISSION_DENIED', message: REFUSAL(revision) }]);
      });
    });
  }

  it('reads a store at the fork head 1b5f0d9ad7c1', async () => {
    const dbPath = copyFixtureDb(tmp.dir);
    const db = new (await loadSqlJs()).Database(fs.readFileSync(dbPath));
    upgradeToForkHead(db);
    fs.writeFileSync(dbPath, db.export());
    db.close();
    const server = await start(dbPath);
    try {
      assert.match(server.access.description, /schema revision 1b5f0d9ad7c1/);
      const rm = (await call(server.url, 'GET', 'registered-models/get', { name: 'iris-classifier' })).body.registered_model;
      assert.deepEqual(rm.aliases.map((a: any) => a.alias).sort(), ['challenger', 'champion']);
      assert.equal((await call(server.url, 'GET', 'experiments/get', { experiment_id: '1' })).body.experiment.name, 'iris-classification');
    } finally {
      await server.close();
    }
  });

  it('runlens server prints how it opened the store; --read-write on another revision does not start', async () => {
    const dbPath = copyFixtureDb(tmp.dir);
    const served = await spawnServer(['--backend-store-uri', `sqlite:///${dbPath}`], tmp.dir);
    try {
      assert.match(served.output(), /Opened .*mlflow\.db read-only: it was written by MLflow \(schema revision bf29a5ff90ea\)/);
      const res = await call(served.url, 'POST', 'experiments/create', { name: 'x' });
      assert.equal(res.status, 403);
    } finally {
      served.child.kill('SIGTERM');
      await exited(served.child);
    }
    assert.deepEqual(listing(tmp.dir), ['mlflow.db'], 'no lock file, journal or artifacts folder');

    const older = path.join(tmp.dir, 'older.db');
    fs.writeFileSync(older, createOlderMlflowDb(await loadSqlJs(), 'cc1f77228345').export());
    await assert.rejects(
      spawnServer(['--backend-store-uri', `sqlite:///${older}`, '--read-write'], tmp.dir),
      (e: Error) => /exited with 1/.test(e.message) && /revision cc1f77228345/.test(e.message) && /mlflow db upgrade/.test(e.message),
    );
  });
});
