import * as assert from 'assert';
import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';
import * as vscode from 'vscode';

function folder(): string {
  const ws = vscode.workspace.workspaceFolders?.[0];
  assert.ok(ws, 'the tests run with a workspace folder');
  return ws.uri.fsPath;
}

function lockInfo(): { pid: number; url: string } {
  return JSON.parse(fs.readFileSync(path.join(folder(), '.runlens', 'mlflow.db.runlens-lock'), 'utf8'));
}

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

async function waitFor<T>(probe: () => Promise<T | undefined> | T | undefined, what: string, timeoutMs = 20000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch {
      // not yet
    }
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** What a new integrated terminal sees in MLFLOW_TRACKING_URI (written by the shell to a file). */
async function terminalTrackingUri(): Promise<string> {
  const out = path.join(folder(), `.runlens-env-${Date.now()}.txt`);
  const terminal = vscode.window.createTerminal({ name: 'runlens-env-probe', shellPath: '/bin/sh' });
  try {
    terminal.sendText(`printf '%s' "$MLFLOW_TRACKING_URI" > '${out}'`);
    return await waitFor(() => (fs.existsSync(out) ? fs.readFileSync(out, 'utf8') : undefined), 'the terminal to answer');
  } finally {
    terminal.dispose();
    fs.rmSync(out, { force: true });
  }
}

describe('embedded tracking server (extension host)', function () {
  this.timeout(60000);

  before(async () => {
    await vscode.extensions.getExtension('runlens.runlens')!.activate();
  });

  it('serves the workspace store from <folder>/.runlens and hands out its URL', async () => {
    const url = await vscode.commands.executeCommand<string>('runlens.server.copyTrackingUri');
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.strictEqual((await get(`${url}/health`)).body, 'OK');
    assert.strictEqual(lockInfo().url, url);
    assert.ok(fs.existsSync(path.join(folder(), '.runlens', 'mlflow.db')));
    assert.strictEqual(await vscode.env.clipboard.readText(), url);
  });

  it('gives new integrated terminals MLFLOW_TRACKING_URI, and stops when the setting is off', async () => {
    const url = await vscode.commands.executeCommand<string>('runlens.server.copyTrackingUri');
    assert.strictEqual(await terminalTrackingUri(), url);
    const config = vscode.workspace.getConfiguration();
    await config.update('runlens.terminal.setTrackingUri', false, vscode.ConfigurationTarget.Workspace);
    try {
      assert.strictEqual(await terminalTrackingUri(), '');
    } finally {
      await config.update('runlens.terminal.setTrackingUri', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });

  it('restarts on command, keeping the data', async () => {
    const before = await vscode.commands.executeCommand<string>('runlens.server.copyTrackingUri');
    await vscode.commands.executeCommand('runlens.experiments.create', 'kept-across-restart');
    await vscode.commands.executeCommand('runlens.server.restart');
    const after = lockInfo().url;
    assert.strictEqual((await get(`${after}/health`)).body, 'OK');
    const found = await get(`${after}/api/2.0/mlflow/experiments/get-by-name?experiment_name=kept-across-restart`);
    assert.strictEqual(found.status, 200, `${before} → ${after}: ${found.body}`);
  });

  it('starts the server again by itself when it dies', async () => {
    const { pid, url } = lockInfo();
    process.kill(pid, 'SIGKILL');
    const next = await waitFor(async () => {
      const info = lockInfo();
      if (info.pid === pid) return undefined;
      return (await get(`${info.url}/health`)).body === 'OK' ? info : undefined;
    }, 'a restarted server');
    assert.notStrictEqual(next.pid, pid);
    const terminalUri = await terminalTrackingUri();
    assert.strictEqual(terminalUri, next.url, `terminals follow the new URL (was ${url})`);
  });
});
