/**
 * Connection settings from MLflow's environment variables (src/core/client/mlflowEnvironment.ts):
 * names, defaults, precedence and refusals as MLflow's Python client has them.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { HttpTransport } from '../../src/core/client/httpTransport';
import { ConfigurationError, mlflowBackoff, mlflowConnectionFromEnv, MLFLOW_DEFAULTS, transportOptionsFromEnv } from '../../src/core/client/mlflowEnvironment';

const URI = 'https://mlflow.example.com';
const noHome = undefined;

describe('MLflow environment variables → TransportOptions', () => {
  let tmp: string;
  beforeEach(() => (tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'runlens-env-'))));
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('uses MLflow defaults: 120 s timeout, 7 retries, backoff factor 2 with 1 s jitter, no auth, verified TLS', () => {
    const { options, notes } = mlflowConnectionFromEnv({ MLFLOW_TRACKING_URI: URI }, undefined, noHome);
    assert.equal(options.baseUrl, URI);
    assert.deepEqual(options.auth, { kind: 'none' });
    assert.equal(options.timeoutMs, 120_000);
    assert.equal(options.retries, 7);
    assert.equal(options.insecure, false);
    assert.equal(options.ca, undefined);
    assert.equal(options.respectRetryAfter, true);
    assert.deepEqual(notes, []);
    assert.deepEqual(MLFLOW_DEFAULTS, { timeoutSeconds: 120, maxRetries: 7, backoffFactor: 2, backoffJitter: 1, maxBackoffSeconds: 120 });
  });

  it('reads the numeric variables as MLflow converts them (Python int / float)', () => {
    const { options } = mlflowConnectionFromEnv(
      { MLFLOW_TRACKING_URI: URI, MLFLOW_HTTP_REQUEST_TIMEOUT: ' 15 ', MLFLOW_HTTP_REQUEST_MAX_RETRIES: '0', MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR: '1', MLFLOW_HTTP_REQUEST_BACKOFF_JITTER: '0' },
      undefined,
      noHome,
    );
    assert.equal(options.timeoutMs, 15_000);
    assert.equal(options.retries, 0);
    assert.deepEqual([0, 1, 2, 3].map((n) => options.backoffMs!(n)), [0, 2000, 4000, 8000]);
    assert.throws(() => transportOptionsFromEnv({ MLFLOW_TRACKING_URI: URI, MLFLOW_HTTP_REQUEST_TIMEOUT: '1.5' }), /Failed to convert '1.5' to int for MLFLOW_HTTP_REQUEST_TIMEOUT/);
    assert.throws(() => transportOptionsFromEnv({ MLFLOW_TRACKING_URI: URI, MLFLOW_HTTP_REQUEST_TIMEOUT: '0' }), /positive number of seconds/);
    assert.throws(() => transportOptionsFromEnv({ MLFLOW_TRACKING_URI: URI, MLFLOW_HTTP_REQUEST_MAX_RETRIES: '10' }), /below 10, got 10/);
    assert.throws(() => transportOptionsFromEnv({ MLFLOW_TRACKING_URI: URI, MLFLOW_HTTP_REQUEST_MAX_RETRIES: '-1' }), ConfigurationError);
    assert.throws(() => transportOptionsFromEnv({ MLFLOW_TRACKING_URI: URI, MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR: '120' }), /below 120/);
    assert.throws(() => transportOptionsFromEnv({ MLFLOW_TRACKING_URI: URI, MLFLOW_HTTP_REQUEST_BACKOFF_JITTER: 'lots' }), /to float for MLFLOW_HTTP_REQUEST_BACKOFF_JITTER/);
  });

  it('backs off as MLflow: nothing before the first retry, factor·2ⁿ after, plus jitter, at most 120 s', () => {
    const half = mlflowBackoff(2, 1, () => 0.5);
    assert.deepEqual([0, 1, 2, 3, 4, 5, 6].map(half), [500, 4500, 8500, 16500, 32500, 64500, 120000]);
  });

  it('sends basic auth when username and password are both set, even with a token (as MLflow does)', () => {
    const env = { MLFLOW_TRACKING_URI: URI, MLFLOW_TRACKING_USERNAME: 'alice', MLFLOW_TRACKING_PASSWORD: 's3cret', MLFLOW_TRACKING_TOKEN: 'tok' };
    const { options, notes } = mlflowConnectionFromEnv(env, undefined, noHome);
    assert.deepEqual(options.auth, { kind: 'basic', username: 'alice', password: 's3cret' });
    assert.match(notes[0], /basic auth is used/);
    assert.ok(!notes.join(' ').includes('s3cret'));
  });

  it('uses the bearer token otherwise, and says when half of a username/password pair is missing', () => {
    assert.deepEqual(transportOptionsFromEnv({ MLFLOW_TRACKING_URI: URI, MLFLOW_TRACKING_TOKEN: 'tok' }).auth, { kind: 'bearer', token: 'tok' });
    const { options, notes } = mlflowConnectionFromEnv({ MLFLOW_TRACKING_URI: URI, MLFLOW_TRACKING_USERNAME: 'alice' }, undefined, noHome);
    assert.deepEqual(options.auth, { kind: 'none' });
    assert.match(notes[0], /MLFLOW_TRACKING_PASSWORD is missing/);
  });

  it('falls back to ~/.mlflow/credentials for username and password, the environment winning per field', () => {
    fs.mkdirSync(path.join(tmp, '.mlflow'));
    fs.writeFileSync(path.join(tmp, '.mlflow', 'credentials'), '[mlflow]\nmlflow_tracking_username = filed-user\nmlflow_tracking_password = filed-pass\n');
    assert.deepEqual(mlflowConnectionFromEnv({ MLFLOW_TRACKING_URI: URI }, undefined, tmp).options.auth, { kind: 'basic', username: 'filed-user', password: 'filed-pass' });
    assert.deepEqual(mlflowConnectionFromEnv({ MLFLOW_TRACKING_URI: URI, MLFLOW_TRACKING_USERNAME: 'env-user' }, undefined, tmp).options.auth, {
      kind: 'basic',
      username: 'env-user',
      password: 'filed-pass',
    });
  });

  it('parses MLFLOW_TRACKING_INSECURE_TLS as MLflow booleans and refuses it together with a CA file', () => {
    for (const [raw, expected] of [['true', true], ['TRUE', true], ['1', true], ['false', false], ['0', false]] as const) {
      assert.equal(transportOptionsFromEnv({ MLFLOW_TRACKING_URI: URI, MLFLOW_TRACKING_INSECURE_TLS: raw }).insecure, expected, raw);
    }
    assert.throws(() => transportOptionsFromEnv({ MLFLOW_TRACKING_URI: URI, MLFLOW_TRACKING_INSECURE_TLS: 'yes' }), /must be one of \['true', 'false', '1', '0'\]/);
    const ca = path.join(tmp, 'ca.pem');
    fs.writeFileSync(ca, 'PEM');
    assert.throws(
      () => transportOptionsFromEnv({ MLFLOW_TRACKING_URI: URI, MLFLOW_TRACKING_INSECURE_TLS: 'true', MLFLOW_TRACKING_SERVER_CERT_PATH: ca }),
      /MLFLOW_TRACKING_INSECURE_TLS and MLFLOW_TRACKING_SERVER_CERT_PATH are both set/,
    );
  });

  it('reads the CA file named by MLFLOW_TRACKING_SERVER_CERT_PATH and explains a missing one', () => {
    const ca = path.join(tmp, 'ca.pem');
    fs.writeFileSync(ca, '-----BEGIN CERTIFICATE-----');
    assert.equal(String(transportOptionsFromEnv({ MLFLOW_TRACKING_URI: URI, MLFLOW_TRACKING_SERVER_CERT_PATH: ca }).ca), '-----BEGIN CERTIFICATE-----');
    assert.throws(() => transportOptionsFromEnv({ MLFLOW_TRACKING_URI: URI, MLFLOW_TRACKING_SERVER_CERT_PATH: path.join(tmp, 'nope.pem') }), /MLFLOW_TRACKING_SERVER_CERT_PATH names .*nope\.pem', which cannot be read/);
    assert.throws(() => transportOptionsFromEnv({ MLFLOW_TRACKING_URI: URI, MLFLOW_TRACKING_SERVER_CERT_PATH: tmp }), /names a folder/);
  });

  it('needs an http(s) tracking URI and refuses auth plugins it cannot honour', () => {
    assert.throws(() => transportOptionsFromEnv({}), /set MLFLOW_TRACKING_URI/);
    assert.throws(() => transportOptionsFromEnv({ MLFLOW_TRACKING_URI: 'sqlite:///mlflow.db' }), /is not an http\(s\) tracking server URL/);
    assert.throws(() => transportOptionsFromEnv({ MLFLOW_TRACKING_URI: URI, MLFLOW_TRACKING_AUTH: 'my_plugin' }), /MLFLOW_TRACKING_AUTH is set/);
    assert.throws(() => transportOptionsFromEnv({ MLFLOW_TRACKING_URI: URI, MLFLOW_TRACKING_AWS_SIGV4: 'true' }), /MLFLOW_TRACKING_AWS_SIGV4 is set/);
    assert.doesNotThrow(() => transportOptionsFromEnv({ MLFLOW_TRACKING_URI: URI, MLFLOW_TRACKING_AWS_SIGV4: 'false' }));
  });

  it('moves credentials out of the URL into basic auth, so the URL shown never carries them', () => {
    const transport = new HttpTransport({ baseUrl: 'https://bob:p%40ss@mlflow.example.com/prefix/' });
    assert.equal(transport.baseUrl, 'https://mlflow.example.com/prefix');
    assert.equal(transport.authKind, 'basic');
    assert.equal(transport.redact('echo Basic Ym9iOnBAc3M= and p@ss'), 'echo *** and ***');
    transport.close();
  });
});
