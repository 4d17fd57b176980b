import { parseArgs } from 'node:util';
import * as path from 'node:path';
import type { RequestLogEntry } from '../core/server/httpServer';
import { startFileStoreServer, startTrackingServer, type RunningServer } from '../core/server/trackingServer';
import { fileStoreRootFromUri, sqlitePathFromUri } from '../core/storeUri';
import { SCHEMA_REVISION } from '../core/store/schema';
import { StoreOpenError } from '../core/store/storeOpenError';
import { resolveStore, STORE_OPTIONS, UsageError } from './storeOptions';

const HELP = `Usage: runlens server [options]

Serves MLflow's REST API (tracking) on a local SQLite store in MLflow's own schema.

A database written by MLflow itself (any schema revision from MLflow 2.0 on) is served read-only:
writes are refused, nothing is written next to it, and changes MLflow makes to it are picked up.

Options:
  --host HOST                    Address to bind (default 127.0.0.1)
  --port PORT                    Port (default 5000; 0 picks a free port)
  --backend-store-uri URI        sqlite:///path/to/mlflow.db (default sqlite:///.runlens/mlflow.db), or an
                                 MLflow file store: ./mlruns or file:///path/to/mlruns (served read-only)
  --artifacts-destination DIR    Folder for proxied artifacts (default .runlens/artifacts)
  --read-write                   Also write a database written by MLflow (only at schema revision
                                 ${SCHEMA_REVISION}, MLflow 3.5/3.6; do not run MLflow on it meanwhile)
  --allowed-hosts HOSTS          Comma-separated extra Host names to accept (e.g. "myhost,*.example.com" or "*")
  --verbose                      Print every request with its status and duration
  -h, --help                     Show this help`;

export async function runServerCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '5000' },
      ...STORE_OPTIONS,
      'read-write': { type: 'boolean', default: false },
      'allowed-hosts': { type: 'string', default: '' },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`runlens server: --port must be a number from 0 to 65535, got '${values.port}'`);
    return 2;
  }
  const uri = values['backend-store-uri']!;
  const fileRoot = sqlitePathFromUri(uri) ? undefined : fileStoreRootFromUri(uri);
  let store: ReturnType<typeof resolveStore> | undefined;
  try {
    if (!fileRoot) store = resolveStore(values);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`runlens server: ${e.message}`);
    return 2;
  }
  const dbPath = store?.dbPath ?? fileRoot!;
  const common = {
    artifactsDestination: store?.artifactsDestination ?? path.resolve(values['artifacts-destination']!),
    host: values.host,
    port,
    allowedHosts: values['allowed-hosts']!.split(',').map((h) => h.trim()).filter(Boolean),
    log: (message: string) => console.error(`[runlens] ${message}`),
    onRequest: values.verbose
      ? (e: RequestLogEntry) => console.error(`${e.method} ${e.path} ${e.status} ${e.durationMs.toFixed(1)} ms`)
      : undefined,
  };
  const started = performance.now();
  let server: RunningServer<unknown>;
  try {
    server = store
      ? await startTrackingServer({ ...common, dbPath: store.dbPath, readWrite: values['read-write'] })
      : await startFileStoreServer({ ...common, root: fileRoot! });
  } catch (e) {
    if (!(e instanceof StoreOpenError) && (e as Error).name !== 'MlflowError') throw e;
    console.error(`runlens server: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
  console.log(server.access.description);
  console.log(`Runlens tracking server listening at ${server.url} (store ${dbPath}, ready in ${Math.round(performance.now() - started)} ms)`);
  console.log(`Point MLflow at it with: export MLFLOW_TRACKING_URI=${server.url}`);
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      console.error(`[runlens] ${signal}: finishing in-flight requests${server.access.readOnly ? '' : ' and saving the store'}...`);
      const done = () => {
        // The IPC channel of a forked server would keep the process alive.
        if (process.connected) process.disconnect();
        resolve();
      };
      server.close().then(done, (e: Error) => {
        console.error(`[runlens] error while stopping: ${e.message}`);
        done();
      });
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
    // Started by the VS Code extension (with an IPC channel): stop when that window goes away.
    if (process.send) process.once('disconnect', () => stop('the editor window that started the server closed'));
  });
  return 0;
}
