import { fork, type ChildProcess } from 'node:child_process';
import * as http from 'node:http';
import * as path from 'node:path';
import { liveLockHolder } from '../store/storeLock';

export type EmbeddedServerState = 'stopped' | 'starting' | 'running' | 'failed';

export interface EmbeddedServerOptions {
  /** The bundled CLI (dist/cli.js). */
  cliPath: string;
  /** The folder that holds the store (`<workspace>/.runlens`); or give `backendStoreUri`. */
  storeDir?: string;
  /**
   * An explicit store to serve instead of `storeDir`'s: `sqlite:///path/mlflow.db` or a file store
   * (`file:///…/mlruns`). Such a store is not reused through its lock (it may be MLflow's own,
   * served read-only): this server always starts its own child.
   */
  backendStoreUri?: string;
  /** Where proxied artifacts go (default `<storeDir>/artifacts`). */
  artifactsDestination?: string;
  /** Node executable for the child; VS Code passes its own (Electron run as Node). */
  execPath?: string;
  log?: (level: 'info' | 'warn' | 'error', message: string) => void;
  onStateChange?: (state: EmbeddedServerState, detail?: string) => void;
  /** Restart delays after unexpected exits, in ms (default 1 s, 2 s, 4 s, 8 s, 16 s; then give up). */
  restartDelays?: number[];
  /** How often to check a server started by another window (ms, default 5000). */
  watchIntervalMs?: number;
  startTimeoutMs?: number;
}

