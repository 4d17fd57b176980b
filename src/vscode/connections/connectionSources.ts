import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Auth } from '../../core/client/httpTransport';
import { MlflowClient } from '../../core/client/mlflowClient';
import { DEFAULT_TIMEOUT_MS, type Connection } from '../../core/connections';
import { EmbeddedServer } from '../../core/embedded/embeddedServer';
import type { TrackingClientSource } from '../trackingClientSource';

/** A connection's client source that owns resources (a server child, sockets). */
export interface ConnectionSource extends TrackingClientSource, vscode.Disposable {
  /** The tracking URI terminals get (known once a local store's server runs). */
  readonly url: string | undefined;
  /** Forgets the client (settings or secrets changed, Retry after a failure). */
  reset(): void;
}

type Log = vscode.LogOutputChannel;

function logCalls(log: Log, label: string): NonNullable<ConstructorParameters<typeof MlflowClient>[0]['onCall']> {
  return (e) => {
    const what = `[${label}] ${e.method} ${e.path.split('?')[0]} → ${e.status ?? e.error} (${e.durationMs.toFixed(1)} ms)`;
    if (e.error || (e.status ?? 0) >= 400) log.warn(what);
    else log.info(what);
  };
}

/** A discovered mlflow.db or mlruns/ served by its own `runlens server` child (read-only for MLflow's stores). */
export class LocalConnectionSource implements ConnectionSource {
  private readonly server: EmbeddedServer;
  private client: MlflowClient | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeClient = this.changed.event;

  constructor(
    readonly connection: Connection,
    cliPath: string,
    storageDir: string,
    private readonly log: Log,
  ) {
    // Proxied artifacts of a store we do not own go to the extension's storage, not the workspace.
    const hash = crypto.createHash('sha1').update(connection.id).digest('hex').slice(0, 12);
    this.server = new EmbeddedServer({
      cliPath,
      backendStoreUri: connection.uri,
      artifactsDestination: path.join(storageDir, 'connections', hash, 'artifacts'),
      log: (level, message) => log[level](`[${connection.label}] ${message}`),
      onStateChange: (state, detail) => {
        log.info(`Server of ${connection.label}: ${state}${detail ? ` (${detail})` : ''}`);
        if (state === 'running') this.changed.fire();
      },
      startTimeoutMs: 20000,
      restartDelays: [1000, 2000],
    });
  }

  get url(): string | undefined {
    return this.server.url;
  }

  async getClient(): Promise<MlflowClient> {
    const url = await this.server.start();
    if (!this.client || this.client.baseUrl !== url) {
      this.client?.close();
      this.client = new MlflowClient({ baseUrl: url, timeoutMs: this.connection.timeoutMs ?? DEFAULT_TIMEOUT_MS, retries: 1, onCall: logCalls(this.log, this.connection.label) });
    }
    return this.client;
  }

  reset(): void {
    // A failed server is started again on the next getClient (start() retries a failed state).
  }

  dispose(): void {
    void this.server.stop();
    this.client?.close();
    this.changed.dispose();
  }
}

/** A remote MLflow tracking server, spoken to directly with the connection's auth and TLS settings. */
export class RemoteConnectionSource implements ConnectionSource {
  private client: MlflowClient | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeClient = this.changed.event;

  constructor(
    readonly connection: Connection,
    private readonly secret: () => Thenable<string | undefined>,
    private readonly log: Log,
  ) {}

  get url(): string {
    return this.connection.uri;
  }

  async getClient(): Promise<MlflowClient> {
    if (this.client) return this.client;
    const c = this.connection;
    const secret = (await this.secret()) ?? '';
    let auth: Auth = { kind: 'none' };
    if (c.auth === 'basic') auth = { kind: 'basic', username: c.username ?? '', password: secret };
    if (c.auth === 'bearer') auth = { kind: 'bearer', token: secret };
    if (c.auth !== 'none' && !secret) throw new Error(`No ${c.auth === 'basic' ? 'password' : 'token'} is stored for ${c.label}: edit the connection to enter it.`);
    let ca: Buffer | undefined;
    if (c.caFile) {
      try {
        ca = fs.readFileSync(c.caFile);
      } catch (e) {
        throw new Error(`Cannot read the CA file ${c.caFile} of ${c.label}: ${(e as Error).message}`);
      }
    }
    this.client = new MlflowClient({
      baseUrl: c.uri,
      auth,
      ca,
      insecure: c.insecure === true,
      timeoutMs: c.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      retries: 1,
      backoffMs: () => 300,
      respectRetryAfter: false,
      onCall: logCalls(this.log, c.label),
    });
    return this.client;
  }

  reset(): void {
    this.client?.close();
    this.client = undefined;
    this.changed.fire();
  }

  dispose(): void {
    this.client?.close();
    this.changed.dispose();
  }
}
