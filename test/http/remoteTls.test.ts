/**
 * The client against a local https server on 127.0.0.1 with a self-signed certificate made at test
 * time with the openssl command: refused without its CA, trusted through the CA file
 * (MLFLOW_TRACKING_SERVER_CERT_PATH), accepted with the insecure opt-out
 * (MLFLOW_TRACKING_INSECURE_TLS), and a client certificate for mutual TLS.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { MlflowClient } from '../../src/core/client/mlflowClient';
import { TransportError } from '../../src/core/client/httpTransport';

function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** A self-signed certificate (its own CA) for 127.0.0.1 and localhost: key.pem, cert.pem. */
function selfSigned(dir: string, name: string): { key: string; cert: string } {
  const key = path.join(dir, `${name}-key.pem`);
  const cert = path.join(dir, `${name}-cert.pem`);
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', `/CN=${name}`, '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'],
    { stdio: 'ignore' },
  );
  return { key, cert };
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (e) {
    return e as Error;
  }
  assert.fail('expected the call to fail');
}

describe('remote servers: TLS with a self-signed certificate', function () {
  this.timeout(30000);
  let dir: string;
  let server: https.Server;
  let url: string;
  let serverCert: { key: string; cert: string };
  let clientCert: { key: string; cert: string };
  let sawClientCert = false;

  before(async function () {
    if (!hasOpenssl()) this.skip();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runlens-tls-'));
    serverCert = selfSigned(dir, 'runlens-test-server');
    clientCert = selfSigned(dir, 'runlens-test-client');
    fs.writeFileSync(path.join(dir, 'client-bundle.pem'), fs.readFileSync(clientCert.cert, 'utf8') + fs.readFileSync(clientCert.key, 'utf8'));
    server = https.createServer(
      { key: fs.readFileSync(serverCert.key), cert: fs.readFileSync(serverCert.cert), requestCert: true, rejectUnauthorized: false, ca: fs.readFileSync(clientCert.cert) },
      (req, res) => {
        sawClientCert = (req.socket as import('node:tls').TLSSocket).authorized;
        req.resume();
        res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"experiments": [{"experiment_id": "0", "name": "Default", "lifecycle_stage": "active"}]}');
      },
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    if (server) {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('refuses the certificate without its CA, quickly, with a message naming the two variables that fix it', async () => {
    const started = performance.now();
    const client = MlflowClient.fromEnvironment({ MLFLOW_TRACKING_URI: url });
    const error = await rejection(client.probe());
    client.close();
    assert.ok(error instanceof TransportError, String(error));
    assert.equal(error.code, 'DEPTH_ZERO_SELF_SIGNED_CERT');
    assert.match(error.message, /TLS refused: its certificate could not be verified/);
    assert.match(error.message, /set MLFLOW_TRACKING_SERVER_CERT_PATH to its CA file \(PEM\), or, only on a trusted network, MLFLOW_TRACKING_INSECURE_TLS=true/);
    assert.ok(performance.now() - started < 5000, 'certificate errors are not retried');
  });

  it('trusts the server through MLFLOW_TRACKING_SERVER_CERT_PATH', async () => {
    const client = MlflowClient.fromEnvironment({ MLFLOW_TRACKING_URI: url, MLFLOW_TRACKING_SERVER_CERT_PATH: serverCert.cert });
    assert.deepEqual((await client.searchExperiments()).items.map((e) => e.name), ['Default']);
    client.close();
  });

  it('still refuses it when the CA file is another one, saying that file does not vouch for it', async () => {
    const client = MlflowClient.fromEnvironment({ MLFLOW_TRACKING_URI: url, MLFLOW_TRACKING_SERVER_CERT_PATH: clientCert.cert, MLFLOW_HTTP_REQUEST_MAX_RETRIES: '0' });
    const error = await rejection(client.probe());
    client.close();
    assert.ok(error instanceof TransportError);
    assert.match(error.message, /The CA file in MLFLOW_TRACKING_SERVER_CERT_PATH does not vouch for it/);
  });

  it('accepts it with the explicit opt-out MLFLOW_TRACKING_INSECURE_TLS=true', async () => {
    const client = MlflowClient.fromEnvironment({ MLFLOW_TRACKING_URI: url, MLFLOW_TRACKING_INSECURE_TLS: 'true' });
    assert.equal((await client.searchExperiments()).items.length, 1);
    client.close();
  });

  it('presents a client certificate from MLFLOW_TRACKING_CLIENT_CERT_PATH (certificate and key in one PEM)', async () => {
    const client = MlflowClient.fromEnvironment({
      MLFLOW_TRACKING_URI: url,
      MLFLOW_TRACKING_SERVER_CERT_PATH: serverCert.cert,
      MLFLOW_TRACKING_CLIENT_CERT_PATH: path.join(dir, 'client-bundle.pem'),
    });
    await client.probe();
    client.close();
    assert.equal(sawClientCert, true);
  });

  it('explains https spoken to a plain http port', async () => {
    const plain = await import('node:http');
    const httpServer = plain.createServer((_req, res) => res.end('{}'));
    await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
    try {
      const client = new MlflowClient({ baseUrl: `https://127.0.0.1:${(httpServer.address() as AddressInfo).port}`, retries: 0 });
      const error = await rejection(client.probe());
      client.close();
      assert.ok(error instanceof TransportError);
      assert.equal(error.code, 'EPROTO');
      assert.match(error.message, /TLS handshake failed .* Is the server really speaking https on port \d+\? Use http:\/\//);
    } finally {
      httpServer.closeAllConnections();
      await new Promise((resolve) => httpServer.close(resolve));
    }
  });
});
