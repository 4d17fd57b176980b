/**
 * `copyBetweenStores` / `runlens copy` between two SQLite stores served by `runlens server`
 * children: a seeded store (experiments, runs with params, tags, a 5,000-point metric history,
 * NaN/±Inf and duplicate-step points, dataset inputs, nested and binary artifacts, a deleted run
 * and a deleted experiment, an MLflow 3 logged model, a registered model with versions, stages
 * and aliases) is copied into a fresh store and compared item by item (every metric point, every
 * artifact byte by SHA-256); copied again (nothing duplicated, all skipped); and cancelled midway
 * then resumed.
 */
import * as assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { MlflowClient } from '../../src/core/client/mlflowClient';
import type { LoggedModel } from '../../src/core/client/loggedModelApi';
import { proxiedPath } from '../../src/core/copy/artifactCopier';
import { copyBetweenStores, type CopyBetweenResult } from '../../src/core/copy/copyBetweenStores';
import { COPY_COMPLETE_TAG, COPY_SOURCE_TAG, sourceIdOf } from '../../src/core/copy/copyTags';
import type { KeyValue, Metric, Run } from '../../src/core/entities';
import { CLI, exited, runCli, spawnServer, type ServerProcess } from '../support/serverProcess';
import { makeTempDir } from '../support/tempDir';

const T0 = 1735689600000;
const BINARY = randomBytes(300 * 1024);

function body(data: Buffer | string) {
  const buffer = Buffer.isBuffer(data) ? data : Buffer.from(data, 'utf8');
  return async () => ({ stream: Readable.from([buffer]), length: buffer.length });
}

let seededBytes = 0;

async function upload(client: MlflowClient, artifactUri: string, file: string, data: Buffer | string): Promise<void> {
  seededBytes += Buffer.byteLength(data);
  await client.uploadProxiedArtifact(`${proxiedPath(artifactUri)}/${file}`, body(data));
}

