/**
 * `runlens copy` of the real MLflow 3.5 fixture (test/fixtures/mlflow-3.5/sqlite, a database
 * MLflow wrote, with its mlartifacts/) into a fresh Runlens store, checked against what MLflow's
 * own client read from the fixture (manifest.json): experiments, runs, every metric point,
 * inputs, outputs, artifact bytes, logged models and the registry, with run, model and version
 * references re-pointed to the copies.
 *
 * The fixture is copied to a temporary folder first, and the placeholder of its absolute paths
 * (/__MLFLOW_FIXTURE_ROOT__, see test/fixtures/README.md) is replaced there in the database
 * columns, so that the artifact URIs (file:///…/mlartifacts/…) resolve. The source server opens
 * that database read-only: the test checks it is left byte for byte as it was.
 */
import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MlflowClient } from '../../src/core/client/mlflowClient';
import { proxiedPath } from '../../src/core/copy/artifactCopier';
import { copyBetweenStores, type CopyBetweenResult } from '../../src/core/copy/copyBetweenStores';
import type { Metric, Run } from '../../src/core/entities';
import { loadSqlJs } from '../../src/core/store/sqlJs';
import { CLI, exited, spawnServer } from '../support/serverProcess';
import { makeTempDir } from '../support/tempDir';

const FIXTURE = path.resolve(__dirname, '../../../test/fixtures/mlflow-3.5');
const TOKEN = '/__MLFLOW_FIXTURE_ROOT__';

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');
const tagMap = (tags: Array<{ key: string; value: string }> | undefined) =>
  Object.fromEntries((tags ?? []).filter((t) => !t.key.startsWith('runlens.copy.')).map((t) => [t.key, t.value]));
const wireValue = (v: number) => (Number.isNaN(v) ? 'NaN' : v === Infinity ? 'Infinity' : v === -Infinity ? '-Infinity' : v);

/** Replaces the placeholder by the scratch folder in the columns the fixture README lists. */
async function substitutePlaceholder(dbPath: string, root: string): Promise<void> {
  const SQL = await loadSqlJs();
  const db = new SQL.Database(fs.readFileSync(dbPath));
  for (const [table, column] of [
    ['experiments', 'artifact_location'],
    ['runs', 'artifact_uri'],
    ['logged_models', 'artifact_location'],
    ['model_versions', 'source'],
    ['model_versions', 'storage_location'],
  ]) {
    db.run(`UPDATE ${table} SET ${column} = REPLACE(${column}, ?, ?) WHERE ${column} LIKE ?`, [TOKEN, root, `%${TOKEN}%`]);
  }
  fs.writeFileSync(dbPath, db.export());
  db.close();
}

function tree(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();
}

