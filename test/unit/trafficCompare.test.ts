/**
 * Unit tests of the traffic-replay harness itself (test/support/trafficReplay.ts): the comparator,
 * the placeholder binder, request building, and the replay loop against a scripted fake server.
 */
import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import {
  ActualResponse,
  Difference,
  PlaceholderBinder,
  TrafficExchange,
  buildRequest,
  compareResponse,
  formatMismatches,
  loadTraffic,
  replayTraffic,
  trafficFixture,
} from '../support/trafficReplay';

const RUN_A = 'a'.repeat(32);
const RUN_B = 'b'.repeat(32);
const NOW = 1_760_000_000_000;

function exchange(partial: Partial<TrafficExchange>): TrafficExchange {
  return {
    seq: 1,
    method: 'GET',
    path: '/api/2.0/mlflow/runs/get',
    query: {},
    request_headers: {},
    request_body: null,
    status: 200,
    response_headers: { 'content-type': 'application/json' },
    response_body: {},
    ...partial,
  };
}

function json(body: unknown, status = 200, contentType = 'application/json'): ActualResponse {
  return { status, contentType, body: Buffer.from(JSON.stringify(body)) };
}

/** A recorded runs/create answer, with placeholders. */
function recordedRun(): TrafficExchange {
  return exchange({
    method: 'POST',
    path: '/api/2.0/mlflow/runs/create',
    response_body: {
      run: {
        info: {
          run_uuid: '<run_id:1>',
          experiment_id: '<exp_id:1>',
          run_name: '<run_name:1>',
          user_id: '<user>',
          status: 'RUNNING',
          start_time: '<ts>',
          artifact_uri: 'mlflow-artifacts:/<exp_id:1>/<run_id:1>/artifacts',
          lifecycle_stage: 'active',
          run_id: '<run_id:1>',
        },
        data: {
          metrics: [{ key: 'loss', value: 1.0, timestamp: 1700000000000, step: 0 }],
          tags: [
            { key: 'mlflow.user', value: '<user>' },
            { key: 'mlflow.runName', value: '<run_name:1>' },
            { key: 'stage', value: 'dev' },
          ],
        },
        inputs: {},
      },
    },
  });
}

/** What a correct server answers to recordedRun(), tags in another order. */
function ourRun(runId = RUN_A, experimentId = '7') {
  return {
    run: {
      info: {
        run_uuid: runId,
        experiment_id: experimentId,
        run_name: 'brave-owl-42',
        user_id: 'tester',
        status: 'RUNNING',
        start_time: NOW,
        artifact_uri: `mlflow-artifacts:/${experimentId}/${runId}/artifacts`,
        lifecycle_stage: 'active',
        run_id: runId,
      },
      data: {
        metrics: [{ key: 'loss', value: 1, timestamp: 1700000000000, step: 0 }],
        tags: [
          { key: 'stage', value: 'dev' },
          { key: 'mlflow.runName', value: 'brave-owl-42' },
          { key: 'mlflow.user', value: 'tester' },
        ],
      },
      inputs: {},
    },
  };
}

function newBinder(): PlaceholderBinder {
  return new PlaceholderBinder({ user: 'tester', sourcePath: '/src/train.py', now: () => NOW });
}

/** Compares `mutate(ourRun())` with recordedRun() using a fresh binder. */
function differencesFor(mutate: (body: ReturnType<typeof ourRun>) => unknown): Difference[] {
  return compareResponse(recordedRun(), json(mutate(ourRun())), newBinder());
}

function pointers(differences: Difference[]): string[] {
  return differences.map((d) => d.pointer);
}