/** Seeds a store through its server; returns the run id of the 5,000-point run. */
async function seed(client: MlflowClient): Promise<void> {
  const alpha = await client.createExperiment('alpha', [{ key: 'team', value: 'vision' }, { key: 'mlflow.note.content', value: 'Notes\nwith ünïcode' }]);
  const child = await client.createRun(alpha, { runName: 'child', startTime: T0, userId: 'ann', tags: [{ key: 'kind', value: 'child' }] });
  const parent = await client.createRun(alpha, { runName: 'parent', startTime: T0 + 10, userId: 'ann' });
  await client.setTag(child.info.run_id, 'mlflow.parentRunId', parent.info.run_id);
  await client.logBatch(parent.info.run_id, { params: [{ key: 'lr', value: '0.1' }, { key: 'optimizer/name', value: 'adam' }, { key: 'empty', value: '' }], metrics: [{ key: 'score', value: 0.5, timestamp: T0 + 20, step: 0 }] });
  await client.updateRun(parent.info.run_id, { status: 'FINISHED', endTime: T0 + 1000 });
  await client.updateRun(child.info.run_id, { status: 'FAILED', endTime: T0 + 500 });

  const long = await client.createRun(alpha, { runName: 'long', startTime: T0 + 20, userId: 'bob', tags: [{ key: 'mlflow.source.type', value: 'LOCAL' }] });
  const id = long.info.run_id;
  const loss: Array<{ key: string; value: number; timestamp: number; step: number }> = [];
  for (let i = 0; i < 5000; i++) loss.push({ key: 'train/loss', value: 1 / (i + 1), timestamp: T0 + i * 7, step: i });
  for (let i = 0; i < loss.length; i += 1000) await client.logBatch(id, { metrics: loss.slice(i, i + 1000) });
  await client.logBatch(id, {
    metrics: [
      { key: 'edge', value: NaN, timestamp: T0, step: 0 },
      { key: 'edge', value: Infinity, timestamp: T0 + 1, step: 1 },
      { key: 'edge', value: -Infinity, timestamp: T0 + 2, step: 1 },
      { key: 'edge', value: 1e300, timestamp: T0 + 3, step: -5 },
      { key: 'edge', value: 3, timestamp: T0 + 3, step: 2 },
      { key: 'edge', value: 4, timestamp: T0 + 4, step: 2 },
    ],
    params: [{ key: 'epochs', value: '5000' }, { key: 'größe', value: 'groß 🚀' }],
    tags: [{ key: 'multi', value: 'line one\nline two' }],
  });
  await client.logInputs(id, [
    { dataset: { name: 'train', digest: 'abc123', source_type: 'local', source: '/data/train.csv', schema: '{"mlflow_colspec": []}', profile: '{"num_rows": 150}' }, tags: [{ key: 'mlflow.data.context', value: 'training' }] },
    { dataset: { name: 'eval', digest: 'def456', source_type: 'http', source: 'https://example.com/eval.csv' }, tags: [{ key: 'mlflow.data.context', value: 'evaluation' }] },
  ]);
  await upload(client, long.info.artifact_uri, 'README.txt', 'hello\n');
  await upload(client, long.info.artifact_uri, 'data/nested/level2/values.json', JSON.stringify({ a: [1, 2, 3] }));
  await upload(client, long.info.artifact_uri, 'bin/blob.bin', BINARY);
  await upload(client, long.info.artifact_uri, 'reports/résumé final.txt', 'accents & spaces');
  await upload(client, long.info.artifact_uri, 'model/MLmodel', 'artifact_path: model\nflavors: {}\n');

  const model = (await client.loggedModels.create({ experimentId: alpha, name: 'clf-model', modelType: 'sklearn', sourceRunId: id, params: [{ key: 'C', value: '1.0' }], tags: [{ key: 'stage', value: 'dev' }] })).info;
  await upload(client, model.artifact_uri, 'MLmodel', 'flavors: {sklearn: {}}\n');
  await upload(client, model.artifact_uri, 'model.pkl', BINARY.subarray(0, 1000));
  await client.loggedModels.finalize(model.model_id, 'LOGGED_MODEL_READY');
  await client.logBatch(id, { metrics: [{ key: 'accuracy', value: 0.93, timestamp: T0 + 50, step: 0, model_id: model.model_id, dataset_name: 'eval', dataset_digest: 'def456' }] });
  await client.logOutputs(id, [{ model_id: model.model_id, step: 0 }]);
  await client.updateRun(id, { status: 'FINISHED', endTime: T0 + 40000 });

  const user = await client.createRun(alpha, { runName: 'uses-model', startTime: T0 + 30, userId: 'bob' });
  await client.logInputs(user.info.run_id, [], [model.model_id]);
  await client.updateRun(user.info.run_id, { status: 'KILLED', endTime: T0 + 31 });
  const live = await client.createRun(alpha, { runName: 'still-running', startTime: T0 + 40 });
  await client.logBatch(live.info.run_id, { metrics: [{ key: 'progress', value: 0.3, timestamp: T0 + 41, step: 1 }] });
  const gone = await client.createRun(alpha, { runName: 'deleted-run', startTime: T0 + 50 });
  await upload(client, gone.info.artifact_uri, 'notes.txt', 'deleted but kept');
  await client.updateRun(gone.info.run_id, { status: 'FINISHED', endTime: T0 + 60 });
  await client.deleteRun(gone.info.run_id);

  const gamma = await client.createExperiment('gamma', [{ key: 'scratch', value: 'yes' }]);
  const scratch = await client.createRun(gamma, { runName: 'scratch-1', startTime: T0 + 70 });
  await client.logBatch(scratch.info.run_id, { params: [{ key: 'x', value: '1' }] });
  await client.updateRun(scratch.info.run_id, { status: 'FINISHED', endTime: T0 + 80 });
  await client.deleteExperiment(gamma);

  const registry = client.registry;
  await registry.createRegisteredModel('clf', { description: 'A classifier', tags: [{ key: 'owner', value: 'ann' }, { key: 'domäne', value: 'iris' }] });
  const v1 = await registry.createModelVersion({ name: 'clf', source: `runs:/${id}/model`, runId: id, description: 'first', tags: [{ key: 'v', value: '1' }] });
  const v2 = await registry.createModelVersion({ name: 'clf', source: `models:/${model.model_id}`, modelId: model.model_id, runId: id, tags: [{ key: 'v', value: '2' }] });
  const v3 = await registry.createModelVersion({ name: 'clf', source: `${long.info.artifact_uri}/model`, runId: id, description: 'third' });
  await registry.transitionStage('clf', v1.version, 'Production');
  await registry.transitionStage('clf', v1.version, 'Archived');
  await registry.transitionStage('clf', v2.version, 'Production');
  await registry.transitionStage('clf', v3.version, 'Staging');
  await registry.setAlias('clf', 'champion', v2.version);
  await registry.setAlias('clf', 'challenger', v1.version);
  await registry.createRegisteredModel('empty-model');
}