/** GET /health with a short timeout; true when the server answers OK. */
export function checkHealth(url: string, timeoutMs = 2000): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get(`${url}/health`, { timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

/**
 * The tracking server of one workspace store, run as a child process. A server already running
 * on the store (another window's) is reused through the store's lock file; a child that dies is
 * restarted with backoff.
 */
export class EmbeddedServer {
  private child: ChildProcess | undefined;
  private currentUrl: string | undefined;
  private currentState: EmbeddedServerState = 'stopped';
  private starting: Promise<string> | undefined;
  private failures = 0;
  private stopping = false;
  private watchTimer: NodeJS.Timeout | undefined;
  private restartTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: EmbeddedServerOptions) {}

  get url(): string | undefined {
    return this.currentUrl;
  }

  get state(): EmbeddedServerState {
    return this.currentState;
  }

  /** True when this process owns the server (rather than reusing another window's). */
  get owned(): boolean {
    return this.child !== undefined;
  }

  /** The embedded store's database (`<storeDir>/mlflow.db`); undefined for an explicit store URI. */
  get dbPath(): string | undefined {
    return this.options.storeDir && !this.options.backendStoreUri ? path.join(this.options.storeDir, 'mlflow.db') : undefined;
  }

  private get backendStoreUri(): string {
    if (this.options.backendStoreUri) return this.options.backendStoreUri;
    if (!this.options.storeDir) throw new Error('EmbeddedServer needs storeDir or backendStoreUri.');
    return `sqlite:///${path.join(this.options.storeDir, 'mlflow.db')}`;
  }

  private get artifactsDestination(): string | undefined {
    return this.options.artifactsDestination ?? (this.options.storeDir ? path.join(this.options.storeDir, 'artifacts') : undefined);
  }

  /** Starts the server (or connects to the running one) and resolves with its URL. */
  start(): Promise<string> {
    if (this.currentState === 'running' && this.currentUrl) return Promise.resolve(this.currentUrl);
    this.stopping = false;
    this.starting ??= this.startOnce().finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  private async startOnce(): Promise<string> {
    this.setState('starting');
    // A Runlens store is locked by the server that writes it: reuse that one. Read-only stores
    // (MLflow's databases, file stores) have no lock; each window serves them with a child of its own.
    const explicit = this.options.backendStoreUri && /^sqlite:\/\/\//i.test(this.options.backendStoreUri) ? this.options.backendStoreUri.slice('sqlite:///'.length) : undefined;
    const lockedDb = this.dbPath ?? explicit;
    const holder = lockedDb ? liveLockHolder(`${lockedDb}.runlens-lock`) : undefined;
    if (holder?.url && holder.pid !== process.pid && (await checkHealth(holder.url))) {
      this.options.log?.('info', `Reusing the Runlens server of pid ${holder.pid} at ${holder.url}`);
      this.currentUrl = holder.url;
      this.setState('running');
      this.watchForeign(holder.url);
      return holder.url;
    }
    try {
      const url = await this.spawnChild();
      this.failures = 0;
      return url;
    } catch (e) {
      this.setState('failed', (e as Error).message);
      throw e;
    }
  }

  private spawnChild(): Promise<string> {
    const artifacts = this.artifactsDestination;
    const args = ['server', '--port', '0', '--backend-store-uri', this.backendStoreUri, ...(artifacts ? ['--artifacts-destination', artifacts] : [])];
    const child = fork(this.options.cliPath, args, {
      execPath: this.options.execPath ?? process.execPath,
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    this.child = child;
    let output = '';
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`The Runlens server did not start within ${(this.options.startTimeoutMs ?? 20000) / 1000} s.\n${output}`));
      }, this.options.startTimeoutMs ?? 20000);
      const onLine = (chunk: Buffer, level: 'info' | 'warn') => {
        const text = chunk.toString();
        output += text;
        for (const line of text.split('\n').filter(Boolean)) this.options.log?.(level, `[server] ${line}`);
        const match = /listening at (http:\/\/\S+)/.exec(output);
        if (match && this.currentState !== 'running') {
          clearTimeout(timer);
          this.currentUrl = match[1];
          this.setState('running');
          resolve(match[1]);
        }
      };
      child.stdout?.on('data', (c: Buffer) => onLine(c, 'info'));
      child.stderr?.on('data', (c: Buffer) => onLine(c, 'warn'));
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        const wasRunning = this.currentState === 'running';
        this.child = undefined;
        if (!wasRunning) {
          reject(new Error(output.trim().split('\n').pop() || `The Runlens server exited with code ${code ?? signal}.`));
          return;
        }
        this.onUnexpectedExit(`exited with ${code ?? signal}`);
      });
    });
  }

  private onUnexpectedExit(reason: string): void {
    if (this.stopping) return;
    this.currentUrl = undefined;
    const delays = this.options.restartDelays ?? [1000, 2000, 4000, 8000, 16000];
    if (this.failures >= delays.length) {
      this.setState('failed', `The Runlens server ${reason} and was restarted ${delays.length} times; it is stopped now.`);
      return;
    }
    const delay = delays[this.failures++];
    this.setState('failed', `The Runlens server ${reason}; restarting in ${delay / 1000} s.`);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      this.start().catch((e: Error) => this.options.log?.('error', `Restart failed: ${e.message}`));
    }, delay);
  }

  /** Watches a server owned by another window; takes over when it goes away. */
  private watchForeign(url: string): void {
    clearInterval(this.watchTimer);
    this.watchTimer = setInterval(async () => {
      if (this.child || this.stopping) return;
      if (!(await checkHealth(url))) {
        clearInterval(this.watchTimer);
        this.watchTimer = undefined;
        this.options.log?.('warn', `The Runlens server at ${url} went away; starting one here.`);
        this.currentState = 'stopped';
        this.start().catch((e: Error) => this.options.log?.('error', e.message));
      }
    }, this.options.watchIntervalMs ?? 5000);
  }

  /** Stops the server if this process owns it (finishing in-flight requests), else disconnects. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.watchTimer);
    clearTimeout(this.restartTimer);
    this.watchTimer = undefined;
    const child = this.child;
    if (child) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timeout = new Promise<void>((resolve) => setTimeout(resolve, 10000).unref());
      await Promise.race([exited, timeout]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    this.child = undefined;
    this.currentUrl = undefined;
    this.setState('stopped');
  }

  async restart(): Promise<string> {
    await this.stop();
    this.failures = 0;
    return this.start();
  }

  private setState(state: EmbeddedServerState, detail?: string): void {
    this.currentState = state;
    this.options.onStateChange?.(state, detail);
  }
}
