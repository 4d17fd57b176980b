/**
 * The client against local servers on 127.0.0.1 that hang, fail a few times, or always fail, and
 * against addresses nobody answers: timeouts within the configured time, retries with backoff for
 * idempotent calls only (counted on the server side), and a distinct error for each cause.
 */
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import { MlflowApiError, MlflowClient } from '../../src/core/client/mlflowClient';
import { TransportError } from '../../src/core/client/httpTransport';

interface Counted {
  url: string;
  server: http.Server;
  count: (method?: string) => number;
}

/** A server whose handler decides per request (n = requests so far, 1-based). */
async function counting(handler: (req: http.IncomingMessage, res: http.ServerResponse, n: number) => void): Promise<Counted> {
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    seen.push(req.method ?? '');
    req.resume();
    handler(req, res, seen.length);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    server,
    count: (method) => seen.filter((m) => !method || m === method).length,
  };
}

function close(server: http.Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (e) {
    return e as Error;
  }
  assert.fail('expected the call to fail');
}

const OK = '{"experiment": {"experiment_id": "0", "name": "Default", "lifecycle_stage": "active"}}';
const unavailable = (res: http.ServerResponse) =>
  res.writeHead(503, { 'Content-Type': 'application/json' }).end('{"error_code": "TEMPORARILY_UNAVAILABLE", "message": "database is locked"}');