// ---- reading a store back ------------------------------------------------------------------

const withoutCopyTags = (tags: KeyValue[] | undefined) =>
  (tags ?? []).filter((t) => !t.key.startsWith('runlens.copy.')).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));

async function allRuns(client: MlflowClient, experimentId: string): Promise<Run[]> {
  return (await client.searchRuns({ experimentIds: [experimentId], viewType: 'ALL', maxResults: 1000 })).items;
}

async function history(client: MlflowClient, runId: string, key: string): Promise<Metric[]> {
  const points: Metric[] = [];
  let token: string | undefined;
  do {
    const page = await client.getMetricHistory(runId, key, 1000, token);
    points.push(...page.items);
    token = page.items.length ? page.nextPageToken : undefined;
  } while (token);
  return points;
}

async function artifactHashes(list: (p?: string) => Promise<Array<{ path: string; is_dir: boolean; file_size?: number }>>, open: (p: string) => Promise<Buffer>): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const folders: Array<string | undefined> = [undefined];
  while (folders.length) {
    for (const f of await list(folders.shift())) {
      if (f.is_dir) folders.push(f.path);
      else out[f.path] = createHash('sha256').update(await open(f.path)).digest('hex');
    }
  }
  return out;
}

const runArtifacts = (client: MlflowClient, runId: string) =>
  artifactHashes((p) => client.listArtifacts(runId, p).then((r) => r.files), (p) => client.downloadArtifact(runId, p));

/** Everything of a run, comparable between stores (the parent named by name). */
async function describeRun(client: MlflowClient, run: Run, names: Map<string, string>) {
  const full = await client.getRun(run.info.run_id);
  const tags = withoutCopyTags(full.data.tags).map((t) => (t.key === 'mlflow.parentRunId' ? { key: t.key, value: `parent:${names.get(t.value)}` } : t));
  const metrics: Record<string, Metric[]> = {};
  for (const key of [...new Set((full.data.metrics ?? []).map((m) => m.key))].sort()) metrics[key] = await history(client, run.info.run_id, key);
  const { run_name, status, start_time, end_time, user_id, lifecycle_stage } = full.info;
  return {
    info: { run_name, status, start_time, end_time, user_id, lifecycle_stage },
    params: [...(full.data.params ?? [])].sort((a, b) => (a.key < b.key ? -1 : 1)),
    tags,
    metrics,
    datasets: (full.inputs.dataset_inputs ?? []).map((d) => ({ dataset: d.dataset, tags: d.tags })).sort((a, b) => (a.dataset.name < b.dataset.name ? -1 : 1)),
    modelInputs: (full.inputs.model_inputs ?? []).length,
    modelOutputs: (full.outputs?.model_outputs ?? []).length,
    artifacts: await runArtifacts(client, run.info.run_id),
  };
}

