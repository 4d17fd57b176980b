/** Registry searches over HTTP: filters, ordering, paging, prompts hidden (compat §3.6, §3.7). */
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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const PROMPT_TAG = [{ key: 'mlflow.prompt.is_prompt', value: 'true' }];

describe('registry over HTTP: searches', () => {
  let server: Server;
  let runA = '';
  let runB = '';
  const api = (method: string, route: string, payload?: unknown) => call(server.url, method, route, payload);
  const models = async (query: Record<string, unknown>) => {
    const res = await api('GET', 'registered-models/search', query);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body;
  };
  const names = async (query: Record<string, unknown>) => ((await models(query)).registered_models ?? []).map((m: any) => m.name);
  const versions = async (query: Record<string, unknown>) => {
    const res = await api('GET', 'model-versions/search', query);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body;
  };
  const keys = async (query: Record<string, unknown>) => ((await versions(query)).model_versions ?? []).map((v: any) => `${v.name}/${v.version}`);

  before(async () => {
    server = await startTestServer();
    runA = (await api('POST', 'runs/create', { experiment_id: '0', start_time: 1 })).body.run.info.run_id;
    runB = (await api('POST', 'runs/create', { experiment_id: '0', start_time: 1 })).body.run.info.run_id;
    // Created beta, alpha, Gamma; then versions make alpha and, last, beta the most recently updated.
    await api('POST', 'registered-models/create', { name: 'beta', tags: [{ key: 'team', value: 'ml' }, { key: 'env', value: 'prod' }] });
    await sleep(3);
    await api('POST', 'registered-models/create', { name: 'alpha', tags: [{ key: 'team', value: 'ds' }] });
    await sleep(3);
    await api('POST', 'registered-models/create', { name: 'Gamma', tags: [{ key: 'team', value: 'ML' }] });
    await api('POST', 'registered-models/create', { name: 'my-prompt', tags: PROMPT_TAG });
    await api('POST', 'model-versions/create', { name: 'my-prompt', source: 'dummy-source', tags: PROMPT_TAG });
    await sleep(3);
    await api('POST', 'model-versions/create', { name: 'alpha', source: `runs:/${runA}/model`, run_id: runA, tags: [{ key: 'ok', value: 'yes' }] });
    await sleep(3);
    await api('POST', 'model-versions/create', { name: 'alpha', source: `runs:/${runB}/model`, run_id: runB });
    await sleep(3);
    await api('POST', 'model-versions/create', { name: 'beta', source: `runs:/${runA}/other`, run_id: runA, tags: [{ key: 'ok', value: 'no' }] });
    await api('POST', 'model-versions/create', { name: 'beta', source: 's3://b/deleted' });
    await api('DELETE', 'model-versions/delete', { name: 'beta', version: '2' });
  });
  after(() => server.dispose());

  describe('registered models', () => {
    it('lists every model but prompts, by name', async () => {
      assert.deepEqual(await names({}), ['Gamma', 'alpha', 'beta']);
    });

    it('filters on name (LIKE case-sensitive, ILIKE not) and on tags (all clauses must hold)', async () => {
      assert.deepEqual(await names({ filter: "name LIKE '%a'" }), ['Gamma', 'alpha', 'beta']);
      assert.deepEqual(await names({ filter: "name LIKE 'g%'" }), []);
      assert.deepEqual(await names({ filter: "name ILIKE 'g%'" }), ['Gamma']);
      assert.deepEqual(await names({ filter: "name = 'alpha'" }), ['alpha']);
      assert.deepEqual(await names({ filter: "name != 'alpha'" }), ['Gamma', 'beta']);
      assert.deepEqual(await names({ filter: "tags.team = 'ml'" }), ['beta']);
      assert.deepEqual(await names({ filter: "tags.team ILIKE 'ml'" }), ['Gamma', 'beta']);
      assert.deepEqual(await names({ filter: "tags.team ILIKE 'ml' AND tag.env = 'prod'" }), ['beta']);
      assert.deepEqual(await names({ filter: "tags.team LIKE 'm%' AND tags.team LIKE '%s'" }), []);
      // The clause MLflow's client appends to every search.
      assert.deepEqual(await names({ filter: "name LIKE '%' AND tag.`mlflow.prompt.is_prompt` != 'true'" }), ['Gamma', 'alpha', 'beta']);
    });

    it('returns prompts only when the filter asks for them', async () => {
      assert.deepEqual(await names({ filter: "tags.`mlflow.prompt.is_prompt` = 'true'" }), ['my-prompt']);
    });

    it('orders by name or last update time, name ASC breaking ties', async () => {
      assert.deepEqual(await names({ order_by: ['name DESC'] }), ['beta', 'alpha', 'Gamma']);
      assert.deepEqual(await names({ order_by: ['last_updated_timestamp DESC'] }), ['beta', 'alpha', 'Gamma']);
      assert.deepEqual(await names({ order_by: ['timestamp ASC'] }), ['Gamma', 'alpha', 'beta']);
      expectError(await api('GET', 'registered-models/search', { order_by: ['creation_timestamp'] }), 400, 'INVALID_PARAMETER_VALUE', /^Invalid order by key 'creation_timestamp'/);
      expectError(
        await api('GET', 'registered-models/search', { order_by: ['timestamp', 'last_updated_timestamp'] }),
        500,
        'INTERNAL_ERROR',
        "`order_by` contains duplicate fields: ['timestamp', 'last_updated_timestamp']",
      );
    });

    it('pages with opaque tokens', async () => {
      const first = await models({ max_results: 2 });
      assert.deepEqual(first.registered_models.map((m: any) => m.name), ['Gamma', 'alpha']);
      assert.equal(typeof first.next_page_token, 'string');
      const second = await models({ max_results: 2, page_token: first.next_page_token });
      assert.deepEqual(second.registered_models.map((m: any) => m.name), ['beta']);
      assert.equal(second.next_page_token, undefined);
      expectError(await api('GET', 'registered-models/search', { page_token: 'not a token' }), 400, 'INVALID_PARAMETER_VALUE', /^Invalid page token/);
    });

    it('returns whole models: latest versions, tags and aliases', async () => {
      const [alpha] = (await models({ filter: "name = 'alpha'" })).registered_models;
      assert.deepEqual(alpha.latest_versions.map((v: any) => v.version), ['2']);
      assert.deepEqual(alpha.tags, [{ key: 'team', value: 'ds' }]);
    });

    it('rejects bad filters and max_results', async () => {
      expectError(await api('GET', 'registered-models/search', { filter: "run_id = 'x'" }), 400, 'INVALID_PARAMETER_VALUE', /^Invalid attribute key 'run_id'/);
      expectError(await api('GET', 'registered-models/search', { filter: 'name = alpha' }), 400, 'INVALID_PARAMETER_VALUE');
      expectError(
        await api('GET', 'registered-models/search', { max_results: 1001 }),
        400,
        'INVALID_PARAMETER_VALUE',
        `Invalid value "1001" for parameter 'max_results' supplied:  Hint: Value was of type 'str'. See the API docs for more information about request parameters.`,
      );
      expectError(await api('GET', 'registered-models/search', { max_results: 'x' }), 400, 'INVALID_PARAMETER_VALUE');
      assert.equal((await api('GET', 'registered-models/search', { max_results: 1000 })).status, 200);
    });
  });

  describe('model versions', () => {
    it('lists live versions, last updated first, without prompts or deleted versions', async () => {
      assert.deepEqual(await keys({}), ['beta/1', 'alpha/2', 'alpha/1']);
    });

    it('filters on name, run_id (also IN), source_path, version_number and tags', async () => {
      assert.deepEqual(await keys({ filter: "name = 'alpha'" }), ['alpha/2', 'alpha/1']);
      assert.deepEqual(await keys({ filter: `run_id = '${runA}'` }), ['beta/1', 'alpha/1']);
      assert.deepEqual(await keys({ filter: `run_id IN ('${runB}', 'ffff')` }), ['alpha/2']);
      assert.deepEqual(await keys({ filter: "source_path LIKE '%/other'" }), ['beta/1']);
      assert.deepEqual(await keys({ filter: "name = 'alpha' AND version_number > 1" }), ['alpha/2']);
      assert.deepEqual(await keys({ filter: "tags.ok = 'yes'" }), ['alpha/1']);
      assert.deepEqual(await keys({ filter: "name = 'beta' AND version_number = 2" }), []);
      assert.deepEqual(await keys({ filter: "tags.`mlflow.prompt.is_prompt` = 'true'" }), ['my-prompt/1']);
    });

    it('orders as asked, then name ASC and version DESC', async () => {
      assert.deepEqual(await keys({ order_by: ['version_number DESC'] }), ['alpha/2', 'alpha/1', 'beta/1']);
      assert.deepEqual(await keys({ order_by: ['name DESC', 'version_number ASC'] }), ['beta/1', 'alpha/1', 'alpha/2']);
      assert.deepEqual(await keys({ order_by: ['creation_timestamp ASC'] }), ['alpha/1', 'alpha/2', 'beta/1']);
      expectError(await api('GET', 'model-versions/search', { order_by: ['stage'] }), 400, 'INVALID_PARAMETER_VALUE');
    });

    it('pages, and bounds max_results to 1..200000', async () => {
      const first = await versions({ max_results: 2 });
      assert.deepEqual(first.model_versions.map((v: any) => v.version), ['1', '2']);
      const second = await versions({ max_results: 2, page_token: first.next_page_token });
      assert.deepEqual(second.model_versions.map((v: any) => `${v.name}/${v.version}`), ['alpha/1']);
      assert.equal(second.next_page_token, undefined);
      expectError(await api('GET', 'model-versions/search', { max_results: 200001 }), 400, 'INVALID_PARAMETER_VALUE');
      expectError(await api('GET', 'model-versions/search', { max_results: 0 }), 400, 'INVALID_PARAMETER_VALUE');
      expectError(await api('GET', 'model-versions/search', { filter: "run_id NOT IN ('a')" }), 400, 'INVALID_PARAMETER_VALUE');
    });

    it('answers an empty result as {}', async () => {
      assert.deepEqual(await versions({ filter: "name = 'nothing'" }), {});
      assert.deepEqual(await models({ filter: "name = 'nothing'" }), {});
    });
  });
});
