import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import { call } from '../support/mlflowClient';
import { startTestServer } from '../support/testServer';

/** Sends a raw request with full control over headers and body. */
function raw(url: string, method: string, path: string, headers: Record<string, string>, body?: string): Promise<{ status: number; text: string; headers: http.IncomingHttpHeaders }> {
  const target = new URL(path, url);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: target.hostname, port: target.port, path: target.pathname + target.search, method, headers, setHost: !('Host' in headers) }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode!, text, headers: res.headers }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('server basics over HTTP', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  beforeEach(async () => (server = await startTestServer()));
  afterEach(() => server.dispose());

  it('answers /health and /version as text', async () => {
    const health = await raw(server.url, 'GET', '/health', {});
    assert.equal(health.status, 200);
    assert.equal(health.text, 'OK');
    const version = await raw(server.url, 'GET', '/version', {});
    assert.match(version.text, /^\d+\.\d+\.\d+$/);
  });

  it('binds 127.0.0.1 and serves both API prefixes', async () => {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const api = await call(server.url, 'GET', 'experiments/get', { experiment_id: '0' });
    assert.equal(api.body.experiment.name, 'Default');
    const ajax = await fetch(`${server.url}/ajax-api/2.0/mlflow/experiments/get?experiment_id=0`);
    assert.equal(((await ajax.json()) as { experiment: { name: string } }).experiment.name, 'Default');
  });

  it('refuses a foreign Host header (DNS rebinding) but accepts loopback names', async () => {
    const evil = await raw(server.url, 'GET', '/api/2.0/mlflow/experiments/get?experiment_id=0', { Host: 'evil.example.com' });
    assert.equal(evil.status, 403);
    assert.equal(evil.text, 'Invalid Host header - possible DNS rebinding attack detected');
    const local = await raw(server.url, 'GET', '/api/2.0/mlflow/experiments/get?experiment_id=0', { Host: `localhost:${server.port}` });
    assert.equal(local.status, 200);
    const health = await raw(server.url, 'GET', '/health', { Host: 'evil.example.com' });
    assert.equal(health.status, 200, '/health is exempt');
  });

  it('refuses cross-origin state changes and sends no CORS headers', async () => {
    const res = await raw(server.url, 'POST', '/api/2.0/mlflow/experiments/create', { 'Content-Type': 'application/json', Origin: 'https://evil.example.com' }, '{"name":"x"}');
    assert.equal(res.status, 403);
    assert.equal(res.text, 'Cross-origin request blocked');
    const ok = await raw(server.url, 'GET', '/api/2.0/mlflow/experiments/get?experiment_id=0', { Origin: 'https://evil.example.com' });
    assert.equal(ok.headers['access-control-allow-origin'], undefined);
  });

  it('answers malformed JSON, wrong content types and unknown endpoints in MLflow\'s error format', async () => {
    const malformed = await raw(server.url, 'POST', '/api/2.0/mlflow/experiments/create', { 'Content-Type': 'application/json' }, '{"name": ');
    assert.equal(malformed.status, 400);
    assert.equal(JSON.parse(malformed.text).error_code, 'INVALID_PARAMETER_VALUE');
    const noType = await raw(server.url, 'POST', '/api/2.0/mlflow/experiments/create', {}, '{"name":"x"}');
    assert.equal(JSON.parse(noType.text).message, 'Bad Request. Content-Type header is missing.');
    const wrongType = await raw(server.url, 'POST', '/api/2.0/mlflow/experiments/create', { 'Content-Type': 'text/plain' }, '{"name":"x"}');
    assert.equal(JSON.parse(wrongType.text).message, "Bad Request. Content-Type must be one of ['application/json'].");
    const unknown = await raw(server.url, 'GET', '/api/2.0/mlflow/no/such/thing', {});
    assert.equal(unknown.status, 404);
    assert.equal(JSON.parse(unknown.text).error_code, 'ENDPOINT_NOT_FOUND');
    const wrongMethod = await raw(server.url, 'GET', '/api/2.0/mlflow/runs/create', {});
    assert.equal(wrongMethod.status, 405);
    const arrayBody = await raw(server.url, 'POST', '/api/2.0/mlflow/experiments/create', { 'Content-Type': 'application/json' }, '[1,2]');
    assert.equal(arrayBody.status, 400);
  });

  it('accepts a double-encoded JSON body and numeric experiment ids', async () => {
    const res = await raw(server.url, 'POST', '/api/2.0/mlflow/experiments/create', { 'Content-Type': 'application/json; charset=utf-8' }, JSON.stringify(JSON.stringify({ name: 'double' })));
    assert.equal(res.status, 200);
    const id = JSON.parse(res.text).experiment_id;
    const run = await call(server.url, 'POST', 'runs/create', { experiment_id: Number(id) });
    assert.equal(run.status, 200);
    assert.equal(run.body.run.info.experiment_id, id);
  });

  it('refuses an oversized body without crashing, then keeps serving', async () => {
    const big = JSON.stringify({ name: 'x'.repeat(70 * 1024 * 1024) });
    const res = await raw(server.url, 'POST', '/api/2.0/mlflow/experiments/create', { 'Content-Type': 'application/json', 'Content-Length': String(big.length) }, big).catch(() => ({ status: 413, text: '', headers: {} }));
    assert.equal(res.status, 413);
    const after = await call(server.url, 'GET', 'experiments/get', { experiment_id: '0' });
    assert.equal(after.status, 200);
  });
});