async function describeStore(client: MlflowClient) {
  const experiments = (await client.searchExperiments({ viewType: 'ALL' })).items.sort((a, b) => (a.name < b.name ? -1 : 1));
  const out: Record<string, unknown> = {};
  for (const e of experiments) {
    const runs = await allRuns(client, e.experiment_id);
    const names = new Map(runs.map((r) => [r.info.run_id, r.info.run_name]));
    const described: Record<string, unknown> = {};
    for (const r of runs) {
      assert.ok(!(r.info.run_name in described), `run '${r.info.run_name}' appears twice in '${e.name}'`);
      described[r.info.run_name] = await describeRun(client, r, names);
    }
    const models: Record<string, unknown> = {};
    for (const m of await client.loggedModels.all([e.experiment_id])) models[m.info.name] = await describeModel(client, m);
    out[e.name] = { lifecycle: e.lifecycle_stage, tags: withoutCopyTags(e.tags), runs: described, loggedModels: models };
  }
  return { experiments: out, registry: await describeRegistry(client) };
}

async function describeModel(client: MlflowClient, m: LoggedModel) {
  const root = proxiedPath(m.info.artifact_uri)!;
  const artifacts = await artifactHashes(
    (p) => client.loggedModels.listArtifacts(m.info.model_id, p),
    async (p) => {
      const res = await client.openProxiedArtifact(`${root}/${p}`);
      const chunks: Buffer[] = [];
      for await (const c of res.stream) chunks.push(c as Buffer);
      return Buffer.concat(chunks);
    },
  );
  return { type: m.info.model_type, status: m.info.status, params: m.data?.params, tags: withoutCopyTags(m.info.tags), artifacts, metrics: (m.data?.metrics ?? []).map((x) => [x.key, x.value, x.step, x.dataset_name]) };
}

async function describeRegistry(client: MlflowClient) {
  const out: Record<string, unknown> = {};
  for (const listed of await client.registry.allRegisteredModels()) {
    const model = await client.registry.getRegisteredModel(listed.name);
    const versions = await client.registry.allVersions(model.name);
    out[model.name] = {
      description: model.description,
      tags: withoutCopyTags(model.tags),
      aliases: Object.fromEntries((model.aliases ?? []).map((a) => [a.alias, String(a.version)])),
      versions: versions.map((v) => ({ version: v.version, stage: v.current_stage, description: v.description, tags: withoutCopyTags(v.tags) })),
    };
  }
  return out;
}

// ---- the tests ------------------------------------------------------------------------------

