import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Auth, TransportOptions } from './httpTransport';

/**
 * Connection settings read from the environment variables MLflow's Python client reads (names,
 * types, defaults and limits as in mlflow/environment_variables.py and mlflow/utils/rest_utils.py):
 *
 * | variable | meaning | default |
 * |---|---|---|
 * | MLFLOW_TRACKING_URI | server URL | — |
 * | MLFLOW_TRACKING_USERNAME + MLFLOW_TRACKING_PASSWORD | basic auth (both needed; wins over the token) | ~/.mlflow/credentials |
 * | MLFLOW_TRACKING_TOKEN | bearer token | — |
 * | MLFLOW_TRACKING_INSECURE_TLS | skip certificate verification: true/false/1/0 | false |
 * | MLFLOW_TRACKING_SERVER_CERT_PATH | CA bundle (PEM) to verify the server with; not with INSECURE_TLS | — |
 * | MLFLOW_TRACKING_CLIENT_CERT_PATH | client certificate + key (PEM) | — |
 * | MLFLOW_HTTP_REQUEST_TIMEOUT | seconds per request (int) | 120 |
 * | MLFLOW_HTTP_REQUEST_MAX_RETRIES | retries (int, 0 ≤ n < 10) | 7 |
 * | MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR | backoff factor (int, 0 ≤ f < 120) | 2 |
 * | MLFLOW_HTTP_REQUEST_BACKOFF_JITTER | random extra seconds (float) | 1.0 |
 * | MLFLOW_HTTP_RESPECT_RETRY_AFTER_HEADER | honour Retry-After (bool) | true |
 *
 * Differences, on purpose: only idempotent requests are retried (MLflow's urllib3 retry also
 * repeats POSTs), and MLFLOW_TRACKING_AUTH / MLFLOW_TRACKING_AWS_SIGV4 (auth plugins) are refused.
 */
export type Environment = Record<string, string | undefined>;

export class ConfigurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigurationError';
  }
}

export interface MlflowConnection {
  options: TransportOptions;
  /** Things worth telling the user (a variable that had no effect); never contains secrets. */
  notes: string[];
}

export const MLFLOW_DEFAULTS = { timeoutSeconds: 120, maxRetries: 7, backoffFactor: 2, backoffJitter: 1.0, maxBackoffSeconds: 120 } as const;

function parseBool(env: Environment, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined) return fallback;
  const lowered = raw.toLowerCase();
  if (!['true', 'false', '1', '0'].includes(lowered)) {
    throw new ConfigurationError(`${name} value must be one of ['true', 'false', '1', '0'] (case-insensitive), but got ${raw}`);
  }
  return lowered === 'true' || lowered === '1';
}

/** Python's int(): optional sign, digits (underscores between digits allowed), surrounding whitespace. */
function parseInt10(env: Environment, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined) return fallback;
  if (!/^\s*[+-]?\d+(_\d+)*\s*$/.test(raw)) throw new ConfigurationError(`Failed to convert '${raw}' to int for ${name}`);
  return Number(raw.trim().replace(/_/g, ''));
}

function parseFloat10(env: Environment, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined) return fallback;
  const value = Number(raw.trim());
  if (raw.trim() === '' || Number.isNaN(value)) throw new ConfigurationError(`Failed to convert '${raw}' to float for ${name}`);
  return value;
}

