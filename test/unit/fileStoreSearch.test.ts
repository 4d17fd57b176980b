/** Searches, paging tokens, metric history paging and sampling, and write refusals of the file store. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Run } from '../../src/core/entities';
import { FileTrackingStore } from '../../src/core/store/file';
import type { SearchRunsRequest } from '../../src/core/store/trackingStore';
import { FixtureCopy, copyFixtureStore, manifestValue, rejectsWith } from '../support/fileStoreFixture';

/* eslint-disable @typescript-eslint/no-explicit-any */

describe('FileTrackingStore searches', () => {
  let fx: FixtureCopy;
  let store: FileTrackingStore;
  let iris: string;
  let allExperiments: string[];

  const names = (runs: Run[]) => runs.map((r) => r.info.run_name);
  const search = async (req: Partial<SearchRunsRequest>) =>
    (await store.searchRuns({ experimentIds: [iris], viewType: 'ACTIVE_ONLY', maxResults: 1000, ...req })).items;
  /** Active iris runs from the manifest, by start time DESC (the default order). */
  const expectedRuns = (pred: (r: any) => boolean) =>
    fx.expected.runs
      .filter((r: any) => r.experiment_id === iris && r.lifecycle_stage === 'active' && pred(r))
      .sort((a: any, b: any) => b.start_time - a.start_time)
      .map((r: any) => r.run_name);

  before(async () => {
    fx = copyFixtureStore();
    store = await FileTrackingStore.open(fx.mlruns);
    iris = fx.ids.experiments['iris-classification'];
    allExperiments = Object.values(fx.ids.experiments);
  });
  after(async () => {
    await store.close();
    fx.cleanup();
  });

  it('filters runs on metrics, params, tags, attributes and datasets', async () => {
    const accuracy = (r: any) => (r.metrics.accuracy ? manifestValue(r.metrics.accuracy.value) : undefined);
    assert.deepEqual(names(await search({ filter: 'metrics.accuracy > 0.9' })), expectedRuns((r) => accuracy(r)! > 0.9));
    assert.deepEqual(names(await search({ filter: "params.C = '0.1'" })), expectedRuns((r) => r.params.C === '0.1'));
    assert.deepEqual(names(await search({ filter: "params.C != '0.1'" })), expectedRuns((r) => 'C' in r.params && r.params.C !== '0.1'));
    assert.deepEqual(names(await search({ filter: "tags.`mlflow.source.type` = 'JOB'" })), ['metrics-edge-cases']);
    assert.deepEqual(names(await search({ filter: "attributes.status = 'FAILED'" })), ['sweep-C1']);
    assert.deepEqual(names(await search({ filter: "run_name LIKE 'sweep-%' AND metrics.loss < 10" })), expectedRuns((r) => r.run_name.startsWith('sweep-')));
    assert.deepEqual(names(await search({ filter: "tags.mlflow.parentRunId = '" + fx.ids.runs['hyperparam-sweep'] + "'" })), ['sweep-C10', 'sweep-C1', 'sweep-C0.1']);
    assert.deepEqual(names(await search({ filter: "dataset.context = 'training'" })), ['train-logreg']);
    assert.deepEqual(names(await search({ filter: "datasets.name IN ('iris-test')" })), ['train-logreg']);
    assert.deepEqual(names(await search({ filter: `run_id IN ('${fx.ids.runs['export-model']}')` })), ['export-model']);
    assert.deepEqual(names(await search({ filter: 'attributes.start_time >= 1735707600000' })), ['metrics-edge-cases', 'export-model']);
    assert.deepEqual(names(await search({ filter: "params.`学习率` ILIKE '%'" })), ['metrics-edge-cases']);
    await rejectsWith(search({ filter: 'metrics.accuracy > 0.9 OR params.C = 1' }), 'INVALID_PARAMETER_VALUE', /Invalid clause/);
    await rejectsWith(search({ filter: 'attributes.experiment_id = 1' }), 'INVALID_PARAMETER_VALUE');
  });

  it('compares NaN metrics as NaN (FileStore) and sorts ±Infinity as extremes', async () => {
    assert.deepEqual(names(await search({ filter: 'metrics.nan_latest != 0' })), ['metrics-edge-cases']);
    assert.deepEqual(names(await search({ filter: 'metrics.nan_latest = 0' })), []);
    assert.deepEqual(names(await search({ filter: 'metrics.nan_latest > -1' })), []);
    assert.deepEqual(names(await search({ filter: 'metrics.inf_latest > 1e300' })), ['metrics-edge-cases']);
    assert.deepEqual(names(await search({ filter: 'metrics.neg_inf_latest < -1e300' })), ['metrics-edge-cases']);
  });

  it('orders runs (missing keys last, then start_time DESC) and pages with offset tokens', async () => {
    const withAccuracy = fx.expected.runs.filter((r: any) => r.experiment_id === iris && r.lifecycle_stage === 'active' && r.metrics.accuracy);
    const byAccuracy = withAccuracy
      .sort((a: any, b: any) => manifestValue(b.metrics.accuracy.value) - manifestValue(a.metrics.accuracy.value) || b.start_time - a.start_time)
      .map((r: any) => r.run_name);
    const ordered = names(await search({ orderBy: ['metrics.accuracy DESC'] }));
    assert.deepEqual(ordered.slice(0, byAccuracy.length), byAccuracy);
    assert.deepEqual(ordered.slice(byAccuracy.length), expectedRuns((r) => !r.metrics.accuracy));
    assert.deepEqual(names(await search({ orderBy: ['params.C ASC'], filter: "params.C LIKE '%'" })), ['train-logreg-small-C', 'sweep-C0.1', 'sweep-C1', 'train-logreg', 'sweep-C10']);
    assert.deepEqual(names(await search({ orderBy: ['attributes.run_name ASC'] })), expectedRuns(() => true).sort());

    const all = names(await search({}));
    assert.deepEqual(all, expectedRuns(() => true));
    const pages: string[][] = [];
    let token: string | undefined;
    do {
      const page = await store.searchRuns({ experimentIds: [iris], viewType: 'ACTIVE_ONLY', maxResults: 4, pageToken: token });
      pages.push(names(page.items));
      token = page.nextPageToken;
      if (token) assert.deepEqual(JSON.parse(Buffer.from(token, 'base64').toString()), { offset: pages.length * 4 });
    } while (token);
    assert.deepEqual(pages.flat(), all);
    assert.equal(pages.length, Math.ceil(all.length / 4));
    // FileStore paging: no token when the last page is exactly full.
    const exact = await store.searchRuns({ experimentIds: [iris], viewType: 'ACTIVE_ONLY', maxResults: all.length });
    assert.equal(exact.nextPageToken, undefined);
    await rejectsWith(store.searchRuns({ experimentIds: [iris], viewType: 'ALL', maxResults: 1, pageToken: 'not a token!' }), 'INVALID_PARAMETER_VALUE', /Invalid page token/);
  });

  it('applies the run view type and ignores unknown experiment ids', async () => {
    const deleted = await store.searchRuns({ experimentIds: allExperiments, viewType: 'DELETED_ONLY', maxResults: 100 });
    assert.deepEqual(names(deleted.items).sort(), ['deleted-run', 'scratch-1', 'scratch-2']);
    const none = await store.searchRuns({ experimentIds: ['999', 'not-an-id', '../..'], viewType: 'ALL', maxResults: 100 });
    assert.deepEqual(none.items, []);
  });

  it('searches experiments with filters, orders and paging', async () => {
    const list = async (req: any) => (await store.searchExperiments({ viewType: 'ALL', maxResults: 100, ...req })).items.map((e) => e.name);
    assert.deepEqual(await list({ filter: "name LIKE 'iris%'" }), ['iris-classification']);
    assert.deepEqual(await list({ filter: "tags.project = 'iris'" }), ['iris-classification']);
    assert.deepEqual(await list({ filter: "tags.purpose != 'x'" }), ['scratch-experiment']);
    assert.deepEqual(await list({ filter: `creation_time >= ${fx.expected.experiments[1].creation_time}` }).then((l) => l.sort()), ['iris-classification', 'scratch-experiment']);
    assert.deepEqual(await list({ orderBy: ['name DESC'] }), ['scratch-experiment', 'iris-classification', 'Default']);
    assert.deepEqual(await list({ orderBy: ['experiment_id ASC'] }), ['Default', ...[iris, fx.ids.experiments['scratch-experiment']].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1)).map((id) => (id === iris ? 'iris-classification' : 'scratch-experiment'))]);
    const first = await store.searchExperiments({ viewType: 'ALL', maxResults: 2, orderBy: ['name ASC'] });
    assert.deepEqual(first.items.map((e) => e.name), ['Default', 'iris-classification']);
    const second = await store.searchExperiments({ viewType: 'ALL', maxResults: 2, orderBy: ['name ASC'], pageToken: first.nextPageToken });
    assert.deepEqual(second.items.map((e) => e.name), ['scratch-experiment']);
    assert.equal(second.nextPageToken, undefined);
    await rejectsWith(list({ filter: "metrics.x = 'a'" }), 'INVALID_PARAMETER_VALUE', /Invalid entity type/);
  });

  it('searches logged models and the registry', async () => {
    const models = store.loggedModels;
    const ids = async (req: any) => (await models.search({ experimentIds: allExperiments, maxResults: 100, ...req })).items.map((m) => m.info.source_run_id);
    assert.deepEqual(await ids({ filter: "params.C = '0.1'" }), [fx.ids.runs['train-logreg-small-C']]);
    assert.deepEqual(await ids({ filter: 'metrics.test_accuracy > 0.9' }), [fx.ids.runs['train-logreg']]);
    assert.deepEqual(await ids({ filter: "name = 'model'", orderBy: [{ field_name: 'creation_timestamp', ascending: true }] }), [
      fx.ids.runs['train-logreg'],
      fx.ids.runs['train-logreg-small-C'],
    ]);
    assert.deepEqual(await ids({ filter: "status = 'LOGGED_MODEL_READY'" }).then((l) => l.length), 2);
    const paged = await models.search({ experimentIds: allExperiments, maxResults: 1 });
    assert.ok(paged.nextPageToken);
    assert.equal((await models.search({ experimentIds: allExperiments, maxResults: 1, pageToken: paged.nextPageToken })).nextPageToken, undefined);

    const registry = store.registry;
    const rms = async (req: any) => (await registry.searchRegisteredModels({ maxResults: 100, orderBy: [], ...req })).items.map((m) => m.name);
    assert.deepEqual(await rms({ filter: "name LIKE 'iris-%'", orderBy: ['name DESC'] }), ['iris-exported', 'iris-classifier']);
    assert.deepEqual(await rms({ filter: "tags.format = 'run-artifact'" }), ['iris-exported']);
    assert.deepEqual(await rms({ orderBy: ['creation_timestamp DESC'] }), ['iris-exported', 'iris-classifier']);
    const rmPage = await registry.searchRegisteredModels({ maxResults: 1, orderBy: [] });
    assert.deepEqual(rmPage.items.map((m) => m.name), ['iris-classifier']);
    assert.deepEqual((await registry.searchRegisteredModels({ maxResults: 1, orderBy: [], pageToken: rmPage.nextPageToken })).items.map((m) => m.name), ['iris-exported']);
    await rejectsWith(rms({ filter: "run_id = 'x'" }), 'INVALID_PARAMETER_VALUE', /Invalid attribute key/);

    const mvs = async (req: any) => (await registry.searchModelVersions({ maxResults: 100, orderBy: [], ...req })).items.map((v) => `${v.name}/${v.version}`);
    assert.deepEqual(await mvs({ filter: "name = 'iris-classifier'", orderBy: ['version_number ASC'] }), ['iris-classifier/1', 'iris-classifier/2']);
    assert.deepEqual(await mvs({ filter: 'version_number > 1' }), ['iris-classifier/2']);
    assert.deepEqual(await mvs({ filter: `run_id = '${fx.ids.runs['export-model']}'` }), ['iris-exported/1']);
    assert.deepEqual(await mvs({ filter: "tags.validation_status = 'pending'" }), ['iris-classifier/2']);
    assert.deepEqual(await mvs({ filter: "source_path LIKE 'models:/%'", orderBy: ['creation_timestamp DESC'] }), ['iris-classifier/2', 'iris-classifier/1']);
    assert.deepEqual((await registry.getLatestVersions('iris-classifier', ['production'])).map((v) => v.version), ['2']);
    assert.equal((await registry.getModelVersionByAlias('iris-classifier', 'latest')).name, 'iris-classifier');
    await rejectsWith(registry.getModelVersionByAlias('iris-classifier', 'nobody'), 'INVALID_PARAMETER_VALUE', /alias nobody not found/);
    await rejectsWith(registry.getRegisteredModel('nope'), 'RESOURCE_DOES_NOT_EXIST', /name=nope not found/);
    await rejectsWith(registry.getRegisteredModel('../0'), 'RESOURCE_DOES_NOT_EXIST');
    await rejectsWith(registry.getModelVersion('iris-classifier', '9'), 'RESOURCE_DOES_NOT_EXIST', /version=9/);
  });

  it('samples histories for charts like MLflow (bulk interval)', async () => {
    const edge = fx.ids.runs['metrics-edge-cases'];
    const sampled = await store.getMetricHistoryBulkInterval({ runIds: [edge], metricKey: 'train/loss', maxResults: 5 });
    // 1,000 steps 0..999, 5 points: positions 0, 200, 400, 600, 800 plus the last step.
    assert.deepEqual(sampled.map((m) => m.step), [0, 200, 400, 600, 800, 999]);
    assert.ok(sampled.every((m) => m.run_id === edge && m.key === 'train/loss'));
    const ranged = await store.getMetricHistoryBulkInterval({ runIds: [edge], metricKey: 'train/loss', startStep: 10, endStep: 12, maxResults: 100 });
    assert.deepEqual(ranged.map((m) => m.step), [10, 11, 12]);
    // Points at one step come in timestamp order; negative steps are outside the default range.
    const sameStep = await store.getMetricHistoryBulkInterval({ runIds: [edge], metricKey: 'val_acc_same_step', maxResults: 100 });
    assert.deepEqual(sameStep.map((m) => [m.step, m.value]), [[0, 0.5], [5, 0.8], [5, 0.85], [5, 0.83]]);
    const warmup = await store.getMetricHistoryBulkInterval({ runIds: [edge], metricKey: 'warmup_lr', maxResults: 100 });
    assert.deepEqual(warmup.map((m) => m.step), [0, 1, 2]);
    const sweeps = ['sweep-C0.1', 'sweep-C1'].map((n) => fx.ids.runs[n]);
    const two = await store.getMetricHistoryBulkInterval({ runIds: sweeps, metricKey: 'loss', maxResults: 2500 });
    assert.deepEqual([...new Set(two.map((m) => m.run_id))], sweeps);
    await rejectsWith(store.getMetricHistoryBulkInterval({ runIds: ['0123456789abcdef0123456789abcdef'], metricKey: 'x', maxResults: 10 }), 'RESOURCE_DOES_NOT_EXIST');
  });

  it('pages a 100,000-line metric file as a stream', async function () {
    this.timeout(60000);
    const edge = fx.ids.runs['metrics-edge-cases'];
    const metricsDir = path.join(fx.mlruns, iris, edge, 'metrics');
    const lines: string[] = [];
    for (let i = 0; i < 100_000; i++) lines.push(`${1735711200000 + i} ${(i % 7) / 8} ${i}`);
    fs.writeFileSync(path.join(metricsDir, 'big'), lines.join('\n') + '\n');
    // Lines after 30,000 are not metric lines: reading the first page must not get there.
    fs.writeFileSync(path.join(metricsDir, 'big_with_bad_tail'), lines.slice(0, 30_000).join('\n') + '\nthis is no metric line\n'.repeat(70_000));

    const first = await store.getMetricHistory({ runId: edge, metricKey: 'big_with_bad_tail', maxResults: 25_000 });
    assert.equal(first.items.length, 25_000);
    assert.ok(first.nextPageToken);
    await rejectsWith(store.getMetricHistory({ runId: edge, metricKey: 'big_with_bad_tail', maxResults: 25_000, pageToken: first.nextPageToken }), 'INTERNAL_ERROR', /malformed/);

    const steps: number[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await store.getMetricHistory({ runId: edge, metricKey: 'big', maxResults: 25_000, pageToken: token });
      pages++;
      for (const m of page.items) steps.push(m.step);
      token = page.nextPageToken;
    } while (token);
    assert.equal(pages, 4);
    assert.equal(steps.length, 100_000);
    assert.ok(steps.every((s, i) => s === i));
    // An MLflow-style token (offset only) skips lines instead of seeking.
    const mlflowToken = Buffer.from('{"offset": 99998}').toString('base64');
    const tail = await store.getMetricHistory({ runId: edge, metricKey: 'big', maxResults: 25_000, pageToken: mlflowToken });
    assert.deepEqual(tail.items.map((m) => m.step), [99_998, 99_999]);
    assert.equal(tail.nextPageToken, undefined);
    await rejectsWith(store.getMetricHistory({ runId: edge, metricKey: 'big', maxResults: 0 }), 'INVALID_PARAMETER_VALUE');
    await rejectsWith(store.getMetricHistory({ runId: edge, metricKey: '../params/x' }), 'INVALID_PARAMETER_VALUE');
    assert.deepEqual((await store.getMetricHistory({ runId: edge, metricKey: 'never-logged' })).items, []);
    await rejectsWith(store.getMetricHistory({ runId: '0123456789abcdef0123456789abcdef', metricKey: 'x' }), 'RESOURCE_DOES_NOT_EXIST', /Run '0123456789abcdef0123456789abcdef' not found/);
    await rejectsWith(store.getRun('../../etc'), 'INVALID_PARAMETER_VALUE', /Invalid run ID/);
  });

  it('refuses every write with PERMISSION_DENIED', async () => {
    const runId = fx.ids.runs['train-logreg'];
    const writes: Array<Promise<unknown>> = [
      store.createExperiment({ name: 'x' }),
      store.renameExperiment(iris, 'y'),
      store.deleteExperiment(iris),
      store.restoreExperiment(iris),
      store.setExperimentTag(iris, 'k', 'v'),
      store.deleteExperimentTag(iris, 'k'),
      store.createRun({ experimentId: iris }),
      store.updateRun({ runId, status: 'FAILED' }),
      store.deleteRun(runId),
      store.restoreRun(runId),
      store.logBatch({ runId, metrics: [], params: [], tags: [] }),
      store.logParam(runId, 'k', 'v'),
      store.logMetric(runId, { key: 'k', value: 1, timestamp: 1, step: 0 }),
      store.setTag(runId, 'k', 'v'),
      store.deleteTag(runId, 'k'),
      store.logInputs(runId, [], []),
      store.logOutputs(runId, []),
      store.loggedModels.create(),
      store.loggedModels.finalize('m-1', 'READY'),
      store.loggedModels.delete('m-1'),
      store.loggedModels.setTags('m-1', []),
      store.loggedModels.deleteTag('m-1', 'k'),
      store.loggedModels.logParams('m-1', []),
      store.registry.rejectWrite('create registered models'),
    ];
    for (const w of writes) await rejectsWith(w, 'PERMISSION_DENIED', /^This store is opened read-only: /);
    assert.equal(store.readOnly, true);
    // Nothing changed on disk.
    assert.equal((await store.getRun(runId)).info.status, 'FINISHED');
  });
});
