/** Registered models over HTTP: create/get/update, tags, rename, delete, errors (compat §1.5, §2.8). */
import * as assert from 'node:assert/strict';
import { call, type ApiResponse } from '../support/mlflowClient';
import { startTestServer } from '../support/testServer';

type Server = Awaited<ReturnType<typeof startTestServer>>;

function expectError(res: ApiResponse, status: number, code: string, message?: string | RegExp): void {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.equal(res.body.error_code, code);
  if (typeof message === 'string') assert.equal(res.body.message, message);
  else if (message) assert.match(res.body.message, message);
}

describe('registry over HTTP: registered models', () => {
  let server: Server;
  const api = (method: string, route: string, payload?: unknown) => call(server.url, method, route, payload);
  const version = async (name: string, source = 's3://bucket/model', extra: object = {}) =>
    (await api('POST', 'model-versions/create', { name, source, ...extra })).body.model_version;

  beforeEach(async () => {
    server = await startTestServer();
  });
  afterEach(() => server.dispose());

  it('creates a model with tags and a description and reads it back in MLflow\'s shape', async () => {
    const created = await api('POST', 'registered-models/create', {
      name: 'm',
      description: 'about m',
      tags: [{ key: 'team', value: 'ml' }, { key: 'task', value: 'x' }, { key: 'team', value: 'ds' }],
    });
    assert.equal(created.status, 200);
    const rm = created.body.registered_model;
    assert.deepEqual(Object.keys(rm), ['name', 'creation_timestamp', 'last_updated_timestamp', 'description', 'tags']);
    assert.equal(typeof rm.creation_timestamp, 'number');
    assert.equal(rm.creation_timestamp, rm.last_updated_timestamp);
    assert.deepEqual(rm.tags, [{ key: 'team', value: 'ds' }, { key: 'task', value: 'x' }]);
    const got = await api('GET', 'registered-models/get', { name: 'm' });
    assert.deepEqual(got.body, created.body);
    const viaAjax = await fetch(`${server.url}/ajax-api/2.0/mlflow/registered-models/get?name=m`);
    assert.deepEqual(await viaAjax.json(), created.body);
  });

  it('omits an empty description and answers duplicates with RESOURCE_ALREADY_EXISTS (400)', async () => {
    const created = await api('POST', 'registered-models/create', { name: 'plain' });
    assert.deepEqual(Object.keys(created.body.registered_model), ['name', 'creation_timestamp', 'last_updated_timestamp']);
    expectError(await api('POST', 'registered-models/create', { name: 'plain' }), 400, 'RESOURCE_ALREADY_EXISTS', 'Registered Model (name=plain) already exists.');
    expectError(
      await api('POST', 'registered-models/create', { name: 'plain', tags: [{ key: 'mlflow.prompt.is_prompt', value: 'true' }] }),
      400,
      'RESOURCE_ALREADY_EXISTS',
      /^Tried to create a prompt with name 'plain', but the name is already taken by a registered model\./,
    );
  });

  it('validates names and tags', async () => {
    expectError(await api('POST', 'registered-models/create', {}), 400, 'INVALID_PARAMETER_VALUE', /^Missing value for required parameter 'name'/);
    expectError(await api('GET', 'registered-models/get', { name: 'nope' }), 404, 'RESOURCE_DOES_NOT_EXIST', 'Registered Model with name=nope not found');
    expectError(
      await api('POST', 'registered-models/create', { name: 'm', tags: [{ key: 'bad*key', value: 'v' }] }),
      400,
      'INVALID_PARAMETER_VALUE',
      /^Invalid value "bad\*key" for parameter 'key' supplied/,
    );
    await api('POST', 'registered-models/create', { name: 'm' });
    assert.equal((await api('POST', 'registered-models/set-tag', { name: 'm', key: 'big', value: 'v'.repeat(100000) })).status, 200);
    expectError(
      await api('POST', 'registered-models/set-tag', { name: 'm', key: 'big', value: 'v'.repeat(100001) }),
      400,
      'INVALID_PARAMETER_VALUE',
      "'value' exceeds the maximum length of 100000 characters",
    );
    expectError(
      await api('POST', 'registered-models/set-tag', { name: 'm', key: 'k'.repeat(251), value: 'v' }),
      400,
      'INVALID_PARAMETER_VALUE',
      "'key' exceeds the maximum length of 250 characters",
    );
    expectError(await api('POST', 'registered-models/set-tag', { name: 'nope', key: 'k', value: 'v' }), 404, 'RESOURCE_DOES_NOT_EXIST');
  });

  it('updates the description (PATCH), and an update without one clears it', async () => {
    await api('POST', 'registered-models/create', { name: 'm', description: 'first' });
    const updated = await api('PATCH', 'registered-models/update', { name: 'm', description: 'second' });
    assert.equal(updated.body.registered_model.description, 'second');
    const cleared = await api('PATCH', 'registered-models/update', { name: 'm' });
    assert.equal(cleared.status, 200);
    assert.equal('description' in cleared.body.registered_model, false);
    expectError(await api('PATCH', 'registered-models/update', { name: 'nope', description: 'x' }), 404, 'RESOURCE_DOES_NOT_EXIST');
  });

  it('sets and deletes model tags; deleting a missing tag is a no-op', async () => {
    await api('POST', 'registered-models/create', { name: 'm', tags: [{ key: 'a', value: '1' }] });
    await api('POST', 'registered-models/set-tag', { name: 'm', key: 'b', value: '2' });
    await api('POST', 'registered-models/set-tag', { name: 'm', key: 'a', value: '3' });
    assert.deepEqual((await api('GET', 'registered-models/get', { name: 'm' })).body.registered_model.tags, [
      { key: 'a', value: '3' },
      { key: 'b', value: '2' },
    ]);
    assert.equal((await api('DELETE', 'registered-models/delete-tag', { name: 'm', key: 'a' })).status, 200);
    assert.equal((await api('DELETE', 'registered-models/delete-tag', { name: 'm', key: 'missing' })).status, 200);
    assert.deepEqual((await api('GET', 'registered-models/get', { name: 'm' })).body.registered_model.tags, [{ key: 'b', value: '2' }]);
    expectError(await api('DELETE', 'registered-models/delete-tag', { name: 'nope', key: 'a' }), 404, 'RESOURCE_DOES_NOT_EXIST');
  });

  it('renames a model, carrying its versions, version tags, model tags and aliases', async () => {
    await api('POST', 'registered-models/create', { name: 'old', tags: [{ key: 't', value: '1' }] });
    await version('old', 's3://b/1', { tags: [{ key: 'vt', value: 'x' }] });
    await version('old');
    await api('POST', 'registered-models/alias', { name: 'old', alias: 'champion', version: '1' });
    await api('POST', 'model-versions/transition-stage', { name: 'old', version: '2', stage: 'Production', archive_existing_versions: false });

    const renamed = await api('POST', 'registered-models/rename', { name: 'old', new_name: 'new' });
    assert.equal(renamed.status, 200);
    const rm = renamed.body.registered_model;
    assert.equal(rm.name, 'new');
    assert.deepEqual(rm.tags, [{ key: 't', value: '1' }]);
    assert.deepEqual(rm.aliases, [{ alias: 'champion', version: '1' }]);
    assert.deepEqual(rm.latest_versions.map((v: any) => [v.name, v.version, v.current_stage]), [
      ['new', '1', 'None'],
      ['new', '2', 'Production'],
    ]);
    // latest_versions of a registered model carry no aliases.
    assert.equal('aliases' in rm.latest_versions[0], false);

    expectError(await api('GET', 'registered-models/get', { name: 'old' }), 404, 'RESOURCE_DOES_NOT_EXIST', 'Registered Model with name=old not found');
    const v1 = (await api('GET', 'model-versions/get', { name: 'new', version: '1' })).body.model_version;
    assert.deepEqual(v1.tags, [{ key: 'vt', value: 'x' }]);
    assert.deepEqual(v1.aliases, ['champion']);
    assert.equal((await api('GET', 'registered-models/alias', { name: 'new', alias: 'champion' })).body.model_version.version, '1');
    const leftovers = await server.store.db.all<{ n: number }>(
      `SELECT (SELECT COUNT(*) FROM model_versions WHERE name = 'old') + (SELECT COUNT(*) FROM model_version_tags WHERE name = 'old')
        + (SELECT COUNT(*) FROM registered_model_tags WHERE name = 'old') + (SELECT COUNT(*) FROM registered_model_aliases WHERE name = 'old') AS n`,
    );
    assert.equal(leftovers[0].n, 0);
    // The next version continues the numbering under the new name.
    assert.equal((await version('new')).version, '3');
  });

  it('refuses a rename onto an existing name or of a missing model', async () => {
    await api('POST', 'registered-models/create', { name: 'a' });
    await api('POST', 'registered-models/create', { name: 'b' });
    expectError(await api('POST', 'registered-models/rename', { name: 'a', new_name: 'b' }), 400, 'RESOURCE_ALREADY_EXISTS', 'Registered Model (name=b) already exists.');
    expectError(await api('POST', 'registered-models/rename', { name: 'zz', new_name: 'c' }), 404, 'RESOURCE_DOES_NOT_EXIST');
    expectError(await api('POST', 'registered-models/rename', { name: 'a' }), 400, 'INVALID_PARAMETER_VALUE', /^Missing value for required parameter 'new_name'/);
    assert.equal((await api('POST', 'registered-models/rename', { name: 'a', new_name: 'a' })).status, 200);
  });

  it('deletes a model with its versions, tags and aliases (DELETE with a JSON body)', async () => {
    await api('POST', 'registered-models/create', { name: 'm', tags: [{ key: 't', value: '1' }] });
    await version('m', 's3://b/1', { tags: [{ key: 'vt', value: 'x' }] });
    await api('POST', 'registered-models/alias', { name: 'm', alias: 'a', version: '1' });
    assert.deepEqual((await api('DELETE', 'registered-models/delete', { name: 'm' })).body, {});
    expectError(await api('GET', 'registered-models/get', { name: 'm' }), 404, 'RESOURCE_DOES_NOT_EXIST', 'Registered Model with name=m not found');
    const count = async (table: string) => (await server.store.db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`))!.n;
    for (const table of ['registered_models', 'registered_model_tags', 'model_versions', 'model_version_tags', 'registered_model_aliases']) {
      assert.equal(await count(table), 0, table);
    }
    expectError(await api('DELETE', 'registered-models/delete', { name: 'm' }), 404, 'RESOURCE_DOES_NOT_EXIST');
    // A model created again under the name starts from version 1.
    await api('POST', 'registered-models/create', { name: 'm' });
    assert.equal((await version('m')).version, '1');
  });

  it('keeps registry data across a restart', async () => {
    await api('POST', 'registered-models/create', { name: 'durable', description: 'd' });
    await version('durable');
    const dbPath = `${server.dir}/mlflow.db`;
    await server.close();
    const { startTrackingServer } = await import('../../src/core/server/trackingServer');
    const again = await startTrackingServer({ dbPath, artifactsDestination: `${server.dir}/artifacts`, host: '127.0.0.1', port: 0 });
    try {
      const got = await call(again.url, 'GET', 'registered-models/get', { name: 'durable' });
      assert.equal(got.body.registered_model.description, 'd');
      assert.equal(got.body.registered_model.latest_versions[0].version, '1');
    } finally {
      await again.close();
    }
  });
});
