// Connections inside a real VS Code: stores found in the workspace (a copy of the MLflow 3.5 fixture's
// mlflow.db and mlruns/) and remote servers added by command show as roots of the Experiments view.
import * as assert from 'assert';
import * as fs from 'fs';
import * as http from 'http';
import type { AddressInfo } from 'net';
import * as path from 'path';
import * as vscode from 'vscode';

interface ItemSnapshot {
  id: string;
  kind: string;
  label: string;
  description?: string;
  contextValue?: string;
  icon?: string;
  collapsible: boolean;
  command?: string;
}

interface TreeSnapshot {
  state: string;
  items: ItemSnapshot[];
}

interface ConnectionsApi {
  list(): Array<{ id: string; kind: string; label: string; uri: string; auth: string }>;
  hasSecret(id: string): Promise<boolean>;
  readonly active: { id: string } | undefined;
}

const REPO = path.resolve(__dirname, '../../../..');
const FIXTURE = path.join(REPO, 'test/fixtures/mlflow-3.5');
const TOKEN = '/__MLFLOW_FIXTURE_ROOT__';
const BEARER = 'e2e-secret-token-4711';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function inspect(...steps: string[]): Promise<TreeSnapshot> {
  return Promise.resolve(vscode.commands.executeCommand<TreeSnapshot>('runlens.experiments.inspectTree', steps));
}

const labels = (tree: TreeSnapshot) => tree.items.map((i) => i.label);

async function eventually<T>(ms: number, check: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await check();
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await sleep(300);
    }
  }
}

/** Copies the fixture's stores into the workspace: mlflow.db at the top, mlruns/ with its root placeholder substituted. */
function prepareWorkspace(workspace: string): void {
  fs.copyFileSync(path.join(FIXTURE, 'sqlite/mlflow.db'), path.join(workspace, 'mlflow.db'));
  fs.cpSync(path.join(FIXTURE, 'file-store/mlruns'), path.join(workspace, 'mlruns'), { recursive: true });
  const manifest = JSON.parse(fs.readFileSync(path.join(FIXTURE, 'manifest.json'), 'utf8'));
  const rootPath = process.platform === 'win32' ? `/${workspace.replace(/\\/g, '/')}` : workspace;
  for (const f of manifest.placeholder.file_store.files as Array<{ path: string }>) {
    if (f.path.split('/').includes('artifacts')) continue;
    const file = path.join(workspace, ...f.path.split('/'));
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').split(TOKEN).join(rootPath));
  }
}

/** An MLflow-like server that answers experiments/search only with the right bearer token. */
function startBearerServer(): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    req.resume();
    if (req.headers.authorization !== `Bearer ${BEARER}`) {
      res.writeHead(401, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ error_code: 'UNAUTHENTICATED', message: 'missing or wrong token' }));
      return;
    }
    if (req.url?.startsWith('/api/2.0/mlflow/experiments/search')) {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ experiments: [{ experiment_id: '7', name: 'remote-experiment', lifecycle_stage: 'active', artifact_location: 'mlflow-artifacts:/7' }] }));
      return;
    }
    res.writeHead(404, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ error_code: 'ENDPOINT_NOT_FOUND', message: req.url }));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

interface FakeRun {
  info: { run_id: string; run_uuid: string; experiment_id: string; run_name: string; status: string; lifecycle_stage: string; start_time: number; end_time: number; user_id: string; artifact_uri: string };
  data: { params: unknown[]; metrics: unknown[]; tags: unknown[] };
}

/**
 * A writable MLflow-like server with one experiment and one run: answers search, runs/get and
 * runs/update, records the updates, and refuses the run name `forbidden` with 403 PERMISSION_DENIED.
 */
