import * as assert from 'node:assert/strict';
import { call } from '../support/mlflowClient';
import { startTestServer } from '../support/testServer';

describe('experiments API over HTTP', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let url: string;
  beforeEach(async () => {
    server = await startTestServer();
    url = server.url;
  });
  afterEach(() => server.dispose());

  it('creates experiments with sequential ids and mlflow-artifacts locations', async () => {
    const a = await call(url, 'POST', 'experiments/create', { name: 'a', tags: [{ key: 't', value: '1' }] });
    const b = await call(url, 'POST', 'experiments/create', { name: 'b' });
    assert.deepEqual([a.body.experiment_id, b.body.experiment_id], ['1', '2']);
    const got = (await call(url, 'GET', 'experiments/get', { experiment_id: '1' })).body.experiment;
    assert.equal(got.artifact_location, 'mlflow-artifacts:/1');
    assert.equal(got.lifecycle_stage, 'active');
    assert.equal(got.creation_time, got.last_update_time);
    assert.deepEqual(got.tags, [{ key: 't', value: '1' }]);
  });

  it('rejects duplicate names (also deleted ones) with RESOURCE_ALREADY_EXISTS as 400', async () => {
    await call(url, 'POST', 'experiments/create', { name: 'dup' });
    await call(url, 'POST', 'experiments/delete', { experiment_id: '1' });
    const res = await call(url, 'POST', 'experiments/create', { name: 'dup' });
    assert.equal(res.status, 400);
    assert.equal(res.body.error_code, 'RESOURCE_ALREADY_EXISTS');
  });

  it('validates names and artifact locations', async () => {
    const empty = await call(url, 'POST', 'experiments/create', { name: '' });
    assert.equal(empty.status, 400);
    assert.match(empty.body.message, /Missing value for required parameter 'name'/);
    const long = await call(url, 'POST', 'experiments/create', { name: 'n'.repeat(501) });
    assert.match(long.body.message, /'name' exceeds the maximum length of 500 characters/);
    // MLflow's server accepts a runs:/ location at create (only its client refuses one).
    const runsUri = await call(url, 'POST', 'experiments/create', { name: 'r', artifact_location: 'runs:/abc' });
    assert.equal(runsUri.status, 200);
    const notString = await call(url, 'POST', 'experiments/create', { name: 42 });
    assert.equal(notString.status, 400);
    assert.match(notString.body.message, /Invalid value 42 for parameter 'name' supplied:  Hint: Value was of type 'int'/);
  });

  it('deletes an experiment with its runs and restores all of them', async () => {
    const id = (await call(url, 'POST', 'experiments/create', { name: 'life' })).body.experiment_id;
    const run = (await call(url, 'POST', 'runs/create', { experiment_id: id })).body.run.info.run_id;
    await call(url, 'POST', 'experiments/delete', { experiment_id: id });
    assert.equal((await call(url, 'GET', 'runs/get', { run_id: run })).body.run.info.lifecycle_stage, 'deleted');
    const createIn = await call(url, 'POST', 'runs/create', { experiment_id: id });
    assert.equal(createIn.status, 400);
    await call(url, 'POST', 'experiments/restore', { experiment_id: id });
    assert.equal((await call(url, 'GET', 'runs/get', { run_id: run })).body.run.info.lifecycle_stage, 'active');
  });

  it('renames, gets by name, and answers 404 for unknown ids and names', async () => {
    await call(url, 'POST', 'experiments/create', { name: 'old' });
    assert.equal((await call(url, 'POST', 'experiments/update', { experiment_id: '1', new_name: 'new' })).status, 200);
    assert.equal((await call(url, 'GET', 'experiments/get-by-name', { experiment_name: 'new' })).body.experiment.experiment_id, '1');
    const byName = await call(url, 'GET', 'experiments/get-by-name', { experiment_name: 'old' });
    assert.equal(byName.status, 404);
    assert.equal(byName.body.error_code, 'RESOURCE_DOES_NOT_EXIST');
    const byId = await call(url, 'GET', 'experiments/get', { experiment_id: '99' });
    assert.equal(byId.status, 404);
  });

  it('sets and deletes experiment tags', async () => {
    await call(url, 'POST', 'experiments/create', { name: 'tags' });
    await call(url, 'POST', 'experiments/set-experiment-tag', { experiment_id: '1', key: 'k', value: 'v1' });
    await call(url, 'POST', 'experiments/set-experiment-tag', { experiment_id: '1', key: 'k', value: 'v2' });
    assert.deepEqual((await call(url, 'GET', 'experiments/get', { experiment_id: '1' })).body.experiment.tags, [{ key: 'k', value: 'v2' }]);
    assert.equal((await call(url, 'POST', 'experiments/delete-experiment-tag', { experiment_id: '1', key: 'k' })).status, 200);
    assert.equal((await call(url, 'POST', 'experiments/delete-experiment-tag', { experiment_id: '1', key: 'k' })).status, 404);
  });

  it('searches experiments with filters, ordering, view types and pages', async () => {
    for (const name of ['beta', 'alpha', 'gamma']) await call(url, 'POST', 'experiments/create', { name, tags: [{ key: 'team', value: name === 'gamma' ? 'b' : 'a' }] });
    const byTag = await call(url, 'POST', 'experiments/search', { filter: "tags.team = 'a'", order_by: ['name ASC'], max_results: 10 });
    assert.deepEqual(byTag.body.experiments.map((e: { name: string }) => e.name), ['alpha', 'beta']);
    const page1 = await call(url, 'POST', 'experiments/search', { max_results: 2, order_by: ['name ASC'] });
    assert.deepEqual(page1.body.experiments.map((e: { name: string }) => e.name), ['Default', 'alpha']);
    const page2 = await call(url, 'POST', 'experiments/search', { max_results: 2, order_by: ['name ASC'], page_token: page1.body.next_page_token });
    assert.deepEqual(page2.body.experiments.map((e: { name: string }) => e.name), ['beta', 'gamma']);
    await call(url, 'POST', 'experiments/delete', { experiment_id: '3' });
    const deleted = await call(url, 'GET', 'experiments/search', { view_type: 'DELETED_ONLY', max_results: 10 });
    assert.deepEqual(deleted.body.experiments.map((e: { name: string }) => e.name), ['gamma']);
    const like = await call(url, 'POST', 'experiments/search', { filter: "name LIKE 'a%'", max_results: 10 });
    assert.deepEqual(like.body.experiments.map((e: { name: string }) => e.name), ['alpha']);
  });
});
