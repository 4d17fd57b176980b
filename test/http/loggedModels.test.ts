import * as assert from 'node:assert/strict';
import { call } from '../support/mlflowClient';
import { startTestServer } from '../support/testServer';

describe('logged models over HTTP (MLflow 3.x)', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let url: string;
  beforeEach(async () => {
    server = await startTestServer();
    url = server.url;
  });
  afterEach(() => server.dispose());

  async function newRun(): Promise<string> {
    return (await call(url, 'POST', 'runs/create', { experiment_id: '0', start_time: 1 })).body.run.info.run_id;
  }

  it('creates, reads, finalizes and deletes a logged model', async () => {
    const run = await newRun();
    const created = await call(url, 'POST', 'logged-models', {
      experiment_id: '0',
      name: 'clf',
      source_run_id: run,
      params: [{ key: 'b', value: '2' }, { key: 'a', value: '1' }],
      tags: [{ key: 'z', value: 'last' }, { key: 'k', value: 'v' }],
    });
    assert.equal(created.status, 200);
    const { info, data } = created.body.model;
    assert.match(info.model_id, /^m-[0-9a-f]{32}$/);
    assert.equal(info.status, 'LOGGED_MODEL_PENDING');
    assert.equal(info.model_type, '');
    assert.equal(info.artifact_uri, `mlflow-artifacts:/0/models/${info.model_id}/artifacts`);
    assert.deepEqual(info.tags, [{ key: 'k', value: 'v' }, { key: 'z', value: 'last' }]);
    assert.deepEqual(data.params, [{ key: 'a', value: '1' }, { key: 'b', value: '2' }]);

    const ready = await call(url, 'PATCH', `logged-models/${info.model_id}`, { model_id: info.model_id, status: 'LOGGED_MODEL_READY' });
    assert.equal(ready.body.model.info.status, 'LOGGED_MODEL_READY');

    await call(url, 'PATCH', `logged-models/${info.model_id}/tags`, { tags: [{ key: 'k', value: 'v2' }] });
    await call(url, 'DELETE', `logged-models/${info.model_id}/tags/z`);
    const got = await call(url, 'GET', `logged-models/${info.model_id}`);
    assert.deepEqual(got.body.model.info.tags, [{ key: 'k', value: 'v2' }]);

    assert.equal((await call(url, 'DELETE', `logged-models/${info.model_id}`)).status, 200);
    const gone = await call(url, 'GET', `logged-models/${info.model_id}`);
    assert.equal(gone.status, 404);
    assert.equal(gone.body.error_code, 'RESOURCE_DOES_NOT_EXIST');
  });

  it('keeps metrics logged for a model with the model and links outputs to the run', async () => {
    const run = await newRun();
    const model = (await call(url, 'POST', 'logged-models', { experiment_id: '0', name: 'reg', source_run_id: run })).body.model.info.model_id;
    await call(url, 'POST', 'runs/outputs', { run_id: run, models: [{ model_id: model, step: 0 }] });
    await call(url, 'POST', 'runs/log-batch', {
      run_id: run,
      metrics: [{ key: 'rmse', value: 0.5, timestamp: 10, step: 0, model_id: model, dataset_name: 'train', dataset_digest: 'd1' }],
    });
    const m = (await call(url, 'GET', `logged-models/${model}`)).body.model.data.metrics;
    assert.deepEqual(m, [{ key: 'rmse', value: 0.5, timestamp: 10, step: 0, dataset_name: 'train', dataset_digest: 'd1', model_id: model, run_id: run }]);
    const runBody = (await call(url, 'GET', 'runs/get', { run_id: run })).body.run;
    assert.deepEqual(runBody.outputs, { model_outputs: [{ model_id: model, step: 0 }] });
    assert.deepEqual(runBody.data.metrics, [{ key: 'rmse', value: 0.5, timestamp: 10, step: 0 }], 'run metrics carry no model fields');
  });

  it('searches by name, metric and order; an empty result is {}', async () => {
    const run = await newRun();
    const ids: string[] = [];
    for (const [name, rmse] of [['a', 0.3], ['b', 0.1], ['a', 0.2]] as const) {
      const id = (await call(url, 'POST', 'logged-models', { experiment_id: '0', name, source_run_id: run })).body.model.info.model_id;
      await call(url, 'POST', 'runs/log-metric', { run_id: run, key: 'rmse', value: rmse, timestamp: 1, step: 0, model_id: id });
      ids.push(id);
    }
    const byName = await call(url, 'POST', 'logged-models/search', { experiment_ids: ['0'], filter: "name = 'a'" });
    assert.deepEqual(new Set(byName.body.models.map((m: { info: { model_id: string } }) => m.info.model_id)), new Set([ids[0], ids[2]]));
    const byMetric = await call(url, 'POST', 'logged-models/search', {
      experiment_ids: ['0'],
      filter: 'metrics.rmse < 0.25',
      order_by: [{ field_name: 'metrics.rmse', ascending: true }],
    });
    assert.deepEqual(byMetric.body.models.map((m: { info: { model_id: string } }) => m.info.model_id), [ids[1], ids[2]]);
    const none = await call(url, 'POST', 'logged-models/search', { experiment_ids: ['0'], filter: "name = 'zzz'" });
    assert.deepEqual(none.body, {});
    const bad = await call(url, 'POST', 'logged-models/search', { experiment_ids: ['0'], filter: 'name = 1 OR x' });
    assert.equal(bad.status, 400);
  });

  it('rejects names with forbidden characters', async () => {
    const res = await call(url, 'POST', 'logged-models', { experiment_id: '0', name: 'a/b' });
    assert.equal(res.status, 400);
    assert.equal(res.body.error_code, 'INVALID_PARAMETER_VALUE');
  });
});