describe('traffic replay harness: comparator', () => {
  it('accepts a response equal to the recording and binds its placeholders', () => {
    const binder = newBinder();
    assert.deepEqual(compareResponse(recordedRun(), json(ourRun()), binder), []);
    assert.deepEqual(binder.bindings(), { '<run_id:1>': RUN_A, '<exp_id:1>': '7', '<run_name:1>': 'brave-owl-42' });
  });

  it('reports a missing field by its JSON pointer', () => {
    const differences = differencesFor((b) => {
      delete (b.run.info as Partial<typeof b.run.info>).lifecycle_stage;
      return b;
    });
    assert.deepEqual(pointers(differences), ['/run/info/lifecycle_stage']);
    assert.match(differences[0].message, /missing field/);
  });

  it('reports an extra field by its JSON pointer', () => {
    const differences = differencesFor((b) => ({ run: { ...b.run, outputs: {} } }));
    assert.deepEqual(pointers(differences), ['/run/outputs']);
    assert.match(differences[0].message, /unexpected field/);
  });

  it('reports a wrong JSON type, including a <ts> that is not an epoch-ms integer', () => {
    const differences = differencesFor((b) => {
      (b.run.data.metrics[0] as { step: unknown }).step = '0';
      (b.run.info as { start_time: unknown }).start_time = Math.floor(NOW / 1000);
      return b;
    });
    assert.deepEqual(pointers(differences).sort(), ['/run/data/metrics/0/step', '/run/info/start_time']);
    assert.match(differences.find((d) => d.pointer.endsWith('step'))?.message ?? '', /expected number, got string/);
  });

  it('reports a wrong literal value; numbers compare numerically', () => {
    const differences = differencesFor((b) => {
      b.run.info.status = 'FINISHED';
      b.run.data.metrics[0].value = 1.0000001;
      return b;
    });
    assert.deepEqual(pointers(differences).sort(), ['/run/data/metrics/0/value', '/run/info/status']);
    const status = differences.find((d) => d.pointer === '/run/info/status');
    assert.equal(status?.expected, 'RUNNING');
    assert.equal(status?.actual, 'FINISHED');
  });

  it('reports a wrong status and skips the body', () => {
    const actual = json({ error_code: 'ENDPOINT_NOT_FOUND', message: 'nope' }, 404);
    const differences = compareResponse(recordedRun(), actual, newBinder());
    assert.equal(differences.length, 1);
    assert.equal(differences[0].kind, 'status');
    assert.equal(differences[0].expected, 200);
    assert.equal(differences[0].actual, 404);
    assert.match(differences[0].message, /ENDPOINT_NOT_FOUND/);
  });

  it('reports a placeholder whose later occurrence differs from its bound value', () => {
    const binder = newBinder();
    assert.deepEqual(compareResponse(recordedRun(), json(ourRun(RUN_A)), binder), []);
    const second = compareResponse({ ...recordedRun(), seq: 2 }, json(ourRun(RUN_B)), binder);
    assert.deepEqual(pointers(second).sort(), ['/run/info/artifact_uri', '/run/info/run_id', '/run/info/run_uuid']);
    const uuid = second.find((d) => d.pointer === '/run/info/run_uuid');
    assert.equal(uuid?.expected, RUN_A);
    assert.equal(uuid?.actual, RUN_B);
    assert.match(uuid?.message ?? '', /<run_id:1> = "a{32}" \(bound at seq 1 \/run\/info\/run_uuid\)/);
  });

  it('reports a placeholder inside a longer string that differs (embedded binding)', () => {
    const differences = differencesFor((b) => {
      b.run.info.artifact_uri = `mlflow-artifacts:/8/${RUN_A}/artifacts`;
      return b;
    });
    assert.deepEqual(pointers(differences), ['/run/info/artifact_uri']);
    assert.equal(differences[0].expected, `mlflow-artifacts:/7/${RUN_A}/artifacts`);
  });

  it('refuses to bind two distinct placeholders to the same value', () => {
    const binder = newBinder();
    binder.bind('<run_id:1>', RUN_A);
    const recorded = exchange({ response_body: { run_id: '<run_id:2>' } });
    const differences = compareResponse(recorded, json({ run_id: RUN_A }), binder);
    assert.deepEqual(pointers(differences), ['/run_id']);
    assert.match(differences[0].message, /already bound to <run_id:1>/);
  });

  it('compares tags as an unordered collection, reporting a wrong tag under our element', () => {
    const differences = differencesFor((b) => {
      b.run.data.tags[0].value = 'prod'; // our tag "stage" is element 0
      return b;
    });
    assert.deepEqual(pointers(differences), ['/run/data/tags/0/value']);
    assert.equal(differences[0].expected, 'dev');
  });

  it('reports a missing and an unexpected tag', () => {
    const differences = differencesFor((b) => {
      b.run.data.tags[0] = { key: 'stag', value: 'dev' };
      return b;
    });
    assert.deepEqual(pointers(differences), ['/run/data/tags', '/run/data/tags/0']);
    assert.match(differences[0].message, /missing element \(unordered\).*"stage"/);
    assert.match(differences[1].message, /unexpected element/);
  });

  it('compares result lists in order, and reports a length difference', () => {
    const recorded = exchange({ response_body: { experiments: [{ name: 'b' }, { name: 'a' }] } });
    const swapped = compareResponse(recorded, json({ experiments: [{ name: 'a' }, { name: 'b' }] }), newBinder());
    assert.deepEqual(pointers(swapped), ['/experiments/0/name', '/experiments/1/name']);
    const shorter = compareResponse(recorded, json({ experiments: [{ name: 'b' }] }), newBinder());
    assert.deepEqual(pointers(shorter), ['/experiments', '/experiments/1']);
  });

  it('compares error_code but not the error message', () => {
    const recorded = exchange({ status: 400, response_body: { error_code: 'INVALID_PARAMETER_VALUE', message: 'MLflow words <run_id:1>' } });
    assert.deepEqual(compareResponse(recorded, json({ error_code: 'INVALID_PARAMETER_VALUE', message: 'ours' }, 400), newBinder()), []);
    const wrong = compareResponse(recorded, json({ error_code: 'BAD_REQUEST', message: 'ours' }, 400), newBinder());
    assert.deepEqual(pointers(wrong), ['/error_code']);
    const noMessage = compareResponse(recorded, json({ error_code: 'INVALID_PARAMETER_VALUE' }, 400), newBinder());
    assert.deepEqual(pointers(noMessage), ['/message']);
  });

  it('requires application/json with no charset, but accepts a charset on a download', () => {
    const recorded = exchange({ response_body: {} });
    const charset = compareResponse(recorded, json({}, 200, 'application/json; charset=utf-8'), newBinder());
    assert.deepEqual(charset.map((d) => d.kind), ['content-type']);
    const text = Buffer.from('hello artifacts\n');
    const download = exchange({
      path: '/api/2.0/mlflow-artifacts/artifacts/1/x/artifacts/notes.txt',
      response_headers: { 'content-type': 'text/plain' },
      response_body: { $bytes: 16, sha256: createHash('sha256').update(text).digest('hex'), $text: 'hello artifacts\n' },
    });
    assert.deepEqual(compareResponse(download, { status: 200, contentType: 'text/plain; charset=utf-8', body: text }, newBinder()), []);
    const binary = compareResponse(download, { status: 200, contentType: 'application/octet-stream', body: text }, newBinder());
    assert.deepEqual(binary.map((d) => d.kind), ['content-type']);
    const changed = compareResponse(download, { status: 200, contentType: 'text/plain', body: Buffer.from('hello artifactz\n') }, newBinder());
    assert.deepEqual(pointers(changed), ['/sha256']);
    assert.match(changed[0].message, /character 14/);
  });

  it('compares an MLmodel download as a text template instead of by sha256', () => {
    const binder = newBinder();
    binder.bind('<model_id:1>', 'm-0123');
    const recorded = exchange({
      path: '/api/2.0/mlflow-artifacts/artifacts/0/models/<model_id:1>/artifacts/MLmodel',
      response_headers: { 'content-type': 'text/plain' },
      response_body: { $bytes: 99, sha256: '0'.repeat(64), $text: "model_id: <model_id:1>\nutc_time_created: '<ts>'\n" },
    });
    const good = Buffer.from("model_id: m-0123\nutc_time_created: '2025-01-01 00:00:00.000000'\n");
    assert.deepEqual(compareResponse(recorded, { status: 200, contentType: 'text/plain', body: good }, binder), []);
    const bad = Buffer.from("model_id: m-9999\nutc_time_created: 'x'\n");
    assert.deepEqual(pointers(compareResponse(recorded, { status: 200, contentType: 'text/plain', body: bad }, binder)), ['/$text']);
  });
});

