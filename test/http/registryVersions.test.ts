/** Model versions over HTTP: numbering, shapes, soft delete, sources, storage location, logged-model tag (compat §1.5). */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { call, type ApiResponse } from '../support/mlflowClient';
import { startTestServer } from '../support/testServer';

type Server = Awaited<ReturnType<typeof startTestServer>>;

function expectError(res: ApiResponse, status: number, code: string, message?: string | RegExp): void {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.equal(res.body.error_code, code);
  if (typeof message === 'string') assert.equal(res.body.message, message);
  else if (message) assert.match(res.body.message, message);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('registry over HTTP: model versions', () => {
  let server: Server;
  const api = (method: string, route: string, payload?: unknown) => call(server.url, method, route, payload);
  const create = (name: string, source = 's3://bucket/model', extra: object = {}) =>
    api('POST', 'model-versions/create', { name, source, ...extra });
  const model = async (name: string) => (await api('GET', 'registered-models/get', { name })).body.registered_model;

  beforeEach(async () => {
    server = await startTestServer();
    await api('POST', 'registered-models/create', { name: 'm' });
  });
  afterEach(() => server.dispose());

  it('answers in the recorded shape: version string, stage "None", empty run_link/description/run_id, no model_id', async () => {
    const res = await create('m', 's3://bucket/model', { tags: [{ key: 'k', value: 'v' }], model_id: '' });
    assert.equal(res.status, 200);
    const mv = res.body.model_version;
    assert.deepEqual(Object.keys(mv), [
      'name', 'version', 'creation_timestamp', 'last_updated_timestamp', 'current_stage', 'description', 'source', 'run_id', 'status', 'tags', 'run_link',
    ]);
    assert.equal(mv.version, '1');
    assert.equal(mv.current_stage, 'None');
    assert.equal(mv.description, '');
    assert.equal(mv.run_id, '');
    assert.equal(mv.run_link, '');
    assert.equal(mv.status, 'READY');
    assert.deepEqual(mv.tags, [{ key: 'k', value: 'v' }]);
    assert.deepEqual((await api('GET', 'model-versions/get', { name: 'm', version: '1' })).body.model_version, mv);
  });

  it('numbers versions max+1 and never reuses a deleted number', async () => {
    for (let i = 1; i <= 3; i++) assert.equal((await create('m')).body.model_version.version, String(i));
    await api('DELETE', 'model-versions/delete', { name: 'm', version: '3' });
    assert.equal((await create('m')).body.model_version.version, '4');
  });

  it('soft-deletes a version: hidden everywhere, redacted in the database, tags kept', async () => {
    await create('m', 's3://b/1', { tags: [{ key: 'k', value: 'v' }], description: 'd', run_link: 'http://x' });
    await create('m');
    assert.deepEqual((await api('DELETE', 'model-versions/delete', { name: 'm', version: '1' })).body, {});
    expectError(await api('GET', 'model-versions/get', { name: 'm', version: '1' }), 404, 'RESOURCE_DOES_NOT_EXIST', 'Model Version (name=m, version=1) not found');
    expectError(await api('DELETE', 'model-versions/delete', { name: 'm', version: '1' }), 404, 'RESOURCE_DOES_NOT_EXIST');
    expectError(await api('POST', 'model-versions/set-tag', { name: 'm', version: '1', key: 'a', value: 'b' }), 404, 'RESOURCE_DOES_NOT_EXIST');
    expectError(await api('GET', 'model-versions/get-download-uri', { name: 'm', version: '1' }), 404, 'RESOURCE_DOES_NOT_EXIST');
    assert.deepEqual((await model('m')).latest_versions.map((v: any) => v.version), ['2']);
    const search = await api('GET', 'model-versions/search', { filter: "name = 'm'" });
    assert.deepEqual(search.body.model_versions.map((v: any) => v.version), ['2']);
    const row = (await server.store.db.get<Record<string, unknown>>("SELECT * FROM model_versions WHERE name = 'm' AND version = 1"))!;
    assert.equal(row.current_stage, 'Deleted_Internal');
    assert.equal(row.source, 'REDACTED-SOURCE-PATH');
    assert.equal(row.run_id, 'REDACTED-RUN-ID');
    assert.equal(row.run_link, 'REDACTED-RUN-LINK');
    assert.equal(row.description, null);
    assert.equal((await server.store.db.get<{ n: number }>("SELECT COUNT(*) AS n FROM model_version_tags WHERE name = 'm' AND version = 1"))!.n, 1);
  });

  it('updates the parent model\'s last_updated_timestamp on create, transition and delete', async () => {
    let before = (await model('m')).last_updated_timestamp;
    for (const step of [
      () => create('m'),
      () => api('POST', 'model-versions/transition-stage', { name: 'm', version: '1', stage: 'Staging', archive_existing_versions: false }),
      () => api('DELETE', 'model-versions/delete', { name: 'm', version: '1' }),
    ]) {
      await sleep(5);
      assert.equal((await step()).status, 200);
      const after = (await model('m')).last_updated_timestamp;
      assert.ok(after > before, `${after} > ${before}`);
      before = after;
    }
  });

  it('updates a version\'s description (PATCH); without one it disappears from the answer', async () => {
    await create('m', 's3://b/m', { description: 'first' });
    const updated = await api('PATCH', 'model-versions/update', { name: 'm', version: '1', description: 'second' });
    assert.equal(updated.body.model_version.description, 'second');
    const cleared = await api('PATCH', 'model-versions/update', { name: 'm', version: '1' });
    assert.equal('description' in cleared.body.model_version, false);
  });

  it('checks names and versions', async () => {
    expectError(await create('nope'), 404, 'RESOURCE_DOES_NOT_EXIST', 'Registered Model with name=nope not found');
    expectError(await api('POST', 'model-versions/create', { name: 'm' }), 400, 'INVALID_PARAMETER_VALUE', /^Missing value for required parameter 'source'/);
    expectError(await api('GET', 'model-versions/get', { name: 'm', version: 'abc' }), 400, 'INVALID_PARAMETER_VALUE', "Parameter 'version' must be an integer, got 'abc'.");
    expectError(await api('GET', 'model-versions/get', { name: 'm' }), 400, 'INVALID_PARAMETER_VALUE', /^Missing value for required parameter 'version'/);
    expectError(await api('GET', 'model-versions/get', { name: 'm', version: '7' }), 404, 'RESOURCE_DOES_NOT_EXIST', 'Model Version (name=m, version=7) not found');
    expectError(await api('GET', 'model-versions/get-download-uri', { name: 'm', version: 'x' }), 400, 'INVALID_PARAMETER_VALUE', "Parameter 'version' must be an integer, got 'x'.");
    expectError(await api('POST', 'model-versions/create', { name: 'm', source: 's', tags: [{ key: 'k', value: 'v'.repeat(100001) }] }), 400, 'INVALID_PARAMETER_VALUE');
  });

  it('sets and deletes version tags; a missing tag is a no-op', async () => {
    await create('m');
    await api('POST', 'model-versions/set-tag', { name: 'm', version: '1', key: 'a', value: '1' });
    await api('POST', 'model-versions/set-tag', { name: 'm', version: '1', key: 'b', value: '2' });
    await api('POST', 'model-versions/set-tag', { name: 'm', version: '1', key: 'a', value: '3' });
    assert.equal((await api('DELETE', 'model-versions/delete-tag', { name: 'm', version: '1', key: 'b' })).status, 200);
    assert.equal((await api('DELETE', 'model-versions/delete-tag', { name: 'm', version: '1', key: 'zz' })).status, 200);
    assert.deepEqual((await api('GET', 'model-versions/get', { name: 'm', version: '1' })).body.model_version.tags, [{ key: 'a', value: '3' }]);
    expectError(await api('DELETE', 'model-versions/delete-tag', { name: 'm', version: '9', key: 'a' }), 404, 'RESOURCE_DOES_NOT_EXIST');
  });

  describe('sources', () => {
    it('refuses local paths without a run, and remote sources with relative references', async () => {
      expectError(await create('m', '/etc/passwd'), 400, 'INVALID_PARAMETER_VALUE', /^Invalid model version source: '\/etc\/passwd'\. To use a local path/);
      expectError(await create('m', 'file:///etc/passwd'), 400, 'INVALID_PARAMETER_VALUE', /^Invalid model version source/);
      for (const bad of ['s3://b/a/../c', 'mlflow-artifacts:/1/../../x', 'http://h/a/%2e%2e/b', 'http://h/a/%252e%252e/b', 's3://b/./x', 'runs:relative']) {
        expectError(await create('m', bad), 400, 'INVALID_PARAMETER_VALUE', /If supplying a source as an http, https/);
      }
      for (const good of ['s3://b/a/b', 'runs:/0123456789abcdef0123456789abcdef/model', 'mlflow-artifacts:/1/x/artifacts', 'http://h:5000/a..b/c']) {
        assert.equal((await create('m', good)).status, 200, good);
      }
    });

    it('accepts a local path only inside the artifact directory of the run given', async () => {
      const root = path.join(server.dir, 'local-artifacts');
      const exp = (await api('POST', 'experiments/create', { name: 'local', artifact_location: root })).body.experiment_id;
      const run = (await api('POST', 'runs/create', { experiment_id: exp, start_time: 1 })).body.run.info;
      const inside = path.join(root, run.run_id, 'artifacts', 'model');
      assert.equal((await create('m', inside, { run_id: run.run_id })).status, 200);
      assert.equal((await create('m', `file://${inside}`, { run_id: run.run_id })).status, 200);
      expectError(await create('m', path.join(root, 'elsewhere'), { run_id: run.run_id }), 400, 'INVALID_PARAMETER_VALUE', /^Invalid model version source/);
      expectError(await create('m', inside, { run_id: 'ffffffffffffffffffffffffffffffff' }), 404, 'RESOURCE_DOES_NOT_EXIST', 'Run with id=ffffffffffffffffffffffffffffffff not found');
    });

    it('keeps runs:/ sources as given and answers them from get-download-uri', async () => {
      const run = (await api('POST', 'runs/create', { experiment_id: '0', start_time: 1 })).body.run.info.run_id;
      const mv = (await create('m', `runs:/${run}/model`, { run_id: run })).body.model_version;
      assert.equal(mv.source, `runs:/${run}/model`);
      assert.equal(mv.run_id, run);
      assert.deepEqual((await api('GET', 'model-versions/get-download-uri', { name: 'm', version: '1' })).body, { artifact_uri: `runs:/${run}/model` });
    });

    it('resolves models:/<model_id> to the logged model\'s location and records the version on it', async () => {
      const run = (await api('POST', 'runs/create', { experiment_id: '0', start_time: 1 })).body.run.info.run_id;
      const logged = (await api('POST', 'logged-models', { experiment_id: '0', name: 'clf', source_run_id: run })).body.model.info;
      const mv = (await create('m', `models:/${logged.model_id}`, { model_id: logged.model_id })).body.model_version;
      assert.equal(mv.run_id, run, 'run_id taken from the logged model');
      assert.equal('model_id' in mv, false);
      assert.deepEqual((await api('GET', 'model-versions/get-download-uri', { name: 'm', version: '1' })).body, { artifact_uri: logged.artifact_uri });

      const tagOf = async () =>
        (await api('GET', `logged-models/${logged.model_id}`)).body.model.info.tags.find((t: any) => t.key === 'mlflow.modelVersions')?.value;
      assert.equal(await tagOf(), '[{"name": "m", "version": 1}]');
      await api('POST', 'registered-models/create', { name: 'other' });
      await create('other', `models:/${logged.model_id}`, { model_id: logged.model_id, run_id: run });
      assert.equal(await tagOf(), '[{"name": "m", "version": 1}, {"name": "other", "version": 1}]');

      // A version copied from another one (models:/<name>/<version>) stores that version's location.
      await api('POST', 'registered-models/create', { name: 'copy' });
      await create('copy', 'models:/m/1');
      assert.deepEqual((await api('GET', 'model-versions/get-download-uri', { name: 'copy', version: '1' })).body, { artifact_uri: logged.artifact_uri });
    });

    it('fails cleanly for an unknown logged model', async () => {
      const missing = 'm-0123456789abcdef0123456789abcdef';
      expectError(await create('m', `models:/${missing}`, { model_id: missing }), 500, 'INTERNAL_ERROR', /^Unable to fetch model from model URI source artifact location/);
      expectError(await create('m', 's3://b/x', { model_id: missing }), 404, 'RESOURCE_DOES_NOT_EXIST', `Logged model with ID '${missing}' not found.`);
      assert.equal((await model('m')).latest_versions, undefined, 'nothing was created');
    });
  });
});
