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

export interface RunningServer {
  url: string;
  host: string;
  port: number;
  store: SqlTrackingStore;
  /** Whether the store is read-only, and how and why it was opened (for the user). */
  access: StoreAccess;
  /** Finishes in-flight requests, writes a final snapshot and releases the store. */
  close(): Promise<void>;
}

function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/**
 * Opens the store — read-write with its lock, or read-only for a store MLflow wrote (see
 * openStore) — and serves the MLflow REST API on it.
 */
export async function startTrackingServer(options: TrackingServerOptions): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const dbPath = path.resolve(options.dbPath);
  const opened: OpenedStore = await openStore({
    dbPath,
    defaultArtifactRoot: 'mlflow-artifacts:',
    log: options.log,
    readWrite: options.readWrite,
    watchIntervalMs: options.watchIntervalMs,
  });
  const { lock, access } = opened;
  const store = SqlTrackingStore.on(opened.db, 'mlflow-artifacts:');
  try {
    // A read-only server writes no artifacts; do not create the folder for them either.
    if (!access.readOnly) fs.mkdirSync(options.artifactsDestination, { recursive: true });
    const api = new RouteTable<ApiHandler>();
    registerExperimentRoutes(api, store);
    registerRunRoutes(api, store);
    registerMetricRoutes(api, store);
    const raw = new RouteTable<RawHandler>();
    const ctx: ServerContext = { db: store.db, tracking: store, artifactsDestination: path.resolve(options.artifactsDestination), log: options.log };
    registerLoggedModelRoutes(api, store);
    registerRegistryRoutes(api, ctx);
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
      beforeRequest: access.readOnly ? () => store.db.refresh() : undefined,
      onError: (e) => options.log?.(`Internal error: ${e.stack ?? e.message}`),
    });
    const address = await http.listen();
    const url = `http://${urlHost(host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host)}:${address.port}`;
    lock?.update({ port: address.port, url });
    let closing: Promise<void> | undefined;
    return {
      url,
      host,
      port: address.port,
      store,
      access,
      close: () =>
        (closing ??= (async () => {
          await http.close();
          try {
            await store.close();
          } finally {
            lock?.release();
          }
        })()),
    };
  } catch (e) {
    await store.close().catch(() => undefined);
    lock?.release();
    throw e;
  }
}