/** username/password from ~/.mlflow/credentials ([mlflow] mlflow_tracking_username / mlflow_tracking_password), as MLflow reads them. */
export function readCredentialsFile(home = os.homedir()): { username?: string; password?: string } {
  let text: string;
  try {
    text = fs.readFileSync(path.join(home, '.mlflow', 'credentials'), 'utf8');
  } catch {
    return {};
  }
  const out: { username?: string; password?: string } = {};
  let section = '';
  for (const line of text.split(/\r?\n/)) {
    const header = /^\s*\[([^\]]+)\]\s*$/.exec(line);
    if (header) {
      section = header[1].trim();
      continue;
    }
    const entry = /^\s*([^=:#;]+?)\s*[=:]\s*(.*?)\s*$/.exec(line);
    if (section !== 'mlflow' || !entry) continue;
    if (entry[1] === 'mlflow_tracking_username') out.username = entry[2];
    if (entry[1] === 'mlflow_tracking_password') out.password = entry[2];
  }
  return out;
}

/** MLflow's backoff: none before the first retry, then factor·2ⁿ seconds, plus up to `jitter` random seconds, at most 120 s. */
export function mlflowBackoff(factorSeconds: number, jitterSeconds: number, random: () => number = Math.random): (attempt: number) => number {
  return (attempt) => {
    const base = attempt === 0 ? 0 : factorSeconds * 2 ** attempt;
    return Math.min(MLFLOW_DEFAULTS.maxBackoffSeconds, base + random() * jitterSeconds) * 1000;
  };
}

function readFileOption(env: Environment, name: string): Buffer | undefined {
  const file = env[name];
  if (file === undefined || file === '') return undefined;
  try {
    if (fs.statSync(file).isDirectory()) throw new ConfigurationError(`${name} names a folder ('${file}'); Runlens needs a PEM file.`);
    return fs.readFileSync(file);
  } catch (e) {
    if (e instanceof ConfigurationError) throw e;
    throw new ConfigurationError(`${name} names '${file}', which cannot be read: ${(e as Error).message}`);
  }
}

function authFrom(env: Environment, home: string | undefined, notes: string[]): Auth {
  const file = home === undefined ? {} : readCredentialsFile(home);
  const username = env.MLFLOW_TRACKING_USERNAME || file.username;
  const password = env.MLFLOW_TRACKING_PASSWORD || file.password;
  const token = env.MLFLOW_TRACKING_TOKEN;
  if (username && password) {
    if (token) notes.push('Both MLFLOW_TRACKING_USERNAME/PASSWORD and MLFLOW_TRACKING_TOKEN are set; basic auth is used, as MLflow does.');
    return { kind: 'basic', username, password };
  }
  if (username || password) {
    notes.push(`${username ? 'MLFLOW_TRACKING_PASSWORD' : 'MLFLOW_TRACKING_USERNAME'} is missing, so no basic auth is sent (MLflow needs both).`);
  }
  if (token) return { kind: 'bearer', token };
  return { kind: 'none' };
}

/**
 * TransportOptions for a tracking server from MLflow's environment variables. `trackingUri`
 * defaults to MLFLOW_TRACKING_URI; pass `home` as undefined to ignore ~/.mlflow/credentials.
 */
export function mlflowConnectionFromEnv(env: Environment = process.env, trackingUri = env.MLFLOW_TRACKING_URI, home: string | undefined = os.homedir()): MlflowConnection {
  if (!trackingUri) throw new ConfigurationError('No tracking server given: set MLFLOW_TRACKING_URI to its http(s):// URL.');
  if (!/^https?:\/\//i.test(trackingUri)) {
    throw new ConfigurationError(`'${trackingUri}' is not an http(s) tracking server URL (MLFLOW_TRACKING_URI); local stores (sqlite:///…, file:…) are opened through a local server instead.`);
  }
  const plugin = env.MLFLOW_TRACKING_AUTH ? 'MLFLOW_TRACKING_AUTH' : parseBool(env, 'MLFLOW_TRACKING_AWS_SIGV4', false) ? 'MLFLOW_TRACKING_AWS_SIGV4' : undefined;
  if (plugin) {
    throw new ConfigurationError(`${plugin} is set, but Runlens does not support MLflow's auth plugins; use MLFLOW_TRACKING_USERNAME/PASSWORD or MLFLOW_TRACKING_TOKEN.`);
  }
  const notes: string[] = [];
  const insecure = parseBool(env, 'MLFLOW_TRACKING_INSECURE_TLS', false);
  if (insecure && env.MLFLOW_TRACKING_SERVER_CERT_PATH !== undefined) {
    throw new ConfigurationError(
      "MLFLOW_TRACKING_INSECURE_TLS and MLFLOW_TRACKING_SERVER_CERT_PATH are both set; only one of them may be (MLflow refuses this too: 'When ignore_tls_verification is true then server_cert_path must not be set').",
    );
  }
  const timeout = parseInt10(env, 'MLFLOW_HTTP_REQUEST_TIMEOUT', MLFLOW_DEFAULTS.timeoutSeconds);
  if (timeout <= 0) throw new ConfigurationError(`MLFLOW_HTTP_REQUEST_TIMEOUT must be a positive number of seconds, got ${timeout}.`);
  const retryLimit = parseInt10(env, '_MLFLOW_HTTP_REQUEST_MAX_RETRIES_LIMIT', 10);
  const retries = parseInt10(env, 'MLFLOW_HTTP_REQUEST_MAX_RETRIES', MLFLOW_DEFAULTS.maxRetries);
  if (retries < 0 || retries >= retryLimit) {
    throw new ConfigurationError(`MLFLOW_HTTP_REQUEST_MAX_RETRIES must be at least 0 and below ${retryLimit}, got ${retries}.`);
  }
  const factorLimit = parseInt10(env, '_MLFLOW_HTTP_REQUEST_MAX_BACKOFF_FACTOR_LIMIT', 120);
  const factor = parseInt10(env, 'MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR', MLFLOW_DEFAULTS.backoffFactor);
  if (factor < 0 || factor >= factorLimit) {
    throw new ConfigurationError(`MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR must be at least 0 and below ${factorLimit}, got ${factor}.`);
  }
  const jitter = parseFloat10(env, 'MLFLOW_HTTP_REQUEST_BACKOFF_JITTER', MLFLOW_DEFAULTS.backoffJitter);
  const isHttps = /^https:/i.test(trackingUri);
  const ca = readFileOption(env, 'MLFLOW_TRACKING_SERVER_CERT_PATH');
  const clientCert = readFileOption(env, 'MLFLOW_TRACKING_CLIENT_CERT_PATH');
  if (!isHttps && (ca || clientCert || insecure)) notes.push('TLS settings (MLFLOW_TRACKING_INSECURE_TLS / *_CERT_PATH) have no effect on an http:// URL.');
  return {
    options: {
      baseUrl: trackingUri,
      auth: authFrom(env, home, notes),
      timeoutMs: timeout * 1000,
      retries,
      backoffMs: mlflowBackoff(factor, jitter),
      respectRetryAfter: parseBool(env, 'MLFLOW_HTTP_RESPECT_RETRY_AFTER_HEADER', true),
      insecure,
      ca,
      clientCert,
    },
    notes,
  };
}

/** Just the TransportOptions of {@link mlflowConnectionFromEnv}. */
export function transportOptionsFromEnv(env: Environment = process.env, trackingUri = env.MLFLOW_TRACKING_URI): TransportOptions {
  return mlflowConnectionFromEnv(env, trackingUri).options;
}
