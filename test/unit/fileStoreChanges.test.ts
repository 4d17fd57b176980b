/**
 * The file store sees MLflow's later changes (appended metric lines, new tag files, new runs),
 * answers repeated reads from its cache, and copes with corrupt files: the broken entity is left
 * out of listings and reported, and reading it directly answers a clear INTERNAL_ERROR.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { FileTrackingStore, type StoreProblem } from '../../src/core/store/file';
import { FixtureCopy, ageTree, copyFixtureStore, kv, rejectsWith } from '../support/fileStoreFixture';

describe('FileTrackingStore and changes to the folder', () => {
  let fx: FixtureCopy;
  let store: FileTrackingStore;
  let reported: StoreProblem[];
  let iris: string;
  let trainId: string;
  let runDir: string;

  beforeEach(async () => {
    fx = copyFixtureStore();
    reported = [];
    store = await FileTrackingStore.open(pathToFileURL(fx.mlruns).href, { onProblem: (p) => reported.push(p) });
    iris = fx.ids.experiments['iris-classification'];
    trainId = fx.ids.runs['train-logreg'];
    runDir = path.join(fx.mlruns, iris, trainId);
  });
  afterEach(async () => {
    await store.close();
    fx.cleanup();
  });

  const searchIris = async (filter?: string) =>
    (await store.searchRuns({ experimentIds: [iris], viewType: 'ACTIVE_ONLY', maxResults: 1000, filter })).items.map((r) => r.info.run_name);

  it('answers repeated reads from the cache', async () => {
    const first = await store.getRun(trainId);
    const before = store.cacheStats();
    assert.deepEqual(await store.getRun(trainId), first);
    const after = store.cacheStats();
    assert.equal(after.misses, before.misses, 'nothing was read again');
    assert.ok(after.hits > before.hits);
    await searchIris();
    const searched = store.cacheStats();
    await searchIris();
    assert.equal(store.cacheStats().misses, searched.misses);
  });

  it('sees appended metric lines, new and changed tag and param files, on the next read', async () => {
    await store.getRun(trainId);
    await store.getMetricHistory({ runId: trainId, metricKey: 'accuracy' });
    fs.appendFileSync(path.join(runDir, 'metrics', 'accuracy'), '1735700470000 0.99 1\n');
    fs.writeFileSync(path.join(runDir, 'tags', 'reviewed'), 'yes');
    fs.mkdirSync(path.join(runDir, 'tags', 'team'));
    fs.writeFileSync(path.join(runDir, 'tags', 'team', 'owner'), 'ml');
    fs.writeFileSync(path.join(runDir, 'params', 'max_iter'), '300');
    const run = await store.getRun(trainId);
    const accuracy = run.data.metrics!.find((m) => m.key === 'accuracy')!;
    assert.deepEqual([accuracy.value, accuracy.step], [0.99, 1]);
    assert.equal(kv(run.data.tags).reviewed, 'yes');
    assert.equal(kv(run.data.tags)['team/owner'], 'ml');
    assert.equal(kv(run.data.params).max_iter, '300');
    const history = await store.getMetricHistory({ runId: trainId, metricKey: 'accuracy' });
    assert.deepEqual(history.items.map((m) => m.value), [0.973333, 0.99]);
    assert.deepEqual(await searchIris("tags.reviewed = 'yes'"), ['train-logreg']);
    assert.deepEqual(await searchIris('metrics.accuracy >= 0.99'), ['train-logreg']);

    // A last line without its newline (still being written, or written by another tool) counts too.
    fs.appendFileSync(path.join(runDir, 'metrics', 'accuracy'), '1735700480000 0.5 2');
    assert.equal((await store.getRun(trainId)).data.metrics!.find((m) => m.key === 'accuracy')!.value, 0.5);
    fs.appendFileSync(path.join(runDir, 'metrics', 'accuracy'), '\n1735700490000 0.25 3\n');
    const latest = (await store.getRun(trainId)).data.metrics!.find((m) => m.key === 'accuracy')!;
    assert.deepEqual([latest.value, latest.step], [0.25, 3]);
    assert.equal((await store.getMetricHistory({ runId: trainId, metricKey: 'accuracy' })).items.length, 4);

    // A metric file rewritten shorter (not MLflow's way, but possible) is read again from the start.
    fs.writeFileSync(path.join(runDir, 'metrics', 'accuracy'), '1735700460000 0.1 0\n');
    assert.equal((await store.getRun(trainId)).data.metrics!.find((m) => m.key === 'accuracy')!.value, 0.1);
    // ...and so is one rewritten in place with longer, different content.
    fs.writeFileSync(path.join(runDir, 'metrics', 'accuracy'), '1735700460000 0.2 7\n1735700460001 0.3 1\n');
    const rewritten = (await store.getRun(trainId)).data.metrics!.find((m) => m.key === 'accuracy')!;
    assert.deepEqual([rewritten.value, rewritten.step], [0.2, 7]);
  });

  it('sees runs, experiments, lifecycle changes and registry changes made after opening', async () => {
    assert.equal((await searchIris()).length, 8);
    const copyId = 'f'.repeat(32);
    const copyDir = path.join(fx.mlruns, iris, copyId);
    fs.cpSync(runDir, copyDir, { recursive: true });
    const meta = fs.readFileSync(path.join(copyDir, 'meta.yaml'), 'utf8').split(trainId).join(copyId).replace('run_name: train-logreg', 'run_name: copied');
    fs.writeFileSync(path.join(copyDir, 'meta.yaml'), meta);
    assert.ok((await searchIris()).includes('copied'));
    assert.equal((await store.getRun(copyId)).info.run_name, 'copied');

    fs.writeFileSync(path.join(copyDir, 'meta.yaml'), meta.replace('lifecycle_stage: active', 'lifecycle_stage: deleted'));
    assert.ok(!(await searchIris()).includes('copied'));
    assert.equal((await store.getRun(copyId)).info.lifecycle_stage, 'deleted');

    fs.writeFileSync(path.join(fx.mlruns, iris, 'tags', 'new-tag'), 'v');
    assert.equal(kv((await store.getExperiment(iris)).tags)['new-tag'], 'v');

    const newExp = path.join(fx.mlruns, '42');
    fs.mkdirSync(newExp);
    fs.writeFileSync(path.join(newExp, 'meta.yaml'), "artifact_location: file:///tmp/x\ncreation_time: 1\nexperiment_id: '42'\nlast_update_time: 1\nlifecycle_stage: active\nname: later\n");
    assert.equal((await store.getExperimentByName('later'))?.experiment_id, '42');

    const aliases = path.join(fx.mlruns, 'models', 'iris-exported', 'aliases');
    fs.mkdirSync(aliases, { recursive: true });
    fs.writeFileSync(path.join(aliases, 'staging'), '1');
    assert.deepEqual((await store.registry.getRegisteredModel('iris-exported')).aliases, [{ alias: 'staging', version: '1' }]);
    assert.equal((await store.registry.getModelVersionByAlias('iris-exported', 'staging')).version, '1');
  });

  it('sees changes made right after a read, within the same timestamp tick', async () => {
    ageTree(fx.storeDir, 0);
    const tagFile = path.join(runDir, 'tags', 'stage');
    assert.equal(kv((await store.getRun(trainId)).data.tags).stage, 'dev');
    fs.writeFileSync(tagFile, 'prd'); // same size
    assert.equal(kv((await store.getRun(trainId)).data.tags).stage, 'prd');
  });

  it('leaves out a run with a corrupt meta.yaml, reports it, and answers INTERNAL_ERROR for it', async () => {
    const metaFile = path.join(runDir, 'meta.yaml');
    const good = fs.readFileSync(metaFile, 'utf8');
    fs.writeFileSync(metaFile, 'run_id: [unclosed\nstatus: 3\n');
    const names = await searchIris();
    assert.equal(names.length, 7);
    assert.ok(!names.includes('train-logreg'));
    assert.deepEqual(
      store.problems().map((p) => [p.entity, p.path]),
      [['run', metaFile]],
    );
    assert.equal(reported.length, 1);
    await rejectsWith(store.getRun(trainId), 'INTERNAL_ERROR', /Run '[0-9a-f]+' cannot be read: .*meta\.yaml: not valid YAML/);
    assert.equal((await store.getRun(fx.ids.runs['export-model'])).info.status, 'FINISHED');

    fs.writeFileSync(metaFile, good.replace('status: 3', 'status: 99'));
    await rejectsWith(store.getRun(trainId), 'INTERNAL_ERROR', /unknown run status 99/);
    fs.writeFileSync(metaFile, '');
    await rejectsWith(store.getRun(trainId), 'INTERNAL_ERROR', /the file is empty/);

    fs.writeFileSync(metaFile, good);
    assert.equal((await searchIris()).length, 8);
    assert.deepEqual(store.problems(), []);
  });

  it('leaves out an unreadable metric in listings, and fails reads of that run or metric clearly', async () => {
    const metricFile = path.join(runDir, 'metrics', 'f1_macro');
    fs.appendFileSync(metricFile, '1735700460000 0.5 0 extra\n');
    const run = (await store.searchRuns({ experimentIds: [iris], viewType: 'ACTIVE_ONLY', maxResults: 100, filter: "run_name = 'train-logreg'" })).items[0];
    assert.deepEqual(run.data.metrics!.map((m) => m.key), ['accuracy', 'test_accuracy']);
    assert.equal(store.problems()[0].entity, 'metric');
    assert.match(store.problems()[0].message, /Metric 'f1_macro' is malformed; persisted metric data contained 4 fields\. Expected 2, 3, or 5 fields\. \(line 2 of /);
    await rejectsWith(store.getRun(trainId), 'INTERNAL_ERROR', /Metric 'f1_macro' is malformed/);
    await rejectsWith(store.getMetricHistory({ runId: trainId, metricKey: 'f1_macro' }), 'INTERNAL_ERROR', /line 2 of/);
    assert.equal((await store.getMetricHistory({ runId: trainId, metricKey: 'accuracy' })).items.length, 1);

    fs.appendFileSync(path.join(runDir, 'metrics', 'accuracy'), '1735700460000 not-a-number 1\n');
    await rejectsWith(store.getMetricHistory({ runId: trainId, metricKey: 'accuracy' }), 'INTERNAL_ERROR', /invalid value 'not-a-number'/);
  });

  it('leaves out a corrupt experiment, registered model or logged model and reports each', async () => {
    const expMeta = path.join(fx.mlruns, iris, 'meta.yaml');
    fs.writeFileSync(expMeta, 'name: [\n');
    const names = (await store.searchExperiments({ viewType: 'ALL', maxResults: 100 })).items.map((e) => e.name);
    assert.deepEqual(names.sort(), ['Default', 'scratch-experiment']);
    await rejectsWith(store.getExperiment(iris), 'INTERNAL_ERROR', /Experiment '\d+' cannot be read/);
    // Its runs are still there (each run folder is read on its own, as MLflow does).
    assert.equal((await searchIris()).length, 8);

    fs.writeFileSync(expMeta, `experiment_id: '1'\nname: moved\n`);
    assert.equal((await store.searchExperiments({ viewType: 'ALL', maxResults: 100 })).items.length, 2);
    assert.match(store.problems().find((p) => p.path === expMeta)!.message, /does not match its folder/);

    const rmMeta = path.join(fx.mlruns, 'models', 'iris-exported', 'meta.yaml');
    fs.writeFileSync(rmMeta, '- a list\n- not a mapping\n');
    assert.deepEqual((await store.registry.searchRegisteredModels({ maxResults: 10, orderBy: [] })).items.map((m) => m.name), ['iris-classifier']);
    await rejectsWith(store.registry.getRegisteredModel('iris-exported'), 'INTERNAL_ERROR', /expected a mapping/);

    const modelId = fx.ids.models['train-logreg/model'];
    const lmMeta = path.join(fx.mlruns, iris, 'models', modelId, 'meta.yaml');
    fs.writeFileSync(lmMeta, 'status: : :\n');
    const models = await store.loggedModels.search({ experimentIds: [iris], maxResults: 10 });
    assert.deepEqual(models.items.map((m) => m.info.model_id), [fx.ids.models['train-logreg-small-C/model']]);
    await rejectsWith(store.loggedModels.get(modelId), 'INTERNAL_ERROR', /Logged model/);

    assert.deepEqual(
      store.problems().map((p) => p.entity).sort(),
      ['experiment', 'logged model', 'registered model'],
    );
  });
});