describe('traffic replay harness: requests', () => {
  const options = { baseUrl: 'http://127.0.0.1:1' };

  it('substitutes placeholders in path, query (repeated keys) and body; <ts> becomes an integer', () => {
    const binder = newBinder();
    binder.bind('<run_id:1>', RUN_A);
    binder.bind('<exp_id:1>', '7');
    const built = buildRequest(
      exchange({
        method: 'POST',
        path: '/api/2.0/mlflow-artifacts/artifacts/<exp_id:1>/<run_id:1>/artifacts/a.txt',
        query: { run_id: ['<run_id:1>', 'x y'] },
        request_headers: { 'content-type': 'application/json' },
        request_body: { run_id: '<run_id:1>', end_time: '<ts>', note: 'by <user> at <path>', n: 1.5 },
      }),
      binder,
      options,
    );
    assert.deepEqual(built.differences, []);
    const request = built.request;
    assert.ok(request);
    assert.equal(request.url.pathname, `/api/2.0/mlflow-artifacts/artifacts/7/${RUN_A}/artifacts/a.txt`);
    assert.deepEqual(request.url.searchParams.getAll('run_id'), [RUN_A, 'x y']);
    assert.equal(request.headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(request.body?.toString() ?? ''), { run_id: RUN_A, end_time: NOW, note: 'by tester at /src/train.py', n: 1.5 });
  });

  it('sends $base64 bodies decoded and $text bodies substituted, and reports unbound placeholders', () => {
    const binder = newBinder();
    const binary = buildRequest(
      exchange({ method: 'PUT', request_headers: { 'content-type': 'application/octet-stream' }, request_body: { $bytes: 3, sha256: '', $base64: 'AAH/' } }),
      binder,
      options,
    );
    assert.deepEqual([...(binary.request?.body ?? [])], [0, 1, 255]);
    const text = buildRequest(
      exchange({ method: 'PUT', request_headers: { 'content-type': 'text/plain' }, request_body: { $bytes: 9, sha256: '', $text: "id: <model_id:1>\nt: '<ts>'\n" } }),
      binder,
      options,
    );
    assert.equal(text.request?.body?.toString(), "id: <model_id:1>\nt: '2025-10-09 08:53:20.000000'\n");
    assert.equal(text.differences.length, 1);
    assert.match(text.differences[0].message, /<model_id:1>, which was never bound/);
  });

  it('loads every recorded traffic file in seq order', () => {
    for (const name of ['tracking_basics.jsonl', 'seed_sklearn.jsonl', 'artifacts.jsonl', 'registry.jsonl']) {
      const exchanges = loadTraffic(trafficFixture(name));
      assert.ok(exchanges.length > 40, name);
      exchanges.forEach((e, i) => assert.equal(e.seq, i + 1, `${name} seq`));
    }
  });
});

