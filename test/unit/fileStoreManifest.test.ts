/**
 * FileTrackingStore on a copy of the real MLflow 3.5 file store, compared with manifest.json (what
 * MLflow's own client read back from it). Also exports the fixture helpers the other
 * fileStore*.test.ts files use.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FileTrackingStore } from '../../src/core/store/file';
import { copyFixtureStore, kv, manifest, manifestValue, rejectsWith, type FixtureCopy } from '../support/fileStoreFixture';

describe('FileTrackingStore against the MLflow 3.5 fixture manifest', () => {
  let fx: FixtureCopy;
  let store: FileTrackingStore;

  before(async () => {
    fx = copyFixtureStore();
    store = await FileTrackingStore.open(fx.mlruns);
  });
  after(async () => {
    await store.close();
    fx.cleanup();
  });

  it('reads every experiment, the deleted one from .trash included', async () => {
    for (const e of fx.expected.experiments) {
      const got = await store.getExperiment(e.experiment_id);
      assert.equal(got.experiment_id, e.experiment_id);
      assert.equal(got.name, e.name);
      assert.equal(got.lifecycle_stage, e.lifecycle_stage);
      assert.equal(got.artifact_location, e.artifact_location);
      assert.equal(got.creation_time, e.creation_time);
      assert.equal(got.last_update_time, e.last_update_time);
      assert.deepEqual(kv(got.tags), e.tags);
      assert.deepEqual(await store.getExperimentByName(e.name), got);
    }
    const ids = async (viewType: 'ACTIVE_ONLY' | 'DELETED_ONLY' | 'ALL') =>
      (await store.searchExperiments({ viewType, maxResults: 1000 })).items.map((e) => e.experiment_id).sort();
    const byStage = (stage?: string) =>
      fx.expected.experiments
        .filter((e: any) => !stage || e.lifecycle_stage === stage)
        .map((e: any) => e.experiment_id)
        .sort();
    assert.deepEqual(await ids('ALL'), byStage());
    assert.deepEqual(await ids('ACTIVE_ONLY'), byStage('active'));
    assert.deepEqual(await ids('DELETED_ONLY'), byStage('deleted'));
    assert.equal((await store.getExperiment('0')).name, 'Default');
    await rejectsWith(store.getExperiment('123'), 'RESOURCE_DOES_NOT_EXIST', /Could not find experiment with ID 123/);
    assert.equal(await store.getExperimentByName('no such experiment'), undefined);
  });

  it('reads every run: info, params, latest metrics, tags, inputs and outputs', async () => {
    for (const r of fx.expected.runs) {
      const run = await store.getRun(r.run_id);
      const info = run.info;
      assert.equal(info.run_id, r.run_id);
      assert.equal(info.run_uuid, r.run_id);
      assert.equal(info.experiment_id, r.experiment_id);
      assert.equal(info.run_name, r.run_name);
      assert.equal(info.status, r.status);
      assert.equal(info.lifecycle_stage, r.lifecycle_stage);
      assert.equal(info.start_time, r.start_time);
      assert.equal(info.end_time, r.end_time ?? undefined, r.run_name);
      assert.equal(info.user_id, r.user_id);
      assert.equal(info.artifact_uri, r.artifact_uri);
      assert.deepEqual(kv(run.data.params), r.params, r.run_name);
      assert.deepEqual(kv(run.data.tags), r.tags, r.run_name);
      assert.equal(kv(run.data.tags)['mlflow.parentRunId'] ?? null, r.parent_run_id);
      const metrics = Object.fromEntries(
        (run.data.metrics ?? []).map((m: any) => {
          assert.equal(m.run_id, r.run_id, 'a FileStore server puts run_id on every metric');
          return [m.key, { value: m.value, step: m.step, timestamp: m.timestamp }];
        }),
      );
      const expectedMetrics = Object.fromEntries(
        Object.entries(r.metrics as Record<string, any>).map(([k, m]) => [k, { ...m, value: manifestValue(m.value) }]),
      );
      assert.deepEqual(metrics, expectedMetrics, r.run_name);
      const datasets = (run.inputs.dataset_inputs ?? []).map((d) => ({ dataset: d.dataset, tags: kv(d.tags) }));
      assert.deepEqual(datasets, r.inputs.dataset_inputs, r.run_name);
      assert.deepEqual(run.inputs.model_inputs ?? [], r.inputs.model_inputs, r.run_name);
      assert.deepEqual(run.outputs?.model_outputs ?? [], r.outputs.model_outputs, r.run_name);
    }
  });

  it('finds every run by search, with the manifest counts', async () => {
    const experimentIds = fx.expected.experiments.map((e: any) => e.experiment_id);
    const page = await store.searchRuns({ experimentIds, viewType: 'ALL', maxResults: 1000 });
    assert.deepEqual(page.items.map((r) => r.info.run_id).sort(), fx.expected.runs.map((r: any) => r.run_id).sort());
    assert.equal(page.nextPageToken, undefined);
    const counts = manifest.counts.file_store;
    assert.equal(page.items.length, counts.runs);
    assert.equal(page.items.filter((r) => r.info.lifecycle_stage === 'deleted').length, counts.deleted_runs);
    assert.equal(page.items.reduce((n, r) => n + (r.data.params?.length ?? 0), 0), counts.params);
    assert.equal(page.items.reduce((n, r) => n + (r.data.tags?.length ?? 0), 0), counts.run_tags);
    assert.equal(page.items.reduce((n, r) => n + (r.data.metrics?.length ?? 0), 0), counts.metric_keys);
    for (const [status, n] of Object.entries(counts.runs_by_status)) {
      assert.equal(page.items.filter((r) => r.info.status === status).length, n, status);
    }
    // runs/search answers carry no outputs (runs/get does).
    assert.ok(page.items.every((r) => !('outputs' in r)));
  });

  it('returns every full metric history in logging order, duplicates kept', async () => {
    let points = 0;
    for (const h of fx.expected.metric_histories) {
      const page = await store.getMetricHistory({ runId: h.run_id, metricKey: h.key });
      assert.equal(page.nextPageToken, undefined);
      assert.equal(page.items.length, h.count, `${h.run_name}|${h.key}`);
      assert.deepEqual(
        page.items.map((m) => ({ step: m.step, timestamp: m.timestamp, value: m.value })),
        h.points.map((p: any) => ({ ...p, value: manifestValue(p.value) })),
        `${h.run_name}|${h.key}`,
      );
      assert.ok(page.items.every((m: any) => m.key === h.key && m.run_id === h.run_id));
      points += page.items.length;
    }
    assert.equal(points, manifest.counts.file_store.metric_points);
  });

  it('reads both logged models, by id and by search', async () => {
    const experimentIds = fx.expected.experiments.map((e: any) => e.experiment_id);
    const searched = await store.loggedModels.search({ experimentIds, maxResults: 100 });
    for (const m of fx.expected.logged_models) {
      const got = await store.loggedModels.get(m.model_id);
      assert.equal(got.info.model_id, m.model_id);
      assert.equal(got.info.name, m.name);
      assert.equal(got.info.experiment_id, m.experiment_id);
      assert.equal(got.info.source_run_id, m.source_run_id);
      assert.equal(got.info.status, `LOGGED_MODEL_${m.status}`);
      assert.equal(got.info.status_message, m.status_message ?? undefined);
      assert.equal(got.info.model_type, m.model_type ?? '');
      assert.equal(got.info.artifact_uri, m.artifact_location);
      assert.equal(got.info.creation_timestamp_ms, m.creation_timestamp);
      assert.equal(got.info.last_updated_timestamp_ms, m.last_updated_timestamp);
      assert.deepEqual(kv(got.info.tags), m.tags);
      assert.deepEqual(kv(got.data.params), m.params);
      assert.deepEqual(
        (got.data.metrics ?? []).map((x: any) => ({ dataset_name: null, dataset_digest: null, ...x })),
        m.metrics.map((x: any) => ({ ...x, value: manifestValue(x.value) })),
      );
      assert.equal(searched.items.some((s) => s.info.model_id === m.model_id), m.returned_by_search_logged_models);
    }
    const logical = fx.ids.models['train-logreg/model'];
    assert.equal((await store.loggedModels.get(logical)).info.source_run_id, fx.ids.runs['train-logreg']);
    await rejectsWith(store.loggedModels.get('m-00000000000000000000000000000000'), 'RESOURCE_DOES_NOT_EXIST');
  });

  it('reads the registry: registered models, versions, aliases and latest versions', async () => {
    const registry = store.registry;
    for (const rm of fx.expected.registered_models) {
      const got = await registry.getRegisteredModel(rm.name);
      assert.equal(got.name, rm.name);
      assert.equal(got.description, rm.description);
      assert.equal(got.creation_timestamp, rm.creation_timestamp);
      assert.equal(got.last_updated_timestamp, rm.last_updated_timestamp);
      assert.deepEqual(kv(got.tags), rm.tags);
      assert.deepEqual(Object.fromEntries((got.aliases ?? []).map((a) => [a.alias, a.version])), rm.aliases);
      const latest = (got.latest_versions ?? []).map((v) => ({ version: v.version, current_stage: v.current_stage }));
      assert.deepEqual(latest.sort((a, b) => Number(a.version) - Number(b.version)), rm.latest_versions);
      assert.deepEqual(
        (await registry.getLatestVersions(rm.name)).map((v) => v.version).sort(),
        rm.latest_versions.map((v: any) => v.version).sort(),
      );
      for (const [alias, version] of Object.entries(rm.aliases as Record<string, string>)) {
        const byAlias = await registry.getModelVersionByAlias(rm.name, alias);
        assert.equal(byAlias.version, version);
        assert.ok(byAlias.aliases?.includes(alias));
      }
    }
    for (const mv of fx.expected.model_versions) {
      const details = await registry.getModelVersionDetails(mv.name, mv.version);
      const got = details.modelVersion;
      assert.deepEqual(await registry.getModelVersion(mv.name, mv.version), got);
      assert.equal(got.version, mv.version);
      assert.equal(got.source, mv.source);
      assert.equal(got.run_id, mv.run_id);
      assert.equal(got.run_link, mv.run_link ?? undefined);
      assert.equal(details.modelId, mv.model_id ?? undefined);
      assert.equal(got.status, mv.status);
      assert.equal(got.status_message, mv.status_message ?? undefined);
      assert.equal(got.current_stage, mv.current_stage);
      assert.equal(got.description, mv.description ?? undefined);
      assert.equal(got.user_id, mv.user_id ?? undefined);
      assert.equal(got.creation_timestamp, mv.creation_timestamp);
      assert.equal(got.last_updated_timestamp, mv.last_updated_timestamp);
      assert.deepEqual(kv(got.tags), mv.tags);
      assert.deepEqual([...(got.aliases ?? [])].sort(), mv.aliases);
      assert.ok(details.storageLocation?.startsWith(`file://${fx.rootPath}/mlruns/`), details.storageLocation);
    }
    const counts = manifest.counts.file_store;
    assert.equal((await registry.searchRegisteredModels({ maxResults: 100, orderBy: [] })).items.length, counts.registered_models);
    assert.equal((await registry.searchModelVersions({ maxResults: 100, orderBy: [] })).items.length, counts.model_versions);
  });

  it('keeps artifact URIs as stored and maps them to local folders', async () => {
    const trainId = fx.ids.runs['train-logreg'];
    const loc = await store.runArtifactLocation(trainId);
    assert.equal(loc.uri, fx.expected.runs.find((r: any) => r.run_id === trainId).artifact_uri);
    assert.equal(loc.inTrash, false);
    assert.equal(loc.localPath, loc.conventionalPath);
    assert.ok(fs.existsSync(path.join(loc.localPath!, 'README.txt')));
    // The deleted experiment was moved to .trash/ but its URIs still name the old place.
    const scratch = await store.runArtifactLocation(fx.ids.runs['scratch-1']);
    assert.equal(scratch.inTrash, true);
    assert.notEqual(scratch.localPath, scratch.conventionalPath);
    assert.ok(!fs.existsSync(scratch.localPath!));
    assert.ok(fs.existsSync(scratch.conventionalPath));
    const exported = fx.expected.model_versions.find((v: any) => v.name === 'iris-exported');
    assert.equal(await store.registry.getDownloadUri('iris-exported', '1'), exported.source);
    const model = await store.loggedModels.artifactLocation(fx.ids.models['train-logreg/model']);
    assert.ok(fs.existsSync(path.join(model.dir, 'MLmodel')));
    assert.equal(store.problems().length, 0, JSON.stringify(store.problems()));
  });
});
