import * as fs from 'node:fs';
import * as path from 'node:path';
import { SqlTrackingStore } from '../store/sql/sqlTrackingStore';
import { StoreLock } from '../store/storeLock';
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
}

export interface RunningServer {
  url: string;
  host: string;
  port: number;
  store: SqlTrackingStore;
  /** Finishes in-flight requests, writes a final snapshot and releases the store. */
  close(): Promise<void>;
}

function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** Opens the store (taking its lock) and serves the MLflow REST API on it. */
export async function startTrackingServer(options: TrackingServerOptions): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const dbPath = path.resolve(options.dbPath);
  fs.mkdirSync(path.dirname(dbPath), { recursive: true });
  fs.mkdirSync(options.artifactsDestination, { recursive: true });
  const lock = StoreLock.acquire(`${dbPath}.runlens-lock`);
  let store: SqlTrackingStore | undefined;
  try {
    store = await SqlTrackingStore.open({ dbPath, defaultArtifactRoot: 'mlflow-artifacts:', log: options.log });
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
      onError: (e) => options.log?.(`Internal error: ${e.stack ?? e.message}`),
    });
    const address = await http.listen();
    const url = `http://${urlHost(host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host)}:${address.port}`;
    lock.update({ port: address.port, url });
    const opened = store;
    let closing: Promise<void> | undefined;
    return {
      url,
      host,
      port: address.port,
      store: opened,
      close: () =>
        (closing ??= (async () => {
          await http.close();
          try {
            await opened.close();
          } finally {
            lock.release();
          }
        })()),
    };
  } catch (e) {
    await store?.close().catch(() => undefined);
    lock.release();
    throw e;
  }
}
