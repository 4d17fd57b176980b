import { execFile, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** A `runlens server` child process serving a local store on 127.0.0.1. */
export interface LocalServer {
  url: string;
  /** Whether the server opened the store read-only (a database MLflow wrote). */
  readOnly: boolean;
  output(): string;
  stop(): Promise<void>;
}

export interface LocalServerOptions {
  /** Path of the Runlens CLI bundle (dist/cli.js). */
  cliPath: string;
  storeUri: string;
  artifactsDestination?: string;
  /** Extra arguments (`--read-only`, `--read-write`). */
  extraArgs?: string[];
  startTimeoutMs?: number;
}

/** Raised when the server did not start; `output` is what it printed. */
export class LocalServerError extends Error {
  constructor(
    message: string,
    readonly output: string,
  ) {
    super(message);
    this.name = 'LocalServerError';
  }
}

/** The Runlens CLI next to this bundle (dist/cli.js when bundled into dist/), or RUNLENS_CLI. */
export function defaultCliPath(): string | undefined {
  const candidates = [process.env.RUNLENS_CLI, path.join(__dirname, 'cli.js'), process.argv[1]];
  return candidates.find((c): c is string => !!c && /cli\.js$/.test(c) && fs.existsSync(c));
}

/** Options `runlens server --help` lists (to use a flag only where this build has it). */
export function serverFlags(cliPath: string): Promise<Set<string>> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cliPath, 'server', '--help'], { timeout: 15000 }, (_error, stdout) => {
      resolve(new Set(String(stdout).match(/--[a-z][a-z-]+/g) ?? []));
    });
  });
}

function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** Starts `runlens server --port 0` on a store and resolves once it listens. */
export function startLocalServer(options: LocalServerOptions): Promise<LocalServer> {
  const args = [options.cliPath, 'server', '--host', '127.0.0.1', '--port', '0', '--backend-store-uri', options.storeUri];
  if (options.artifactsDestination) args.push('--artifacts-destination', options.artifactsDestination);
  args.push(...(options.extraArgs ?? []));
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const timeoutMs = options.startTimeoutMs ?? 60000;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new LocalServerError(`runlens server on ${options.storeUri} did not start within ${timeoutMs / 1000} s`, out));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening at (http:\/\/\S+)/.exec(out);
      if (!match) return;
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      child.stderr!.off('data', onData);
      // Keep draining the pipes so the child never blocks on a full one.
      child.stdout!.on('data', (c: Buffer) => (out = (out + c.toString()).slice(-20000)));
      child.stderr!.on('data', (c: Buffer) => (out = (out + c.toString()).slice(-20000)));
      resolve({
        url: match[1],
        readOnly: /^Opened .* read-only/m.test(out),
        output: () => out,
        stop: async () => {
          child.kill('SIGTERM');
          if (!(await waitForExit(child, 15000))) {
            child.kill('SIGKILL');
            await waitForExit(child, 5000);
          }
        },
      });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(new LocalServerError(`could not start runlens server: ${e.message}`, out));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      const lines = out.trim().split('\n').filter(Boolean);
      reject(new LocalServerError(lines.at(-1)?.replace(/^runlens server: /, '') ?? `runlens server exited with code ${code}`, out));
    });
  });
}
