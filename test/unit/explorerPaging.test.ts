import * as assert from 'node:assert/strict';
import { MlflowClient } from '../../src/core/client/mlflowClient';
import { CachedValue } from '../../src/core/explorer/cachedValue';
import { appendPage, RUN_PAGE_SIZE, runPageRequest } from '../../src/core/explorer/runPaging';
import { createSampleExperiment, SAMPLE_EXPERIMENT_NAME, SAMPLE_STEPS } from '../../src/core/explorer/sampleExperiment';
import { PRIMARY_METRIC_TAG } from '../../src/core/explorer/runSummary';
import { startTestServer } from '../support/testServer';

describe('explorer run paging', () => {
  it('asks for one page of 50, newest first, with the view type of the toggle', () => {
    assert.deepEqual(runPageRequest({ experimentId: '7', showDeleted: false }), {
      experimentIds: ['7'],
      filter: undefined,
      orderBy: ['attributes.start_time DESC'],
      viewType: 'ACTIVE_ONLY',
      maxResults: 50,
      pageToken: undefined,
    });
    const next = runPageRequest({ experimentId: '7', showDeleted: true, filter: '  metrics.a > 1 ', pageToken: 'tok' });
    assert.equal(next.viewType, 'ALL');
    assert.equal(next.filter, 'metrics.a > 1');
    assert.equal(next.pageToken, 'tok');
    assert.equal(runPageRequest({ experimentId: '7', showDeleted: false, filter: '   ' }).filter, undefined);
  });

  it('appends a page without repeating runs already shown', () => {
    const id = (r: { id: string }) => r.id;
    assert.deepEqual(appendPage([{ id: 'a' }, { id: 'b' }], [{ id: 'b' }, { id: 'c' }], id).map(id), ['a', 'b', 'c']);
  });
});

describe('explorer cached value', () => {
  it('shares one load between concurrent gets and keeps it', async () => {
    const cache = new CachedValue<number>();
    let loads = 0;
    const load = async () => ++loads;
    const [a, b] = await Promise.all([cache.get(load), cache.get(load)]);
    assert.deepEqual([a, b, await cache.get(load), loads], [1, 1, 1, 1]);
    cache.reset();
    assert.equal(await cache.get(load), 2);
  });

  it('does not keep failures, nor a load that finished after a reset', async () => {
    const cache = new CachedValue<string>();
    await assert.rejects(cache.get(() => Promise.reject(new Error('boom'))), /boom/);
    assert.equal(cache.value, undefined);
    let release!: (v: string) => void;
    const slow = cache.get(() => new Promise<string>((r) => (release = r)));
    cache.reset();
    release('stale');
    assert.equal(await slow, 'stale');
    assert.equal(cache.value, undefined);
    assert.equal(await cache.get(async () => 'fresh'), 'fresh');
    cache.set('known');
    assert.equal(await cache.get(async () => 'unused'), 'known');
  });
});

describe('explorer against a real server', function () {
  this.timeout(120_000);
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let client: MlflowClient;

  before(async () => {
    server = await startTestServer();
    client = new MlflowClient({ baseUrl: server.url });
  });

  after(async () => {
    client?.close();
    await server?.dispose();
  });

  it('shows the first page of an experiment with 10,000 runs in under 300 ms', async function () {
    const experimentId = await client.createExperiment('ten-thousand');
    const base = Date.now() - 10_000_000;
    for (let i = 0; i < 10_000; i++) {
      const run = await server.store.createRun({ experimentId, runName: `run-${i}`, startTime: base + i * 1000 });
      await server.store.logBatch({
        runId: run.info.run_id,
        metrics: [{ key: 'loss', value: 1 / (i + 1), timestamp: base, step: 0 }, { key: 'accuracy', value: i / 10_000, timestamp: base, step: 0 }],
        params: [{ key: 'lr', value: String(i % 7) }],
        tags: [],
      });
    }
    // Warm the connection and the server's statement cache, as an open view has.
    await client.searchRuns({ ...runPageRequest({ experimentId: '0', showDeleted: false }) });
    const started = performance.now();
    const page = await client.searchRuns(runPageRequest({ experimentId, showDeleted: false }));
    const elapsed = performance.now() - started;
    assert.equal(page.items.length, RUN_PAGE_SIZE);
    assert.ok(page.nextPageToken, 'a next page token');
    assert.equal(page.items[0].info.run_name, 'run-9999', 'newest first');
    assert.equal(page.items[0].data.metrics?.length, 2, 'latest metrics come with the page');
    assert.equal(page.items[0].data.params?.length, 1, 'params come with the page');
    assert.ok(elapsed < 300, `first page took ${elapsed.toFixed(1)} ms`);
    this.test!.title += ` (${elapsed.toFixed(1)} ms)`;

    const second = await client.searchRuns(runPageRequest({ experimentId, showDeleted: false, pageToken: page.nextPageToken }));
    assert.equal(second.items[0].info.run_name, 'run-9949');
  });

  it('creates the sample experiment with runs, params, tags, a 20-step history and artifacts', async () => {
    const result = await createSampleExperiment(client);
    assert.deepEqual(result.warnings, []);
    const experiment = await client.getExperiment(result.experimentId);
    assert.equal(experiment.name, SAMPLE_EXPERIMENT_NAME);
    assert.equal(experiment.tags?.find((t) => t.key === PRIMARY_METRIC_TAG)?.value, 'accuracy');
    const runs = await client.searchRuns(runPageRequest({ experimentId: result.experimentId, showDeleted: false }));
    assert.deepEqual(runs.items.map((r) => r.info.run_name), ['big-batch', 'tuned-lr', 'baseline']);
    for (const run of runs.items) {
      assert.equal(run.info.status, 'FINISHED');
      assert.ok((run.data.params ?? []).some((p) => p.key === 'learning_rate'));
      assert.ok((run.data.tags ?? []).some((t) => t.key === 'model_type'));
      const history = await client.getMetricHistory(run.info.run_id, 'accuracy');
      assert.equal(history.items.length, SAMPLE_STEPS);
      const top = await client.listArtifacts(run.info.run_id);
      assert.deepEqual(top.files.map((f) => f.path).sort(), ['config', 'history', 'notes.md', 'summary.json']);
      const summary = JSON.parse((await client.downloadArtifact(run.info.run_id, 'summary.json')).toString('utf8'));
      assert.equal(summary.run, run.info.run_name);
    }
    await assert.rejects(createSampleExperiment(client), (e: Error) => /already exists/i.test(e.message));
  });
});
