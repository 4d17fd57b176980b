/**
 * The client against local servers on 127.0.0.1 that require basic auth or a bearer token, or
 * that refuse the Host header as MLflow 3.x does: statuses, error codes, actionable messages, and
 * no secret in any message or log entry.
 */
import * as assert from 'node:assert/strict';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { MlflowApiError, MlflowClient } from '../../src/core/client/mlflowClient';
import type { CallLogEntry } from '../../src/core/client/httpTransport';

const USER = 'alice';
const PASSWORD = 'correct-horse-battery';
const TOKEN = 'tok-1234567890abcdef';
const EXPERIMENTS = JSON.stringify({ experiments: [{ experiment_id: '0', name: 'Default', lifecycle_stage: 'active' }] });

type Check = (req: http.IncomingMessage) => { status: number; body: string; headers?: Record<string, string> } | undefined;

async function listen(check: Check): Promise<{ url: string; server: http.Server; requests: http.IncomingHttpHeaders[] }> {
  const requests: http.IncomingHttpHeaders[] = [];
  const server = http.createServer((req, res) => {
    requests.push(req.headers);
    req.resume();
    const refusal = check(req);
    if (refusal) {
      res.writeHead(refusal.status, { 'Content-Type': 'text/plain', ...refusal.headers }).end(refusal.body);
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(EXPERIMENTS);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, requests };
}

function close(server: http.Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

async function rejection(promise: Promise<unknown>): Promise<MlflowApiError> {
  try {
    await promise;
  } catch (e) {
    assert.ok(e instanceof MlflowApiError, `expected an MlflowApiError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected the call to fail');
}

function assertNoSecrets(texts: string[]): void {
  const basic = Buffer.from(`${USER}:${PASSWORD}`).toString('base64');
  for (const text of texts) {
    for (const secret of [PASSWORD, TOKEN, basic]) assert.ok(!text.includes(secret), `a secret leaked into: ${text}`);
  }
}

describe('remote servers: authentication and the 3.x Host check', function () {
  this.timeout(20000);

  it('basic auth: 401 without credentials, 401 with wrong ones, works with the right ones; nothing secret is logged', async () => {
    const expected = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
    const { url, server, requests } = await listen((req) =>
      req.headers.authorization === expected ? undefined : { status: 401, body: 'You are not authenticated.', headers: { 'WWW-Authenticate': 'Basic realm="mlflow"' } },
    );
    const log: CallLogEntry[] = [];
    try {
      const anonymous = new MlflowClient({ baseUrl: url, retries: 0, onCall: (e) => log.push(e) });
      const noAuth = await rejection(anonymous.searchExperiments());
      assert.equal(noAuth.status, 401);
      assert.equal(noAuth.errorCode, 'UNAUTHENTICATED');
      assert.match(noAuth.message, /401 Unauthorized\. Set MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD .* or MLFLOW_TRACKING_TOKEN/);
      assert.match(noAuth.message, /The server asks for Basic authentication/);
      anonymous.close();

      const wrong = new MlflowClient({ baseUrl: url, retries: 0, auth: { kind: 'basic', username: USER, password: 'wrong-password' }, onCall: (e) => log.push(e) });
      const bad = await rejection(wrong.searchExperiments());
      assert.equal(bad.status, 401);
      assert.match(bad.message, /MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD were rejected/);
      assert.ok(!bad.message.includes('wrong-password'));
      wrong.close();

      const client = MlflowClient.fromEnvironment({ MLFLOW_TRACKING_URI: url, MLFLOW_TRACKING_USERNAME: USER, MLFLOW_TRACKING_PASSWORD: PASSWORD }, undefined, { onCall: (e) => log.push(e) });
      const page = await client.searchExperiments();
      assert.deepEqual(page.items.map((e) => e.name), ['Default']);
      await client.probe();
      client.close();

      assert.equal(requests.at(-1)!.authorization, expected, 'the header the server saw');
      assert.ok(log.length >= 4);
      for (const entry of log) assert.deepEqual(Object.keys(entry).sort(), ['attempt', 'durationMs', 'method', 'path', 'status'].sort());
      assertNoSecrets([...log.map((e) => JSON.stringify(e)), noAuth.message, bad.message, noAuth.stack ?? '']);
    } finally {
      await close(server);
    }
  });

  it('credentials in the URL become basic auth and never appear in the URL or messages', async () => {
    const expected = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
    const { url, server } = await listen((req) => (req.headers.authorization === expected ? undefined : { status: 401, body: 'no' }));
    try {
      const client = new MlflowClient({ baseUrl: url.replace('http://', `http://${USER}:${PASSWORD}@`), retries: 0 });
      assert.equal(client.baseUrl, url);
      assert.equal((await client.searchExperiments()).items.length, 1);
      client.close();
    } finally {
      await close(server);
    }
  });

  it('bearer token: 401 without it or with a wrong one, works with MLFLOW_TRACKING_TOKEN; a server echoing the header is redacted', async () => {
    const { url, server } = await listen((req) =>
      req.headers.authorization === `Bearer ${TOKEN}`
        ? undefined
        : { status: 401, body: `{"error_code": "UNAUTHENTICATED", "message": "bad header: ${req.headers.authorization ?? 'none'}"}`, headers: { 'Content-Type': 'application/json', 'WWW-Authenticate': 'Bearer' } },
    );
    try {
      const anonymous = new MlflowClient({ baseUrl: url, retries: 0 });
      const missing = await rejection(anonymous.getExperiment('0'));
      assert.equal(missing.status, 401);
      assert.equal(missing.errorCode, 'UNAUTHENTICATED');
      assert.match(missing.message, /Bearer authentication/);
      anonymous.close();

      const wrongToken = 'tok-WRONG-but-secret-too';
      const wrong = MlflowClient.fromEnvironment({ MLFLOW_TRACKING_URI: url, MLFLOW_TRACKING_TOKEN: wrongToken, MLFLOW_HTTP_REQUEST_MAX_RETRIES: '0' });
      const rejected = await rejection(wrong.getExperiment('0'));
      assert.match(rejected.message, /The token from MLFLOW_TRACKING_TOKEN was rejected/);
      assert.ok(!rejected.message.includes(wrongToken), rejected.message);
      assert.match(rejected.message, /bad header: \*\*\*/);
      wrong.close();

      const client = MlflowClient.fromEnvironment({ MLFLOW_TRACKING_URI: url, MLFLOW_TRACKING_TOKEN: TOKEN });
      assert.equal((await client.searchExperiments()).items[0].experiment_id, '0');
      client.close();
    } finally {
      await close(server);
    }
  });

  it('403 from the MLflow 3.x Host check says which host to allow; a plain 403 says the permission is missing', async () => {
    const { url, server } = await listen((req) =>
      req.url?.includes('experiments/get') ? { status: 403, body: 'Permission denied' } : { status: 403, body: 'Invalid Host header - possible DNS rebinding attack detected' },
    );
    try {
      const client = new MlflowClient({ baseUrl: url, retries: 0, auth: { kind: 'bearer', token: TOKEN } });
      const host = await rejection(client.probe());
      assert.equal(host.status, 403);
      assert.equal(host.errorCode, 'INVALID_HOST_HEADER');
      assert.match(host.message, /refused the Host header '127\.0\.0\.1:\d+' \(MLflow 3\.x DNS-rebinding protection\)\. Start the server with --allowed-hosts '127\.0\.0\.1' \(or set MLFLOW_SERVER_ALLOWED_HOSTS/);
      const denied = await rejection(client.getExperiment('0'));
      assert.equal(denied.errorCode, 'PERMISSION_DENIED');
      assert.match(denied.message, /403 Forbidden\. The credentials were accepted but lack permission/);
      client.close();
    } finally {
      await close(server);
    }
  });
});
