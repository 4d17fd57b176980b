import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { startFileStoreServer, type RunningServer } from '../../src/core/server/trackingServer';
import type { FileTrackingStore } from '../../src/core/store/file';
import { copyFixtureStore, kv, manifest, type FixtureCopy } from '../support/fileStoreFixture';
import { call } from '../support/mlflowClient';

/** `runlens server --backend-store-uri ./mlruns`: MLflow's file store over REST, read-only. */
describe('serving an MLflow file store (mlruns/) over REST', function () {
  this.timeout(30000);
  let fixture: FixtureCopy;
  let server: RunningServer<FileTrackingStore>;
  before(async () => {
    fixture = copyFixtureStore();
    server = await startFileStoreServer({ root: fixture.mlruns, artifactsDestination: `${fixture.storeDir}/unused`, port: 0 });
  });
  after(async () => {
    await server.close();
    fixture.cleanup();
  });

  it('lists the experiments MLflow reads back', async () => {
    const res = await call(server.url, 'POST', 'experiments/search', { max_results: 100 });
    const names = res.body.experiments.map((e: { name: string }) => e.name).sort();
    const expected = fixture.expected.experiments.filter((e: { lifecycle_stage: string }) => e.lifecycle_stage === 'active').map((e: { name: string }) => e.name).sort();
    assert.deepEqual(names, expected);
  });

  it('answers runs/get with the run\'s params, tags and latest metrics', async () => {
    for (const expected of fixture.expected.runs) {
      const res = await call(server.url, 'GET', 'runs/get', { run_id: expected.run_id });
      assert.equal(res.status, 200, expected.run_id);
      const run = res.body.run;
      assert.equal(run.info.run_name, expected.run_name);
      assert.equal(run.info.status, expected.status);
      assert.deepEqual(kv(run.data.params), expected.params);
      assert.deepEqual(kv(run.data.tags), expected.tags);
      assert.deepEqual(Object.keys(Object.fromEntries((run.data.metrics ?? []).map((m: { key: string }) => [m.key, 1]))).sort(), Object.keys(expected.metrics).sort());
    }
  });

  it('searches runs with MLflow\'s filter syntax', async () => {
    const experimentId = manifest.index.experiments['iris-classification'].file_store;
    const res = await call(server.url, 'POST', 'runs/search', { experiment_ids: [experimentId], filter: "tags.mlflow.runName LIKE 'sweep-%'", order_by: ['attributes.run_name ASC'] });
    const names = res.body.runs.map((r: { info: { run_name: string } }) => r.info.run_name);
    assert.ok(names.length > 0);
    assert.deepEqual(names, [...names].sort());
    assert.ok(names.every((n: string) => n.startsWith('sweep-')));
  });

  it('serves the registry read-only', async () => {
    const model = fixture.expected.registered_models[0];
    const got = await call(server.url, 'GET', 'registered-models/get', { name: model.name });
    assert.equal(got.body.registered_model.description, model.description);
    const alias = await call(server.url, 'GET', 'registered-models/alias', { name: model.name, alias: 'champion' });
    assert.equal(alias.body.model_version.version, model.aliases.champion);
    const write = await call(server.url, 'POST', 'registered-models/create', { name: 'new-model' });
    assert.equal(write.status, 403);
    assert.equal(write.body.error_code, 'PERMISSION_DENIED');
  });

  it('lists and downloads run artifacts from the file store', async () => {
    const runId = manifest.index.runs['train-logreg'].file_store as string;
    const expected: Array<{ path: string; is_dir: boolean; file_size: number | null; sha256?: string }> = fixture.expected.run_artifacts[runId];
    const listing = await call(server.url, 'GET', 'artifacts/list', { run_id: runId });
    assert.equal(listing.status, 200);
    const top = expected.filter((f) => !f.path.includes('/')).map((f) => f.path).sort();
    assert.deepEqual(listing.body.files.map((f: { path: string }) => f.path).sort(), top);
    for (const file of expected.filter((f) => !f.is_dir)) {
      const res = await fetch(`${server.url}/get-artifact?run_id=${runId}&path=${encodeURIComponent(file.path)}`);
      assert.equal(res.status, 200, file.path);
      const bytes = Buffer.from(await res.arrayBuffer());
      assert.equal(createHash('sha256').update(bytes).digest('hex'), file.sha256, file.path);
    }
  });

  it('refuses every write with PERMISSION_DENIED and a reason', async () => {
    const res = await call(server.url, 'POST', 'experiments/create', { name: 'nope' });
    assert.equal(res.status, 403);
    assert.equal(res.body.error_code, 'PERMISSION_DENIED');
    assert.match(res.body.message, /read-only/);
    const upload = await fetch(`${server.url}/api/2.0/mlflow-artifacts/artifacts/x.txt`, { method: 'PUT', body: 'x' });
    assert.equal(upload.status, 403);
  });
});