async function download(res: Promise<{ stream: AsyncIterable<unknown> }>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of (await res).stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function history(client: MlflowClient, runId: string, key: string): Promise<Metric[]> {
  const points: Metric[] = [];
  let token: string | undefined;
  do {
    const page = await client.getMetricHistory(runId, key, 25000, token);
    points.push(...page.items);
    token = page.items.length ? page.nextPageToken : undefined;
  } while (token);
  return points;
}

describe('runlens copy: the MLflow 3.5 fixture (sqlite) into a fresh store', function () {
  this.timeout(180000);
  const manifest: Json = JSON.parse(fs.readFileSync(path.join(FIXTURE, 'manifest.json'), 'utf8'));
  const expected = manifest.sqlite;
  let tmp: ReturnType<typeof makeTempDir>;
  let scratch: string;
  let dbHash: string;
  let scratchTree: string[];
  let result: CopyBetweenResult;
  let client: MlflowClient;
  let stop: () => Promise<void>;
  let runsByName: Map<string, Run>;

  before(async () => {
    tmp = makeTempDir('runlens-copy-fixture-');
    scratch = path.join(tmp.dir, 'sqlite');
    fs.cpSync(path.join(FIXTURE, 'sqlite'), scratch, { recursive: true });
    await substitutePlaceholder(path.join(scratch, 'mlflow.db'), scratch);
    dbHash = sha256(fs.readFileSync(path.join(scratch, 'mlflow.db')));
    scratchTree = tree(scratch);
    const dest = path.join(tmp.dir, 'dest');
    result = await copyBetweenStores(`sqlite:///${path.join(scratch, 'mlflow.db')}`, `sqlite:///${path.join(dest, 'mlflow.db')}`, {
      cliPath: CLI,
      fromArtifacts: path.join(scratch, 'mlartifacts'),
    });
    const server = await spawnServer(['--backend-store-uri', `sqlite:///${path.join(dest, 'mlflow.db')}`, '--artifacts-destination', path.join(dest, 'mlartifacts')], tmp.dir);
    client = new MlflowClient({ baseUrl: server.url });
    stop = async () => {
      client.close();
      server.child.kill('SIGTERM');
      await exited(server.child);
    };
    runsByName = new Map();
    for (const e of (await client.searchExperiments({ viewType: 'ALL' })).items) {
      for (const r of (await client.searchRuns({ experimentIds: [e.experiment_id], viewType: 'ALL' })).items) runsByName.set(r.info.run_name, r);
    }
  });
  after(async () => {
    await stop?.();
    tmp?.cleanup();
  });

  it('copies everything without failures, reading the fixture read-only and leaving it untouched', () => {
    assert.deepEqual(result.failures, [], JSON.stringify(result.failures, null, 1));
    assert.deepEqual(result.notes, []);
    assert.match(result.source, /\(read-only\)$/);
    assert.deepEqual(result.kinds, {
      experiments: { copied: 2, skipped: 1, failed: 0 },
      runs: { copied: 13, skipped: 0, failed: 0 },
      loggedModels: { copied: 2, skipped: 0, failed: 0 },
      registeredModels: { copied: 2, skipped: 0, failed: 0 },
      modelVersions: { copied: 3, skipped: 0, failed: 0 },
    });
    assert.equal(result.counts.metricPoints, manifest.counts.sqlite.metric_points);
    assert.equal(result.counts.artifactFiles, manifest.counts.sqlite.run_artifact_files + manifest.counts.sqlite.logged_model_artifact_files);
    assert.equal(sha256(fs.readFileSync(path.join(scratch, 'mlflow.db'))), dbHash, 'the source database is unchanged');
    assert.deepEqual(tree(scratch), scratchTree, 'nothing was written next to it');
  });

  it('has the experiments with their tags and lifecycle', async () => {
    const actual = (await client.searchExperiments({ viewType: 'ALL' })).items.map((e) => ({ name: e.name, lifecycle_stage: e.lifecycle_stage, tags: tagMap(e.tags) }));
    const wanted = expected.experiments.map((e: Json) => ({ name: e.name, lifecycle_stage: e.lifecycle_stage, tags: e.tags }));
    const byName = (a: { name: string }, b: { name: string }) => (a.name < b.name ? -1 : 1);
    assert.deepEqual(actual.sort(byName), wanted.sort(byName));
  });

  it('has every run: info, params, tags (parent re-pointed), latest metrics, inputs and outputs', async () => {
    const nameOf = new Map<string, string>(expected.runs.map((r: Json) => [r.run_id, r.run_name]));
    const copiedNameOf = new Map([...runsByName.values()].map((r) => [r.info.run_id, r.info.run_name]));
    assert.equal(runsByName.size, expected.runs.length);
    for (const want of expected.runs) {
      const run = await client.getRun(runsByName.get(want.run_name)!.info.run_id);
      const experiment = await client.getExperiment(run.info.experiment_id);
      assert.equal(experiment.name, expected.experiments.find((e: Json) => e.experiment_id === want.experiment_id).name);
      const { status, lifecycle_stage, start_time, user_id } = run.info;
      assert.deepEqual({ status, lifecycle_stage, start_time, end_time: run.info.end_time ?? null, user_id }, {
        status: want.status,
        lifecycle_stage: want.lifecycle_stage,
        start_time: want.start_time,
        end_time: want.end_time,
        user_id: want.user_id,
      }, want.run_name);
      assert.deepEqual(Object.fromEntries((run.data.params ?? []).map((p) => [p.key, p.value])), want.params, want.run_name);
      const tags = tagMap(run.data.tags);
      if (tags['mlflow.parentRunId']) tags['mlflow.parentRunId'] = `run:${copiedNameOf.get(tags['mlflow.parentRunId'])}`;
      const wantTags = { ...want.tags };
      if (wantTags['mlflow.parentRunId']) wantTags['mlflow.parentRunId'] = `run:${nameOf.get(wantTags['mlflow.parentRunId'])}`;
      assert.deepEqual(tags, wantTags, want.run_name);
      const latest = Object.fromEntries((run.data.metrics ?? []).map((m) => [m.key, { value: wireValue(m.value), step: m.step, timestamp: m.timestamp }]));
      assert.deepEqual(latest, want.metrics, want.run_name);
      const datasets = (run.inputs.dataset_inputs ?? []).map((d) => ({ dataset: d.dataset, tags: tagMap(d.tags) }));
      const byDataset = (a: Json, b: Json) => (a.dataset.name < b.dataset.name ? -1 : 1);
      assert.deepEqual(datasets.sort(byDataset), [...want.inputs.dataset_inputs].sort(byDataset), want.run_name);
      assert.equal((run.inputs.model_inputs ?? []).length, want.inputs.model_inputs.length, want.run_name);
      assert.equal((run.outputs?.model_outputs ?? []).length, want.outputs.model_outputs.length, want.run_name);
    }
  });

  it('has every metric history point, in MLflow order', async () => {
    let points = 0;
    for (const want of expected.metric_histories) {
      const got = await history(client, runsByName.get(want.run_name)!.info.run_id, want.key);
      assert.deepEqual(got.map((m) => ({ step: m.step, timestamp: m.timestamp, value: wireValue(m.value) })), want.points, `${want.run_name} ${want.key}`);
      points += got.length;
    }
    assert.equal(points, manifest.counts.sqlite.metric_points);
  });

  it('has every run artifact, byte for byte (SHA-256)', async () => {
    let files = 0;
    for (const [sourceRunId, entries] of Object.entries(expected.run_artifacts) as Array<[string, Json[]]>) {
      const name = expected.runs.find((r: Json) => r.run_id === sourceRunId).run_name;
      const runId = runsByName.get(name)!.info.run_id;
      for (const entry of entries.filter((e) => !e.is_dir)) {
        assert.equal(sha256(await client.downloadArtifact(runId, entry.path)), entry.sha256, `${name}: ${entry.path}`);
        files++;
      }
      const listed = await client.listArtifacts(runId);
      assert.deepEqual(listed.files.map((f) => f.path).sort(), entries.filter((e) => !e.path.includes('/')).map((e) => e.path).sort(), name);
    }
    assert.equal(files, manifest.counts.sqlite.run_artifact_files);
  });

  it('has the logged models with params, tags, metrics, status, source run and artifact bytes', async () => {
    const experiments = (await client.searchExperiments({ viewType: 'ALL' })).items.map((e) => e.experiment_id);
    const models = await client.loggedModels.all(experiments);
    assert.equal(models.length, expected.logged_models.length);
    const runName = (id: string | undefined) => [...runsByName.values()].find((r) => r.info.run_id === id)?.info.run_name;
    for (const want of expected.logged_models) {
      const wantRun = expected.runs.find((r: Json) => r.run_id === want.source_run_id).run_name;
      const model = models.find((m) => m.info.name === want.name && runName(m.info.source_run_id) === wantRun)!;
      assert.ok(model, `${wantRun}/${want.name}`);
      assert.equal(model.info.status, 'LOGGED_MODEL_READY');
      assert.deepEqual(Object.fromEntries((model.data?.params ?? []).map((p) => [p.key, p.value])), want.params);
      assert.deepEqual(tagMap(model.info.tags), want.tags);
      assert.deepEqual(
        (model.data?.metrics ?? []).map((m) => [m.key, m.value, m.step, m.timestamp, m.dataset_name, m.dataset_digest]),
        want.metrics.map((m: Json) => [m.key, m.value, m.step, m.timestamp, m.dataset_name, m.dataset_digest]),
      );
      const root = proxiedPath(model.info.artifact_uri)!;
      for (const file of want.artifacts.filter((a: Json) => !a.is_dir)) {
        assert.equal(sha256(await download(client.openProxiedArtifact(`${root}/${file.path}`))), file.sha256, `${wantRun}/${want.name}: ${file.path}`);
      }
    }
  });

  it('has the registry: descriptions, tags, aliases, stages, version tags, sources re-pointed to the copies', async () => {
    const experiments = (await client.searchExperiments({ viewType: 'ALL' })).items.map((e) => e.experiment_id);
    const models = await client.loggedModels.all(experiments);
    const copiedModelOf = (sourceModelId: string) => {
      const source = expected.logged_models.find((m: Json) => m.model_id === sourceModelId);
      const run = runsByName.get(expected.runs.find((r: Json) => r.run_id === source.source_run_id).run_name)!;
      return models.find((m) => m.info.source_run_id === run.info.run_id)!.info.model_id;
    };
    for (const want of expected.registered_models) {
      const model = await client.registry.getRegisteredModel(want.name);
      assert.equal(model.description, want.description);
      assert.deepEqual(tagMap(model.tags), want.tags);
      assert.deepEqual(Object.fromEntries((model.aliases ?? []).map((a) => [a.alias, String(a.version)])), Object.fromEntries(Object.entries(want.aliases).map(([k, v]) => [k, String(v)])));
    }
    for (const want of expected.model_versions) {
      const version = await client.registry.getModelVersion(want.name, want.version);
      const run = runsByName.get(expected.runs.find((r: Json) => r.run_id === want.run_id).run_name)!;
      assert.equal(version.current_stage, want.current_stage);
      assert.equal(version.description || null, want.description);
      assert.deepEqual(tagMap(version.tags), want.tags);
      assert.equal(version.run_id, run.info.run_id);
      const sourceModel = /^models:\/(m-[0-9a-f]+)$/.exec(want.source)?.[1];
      const wantSource = sourceModel ? `models:/${copiedModelOf(sourceModel)}` : `${run.info.artifact_uri}/exported_model`;
      assert.equal(version.source, wantSource, `${want.name} v${want.version}`);
    }
  });

  it('copies nothing twice: a second copy (into the store the test server holds open) skips everything', async () => {
    const again = await copyBetweenStores(`sqlite:///${path.join(scratch, 'mlflow.db')}`, `sqlite:///${path.join(tmp.dir, 'dest', 'mlflow.db')}`, {
      cliPath: CLI,
      fromArtifacts: path.join(scratch, 'mlartifacts'),
    });
    assert.deepEqual(again.failures, []);
    assert.match(again.destination, /through the Runlens server already running at http:\/\/127\.0\.0\.1:\d+/);
    assert.deepEqual(again.kinds, {
      experiments: { copied: 0, skipped: 3, failed: 0 },
      runs: { copied: 0, skipped: 13, failed: 0 },
      loggedModels: { copied: 0, skipped: 2, failed: 0 },
      registeredModels: { copied: 0, skipped: 2, failed: 0 },
      modelVersions: { copied: 0, skipped: 3, failed: 0 },
    });
    assert.equal(again.counts.metricPoints + again.counts.artifactFiles, 0);
    let runs = 0;
    for (const e of (await client.searchExperiments({ viewType: 'ALL' })).items) runs += (await client.searchRuns({ experimentIds: [e.experiment_id], viewType: 'ALL' })).items.length;
    assert.equal(runs, 13);
    assert.equal((await client.registry.allVersions('iris-classifier')).length, 2);
  });
});
