import * as path from 'node:path';
import * as vscode from 'vscode';
import { MlflowClient } from '../../core/client/mlflowClient';
import { EmbeddedServer, type EmbeddedServerState } from '../../core/embedded/embeddedServer';
import type { TrackingClientSource } from '../trackingClientSource';

/**
 * The embedded tracking server of the first workspace folder (store in `<folder>/.runlens/`):
 * started on first need in a child process, restarted with backoff, stopped with the window.
 */
export class ServerController implements TrackingClientSource, vscode.Disposable {
  private server: EmbeddedServer | undefined;
  private client: MlflowClient | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly stateChanged = new vscode.EventEmitter<EmbeddedServerState>();
  readonly onDidChangeClient = this.changed.event;
  readonly onDidChangeState = this.stateChanged.event;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  /** The workspace folder whose store is served, if any. */
  get folder(): vscode.WorkspaceFolder | undefined {
    return vscode.workspace.workspaceFolders?.[0];
  }

  get storeDir(): string | undefined {
    return this.folder ? path.join(this.folder.uri.fsPath, '.runlens') : undefined;
  }

  get url(): string | undefined {
    return this.server?.url;
  }

  get state(): EmbeddedServerState {
    return this.server?.state ?? 'stopped';
  }

  async getClient(): Promise<MlflowClient> {
    const url = await this.ensureServer().start();
    if (!this.client || this.client.baseUrl !== url) {
      this.client?.close();
      this.client = new MlflowClient({
        baseUrl: url,
        timeoutMs: 15000,
        onCall: (e) => {
          const what = `${e.method} ${e.path.split('?')[0]} → ${e.status ?? e.error} (${e.durationMs.toFixed(1)} ms)`;
          if (e.error || (e.status ?? 0) >= 400) this.log.warn(what);
          else this.log.info(what);
        },
      });
    }
    return this.client;
  }

  private ensureServer(): EmbeddedServer {
    const storeDir = this.storeDir;
    if (!storeDir) throw new Error('Open a folder to use the embedded Runlens store.');
    if (!this.server) {
      this.server = new EmbeddedServer({
        cliPath: this.context.asAbsolutePath(path.join('dist', 'cli.js')),
        storeDir,
        log: (level, message) => this.log[level](message),
        onStateChange: (state, detail) => this.onState(state, detail),
      });
    }
    return this.server;
  }

  private onState(state: EmbeddedServerState, detail?: string): void {
    this.log.info(`Embedded server: ${state}${detail ? ` (${detail})` : ''}${this.server?.url ? ` at ${this.server.url}` : ''}`);
    if (state === 'failed' && detail) void vscode.window.showWarningMessage(detail, 'Show Log').then((a) => a && this.log.show());
    if (state === 'running') this.changed.fire();
    this.stateChanged.fire(state);
  }

  async restart(): Promise<void> {
    await this.ensureServer().restart();
    this.changed.fire();
  }

  async stop(): Promise<void> {
    await this.server?.stop();
    this.client?.close();
    this.client = undefined;
  }

  dispose(): void {
    void this.server?.stop();
    this.client?.close();
    this.changed.dispose();
    this.stateChanged.dispose();
  }
}