function startWritableServer(): Promise<{ server: http.Server; run: FakeRun; updates: Array<Record<string, unknown>> }> {
  const run: FakeRun = {
    info: { run_id: 'fa4e0000000000000000000000000001', run_uuid: 'fa4e0000000000000000000000000001', experiment_id: '3', run_name: 'before-rename', status: 'FINISHED', lifecycle_stage: 'active', start_time: Date.now() - 60_000, end_time: Date.now(), user_id: 'e2e', artifact_uri: 'mlflow-artifacts:/3/fa4e/artifacts' },
    data: { params: [], metrics: [], tags: [] },
  };
  const updates: Array<Record<string, unknown>> = [];
  const json = (res: http.ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk) => (raw += chunk));
    req.on('end', () => {
      const url = req.url ?? '';
      const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
      if (url.startsWith('/api/2.0/mlflow/experiments/search')) return json(res, 200, { experiments: [{ experiment_id: '3', name: 'writable-experiment', lifecycle_stage: 'active', artifact_location: 'mlflow-artifacts:/3' }] });
      if (url.startsWith('/api/2.0/mlflow/runs/search')) return json(res, 200, { runs: [run] });
      if (url.startsWith('/api/2.0/mlflow/runs/get')) return json(res, 200, { run });
      if (url.startsWith('/api/2.0/mlflow/runs/update')) {
        updates.push(body);
        if (body.run_name === 'forbidden') return json(res, 403, { error_code: 'PERMISSION_DENIED', message: 'e2e-user may not edit this run' });
        if (typeof body.run_name === 'string') run.info.run_name = body.run_name;
        return json(res, 200, { run_info: run.info });
      }
      json(res, 404, { error_code: 'ENDPOINT_NOT_FOUND', message: url });
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, run, updates })));
}

/** A URL nobody listens on (connection refused). */
async function unreachableUrl(): Promise<string> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}

/** MLFLOW_TRACKING_URI and MLFLOW_TRACKING_TOKEN as a new integrated terminal sees them. */
async function terminalEnv(workspace: string): Promise<string> {
  const out = path.join(workspace, `.runlens-env-${Date.now()}.txt`);
  const terminal = vscode.window.createTerminal({ name: 'runlens-env-probe', shellPath: '/bin/sh' });
  try {
    terminal.sendText(`printf '%s|%s' "$MLFLOW_TRACKING_URI" "$MLFLOW_TRACKING_TOKEN" > '${out}'`);
    return await eventually(20_000, async () => {
      assert.ok(fs.existsSync(out));
      return fs.readFileSync(out, 'utf8');
    });
  } finally {
    terminal.dispose();
    fs.rmSync(out, { force: true });
  }
}