describe('traffic replay harness: replay loop against a scripted server', () => {
  let server: http.Server;
  let baseUrl = '';
  const received: { method: string; url: string; contentType?: string; body: string }[] = [];
  let answers: { status: number; body: unknown }[] = [];

  before(async () => {
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ method: req.method ?? '', url: req.url ?? '', contentType: req.headers['content-type'], body: Buffer.concat(chunks).toString() });
        const answer = answers.shift() ?? { status: 500, body: { error_code: 'INTERNAL_ERROR', message: 'script exhausted' } };
        res.writeHead(answer.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(answer.body));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('binds from one answer, uses the value in the next request, and collects mismatches with seq/method/path', async () => {
    received.length = 0;
    answers = [
      { status: 200, body: { experiment_id: '12' } },
      { status: 200, body: { experiment: { experiment_id: '13', name: 'demo' } } },
      { status: 404, body: { error_code: 'RESOURCE_DOES_NOT_EXIST', message: 'x' } },
    ];
    const traffic: TrafficExchange[] = [
      exchange({ seq: 1, method: 'POST', path: '/api/2.0/mlflow/experiments/create', request_headers: { 'content-type': 'application/json' }, request_body: { name: 'demo' }, response_body: { experiment_id: '<exp_id:1>' } }),
      exchange({ seq: 2, path: '/api/2.0/mlflow/experiments/get', query: { experiment_id: ['<exp_id:1>'] }, response_body: { experiment: { experiment_id: '<exp_id:1>', name: 'demo' } } }),
      exchange({ seq: 3, path: '/api/2.0/mlflow/experiments/get', query: { experiment_id: ['<exp_id:1>'] }, response_body: { experiment: { experiment_id: '<exp_id:1>', name: 'demo' } } }),
    ];
    const result = await replayTraffic(traffic, { baseUrl });
    assert.equal(result.exchanges, 3);
    assert.deepEqual(result.bindings, { '<exp_id:1>': '12' });
    assert.equal(received[0].contentType, 'application/json');
    assert.deepEqual(JSON.parse(received[0].body), { name: 'demo' });
    assert.equal(received[1].url, '/api/2.0/mlflow/experiments/get?experiment_id=12');
    assert.deepEqual(
      result.mismatches.map((m) => [m.seq, m.method, m.path, m.kind, m.pointer]),
      [
        [2, 'GET', '/api/2.0/mlflow/experiments/get', 'body', '/experiment/experiment_id'],
        [3, 'GET', '/api/2.0/mlflow/experiments/get', 'status', ''],
      ],
    );
    assert.match(formatMismatches(result.mismatches), /seq 2 GET \/api\/2\.0\/mlflow\/experiments\/get \[body\] \/experiment\/experiment_id: .*expected "12", got "13"/);
  });
});
