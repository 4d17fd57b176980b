import * as fs from 'node:fs';
import * as path from 'node:path';
import { SqlTrackingStore } from '../store/sql/sqlTrackingStore';
import { openStore, type OpenedStore, type StoreAccess } from '../store/openStore';
import { registerExperimentRoutes } from './handlers/experimentHandlers';
import { registerMetricRoutes } from './handlers/metricHandlers';
import { registerRunRoutes } from './handlers/runHandlers';
import { registerRegistryRoutes } from './handlers/registryHandlers';
import { registerLoggedModelRoutes } from './handlers/loggedModelHandlers';
import { registerArtifactRoutes } from '../artifacts/artifactRoutes';
import { FileTrackingStore } from '../store/file';
import { readOnlyError } from '../store/file/storeProblems';
import type { LoggedModelApi } from '../store/loggedModelApi';
import { fileRegistryApi, type RegistryApi } from '../store/registryApi';
import { ModelRegistryStore } from '../store/sql/registryStore';
import type { TrackingStore } from '../store/trackingStore';
import { fileArtifactLocator, sqlArtifactLocator, type ArtifactLocator } from './artifactLocator';
import type { ServerContext } from './serverContext';
import { HttpApiServer, type RequestLogEntry } from './httpServer';
import { RouteTable, type ApiHandler, type RawHandler } from './router';

/** The MLflow server version whose REST API this server speaks, reported by /version. */
export const MLFLOW_COMPAT_VERSION = '3.5.2';

export interface TrackingServerOptions {
  /** The SQLite database file of the store. */
  dbPath: string;
  /** Folder that holds proxied artifacts. */
  artifactsDestination: string;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  allowedHosts?: string[];
  log?: (message: string) => void;
  onRequest?: (entry: RequestLogEntry) => void;
  /**
   * A store Runlens did not create (a database written by MLflow) is served read-only — writes
   * answer 403 PERMISSION_DENIED and the file is re-read when MLflow changes it — unless this is
   * set: then it is written like a Runlens store (holding the lock), but only at the schema
   * revision Runlens writes; at any other revision the server does not start.
   */
  readWrite?: boolean;
  /** Polling interval for changes to a read-only store's file (default 1000 ms; 0: only checked per request). */
  watchIntervalMs?: number;
}

export interface RunningServer<S = SqlTrackingStore> {
  url: string;
  host: string;
  port: number;
  store: S;
  /** Whether the store is read-only, and how and why it was opened (for the user). */
  access: StoreAccess;
  /** Finishes in-flight requests, writes a final snapshot and releases the store. */
  close(): Promise<void>;
}

/** A store as the routes see it, whatever kind it is. */
interface Backend {
  tracking: TrackingStore;
  loggedModels: LoggedModelApi;
  logOutputs: (runId: string, outputs: Array<{ modelId: string; step: number }>) => Promise<void>;
  registry: RegistryApi;
  locator: ArtifactLocator;
  assertWritable: () => void;
  access: StoreAccess;
  /** Runs before each request (a read-only store checks whether its file changed). */
  beforeRequest?: () => void;
  /** Releases the store (after the HTTP server stopped). */
  close(): Promise<void>;
}

type ServeOptions = Omit<TrackingServerOptions, 'dbPath' | 'readWrite' | 'watchIntervalMs'>;

function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** Serves the MLflow REST API on a backend; closing stops HTTP first, then the backend. */
async function serve(backend: Backend, options: ServeOptions, onListening?: (port: number, url: string) => void): Promise<Omit<RunningServer<unknown>, 'store'>> {
  const host = options.host ?? '127.0.0.1';
  try {
    // A read-only server writes no artifacts; do not create the folder for them either.
    if (!backend.access.readOnly) fs.mkdirSync(options.artifactsDestination, { recursive: true });
    const api = new RouteTable<ApiHandler>();
    const raw = new RouteTable<RawHandler>();
    registerExperimentRoutes(api, backend.tracking);
    registerRunRoutes(api, backend.tracking);
    registerMetricRoutes(api, backend.tracking);
    registerLoggedModelRoutes(api, backend.loggedModels, backend.logOutputs);
    registerRegistryRoutes(api, backend.registry);
    const ctx: ServerContext = {
      locator: backend.locator,
      assertWritable: backend.assertWritable,
      artifactsDestination: path.resolve(options.artifactsDestination),
      log: options.log,
    };
    registerArtifactRoutes(api, raw, ctx);
    raw.add('GET', '/health', async (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' }).end('OK');
    });
    raw.add('GET', '/version', async (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' }).end(MLFLOW_COMPAT_VERSION);
    });
    const http = new HttpApiServer({
      host,
      port: options.port ?? 5000,
      allowedHosts: options.allowedHosts ?? [],
      api,
      raw,
      onRequest: options.onRequest,
      beforeRequest: backend.beforeRequest,
      onError: (e) => options.log?.(`Internal error: ${e.stack ?? e.message}`),
    });
    const address = await http.listen();
    const url = `http://${urlHost(host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host)}:${address.port}`;
    onListening?.(address.port, url);
    let closing: Promise<void> | undefined;
    return {
      url,
      host,
      port: address.port,
      access: backend.access,
      close: () =>
        (closing ??= (async () => {
          await http.close();
          await backend.close();
        })()),
    };
  } catch (e) {
    await backend.close().catch(() => undefined);
    throw e;
  }
}

/**
 * Opens a SQLite store — read-write with its lock, or read-only for a store MLflow wrote (see
 * openStore) — and serves the MLflow REST API on it.
 */
export async function startTrackingServer(options: TrackingServerOptions): Promise<RunningServer> {
  const opened: OpenedStore = await openStore({
    dbPath: path.resolve(options.dbPath),
    defaultArtifactRoot: 'mlflow-artifacts:',
    log: options.log,
    readWrite: options.readWrite,
    watchIntervalMs: options.watchIntervalMs,
  });
  const { lock, access, db } = opened;
  const store = SqlTrackingStore.on(db, 'mlflow-artifacts:');
  const backend: Backend = {
    tracking: store,
    loggedModels: store.loggedModels,
    logOutputs: (runId, outputs) => store.logOutputs(runId, outputs),
    registry: new ModelRegistryStore(db),
    locator: sqlArtifactLocator(db),
    assertWritable: () => db.assertWritable(),
    access,
    beforeRequest: access.readOnly ? () => db.refresh() : undefined,
    close: async () => {
      try {
        await store.close();
      } finally {
        lock?.release();
      }
    },
  };
  const served = await serve(backend, options, (port, url) => lock?.update({ port, url }));
  return { ...served, store };
}

export type FileStoreServerOptions = ServeOptions & {
  /** The `mlruns/` folder (a path or a file: URI). */
  root: string;
};

/** Serves an MLflow file store (`mlruns/`) read-only: it is read as MLflow changes it. */
export async function startFileStoreServer(options: FileStoreServerOptions): Promise<RunningServer<FileTrackingStore>> {
  const store = await FileTrackingStore.open(options.root, { onProblem: (p) => options.log?.(`${p.path}: ${p.message}`) });
  const backend: Backend = {
    tracking: store,
    loggedModels: store.loggedModels,
    logOutputs: (runId, outputs) => store.logOutputs(runId, outputs),
    registry: fileRegistryApi(store.registry),
    locator: fileArtifactLocator(store),
    assertWritable: () => {
      throw readOnlyError('change artifacts');
    },
    access: { readOnly: true, description: `read-only: ${store.root} is an MLflow file store (mlruns/), which Runlens reads but never writes` },
    close: () => store.close(),
  };
  const served = await serve(backend, options);
  return { ...served, store };
}
