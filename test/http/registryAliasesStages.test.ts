/** Aliases and stages over HTTP (compat §1.5, §2.2, §2.8). */
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

describe('registry over HTTP: aliases and stages', () => {
  let server: Server;
  const api = (method: string, route: string, payload?: unknown) => call(server.url, method, route, payload);
  const setAlias = (alias: string, version: string, name = 'm') => api('POST', 'registered-models/alias', { name, alias, version });
  const byAlias = (alias: string, name = 'm') => api('GET', 'registered-models/alias', { name, alias });
  const transition = (version: string, stage: string, archive = false) =>
    api('POST', 'model-versions/transition-stage', { name: 'm', version, stage, archive_existing_versions: archive });
  const model = async () => (await api('GET', 'registered-models/get', { name: 'm' })).body.registered_model;
  const stages = async () =>
    Object.fromEntries(
      ((await api('GET', 'model-versions/search', { filter: "name = 'm'" })).body.model_versions as any[]).map((v) => [v.version, v.current_stage]),
    );

  beforeEach(async () => {
    server = await startTestServer();
    await api('POST', 'registered-models/create', { name: 'm' });
    for (let i = 0; i < 3; i++) await api('POST', 'model-versions/create', { name: 'm', source: `s3://b/v${i + 1}` });
  });
  afterEach(() => server.dispose());

  describe('aliases', () => {
    it('sets an alias, resolves it, and lists it on the model and the version', async () => {
      assert.deepEqual((await setAlias('champion', '1')).body, {});
      const mv = (await byAlias('champion')).body.model_version;
      assert.equal(mv.version, '1');
      assert.deepEqual(mv.aliases, ['champion']);
      assert.deepEqual((await model()).aliases, [{ alias: 'champion', version: '1' }]);
      assert.deepEqual((await api('GET', 'model-versions/get', { name: 'm', version: '1' })).body.model_version.aliases, ['champion']);
      // Searches leave aliases out, as MLflow does.
      const found = (await api('GET', 'model-versions/search', { filter: "name = 'm' AND version_number = 1" })).body.model_versions;
      assert.equal('aliases' in found[0], false);
    });

    it('moves an existing alias to another version', async () => {
      await setAlias('champion', '1');
      await setAlias('b-2_x', '1');
      await setAlias('champion', '2');
      assert.equal((await byAlias('champion')).body.model_version.version, '2');
      assert.deepEqual((await model()).aliases, [
        { alias: 'b-2_x', version: '1' },
        { alias: 'champion', version: '2' },
      ]);
      assert.deepEqual((await api('GET', 'model-versions/get', { name: 'm', version: '1' })).body.model_version.aliases, ['b-2_x']);
    });

    it('refuses reserved and malformed names', async () => {
      expectError(await setAlias('latest', '1'), 400, 'INVALID_PARAMETER_VALUE', "'latest' alias name (case insensitive) is reserved.");
      expectError(await setAlias('LaTeSt', '1'), 400, 'INVALID_PARAMETER_VALUE', "'latest' alias name (case insensitive) is reserved.");
      expectError(await setAlias('v1', '1'), 400, 'INVALID_PARAMETER_VALUE', "Version alias name 'v1' is reserved.");
      expectError(await setAlias('V12', '1'), 400, 'INVALID_PARAMETER_VALUE', "Version alias name 'V12' is reserved.");
      expectError(await setAlias('a b', '1'), 400, 'INVALID_PARAMETER_VALUE', "Invalid alias name: 'a b'. Names may only contain alphanumerics, underscores (_), and dashes (-).");
      expectError(await setAlias('a'.repeat(256), '1'), 400, 'INVALID_PARAMETER_VALUE', "'Registered model alias name' exceeds the maximum length of 255 characters");
      expectError(await setAlias('', '1'), 400, 'INVALID_PARAMETER_VALUE', /^Missing value for required parameter 'alias'/);
      assert.equal((await setAlias('v1x', '1')).status, 200);
      assert.equal((await setAlias('été', '1')).status, 200);
    });

    it('needs an existing version and model', async () => {
      expectError(await setAlias('a', '9'), 404, 'RESOURCE_DOES_NOT_EXIST', 'Model Version (name=m, version=9) not found');
      expectError(await setAlias('a', 'abc'), 400, 'INVALID_PARAMETER_VALUE', "Parameter 'version' must be an integer, got 'abc'.");
      expectError(await setAlias('a', '1', 'nope'), 404, 'RESOURCE_DOES_NOT_EXIST');
      expectError(await byAlias('missing'), 400, 'INVALID_PARAMETER_VALUE', 'Registered model alias missing not found.');
      expectError(await byAlias('a', 'nope'), 404, 'RESOURCE_DOES_NOT_EXIST', 'Registered Model with name=nope not found');
    });

    it('deletes an alias (DELETE with a body); a missing alias is a no-op, a missing model a 404', async () => {
      await setAlias('temp', '1');
      assert.deepEqual((await api('DELETE', 'registered-models/alias', { name: 'm', alias: 'temp' })).body, {});
      assert.equal('aliases' in (await model()), false);
      assert.equal((await api('DELETE', 'registered-models/alias', { name: 'm', alias: 'temp' })).status, 200);
      expectError(await api('DELETE', 'registered-models/alias', { name: 'nope', alias: 'temp' }), 404, 'RESOURCE_DOES_NOT_EXIST');
    });

    it('removes the aliases of a deleted version (where MLflow over REST leaves them dangling)', async () => {
      await setAlias('champion', '1');
      await setAlias('keep', '2');
      await api('DELETE', 'model-versions/delete', { name: 'm', version: '1' });
      assert.deepEqual((await model()).aliases, [{ alias: 'keep', version: '2' }]);
      expectError(await byAlias('champion'), 400, 'INVALID_PARAMETER_VALUE', 'Registered model alias champion not found.');
    });

    it('resolves `latest` to the first of the latest versions per stage', async () => {
      const latest = (await byAlias('latest')).body.model_version;
      assert.equal(latest.version, '3');
      assert.equal((await byAlias('LATEST')).body.model_version.version, '3');
      await setAlias('top', '3');
      assert.deepEqual((await byAlias('latest')).body.model_version.aliases, ['top']);
      await api('POST', 'registered-models/create', { name: 'empty' });
      expectError(await byAlias('latest', 'empty'), 404, 'RESOURCE_DOES_NOT_EXIST', 'Latest version not found for model empty.');
      expectError(await byAlias('latest', 'nope'), 404, 'RESOURCE_DOES_NOT_EXIST', 'Registered Model with name=nope not found');
    });
  });

  describe('stages', () => {
    it('matches stage names case-insensitively and stores them canonical', async () => {
      const res = await transition('1', 'staging');
      assert.equal(res.status, 200);
      assert.equal(res.body.model_version.current_stage, 'Staging');
      assert.equal((await transition('1', 'PRODUCTION')).body.model_version.current_stage, 'Production');
      assert.equal((await transition('1', 'none')).body.model_version.current_stage, 'None');
      expectError(
        await transition('1', 'Deleted_Internal'),
        400,
        'INVALID_PARAMETER_VALUE',
        'Invalid Model Version stage: Deleted_Internal. Value must be one of None, Staging, Production, Archived.',
      );
      expectError(await transition('9', 'Staging'), 404, 'RESOURCE_DOES_NOT_EXIST', 'Model Version (name=m, version=9) not found');
      expectError(await api('POST', 'model-versions/transition-stage', { name: 'm', version: '1' }), 400, 'INVALID_PARAMETER_VALUE', /'stage'/);
    });

    it('answers transition-stage with the version\'s aliases', async () => {
      await setAlias('champion', '1');
      assert.deepEqual((await transition('1', 'Staging')).body.model_version.aliases, ['champion']);
    });

    it('archives the other versions of the target stage with archive_existing_versions', async () => {
      await transition('1', 'Production');
      await transition('2', 'Staging');
      const res = await transition('3', 'production', true);
      assert.equal(res.body.model_version.current_stage, 'Production');
      assert.deepEqual(await stages(), { '1': 'Archived', '2': 'Staging', '3': 'Production' });
      await transition('1', 'Staging', true);
      assert.deepEqual(await stages(), { '1': 'Staging', '2': 'Archived', '3': 'Production' });
      // Without the flag nothing else moves.
      await transition('2', 'Production');
      assert.deepEqual(await stages(), { '1': 'Staging', '2': 'Production', '3': 'Production' });
    });

    it('allows archive_existing_versions only for Staging and Production', async () => {
      for (const stage of ['Archived', 'None']) {
        const res = await transition('1', stage, true);
        expectError(res, 400, 'INVALID_PARAMETER_VALUE', `Model version transition cannot archive existing model versions because '${stage}' is not an Active stage. Valid stages are ['Staging', 'Production']`);
      }
      assert.deepEqual(await stages(), { '1': 'None', '2': 'None', '3': 'None' });
    });

    it('gives the latest version per stage in get-latest-versions (POST and GET) and latest_versions', async () => {
      await transition('1', 'Production');
      await transition('2', 'Staging');
      await setAlias('champion', '1');
      const all = await api('POST', 'registered-models/get-latest-versions', { name: 'm' });
      assert.deepEqual(all.body.model_versions.map((v: any) => [v.version, v.current_stage]), [
        ['1', 'Production'],
        ['2', 'Staging'],
        ['3', 'None'],
      ]);
      assert.deepEqual(all.body.model_versions[0].aliases, ['champion']);
      const some = await api('GET', 'registered-models/get-latest-versions', { name: 'm', stages: ['production', 'None'] });
      assert.deepEqual(some.body.model_versions.map((v: any) => v.version), ['1', '3']);
      const one = await api('POST', 'registered-models/get-latest-versions', { name: 'm', stages: ['Archived'] });
      assert.deepEqual(one.body, {});
      expectError(await api('POST', 'registered-models/get-latest-versions', { name: 'm', stages: ['bogus'] }), 400, 'INVALID_PARAMETER_VALUE', /^Invalid Model Version stage: bogus/);
      expectError(await api('POST', 'registered-models/get-latest-versions', { name: 'nope' }), 404, 'RESOURCE_DOES_NOT_EXIST');
      const rm = await model();
      assert.deepEqual(rm.latest_versions.map((v: any) => v.version), ['1', '2', '3']);
      await transition('3', 'Production');
      assert.deepEqual((await model()).latest_versions.map((v: any) => [v.version, v.current_stage]), [
        ['3', 'Production'],
        ['2', 'Staging'],
      ]);
    });
  });
});