describe('runlens copy: a seeded SQLite store into a fresh one', function () {
  this.timeout(180000);
  let tmp: ReturnType<typeof makeTempDir>;
  let sourceUri: string;
  let expected: Awaited<ReturnType<typeof describeStore>>;

  before(async () => {
    tmp = makeTempDir('runlens-copy-');
    sourceUri = `sqlite:///${path.join(tmp.dir, 'source', 'mlflow.db')}`;
    const server = await spawnServer(['--backend-store-uri', sourceUri, '--artifacts-destination', path.join(tmp.dir, 'source', 'mlartifacts')], tmp.dir);
    const client = new MlflowClient({ baseUrl: server.url });
    try {
      await seed(client);
      expected = await describeStore(client);
    } finally {
      client.close();
      server.child.kill('SIGTERM');
      await exited(server.child);
    }
  });
  after(() => tmp?.cleanup());

  async function withServer<T>(uri: string, artifacts: string, fn: (client: MlflowClient, server: ServerProcess) => Promise<T>): Promise<T> {
    const server = await spawnServer(['--backend-store-uri', uri, '--artifacts-destination', artifacts], tmp.dir);
    const client = new MlflowClient({ baseUrl: server.url });
    try {
      return await fn(client, server);
    } finally {
      client.close();
      server.child.kill('SIGTERM');
      await exited(server.child);
    }
  }

  const destination = (name: string) => ({ uri: `sqlite:///${path.join(tmp.dir, name, 'mlflow.db')}`, artifacts: path.join(tmp.dir, name, 'mlartifacts') });

  function assertAllCopied(result: CopyBetweenResult): void {
    assert.deepEqual(result.failures, []);
    assert.equal(result.cancelled, false);
    assert.deepEqual(result.kinds.experiments, { copied: 2, skipped: 1, failed: 0 }, 'Default is matched by name');
    assert.deepEqual(result.kinds.runs, { copied: 7, skipped: 0, failed: 0 });
    assert.deepEqual(result.kinds.loggedModels, { copied: 1, skipped: 0, failed: 0 });
    assert.deepEqual(result.kinds.registeredModels, { copied: 2, skipped: 0, failed: 0 });
    assert.deepEqual(result.kinds.modelVersions, { copied: 3, skipped: 0, failed: 0 });
  }

  it('reads back what was seeded (so the comparisons below compare something)', () => {
    const alpha = expected.experiments.alpha as { runs: Record<string, Awaited<ReturnType<typeof describeRun>>>; loggedModels: Record<string, { artifacts: object }> };
    const long = alpha.runs.long;
    assert.equal(long.metrics['train/loss'].length, 5000);
    assert.deepEqual(long.metrics.edge.map((m) => m.value), [NaN, 1.7976931348623157e308, -1.7976931348623157e308, 1e300, 3, 4]);
    assert.deepEqual(Object.keys(long.artifacts).sort(), ['README.txt', 'bin/blob.bin', 'data/nested/level2/values.json', 'model/MLmodel', 'reports/résumé final.txt']);
    assert.equal(long.artifacts['bin/blob.bin'], createHash('sha256').update(BINARY).digest('hex'));
    assert.equal(long.datasets.length, 2);
    assert.equal(long.modelOutputs, 1);
    assert.equal(alpha.runs['uses-model'].modelInputs, 1);
    assert.equal(alpha.runs['deleted-run'].info.lifecycle_stage, 'deleted');
    assert.deepEqual(alpha.runs.child.tags.find((t) => t.key === 'mlflow.parentRunId'), { key: 'mlflow.parentRunId', value: 'parent:parent' });
    assert.equal(Object.keys(alpha.loggedModels['clf-model'].artifacts).length, 2);
    assert.equal((expected.experiments.gamma as { lifecycle: string }).lifecycle, 'deleted');
    assert.deepEqual(expected.registry.clf, {
      description: 'A classifier',
      tags: [{ key: 'domäne', value: 'iris' }, { key: 'owner', value: 'ann' }],
      aliases: { champion: '2', challenger: '1' },
      versions: [
        { version: '1', stage: 'Archived', description: 'first', tags: [{ key: 'v', value: '1' }] },
        { version: '2', stage: 'Production', description: '', tags: [{ key: 'v', value: '2' }] },
        { version: '3', stage: 'Staging', description: 'third', tags: [] },
      ],
    });
  });

  it('copies every experiment, run, metric point, artifact byte, logged model and registry entry', async () => {
    const dest = destination('copy-1');
    const phases = new Set<string>();
    const result = await copyBetweenStores(sourceUri, dest.uri, { cliPath: CLI, toArtifacts: dest.artifacts, onProgress: (p) => phases.add(p.phase) });
    assertAllCopied(result);
    assert.equal(result.counts.metricPoints, 5000 + 6 + 1 + 1 + 1);
    assert.equal(result.counts.artifactFiles, 5 + 1 + 2);
    assert.equal(result.counts.artifactBytes, seededBytes);
    for (const phase of ['start', 'experiment', 'run', 'metrics', 'artifacts', 'registry', 'done']) assert.ok(phases.has(phase), phase);

    await withServer(dest.uri, dest.artifacts, async (client) => {
      const actual = await describeStore(client);
      assert.deepEqual(actual, expected);
      // Sources re-pointed to the copies, copy tags present.
      const long = (await client.searchRuns({ experimentIds: ['1'], filter: "attributes.run_name = 'long'" })).items[0];
      const [model] = await client.loggedModels.all(['1']);
      const versions = await client.registry.allVersions('clf');
      assert.equal(versions[0].source, `runs:/${long.info.run_id}/model`);
      assert.equal(versions[1].source, `models:/${model.info.model_id}`);
      assert.equal(versions[2].source, `${long.info.artifact_uri}/model`);
      assert.deepEqual(versions.map((v) => v.run_id), [long.info.run_id, long.info.run_id, long.info.run_id]);
      assert.equal(model.info.source_run_id, long.info.run_id);
      assert.ok(long.data.tags!.some((t) => t.key === COPY_SOURCE_TAG && sourceIdOf(t.value) !== undefined));
      assert.ok(long.data.tags!.some((t) => t.key === COPY_COMPLETE_TAG));
      const running = (await client.searchRuns({ experimentIds: ['1'], filter: "attributes.run_name = 'still-running'" })).items[0];
      assert.ok(!running.data.tags!.some((t) => t.key === COPY_COMPLETE_TAG), 'a RUNNING run stays open for the next copy');
    });
  });

  it('copies nothing twice: a second copy (through the CLI) skips everything', async () => {
    const dest = destination('copy-2');
    assertAllCopied(await copyBetweenStores(sourceUri, dest.uri, { cliPath: CLI, toArtifacts: dest.artifacts }));
    const again = await runCli(['copy', '--from', sourceUri, '--to', dest.uri, '--to-artifacts', dest.artifacts], tmp.dir);
    assert.equal(again.code, 0, again.output);
    assert.match(again.output, /experiments\s+0\s+3\s+0/);
    assert.match(again.output, /runs\s+0\s+7\s+0/, 'the RUNNING run is revisited, but has nothing new');
    assert.match(again.output, /logged models\s+0\s+1\s+0/);
    assert.match(again.output, /registered models\s+0\s+2\s+0/);
    assert.match(again.output, /model versions\s+0\s+3\s+0/);
    assert.match(again.output, /metric points 0, artifact files 0 \(0 B\)/);
    await withServer(dest.uri, dest.artifacts, async (client) => assert.deepEqual(await describeStore(client), expected));
  });

  it('resumes a cancelled copy without duplicating metric points, files or runs', async () => {
    const dest = destination('copy-3');
    const controller = new AbortController();
    const first = await copyBetweenStores(sourceUri, dest.uri, {
      cliPath: CLI,
      toArtifacts: dest.artifacts,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.counts.metricPoints >= 2000) controller.abort();
      },
    });
    assert.equal(first.cancelled, true);
    assert.ok(first.counts.metricPoints >= 2000 && first.counts.metricPoints < 5000, `stopped inside the long history (${first.counts.metricPoints})`);
    await withServer(dest.uri, dest.artifacts, async (client) => {
      const long = (await client.searchRuns({ experimentIds: ['1'], filter: "attributes.run_name = 'long'", viewType: 'ALL' })).items;
      assert.equal(long.length, 1);
      assert.ok(!long[0].data.tags!.some((t) => t.key === COPY_COMPLETE_TAG), 'the interrupted run is not marked complete');
    });

    const second = await copyBetweenStores(sourceUri, dest.uri, { cliPath: CLI, toArtifacts: dest.artifacts });
    assert.deepEqual(second.failures, []);
    assert.equal(second.cancelled, false);
    assert.equal(second.kinds.runs.copied + second.kinds.runs.skipped, 7);
    assert.ok(second.counts.metricPoints <= 5009 - first.counts.metricPoints + 1000, 'only the missing points were sent');
    await withServer(dest.uri, dest.artifacts, async (client) => assert.deepEqual(await describeStore(client), expected));
  });

  it('explains a source it cannot open and a missing --to', async () => {
    const missing = await runCli(['copy', '--from', `sqlite:///${path.join(tmp.dir, 'nope', 'mlflow.db')}`, '--to', destination('copy-4').uri], tmp.dir);
    assert.equal(missing.code, 1);
    assert.match(missing.output, /runlens copy: no database at .*nope\/mlflow\.db/);
    const usage = await runCli(['copy', '--from', sourceUri], tmp.dir);
    assert.equal(usage.code, 2);
    assert.match(usage.output, /both --from and --to are required/);
  });
});
