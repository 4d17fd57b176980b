import * as assert from 'node:assert/strict';
import { call, type ApiResponse } from '../support/mlflowClient';
import { startTestServer } from '../support/testServer';

/** MLflow's answers (status, error code, message) to requests its own tests make, over REST. */
function expectError(res: ApiResponse, status: number, code: string, message: string): void {
  assert.equal(res.status, status, JSON.stringify(res.body));
  assert.equal(res.body.error_code, code);
  assert.equal(res.body.message, message);
}

const DOCS = 'See the API docs for more information about request parameters.';
const BAD_CHARS = 'Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), colon(:) and slashes (/).';
const resolvesTo = (norm: string) =>
  `Names may be treated as files in certain cases, and must not resolve to other names when treated as such. This name would resolve to '${norm}'`;

async function ajax(base: string, route: string, query: string): Promise<ApiResponse> {
  const res = await fetch(`${base}/ajax-api/2.0/mlflow/${route}?${query}`);
  return { status: res.status, body: await res.json(), contentType: res.headers.get('content-type') };
}

describe('MLflow parity over HTTP: messages and codes', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let url: string;
  before(async () => {
    server = await startTestServer();
    url = server.url;
  });
  after(() => server.dispose());

  async function newRun(): Promise<string> {
    const res = await call(url, 'POST', 'runs/create', { experiment_id: '0', start_time: 1000 });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body.run.info.run_id;
  }

  describe('runs/search filters and order_by', () => {
    const search = (body: object) => call(url, 'POST', 'runs/search', { experiment_ids: ['0'], ...body });

    it('answers malformed comparisons as MLflow parses them', async () => {
      expectError(await search({ filter: "'x' = metrics.a" }), 400, 'INVALID_PARAMETER_VALUE', "Invalid comparison clause. Expected 'Identifier' found ''x''");
      expectError(await search({ filter: 'metrics.a-b > 1' }), 400, 'INVALID_PARAMETER_VALUE', "Invalid comparison clause. Expected 'Identifier' found 'metrics.a-b'");
      expectError(await search({ filter: "params.a/b = 'x'" }), 400, 'INVALID_PARAMETER_VALUE', "Invalid comparison clause. Expected 'Identifier' found 'params.a/b'");
      expectError(
        await search({ filter: 'metrics . a > 1' }),
        400,
        'INVALID_PARAMETER_VALUE',
        "Invalid entity type 'metrics '. Valid values are ['metric', 'parameter', 'tag', 'attribute', 'dataset']",
      );
      expectError(
        await search({ filter: 'metrics.a > 1 && metrics.b > 2' }),
        400,
        'INVALID_PARAMETER_VALUE',
        "Invalid comparison clause. Expected 'Identifier' found 'metrics.a > 1 && metrics.b'",
      );
      expectError(await search({ filter: 'metrics.a > 0x10' }), 400, 'INVALID_PARAMETER_VALUE', "Invalid clause(s) in filter string: 'metrics.a', '>', '0x10'");
      expectError(await search({ filter: 'metrics.a > +1' }), 400, 'INVALID_PARAMETER_VALUE', "Invalid clause(s) in filter string: 'metrics.a', '>', '+', '1'");
      expectError(await search({ filter: "params.in = 'x'" }), 400, 'INVALID_PARAMETER_VALUE', "Invalid clause(s) in filter string: 'params.', 'in', '=', ''x''");
      expectError(await search({ filter: ' ' }), 400, 'INVALID_PARAMETER_VALUE', "Invalid filter ' '. Could not be parsed.");
      assert.equal((await search({ filter: 'metrics.a > -1' })).status, 200);
    });

    it('answers duplicate order_by fields with an internal error, after parsing them', async () => {
      expectError(
        await search({ order_by: ['metrics.a', 'metric.a DESC'] }),
        500,
        'INTERNAL_ERROR',
        "`order_by` contains duplicate fields: ['metrics.a', 'metric.a DESC']",
      );
      expectError(await search({ order_by: ['attribute.run_id ACS'] }), 400, 'INVALID_PARAMETER_VALUE', "Invalid ordering key in order_by clause 'attribute.run_id ACS'.");
    });

    it('checks max_results in the request, then in the store', async () => {
      expectError(await search({ max_results: 50001 }), 400, 'INVALID_PARAMETER_VALUE', `Invalid value 50001 for parameter 'max_results' supplied:  Hint: Value was of type 'int'. ${DOCS}`);
      expectError(await search({ max_results: 0 }), 400, 'INVALID_PARAMETER_VALUE', "Invalid value 0 for parameter 'max_results' supplied. It must be a positive integer");
    });
  });

  describe('experiments/search and registry searches', () => {
    it('rejects a missing, zero or too large max_results for experiments', async () => {
      const positive = (n: number) => `Invalid value ${n} for parameter 'max_results' supplied. It must be a positive integer`;
      expectError(await call(url, 'POST', 'experiments/search', {}), 400, 'INVALID_PARAMETER_VALUE', positive(0));
      expectError(await call(url, 'POST', 'experiments/search', { max_results: 0 }), 400, 'INVALID_PARAMETER_VALUE', positive(0));
      expectError(
        await call(url, 'POST', 'experiments/search', { max_results: 50001 }),
        400,
        'INVALID_PARAMETER_VALUE',
        "Invalid value 50001 for parameter 'max_results' supplied. It must be at most 50000",
      );
    });

    it('answers model-version searches as the SQL store does', async () => {
      expectError(
        await call(url, 'GET', 'model-versions/search', { order_by: ['name', 'name DESC'] }),
        500,
        'INTERNAL_ERROR',
        "`order_by` contains duplicate fields: ['name', 'name DESC']",
      );
      expectError(await call(url, 'GET', 'model-versions/search', { max_results: 0 }), 400, 'INVALID_PARAMETER_VALUE', 'Invalid value for max_results. It must be a positive integer, but got 0');
      expectError(
        await call(url, 'GET', 'registered-models/search', { order_by: ['name aCs'] }),
        400,
        'INVALID_PARAMETER_VALUE',
        "Invalid ordering key in order_by clause 'name aCs'.",
      );
    });
  });

  describe('names and values', () => {
    it('words bad characters and names that resolve to other paths as MLflow does', async () => {
      const run = await newRun();
      const param = (key: string) => call(url, 'POST', 'runs/log-parameter', { run_id: run, key, value: 'v' });
      expectError(await param('a\\b'), 400, 'INVALID_PARAMETER_VALUE', `Invalid value "a\\\\b" for parameter 'key' supplied: ${BAD_CHARS}`);
      expectError(await param('a\tb'), 400, 'INVALID_PARAMETER_VALUE', `Invalid value "a\\tb" for parameter 'key' supplied: ${BAD_CHARS}`);
      expectError(await param('..a'), 400, 'INVALID_PARAMETER_VALUE', `Invalid value "..a" for parameter 'key' supplied: ${resolvesTo('..a')}`);
      expectError(await param('a/'), 400, 'INVALID_PARAMETER_VALUE', `Invalid value "a/" for parameter 'key' supplied: ${resolvesTo('a')}`);
      expectError(await param('./a'), 400, 'INVALID_PARAMETER_VALUE', `Invalid value "./a" for parameter 'key' supplied: ${resolvesTo('a')}`);
      expectError(await param(''), 400, 'INVALID_PARAMETER_VALUE', `Missing value for required parameter 'key'. ${DOCS}`);
      expectError(await param('k'.repeat(251)), 400, 'INVALID_PARAMETER_VALUE', "'Param key' exceeds the maximum length of 250 characters");
      expectError(
        await call(url, 'POST', 'runs/set-tag', { run_id: run, key: 'é\\', value: 'v' }),
        400,
        'INVALID_PARAMETER_VALUE',
        `Invalid value "\\u00e9\\\\" for parameter 'key' supplied: ${BAD_CHARS}`,
      );
    });

    it('reads a boolean metric value as 1.0 or 0.0 and refuses negative timestamps', async () => {
      const run = await newRun();
      assert.equal((await call(url, 'POST', 'runs/log-metric', { run_id: run, key: 'b', value: true, timestamp: 5 })).status, 200);
      const history = await call(url, 'GET', 'metrics/get-history', { run_id: run, metric_key: 'b' });
      assert.deepEqual(history.body.metrics, [{ key: 'b', value: 1, timestamp: 5, step: 0 }]);
      expectError(
        await call(url, 'POST', 'runs/log-metric', { run_id: run, key: 'm', value: 0.5, timestamp: -1 }),
        400,
        'INVALID_PARAMETER_VALUE',
        "Invalid value -1 for parameter 'timestamp' supplied: metric 'm' (value=0.5). Timestamp must be a nonnegative long (64-bit integer) ",
      );
      expectError(
        await call(url, 'POST', 'runs/log-batch', { run_id: run, metrics: [{ key: 'm', value: 2, timestamp: -3 }] }),
        400,
        'INVALID_PARAMETER_VALUE',
        "Invalid value -3 for parameter 'metrics[0].timestamp' supplied: metric 'm' (value=2.0). Timestamp must be a nonnegative long (64-bit integer) ",
      );
      expectError(
        await call(url, 'POST', 'runs/log-batch', { run_id: run, tags: [{ value: 'v' }] }),
        400,
        'INVALID_PARAMETER_VALUE',
        `Missing value for required parameter 'tags[0].key'. ${DOCS}`,
      );
    });

    it('checks artifact locations at experiment creation as MLflow does', async () => {
      assert.equal((await call(url, 'POST', 'experiments/create', { name: 'runs-uri', artifact_location: 'runs:/abc/x' })).status, 200);
      expectError(
        await call(url, 'POST', 'experiments/create', { name: 'frag', artifact_location: 's3://b/p#frag' }),
        400,
        'INVALID_PARAMETER_VALUE',
        "'artifact_location' URL can't include fragments or params.",
      );
      expectError(await call(url, 'POST', 'experiments/create', { name: 'q', artifact_location: 's3://b/p?x=%2E%2E' }), 400, 'INVALID_PARAMETER_VALUE', 'Invalid query string');
      expectError(
        await call(url, 'POST', 'experiments/create', { name: 'num', artifact_location: 5 }),
        400,
        'INVALID_PARAMETER_VALUE',
        `Invalid value 5 for parameter 'artifact_location' supplied:  Hint: Value was of type 'int'. ${DOCS}`,
      );
    });
  });

  describe('metric histories for charts', () => {
    it('validates get-history-bulk-interval in the handler', async () => {
      const get = (query: Record<string, string | string[]>) => call(url, 'GET', 'metrics/get-history-bulk-interval', query);
      expectError(await get({ metric_key: 'm' }), 400, 'INVALID_PARAMETER_VALUE', `Missing value for required parameter 'run_ids'. ${DOCS}`);
      const many = Array.from({ length: 101 }, (_, i) => `r${i}`);
      expectError(
        await get({ run_ids: many, metric_key: 'm' }),
        400,
        'INVALID_PARAMETER_VALUE',
        `GetMetricHistoryBulkInterval request must specify at most 100 run_ids. Received 101 run_ids. ${DOCS}`,
      );
      expectError(await get({ run_ids: 'r', metric_key: 'm', max_results: '0' }), 400, 'INVALID_PARAMETER_VALUE', `max_results must be between 1 and 2500. ${DOCS}`);
      expectError(await get({ run_ids: 'r', metric_key: 'm', max_results: '2501' }), 400, 'INVALID_PARAMETER_VALUE', `max_results must be between 1 and 2500. ${DOCS}`);
      expectError(await get({ run_ids: 'r', metric_key: 'm', start_step: '1' }), 400, 'INVALID_PARAMETER_VALUE', 'If either start step or end step are specified, both must be specified.');
      expectError(
        await get({ run_ids: 'r', metric_key: 'm', start_step: '5', end_step: '1' }),
        400,
        'INVALID_PARAMETER_VALUE',
        'end_step must be greater than start_step. Found start_step=5 and end_step=1.',
      );
    });

    it('serves get-history-bulk under the ajax prefix, in run id then (timestamp, step, value) order', async () => {
      const [a, b] = [await newRun(), await newRun()];
      const log = (run: string, value: number, timestamp: number, step: number) =>
        call(url, 'POST', 'runs/log-metric', { run_id: run, key: 'loss', value, timestamp, step });
      await log(a, 3, 30, 0);
      await log(a, 1, 10, 1);
      await log(b, 2, 20, 0);
      const res = await ajax(url, 'metrics/get-history-bulk', `run_id=${b}&run_id=${a}&run_id=${a}&metric_key=loss`);
      assert.equal(res.status, 200);
      const pointsOfA = [
        { key: 'loss', run_id: a, step: 1, timestamp: 10, value: 1 },
        { key: 'loss', run_id: a, step: 0, timestamp: 30, value: 3 },
      ];
      const pointsOfB = [{ key: 'loss', run_id: b, step: 0, timestamp: 20, value: 2 }];
      assert.deepEqual(res.body.metrics, a < b ? [...pointsOfA, ...pointsOfB] : [...pointsOfB, ...pointsOfA]);
      const capped = await ajax(url, 'metrics/get-history-bulk', `run_id=${a}&run_id=${b}&metric_key=loss&max_results=1`);
      assert.equal(capped.body.metrics.length, 1);
      assert.deepEqual((await ajax(url, 'metrics/get-history-bulk', `run_id=${a}&metric_key=none`)).body, { metrics: [] });
      expectError(await ajax(url, 'metrics/get-history-bulk', 'metric_key=loss'), 400, 'INVALID_PARAMETER_VALUE', 'GetMetricHistoryBulk request must specify at least one run_id.');
      expectError(await ajax(url, 'metrics/get-history-bulk', `run_id=${a}`), 400, 'INVALID_PARAMETER_VALUE', 'GetMetricHistoryBulk request must specify a metric_key.');
      const many = Array.from({ length: 101 }, () => `run_id=${a}`).join('&');
      expectError(
        await ajax(url, 'metrics/get-history-bulk', `${many}&metric_key=loss`),
        400,
        'INVALID_PARAMETER_VALUE',
        'GetMetricHistoryBulk request cannot specify more than 100 run_ids. Received 101 run_ids.',
      );
      assert.equal((await call(url, 'GET', 'metrics/get-history-bulk', { run_id: a, metric_key: 'loss' })).status, 404);
    });
  });
});