describe('Connections (extension host)', function () {
  this.timeout(120_000);
  let connections: ConnectionsApi;
  let workspace: string;
  let bearer: http.Server;
  const added: string[] = [];

  before(async () => {
    connections = (await vscode.extensions.getExtension('runlens.runlens')!.activate()).connections as ConnectionsApi;
    workspace = process.env.RUNLENS_E2E_WORKSPACE ?? vscode.workspace.workspaceFolders![0].uri.fsPath;
    prepareWorkspace(workspace);
    bearer = await startBearerServer();
    await vscode.commands.executeCommand('runlens.experiments.focus');
    await vscode.commands.executeCommand('runlens.connections.refresh');
  });

  after(async () => {
    for (const id of added) await vscode.commands.executeCommand('runlens.connections.remove', id).then(undefined, () => undefined);
    await vscode.commands.executeCommand('runlens.connections.setActive', 'embedded');
    fs.rmSync(path.join(workspace, 'mlflow.db'), { force: true });
    fs.rmSync(path.join(workspace, 'mlruns'), { recursive: true, force: true });
    await vscode.commands.executeCommand('runlens.connections.refresh');
    bearer?.close();
    // Back to the single-store tree for the suites that follow.
    assert.deepStrictEqual(connections.list().map((c) => c.id), ['embedded']);
  });

  it('lists the embedded store first, then the workspace stores, each with its experiments', async () => {
    const roots = await inspect();
    assert.deepStrictEqual(
      roots.items.map((i) => [i.kind, i.label]),
      [
        ['connection', 'Runlens store (.runlens)'],
        ['connection', 'mlflow.db'],
        ['connection', 'mlruns/'],
      ],
    );
    assert.match(roots.items[0].contextValue ?? '', /^connection\.embedded\.active$/);
    assert.strictEqual(roots.items[1].icon, 'database');

    const sqlite = await eventually(30_000, async () => {
      const t = await inspect('mlflow.db');
      assert.ok(labels(t).includes('iris-classification'), `mlflow.db: ${labels(t)}`);
      return t;
    });
    assert.ok(sqlite.items.every((i) => i.kind === 'experiment' && i.contextValue === 'experiment.other'));
    const fileStore = await eventually(30_000, async () => {
      const t = await inspect('mlruns/');
      assert.ok(labels(t).includes('iris-classification'), `mlruns/: ${labels(t)}`);
      return t;
    });
    assert.ok(fileStore.items.some((i) => i.label === 'Default'));

    // Runs of a discovered store load through its own server too.
    const runs = await inspect('mlflow.db', 'iris-classification');
    assert.ok(runs.items.length > 0 && runs.items.every((i) => i.kind === 'run'), `runs: ${labels(runs)}`);
  });

  it('adds a remote server with a bearer token kept in SecretStorage, and shows its experiments', async () => {
    const { port } = bearer.address() as AddressInfo;
    const id = await vscode.commands.executeCommand<string>('runlens.connections.add', { url: `http://127.0.0.1:${port}/`, auth: 'bearer', token: BEARER, label: 'token-server' });
    added.push(id);
    assert.match(id, /^remote:/);
    const listed = connections.list().find((c) => c.id === id)!;
    assert.strictEqual(listed.uri, `http://127.0.0.1:${port}`);
    assert.strictEqual(listed.auth, 'bearer');
    assert.ok(await connections.hasSecret(id), 'the token is in SecretStorage');
    assert.ok(!JSON.stringify(connections.list()).includes(BEARER), 'the token is not in the persisted connection');
    assert.ok(!JSON.stringify(vscode.workspace.getConfiguration('runlens')).includes(BEARER), 'the token is not in settings');

    const roots = await inspect();
    assert.strictEqual(roots.items[roots.items.length - 1].label, 'token-server');
    const experiments = await inspect('token-server');
    assert.deepStrictEqual(labels(experiments), ['remote-experiment']);

    // The active connection: terminals get its URI.
    await vscode.commands.executeCommand('runlens.connections.setActive', id);
    assert.strictEqual(connections.active?.id, id);
    const active = await inspect();
    assert.match(active.items.find((i) => i.label === 'token-server')!.contextValue ?? '', /\.active$/);
    assert.strictEqual(await terminalEnv(workspace), `http://127.0.0.1:${port}|`, 'the URI only, never the token');
    await vscode.commands.executeCommand('notifications.clearAll');
    await vscode.commands.executeCommand('runlens.connections.setActive', 'embedded');

    // A wrong token edited in: the server's refusal shows as an error item, not an empty list.
    await vscode.commands.executeCommand('runlens.connections.edit', id, { url: `http://127.0.0.1:${port}`, auth: 'bearer', token: 'wrong', label: 'token-server' });
    const refused = await inspect('token-server');
    assert.strictEqual(refused.items.length, 1);
    assert.strictEqual(refused.items[0].kind, 'message');
    assert.strictEqual(refused.items[0].contextValue, 'message.error');
  });

  it('shows an unreachable server as an error item with Retry, quickly', async () => {
    const url = await unreachableUrl();
    const id = await vscode.commands.executeCommand<string>('runlens.connections.add', { url, label: 'nobody-home' });
    added.push(id);
    const started = Date.now();
    const tree = await inspect('nobody-home');
    assert.ok(Date.now() - started < 15_000, 'no hang');
    assert.strictEqual(tree.items.length, 1, JSON.stringify(tree.items));
    const [error] = tree.items;
    assert.strictEqual(error.kind, 'message');
    assert.strictEqual(error.contextValue, 'message.error');
    assert.strictEqual(error.description, 'Retry');
    assert.strictEqual(error.command, 'runlens.experiments.retry');
    assert.match(error.label, /ECONNREFUSED|refused|connect/i);

    // Removed: the root goes away.
    assert.strictEqual(await vscode.commands.executeCommand('runlens.connections.remove', id), true);
    added.splice(added.indexOf(id), 1);
    assert.ok(!labels(await inspect()).includes('nobody-home'));
  });

  it('opens an artifact of a run in the discovered mlruns/ store through that store\'s own server', async () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(FIXTURE, 'manifest.json'), 'utf8'));
    const run = (manifest.file_store.runs as Array<{ run_id: string; run_name: string; experiment_id: string }>).find((r) => r.run_name === 'train-logreg')!;
    const artifactsDir = path.join(FIXTURE, 'file-store/mlruns', run.experiment_id, run.run_id, 'artifacts');
    const mlruns = connections.list().find((c) => c.kind === 'mlruns')!;

    const runs = await eventually(30_000, () => inspect('mlruns/', 'iris-classification'));
    // Read-only store: no editing menus on its runs.
    assert.ok(runs.items.filter((i) => i.kind === 'run').every((i) => i.contextValue === 'run.other'), JSON.stringify(runs.items.map((i) => i.contextValue)));
    const artifacts = await inspect('mlruns/', 'iris-classification', 'train-logreg', 'Artifacts');
    const readme = artifacts.items.find((i) => i.label === 'README.txt');
    assert.ok(readme, `artifacts: ${labels(artifacts)}`);
    assert.strictEqual(readme.contextValue, 'artifact.file');
    assert.strictEqual(readme.command, 'runlens.artifacts.open');

    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    assert.strictEqual(await vscode.commands.executeCommand('runlens.artifacts.open', readme.id), true);
    const editor = await eventually(10_000, async () => {
      const e = vscode.window.activeTextEditor;
      assert.strictEqual(e?.document.uri.scheme, 'runlens-artifact');
      return e!;
    });
    assert.strictEqual(editor.document.uri.path, `/${encodeURIComponent(mlruns.id)}/${run.run_id}/README.txt`);
    assert.strictEqual(editor.document.getText(), fs.readFileSync(path.join(artifactsDir, 'README.txt'), 'utf8'));
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');

    // A nested file, read straight through the file system (stat from a listing the tree did not load).
    const nested = vscode.Uri.from({ scheme: 'runlens-artifact', path: `/${encodeURIComponent(mlruns.id)}/${run.run_id}/config/run_config.json` });
    const bytes = await vscode.workspace.fs.readFile(nested);
    assert.deepStrictEqual(Buffer.from(bytes), fs.readFileSync(path.join(artifactsDir, 'config/run_config.json')));
    assert.strictEqual((await vscode.workspace.fs.stat(nested)).size, fs.statSync(path.join(artifactsDir, 'config/run_config.json')).size);

    // Renaming a run of a read-only store is refused without a request.
    const first = runs.items.find((i) => i.kind === 'run')!;
    assert.strictEqual(await vscode.commands.executeCommand('runlens.runs.rename', first.id, 'nope'), undefined);
    await vscode.commands.executeCommand('notifications.clearAll');
  });

  it('renames a run of a remote (writable) server on that server, and shows its 403 refusal', async () => {
    const fake = await startWritableServer();
    try {
      const { port } = fake.server.address() as AddressInfo;
      const id = await vscode.commands.executeCommand<string>('runlens.connections.add', { url: `http://127.0.0.1:${port}`, label: 'writable-server' });
      added.push(id);
      const experiments = await inspect('writable-server');
      assert.deepStrictEqual(labels(experiments), ['writable-experiment']);
      assert.strictEqual(experiments.items[0].contextValue, 'experiment.active');
      const runs = await inspect('writable-server', 'writable-experiment');
      const item = runs.items.find((i) => i.label === 'before-rename')!;
      assert.ok(item, `runs: ${labels(runs)}`);
      assert.strictEqual(item.contextValue, 'run.active');

      assert.strictEqual(await vscode.commands.executeCommand('runlens.runs.rename', item.id, 'after-rename'), true);
      assert.deepStrictEqual(
        fake.updates.map((u) => [u.run_id, u.run_name]),
        [[fake.run.info.run_id, 'after-rename']],
      );
      assert.ok(labels(await inspect('writable-server', 'writable-experiment')).includes('after-rename'));

      // The server refuses: the command fails (its message is shown) and the run keeps its name.
      assert.strictEqual(await vscode.commands.executeCommand('runlens.runs.rename', item.id, 'forbidden'), undefined);
      assert.strictEqual(fake.updates.length, 2);
      assert.ok(labels(await inspect('writable-server', 'writable-experiment')).includes('after-rename'));
      await vscode.commands.executeCommand('notifications.clearAll');

      assert.strictEqual(await vscode.commands.executeCommand('runlens.connections.remove', id), true);
      added.splice(added.indexOf(id), 1);
    } finally {
      fake.server.close();
    }
  });
});
