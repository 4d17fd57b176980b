import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TransportOptions } from '../client/httpTransport';
import { MlflowClient } from '../client/mlflowClient';
import type { Environment } from '../client/mlflowEnvironment';
import { sqlitePathFromUri } from '../storeUri';
import { storeIdFor } from './copyTags';
import { defaultCliPath, LocalServerError, serverFlags, startLocalServer, type LocalServer } from './localServer';

export type StoreKind = 'sqlite' | 'mlruns' | 'http';

/** A store reachable over MLflow's REST API: a remote server, or a local store served by a `runlens server` child. */
export interface StoreEndpoint {
  kind: StoreKind;
  client: MlflowClient;
  /** Stable id of the store for the copy tags. */
  storeId: string;
  /** For people: the store and how it is reached (never credentials). */
  description: string;
  readOnly: boolean;
  close(): Promise<void>;
}

export interface OpenEndpointOptions {
  role: 'source' | 'destination';
  /** The Runlens CLI bundle used to serve local stores (default: next to this bundle). */
  cliPath?: string;
  /** Artifacts folder of a local sqlite store (default: `mlartifacts/` or `artifacts/` next to the database). */
  artifactsDestination?: string;
  /** Write a database MLflow made (`runlens server --read-write`); only for a destination. */
  writeForeign?: boolean;
  /** Where MLFLOW_TRACKING_* settings for http(s) stores come from (default process.env). */
  env?: Environment;
  /** Extra transport settings (onCall, signal, …) for the client. */
  transport?: Partial<TransportOptions>;
}

/** Which kind of store a URI names: `http(s)://…`, `sqlite:///…`, or an mlruns folder / `file:` URI. */
export function classifyStoreUri(uri: string): { kind: StoreKind; location: string } {
  if (/^https?:\/\//i.test(uri)) {
    const url = new URL(uri);
    return { kind: 'http', location: `${url.origin}${url.pathname.replace(/\/+$/, '')}` };
  }
  const db = sqlitePathFromUri(uri);
  if (db) return { kind: 'sqlite', location: db };
  if (/^sqlite:/i.test(uri)) throw new Error(`'${uri}' names no database file; use sqlite:///relative/path.db or sqlite:////absolute/path.db`);
  if (/^file:/i.test(uri)) return { kind: 'mlruns', location: fileURLToPath(uri) };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(uri)) throw new Error(`unsupported store URI '${uri}': use http(s)://…, sqlite:///…, or an mlruns folder`);
  const local = path.resolve(uri);
  if (/\.(db|sqlite3?)$/i.test(local) && (!fs.existsSync(local) || fs.statSync(local).isFile())) return { kind: 'sqlite', location: local };
  return { kind: 'mlruns', location: local };
}

/** Default artifacts folder of a sqlite store: an existing `mlartifacts/` or `artifacts/` next to it; else `artifacts/` in a `.runlens` folder, `mlartifacts/` elsewhere (MLflow's default). */
export function defaultArtifactsFolder(dbPath: string): string {
  const dir = path.dirname(dbPath);
  for (const name of ['mlartifacts', 'artifacts']) if (fs.existsSync(path.join(dir, name))) return path.join(dir, name);
  return path.join(dir, path.basename(dir) === '.runlens' ? 'artifacts' : 'mlartifacts');
}

function remote(uri: string, location: string, options: OpenEndpointOptions): StoreEndpoint {
  const client = MlflowClient.fromEnvironment(options.env ?? process.env, uri, options.transport);
  return { kind: 'http', client, storeId: storeIdFor('http', location), description: client.baseUrl, readOnly: false, close: async () => client.close() };
}

async function serve(kind: 'sqlite' | 'mlruns', location: string, options: OpenEndpointOptions): Promise<LocalServer> {
  const cliPath = options.cliPath ?? defaultCliPath();
  if (!cliPath) throw new Error('cannot find the Runlens CLI (dist/cli.js) to serve a local store; set RUNLENS_CLI to its path');
  if (kind === 'mlruns' && !fs.existsSync(location)) throw new Error(`no mlruns folder at ${location}`);
  if (kind === 'sqlite' && options.role === 'source' && !fs.existsSync(location)) throw new Error(`no database at ${location}`);
  const flags = await serverFlags(cliPath);
  const extraArgs: string[] = [];
  if (options.role === 'source' && flags.has('--read-only')) extraArgs.push('--read-only');
  if (options.role === 'destination' && options.writeForeign && flags.has('--read-write')) extraArgs.push('--read-write');
  const storeUri = kind === 'sqlite' ? `sqlite:///${location}` : location;
  const artifactsDestination = kind === 'sqlite' ? (options.artifactsDestination ?? defaultArtifactsFolder(location)) : options.artifactsDestination;
  try {
    return await startLocalServer({ cliPath, storeUri, artifactsDestination: artifactsDestination && path.resolve(artifactsDestination), extraArgs });
  } catch (e) {
    if (!(e instanceof LocalServerError)) throw e;
    if (kind === 'mlruns' && /unsupported --backend-store-uri/.test(e.output)) {
      throw new Error(
        `this Runlens build cannot serve mlruns file stores yet (runlens server refused '${location}'); start "mlflow server --backend-store-uri ${location}" and copy from its http:// URL instead`,
      );
    }
    throw new Error(`could not serve ${location}: ${e.message}`);
  }
}

/** Opens a store for copying: connects to a remote server, or serves a local store with `runlens server` (stopped by close()). */
export async function openStoreEndpoint(uri: string, options: OpenEndpointOptions): Promise<StoreEndpoint> {
  const { kind, location } = classifyStoreUri(uri);
  if (kind === 'http') return remote(uri, location, options);
  const storeId = storeIdFor(kind, location);
  let server: LocalServer;
  try {
    server = await serve(kind, location, options);
  } catch (e) {
    // The store is open in another Runlens server (an editor window): use that one.
    const running = /already in use by another Runlens server \(pid \d+ serving (http:\/\/[^\s,)]+)/.exec((e as Error).message);
    if (!running) throw e;
    const client = new MlflowClient({ baseUrl: running[1], ...options.transport });
    return { kind, client, storeId, description: `${location} (through the Runlens server already running at ${running[1]})`, readOnly: false, close: async () => client.close() };
  }
  const client = new MlflowClient({ baseUrl: server.url, timeoutMs: 120_000, retries: 3, ...options.transport });
  return {
    kind,
    client,
    storeId,
    description: `${location}${server.readOnly ? ' (read-only)' : ''}`,
    readOnly: server.readOnly,
    close: async () => {
      client.close();
      await server.stop();
    },
  };
}
