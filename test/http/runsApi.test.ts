import * as assert from 'node:assert/strict';
import { call } from '../support/mlflowClient';
import { startTestServer } from '../support/testServer';

describe('runs API over HTTP', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let url: string;
  beforeEach(async () => {
    server = await startTestServer();
    url = server.url;
  });
  afterEach(() => server.dispose());

  async function newRun(body: object = {}): Promise<string> {
    const res = await call(url, 'POST', 'runs/create', { experiment_id: '0', start_time: 1000, ...body });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body.run.info.run_id;
  }

  it('creates a run with a generated name and the runName tag, RUNNING, no end_time', async () => {
    const res = await call(url, 'POST', 'runs/create', { experiment_id: '0', start_time: 1234, user_id: 'ann' });
    const { info, data } = res.body.run;
    assert.match(info.run_id, /^[0-9a-f]{32}$/);
    assert.equal(info.run_uuid, info.run_id);
    assert.match(info.run_name, /^[a-z]+-[a-z]+-\d{1,4}$/);
    assert.ok(info.run_name.length <= 20);
    assert.equal(info.status, 'RUNNING');
    assert.equal(info.start_time, 1234);
    assert.equal(info.user_id, 'ann');
    assert.equal('end_time' in info, false);
    assert.equal(info.artifact_uri, `mlflow-artifacts:/0/${info.run_id}/artifacts`);
    assert.deepEqual(data.tags, [{ key: 'mlflow.runName', value: info.run_name }]);
    assert.deepEqual(res.body.run.inputs, {});
    assert.equal('outputs' in res.body.run, false);
  });

  it('rejects differing run_name and mlflow.runName', async () => {
    const res = await call(url, 'POST', 'runs/create', { experiment_id: '0', run_name: 'a', tags: [{ key: 'mlflow.runName', value: 'b' }] });
    assert.equal(res.status, 400);
    assert.equal(res.body.error_code, 'INVALID_PARAMETER_VALUE');
    assert.match(res.body.message, /Both 'run_name' argument and 'mlflow.runName' tag are specified/);
  });

  it('keeps the latest metric by (step, timestamp, value), stores NaN and ±Infinity as MLflow does', async () => {
    const run = await newRun();
    const points = [
      { key: 'm', value: 5, timestamp: 100, step: 3 },
      { key: 'm', value: 1, timestamp: 50, step: 7 },
      { key: 'm', value: 9, timestamp: 10, step: 2 },
      { key: 'n', value: 'NaN', timestamp: 1, step: 0 },
      { key: 'inf', value: 'Infinity', timestamp: 1, step: 0 },
    ];
    assert.equal((await call(url, 'POST', 'runs/log-batch', { run_id: run, metrics: points })).status, 200);
    const metrics = (await call(url, 'GET', 'runs/get', { run_id: run })).body.run.data.metrics;
    const byKey = Object.fromEntries(metrics.map((m: { key: string }) => [m.key, m]));
    assert.deepEqual(byKey.m, { key: 'm', value: 1, timestamp: 50, step: 7 });
    assert.equal(byKey.n.value, 'NaN');
    assert.equal(byKey.inf.value, 1.7976931348623157e308);
  });

  it('deduplicates identical points and returns history ordered by (timestamp, step, value), paged', async () => {
    const run = await newRun();
    const metrics = [3, 1, 2, 1].map((i) => ({ key: 'loss', value: i / 10, timestamp: i, step: i }));
    await call(url, 'POST', 'runs/log-batch', { run_id: run, metrics });
    const all = await call(url, 'GET', 'metrics/get-history', { run_id: run, metric_key: 'loss' });
    assert.deepEqual(all.body.metrics.map((m: { step: number }) => m.step), [1, 2, 3]);
    const page1 = await call(url, 'GET', 'metrics/get-history', { run_id: run, metric_key: 'loss', max_results: 2 });
    assert.deepEqual(page1.body.metrics.map((m: { step: number }) => m.step), [1, 2]);
    assert.ok(page1.body.next_page_token);
    const page2 = await call(url, 'GET', 'metrics/get-history', { run_id: run, metric_key: 'loss', max_results: 2, page_token: page1.body.next_page_token });
    assert.deepEqual(page2.body.metrics.map((m: { step: number }) => m.step), [3]);
    assert.equal(page2.body.next_page_token, undefined);
  });

  it('samples histories for charts like MLflow (steps 0..9, max 5 → 0 2 4 6 8 9)', async () => {
    const run = await newRun();
    const metrics = Array.from({ length: 10 }, (_, i) => ({ key: 'acc', value: i, timestamp: i, step: i }));
    await call(url, 'POST', 'runs/log-batch', { run_id: run, metrics });
    const res = await call(url, 'GET', 'metrics/get-history-bulk-interval', { run_ids: run, metric_key: 'acc', max_results: 5 });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.metrics.map((m: { step: number }) => m.step), [0, 2, 4, 6, 8, 9]);
    assert.equal(res.body.metrics[0].run_id, run);
  });

  it('makes params immutable: same value is a no-op, a different one a 400 naming both values', async () => {
    const run = await newRun();
    assert.equal((await call(url, 'POST', 'runs/log-parameter', { run_id: run, key: 'lr', value: '0.1' })).status, 200);
    assert.equal((await call(url, 'POST', 'runs/log-parameter', { run_id: run, key: 'lr', value: '0.1' })).status, 200);
    const res = await call(url, 'POST', 'runs/log-parameter', { run_id: run, key: 'lr', value: '0.2' });
    assert.equal(res.status, 400);
    assert.equal(res.body.error_code, 'INVALID_PARAMETER_VALUE');
    assert.match(res.body.message, /already logged with value='0.1'.*new value '0.2'/);
  });

  it('validates a batch before writing anything', async () => {
    const run = await newRun();
    const res = await call(url, 'POST', 'runs/log-batch', {
      run_id: run,
      metrics: [{ key: 'ok', value: 1, timestamp: 1 }],
      params: [{ key: 'p', value: '1' }, { key: 'p', value: '1' }],
    });
    assert.equal(res.status, 400);
    assert.match(res.body.message, /Duplicate parameter keys have been submitted: \['p'\]/);
    const data = (await call(url, 'GET', 'runs/get', { run_id: run })).body.run.data;
    assert.equal(data.metrics, undefined);
    const tooMany = await call(url, 'POST', 'runs/log-batch', {
      run_id: run,
      metrics: Array.from({ length: 1001 }, (_, i) => ({ key: 'k', value: i, timestamp: i })),
    });
    assert.equal(tooMany.status, 400);
    assert.match(tooMany.body.message, /at most 1000 metrics\. Got 1001 metrics/);
  });

  it('rejects invalid names and wrong types with MLflow messages', async () => {
    const run = await newRun();
    const bad = await call(url, 'POST', 'runs/log-metric', { run_id: run, key: 'a*b', value: 1, timestamp: 1 });
    assert.equal(bad.status, 400);
    assert.match(bad.body.message, /Names may only contain alphanumerics/);
    const unicode = await call(url, 'POST', 'runs/log-metric', { run_id: run, key: 'précision/été 日本', value: 1, timestamp: 1 });
    assert.equal(unicode.status, 200);
    const wrongType = await call(url, 'POST', 'runs/log-metric', { run_id: run, key: 'x', value: 'abc', timestamp: 1 });
    assert.equal(wrongType.status, 400);
    assert.match(wrongType.body.message, /Invalid value "abc" for parameter 'value' supplied/);
    const missing = await call(url, 'POST', 'runs/log-metric', { run_id: run, key: 'x', value: 1 });
    assert.match(missing.body.message, /Missing value for required parameter 'timestamp'/);
  });

  it('truncates over-long param values to 6000 characters', async () => {
    const run = await newRun();
    await call(url, 'POST', 'runs/log-parameter', { run_id: run, key: 'long', value: 'x'.repeat(7000) });
    const params = (await call(url, 'GET', 'runs/get', { run_id: run })).body.run.data.params;
    assert.equal(params[0].value.length, 6000);
  });

  it('refuses writes to a deleted run and answers reads of it; delete and restore are idempotent', async () => {
    const run = await newRun();
    assert.equal((await call(url, 'POST', 'runs/delete', { run_id: run })).status, 200);
    assert.equal((await call(url, 'POST', 'runs/delete', { run_id: run })).status, 200);
    const got = await call(url, 'GET', 'runs/get', { run_id: run });
    assert.equal(got.body.run.info.lifecycle_stage, 'deleted');
    const write = await call(url, 'POST', 'runs/set-tag', { run_id: run, key: 'a', value: 'b' });
    assert.equal(write.status, 400);
    assert.match(write.body.message, /must be in the 'active' state\. Current state is deleted/);
    assert.equal((await call(url, 'POST', 'runs/restore', { run_id: run })).status, 200);
    assert.equal((await call(url, 'POST', 'runs/set-tag', { run_id: run, key: 'a', value: 'b' })).status, 200);
  });

  it('renames through runs/update and set-tag mlflow.runName; update keeps unspecified fields', async () => {
    const run = await newRun({ run_name: 'first' });
    const updated = await call(url, 'POST', 'runs/update', { run_id: run, run_name: 'second', status: 'FINISHED', end_time: 5000 });
    assert.equal(updated.body.run_info.run_name, 'second');
    assert.equal(updated.body.run_info.status, 'FINISHED');
    assert.equal(updated.body.run_info.end_time, 5000);
    await call(url, 'POST', 'runs/set-tag', { run_id: run, key: 'mlflow.runName', value: 'third' });
    const info = (await call(url, 'GET', 'runs/get', { run_id: run })).body.run.info;
    assert.equal(info.run_name, 'third');
    assert.equal(info.status, 'FINISHED');
  });

  it('deletes a tag, and answers 404 for a missing one', async () => {
    const run = await newRun();
    await call(url, 'POST', 'runs/set-tag', { run_id: run, key: 'note', value: 'x' });
    assert.equal((await call(url, 'POST', 'runs/delete-tag', { run_id: run, key: 'note' })).status, 200);
    const again = await call(url, 'POST', 'runs/delete-tag', { run_id: run, key: 'note' });
    assert.equal(again.status, 404);
    assert.equal(again.body.error_code, 'RESOURCE_DOES_NOT_EXIST');
  });

  it('logs dataset inputs once and returns them with their tags', async () => {
    const run = await newRun();
    const datasets = [{ tags: [{ key: 'mlflow.data.context', value: 'training' }], dataset: { name: 'iris', digest: 'abc123', source_type: 'local', source: '{"uri": "/data"}' } }];
    await call(url, 'POST', 'runs/log-inputs', { run_id: run, datasets });
    await call(url, 'POST', 'runs/log-inputs', { run_id: run, datasets });
    const inputs = (await call(url, 'GET', 'runs/get', { run_id: run })).body.run.inputs;
    assert.deepEqual(inputs, { dataset_inputs: datasets });
  });

  it('searches runs with a filter, ordering and page tokens', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const id = await newRun({ start_time: 1000 + i });
      ids.push(id);
      await call(url, 'POST', 'runs/log-batch', { run_id: id, metrics: [{ key: 'acc', value: i / 10, timestamp: 1 }], params: [{ key: 'opt', value: i % 2 ? 'adam' : 'sgd' }] });
    }
    const res = await call(url, 'POST', 'runs/search', { experiment_ids: ['0'], filter: "params.opt = 'sgd' and metrics.acc >= 0.2", order_by: ['metrics.acc DESC'] });
    assert.deepEqual(res.body.runs.map((r: { info: { run_id: string } }) => r.info.run_id), [ids[4], ids[2]]);
    const page1 = await call(url, 'POST', 'runs/search', { experiment_ids: ['0'], max_results: 2 });
    assert.deepEqual(page1.body.runs.map((r: { info: { run_id: string } }) => r.info.run_id), [ids[4], ids[3]]);
    const page2 = await call(url, 'POST', 'runs/search', { experiment_ids: ['0'], max_results: 2, page_token: page1.body.next_page_token });
    assert.deepEqual(page2.body.runs.map((r: { info: { run_id: string } }) => r.info.run_id), [ids[2], ids[1]]);
    const bad = await call(url, 'POST', 'runs/search', { experiment_ids: ['0'], filter: 'metrics.acc > 1 OR params.x = "y"' });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error_code, 'INVALID_PARAMETER_VALUE');
    const tooMany = await call(url, 'POST', 'runs/search', { experiment_ids: ['0'], max_results: 50001 });
    assert.equal(tooMany.status, 400);
    const empty = await call(url, 'POST', 'runs/search', { experiment_ids: ['0'], filter: "params.opt = 'none'" });
    assert.deepEqual(empty.body, {});
  });
});