describe('remote servers: timeouts, retries and unreachable hosts', function () {
  this.timeout(30000);

  it('times out against a server that never answers, within the configured timeout, and does not hang', async () => {
    const hang = await counting(() => undefined);
    try {
      const client = MlflowClient.fromEnvironment({ MLFLOW_TRACKING_URI: hang.url, MLFLOW_HTTP_REQUEST_TIMEOUT: '1', MLFLOW_HTTP_REQUEST_MAX_RETRIES: '0' });
      let started = performance.now();
      const error = await rejection(client.getExperiment('0'));
      let elapsed = performance.now() - started;
      assert.ok(error instanceof TransportError, String(error));
      assert.equal(error.code, 'ETIMEDOUT');
      assert.match(error.message, /^GET http:\/\/127\.0\.0\.1:\d+\/api\/2\.0\/mlflow\/experiments\/get: no response within 1 s\. .*raise MLFLOW_HTTP_REQUEST_TIMEOUT/);
      assert.ok(elapsed >= 900 && elapsed < 3000, `timed out after ${elapsed} ms`);
      client.close();

      // A POST (not idempotent) times out once, even with retries configured.
      const retrying = new MlflowClient({ baseUrl: hang.url, timeoutMs: 500, retries: 2, backoffMs: () => 50 });
      const before = hang.count();
      started = performance.now();
      assert.equal(((await rejection(retrying.createExperiment('x'))) as TransportError).code, 'ETIMEDOUT');
      elapsed = performance.now() - started;
      assert.equal(hang.count() - before, 1);
      assert.ok(elapsed < 1500, `POST timed out after ${elapsed} ms`);
      // A GET is tried 1 + 2 times, each bounded by the timeout.
      started = performance.now();
      await rejection(retrying.getExperiment('0'));
      elapsed = performance.now() - started;
      assert.equal(hang.count() - before, 4);
      assert.ok(elapsed >= 1400 && elapsed < 4000, `GET with 2 retries gave up after ${elapsed} ms`);
      retrying.close();
    } finally {
      await close(hang.server);
    }
  });

  it('retries GETs answered 503 with backoff until they succeed, and does not retry POSTs', async () => {
    const flaky = await counting((req, res, n) => {
      if (req.method === 'GET' && n <= 3) return unavailable(res);
      if (req.method === 'POST') return unavailable(res);
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(OK);
    });
    try {
      const delays: number[] = [];
      const client = MlflowClient.fromEnvironment({ MLFLOW_TRACKING_URI: flaky.url, MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR: '0', MLFLOW_HTTP_REQUEST_BACKOFF_JITTER: '0.1' }, undefined, {
        onCall: (e) => delays.push(e.status ?? 0),
      });
      const started = performance.now();
      assert.equal((await client.getExperiment('0')).name, 'Default');
      assert.equal(flaky.count('GET'), 4, 'three 503s, then the answer');
      assert.deepEqual(delays, [503, 503, 503, 200]);
      assert.ok(performance.now() - started < 2000);

      const post = await rejection(client.createExperiment('not-retried'));
      assert.ok(post instanceof MlflowApiError);
      assert.equal(post.status, 503);
      assert.equal(post.errorCode, 'TEMPORARILY_UNAVAILABLE');
      assert.equal(flaky.count('POST'), 1, 'a POST is sent once');
      client.close();
    } finally {
      await close(flaky.server);
    }
  });

  it('waits between retries as the backoff says (MLflow: none, then factor·2ⁿ)', async () => {
    const flaky = await counting((_req, res, n) => (n <= 2 ? unavailable(res) : res.writeHead(200, { 'Content-Type': 'application/json' }).end(OK)));
    try {
      const client = new MlflowClient({ baseUrl: flaky.url, retries: 3, backoffMs: (n) => (n === 0 ? 0 : 300 * 2 ** n) });
      const started = performance.now();
      await client.getExperiment('0');
      const elapsed = performance.now() - started;
      assert.ok(elapsed >= 550 && elapsed < 2500, `0 + 600 ms of backoff, took ${elapsed} ms`);
      assert.equal(flaky.count(), 3);
      client.close();
    } finally {
      await close(flaky.server);
    }
  });

  it('gives up on a server that always fails after the configured retries, with a clear error', async () => {
    const broken = await counting((_req, res) => res.writeHead(502, { 'Content-Type': 'text/html' }).end('<html><body>Bad Gateway</body></html>'));
    try {
      const client = MlflowClient.fromEnvironment({
        MLFLOW_TRACKING_URI: broken.url,
        MLFLOW_HTTP_REQUEST_MAX_RETRIES: '3',
        MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR: '0',
        MLFLOW_HTTP_REQUEST_BACKOFF_JITTER: '0.05',
      });
      const error = await rejection(client.searchRuns({ experimentIds: ['0'] }));
      assert.ok(error instanceof MlflowApiError);
      assert.equal(error.status, 502);
      assert.equal(error.errorCode, 'INTERNAL_ERROR');
      assert.match(error.message, /^POST http:\/\/127\.0\.0\.1:\d+\/api\/2\.0\/mlflow\/runs\/search: HTTP 502: <html><body>Bad Gateway/);
      assert.equal(broken.count(), 4, 'runs/search is idempotent: 1 + 3 retries');
      client.close();
    } finally {
      await close(broken.server);
    }
  });

  it('connection refused: a distinct error naming the address, after the retries', async () => {
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    const client = new MlflowClient({ baseUrl: `http://127.0.0.1:${port}`, retries: 2, backoffMs: () => 20 });
    const attempts: string[] = [];
    const logged = new MlflowClient({ baseUrl: `http://127.0.0.1:${port}`, retries: 2, backoffMs: () => 20, onCall: (e) => attempts.push(e.error ?? '') });
    const error = await rejection(client.getExperiment('0'));
    await rejection(logged.getExperiment('0'));
    assert.ok(error instanceof TransportError);
    assert.equal(error.code, 'ECONNREFUSED');
    assert.match(error.message, new RegExp(`connection refused\\. Nothing is listening on 127\\.0\\.0\\.1:${port}; check that the tracking server is running`));
    assert.equal(attempts.length, 3);
    client.close();
    logged.close();
  });

  it('DNS failure: a distinct error naming the host, not retried when the name does not exist', async () => {
    const client = new MlflowClient({ baseUrl: 'http://runlens-no-such-host.invalid:5000', retries: 0 });
    const started = performance.now();
    const error = await rejection(client.probe());
    assert.ok(error instanceof TransportError);
    assert.ok(['ENOTFOUND', 'EAI_AGAIN'].includes(error.code), error.code);
    assert.match(error.message, /the host name 'runlens-no-such-host\.invalid' could not be resolved/);
    assert.ok(performance.now() - started < 10000);
    client.close();
  });

  it('an AbortSignal cancels a request in flight and a pending retry', async () => {
    const hang = await counting(() => undefined);
    try {
      const controller = new AbortController();
      const client = new MlflowClient({ baseUrl: hang.url, timeoutMs: 10000, signal: controller.signal });
      setTimeout(() => controller.abort(), 200);
      const started = performance.now();
      const error = await rejection(client.getExperiment('0'));
      assert.ok(error instanceof TransportError);
      assert.equal(error.code, 'ABORTED');
      assert.ok(performance.now() - started < 2000);
      client.close();
    } finally {
      await close(hang.server);
    }
  });
});
