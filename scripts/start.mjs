#!/usr/bin/env node
// `npm start`: builds Runlens, prepares a demo workspace with sample runs (once), and opens VS Code on
// it with the extension loaded from this folder:
//   - VS Code desktop (`code --extensionDevelopmentPath=<repo> <demo>`) when a `code` command exists;
//   - otherwise VS Code in the browser: code-server on 127.0.0.1 (installed by test/vscode-host/install.sh),
//     printing the URL to open; it runs until Ctrl+C.
// Options: --browser (use code-server even if `code` exists), --port N (code-server port, default: a
// free one), --reset-demo (recreate the demo workspace), --no-build, -h/--help.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DEMO = path.join(ROOT, '.runlens-demo');
const STORE_DIR = path.join(DEMO, '.runlens');
const DEMO_EXPERIMENT = 'demo-training';

const { values: opts } = parseArgs({
  options: {
    browser: { type: 'boolean', default: false },
    port: { type: 'string', default: '0' },
    'reset-demo': { type: 'boolean', default: false },
    'no-build': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (opts.help) {
  const lines = fs.readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(1);
  console.log(lines.slice(0, lines.findIndex((l) => !l.startsWith('//'))).map((l) => l.replace(/^\/\/ ?/, '')).join('\n'));
  process.exit(0);
}
const log = (m) => console.log(`[start] ${m}`);

// 1. build -----------------------------------------------------------------------------------------
if (!opts['no-build']) {
  log('npm run build');
  const b = spawnSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
  if (b.status !== 0) process.exit(b.status ?? 1);
}

// 2. demo workspace --------------------------------------------------------------------------------
if (opts['reset-demo']) fs.rmSync(DEMO, { recursive: true, force: true });
if (fs.existsSync(path.join(STORE_DIR, 'mlflow.db'))) {
  log(`demo workspace: ${DEMO} (already seeded; --reset-demo recreates it)`);
} else {
  try {
    await createDemoWorkspace();
  } catch (e) {
    fs.rmSync(DEMO, { recursive: true, force: true }); // half-seeded: start over next time
    console.error(`[start] could not create the demo workspace: ${e.stack ?? e}`);
    process.exit(1);
  }
}

// 3. VS Code ---------------------------------------------------------------------------------------
const code = opts.browser ? null : findOnPath('code');
if (code) {
  log(`opening VS Code: code --extensionDevelopmentPath=${ROOT} ${DEMO}`);
  const r = spawnSync(code, ['--new-window', `--extensionDevelopmentPath=${ROOT}`, DEMO], { stdio: 'inherit' });
  process.exit(r.status ?? 0);
}
await runCodeServer();

// ---------------------------------------------------------------------------------------------------

function findOnPath(cmd) {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const file = path.join(dir, cmd);
    try {
      fs.accessSync(file, fs.constants.X_OK);
      if (fs.statSync(file).isFile()) return file;
    } catch { /* not here */ }
  }
  return null;
}

async function runCodeServer() {
  const lib = await import('../test/vscode-host/lib/codeServer.mjs');
  if (lib.missingHostParts({ browser: false }).length) {
    log('no `code` command on PATH: using VS Code in the browser (code-server), which is not installed yet');
    const isRoot = process.getuid?.() === 0;
    const r = spawnSync('bash', [path.join(ROOT, 'test/vscode-host/install.sh')], { stdio: 'inherit' });
    if (r.status !== 0 || lib.missingHostParts({ browser: false }).length) {
      console.error(`
[start] could not install the VS Code test host (code-server 4.100.3).
[start] It needs Node 20, and Debian packages installed as root: chromium libkrb5-dev ripgrep.
[start] ${isRoot ? 'Check the output above, then run:' : 'Run as root (or with sudo), then npm start again:'}
[start]   ${isRoot ? '' : 'sudo '}bash test/vscode-host/install.sh
[start] Or install VS Code desktop so that \`code\` is on PATH, and run npm start again.`);
      process.exit(1);
    }
  }
  // User data persists between starts (settings, layout), in the git-ignored .vscode-test/.
  const runDir = path.join(ROOT, '.vscode-test', 'start-code-server');
  fs.mkdirSync(runDir, { recursive: true });
  const server = await lib.startCodeServer({ runDir, port: Number(opts.port) });
  const url = lib.workbenchUrl(server, { folder: DEMO, extensionDevelopmentPath: ROOT });
  console.log(`
Runlens is running in VS Code ${readVsCodeVersion(lib.HOST_DIR)} (code-server) with the demo workspace ${DEMO}.
Open this URL in a browser on this machine (Chromium, Chrome, Firefox):

  ${url}

code-server log: ${server.logFile}
Press Ctrl+C to stop.`);
  let stopping = false;
  const stop = async (signal) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n[start] ${signal}: stopping code-server`);
    await server.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  const exitCode = await server.exited;
  if (!stopping) {
    console.error(`[start] code-server exited (${exitCode}); see ${server.logFile}`);
    process.exit(1);
  }
}

function readVsCodeVersion(hostDir) {
  try {
    return JSON.parse(fs.readFileSync(path.join(hostDir, 'node_modules/code-server/lib/vscode/package.json'), 'utf8')).version;
  } catch {
    return '';
  }
}

/** Writes the demo workspace and seeds its store through a temporary `runlens server` and the REST API. */
async function createDemoWorkspace() {
  log(`creating the demo workspace ${DEMO}`);
  fs.mkdirSync(STORE_DIR, { recursive: true });
  writeDemoFiles();
  const cli = path.join(ROOT, 'dist', 'cli.js');
  const child = spawn(process.execPath, [cli, 'server', '--port', '0',
    '--backend-store-uri', `sqlite:///${path.join(STORE_DIR, 'mlflow.db')}`,
    '--artifacts-destination', path.join(STORE_DIR, 'artifacts')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise((resolve) => child.once('exit', (c, s) => resolve(c ?? s)));
  try {
    const url = await new Promise((resolve, reject) => {
      const onData = (d) => {
        output += d;
        const m = /listening at (http:\/\/\S+)/.exec(output);
        if (m) resolve(m[1]);
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      exited.then((c) => reject(new Error(`runlens server exited (${c}):\n${output}`)));
      setTimeout(() => reject(new Error(`runlens server did not start within 30 s:\n${output}`)), 30000).unref();
    });
    await seed(url);
  } finally {
    child.kill('SIGTERM'); // it saves the store and exits
    const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r('timeout'), 30000))]);
    if (code === 'timeout') {
      child.kill('SIGKILL');
      throw new Error('runlens server did not stop within 30 s of SIGTERM');
    }
  }
  log('demo store seeded');
}

function writeDemoFiles() {
  // The demo lives inside the Runlens git repository: keep VS Code from offering to open that one.
  fs.mkdirSync(path.join(DEMO, '.vscode'), { recursive: true });
  fs.writeFileSync(path.join(DEMO, '.vscode', 'settings.json'), `${JSON.stringify({ 'git.openRepositoryInParentFolders': 'never' }, null, 2)}\n`);
  fs.writeFileSync(path.join(DEMO, 'README.md'), `# Runlens demo workspace

Created by \`npm start\` in the Runlens repository (git-ignored; \`npm start -- --reset-demo\` recreates it).
Its store, \`.runlens/mlflow.db\`, holds the experiment "${DEMO_EXPERIMENT}" with sample runs.

Log more runs from Python to the server Runlens runs for this folder (see the "Runlens" output):

\`\`\`bash
export MLFLOW_TRACKING_URI=http://127.0.0.1:<port>
python train.py
\`\`\`
`);
  fs.writeFileSync(path.join(DEMO, 'MLproject'), `name: runlens-demo

entry_points:
  main:
    parameters:
      learning_rate: {type: float, default: 0.01}
      epochs: {type: int, default: 100}
    command: "python train.py --learning-rate {learning_rate} --epochs {epochs}"
`);
  fs.writeFileSync(path.join(DEMO, 'train.py'), `import argparse
import math

import mlflow

parser = argparse.ArgumentParser()
parser.add_argument("--learning-rate", type=float, default=0.01)
parser.add_argument("--epochs", type=int, default=100)
args = parser.parse_args()

mlflow.set_experiment("${DEMO_EXPERIMENT}")
with mlflow.start_run():
    mlflow.log_params({"learning_rate": args.learning_rate, "epochs": args.epochs})
    for step in range(args.epochs):
        loss = 2.3 * math.exp(-args.learning_rate * 5 * step) + 0.1
        mlflow.log_metrics({"loss": loss, "accuracy": 1 - loss / 2.5}, step=step)
`);
}

async function seed(baseUrl) {
  const api = async (method, endpoint, body) => {
    const res = await fetch(`${baseUrl}/api/2.0/mlflow/${endpoint}`, {
      method,
      headers: body ? { 'content-type': 'application/json' } : {},
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${endpoint}: HTTP ${res.status} ${text}`);
    return text ? JSON.parse(text) : {};
  };
  const { experiment_id: experimentId } = await api('POST', 'experiments/create', {
    name: DEMO_EXPERIMENT,
    tags: [
      { key: 'mlflow.note.content', value: 'Sample runs created by `npm start` in the Runlens repository.' },
      { key: 'team', value: 'vision' },
    ],
  });

  // Deterministic noise, so every demo workspace looks the same.
  let state = 42;
  const noise = () => ((state = (state * 1103515245 + 12345) % 2147483648) / 2147483648 - 0.5);

  const runs = [
    { name: 'baseline', status: 'FINISHED', steps: 100, lr: 0.01, batch: 32, optimizer: 'sgd', dropout: 0.0, model: 'resnet18' },
    { name: 'adam-lr3e-3', status: 'FINISHED', steps: 100, lr: 0.003, batch: 64, optimizer: 'adam', dropout: 0.1, model: 'resnet18' },
    { name: 'adam-lr1e-3-wide', status: 'FINISHED', steps: 100, lr: 0.001, batch: 64, optimizer: 'adam', dropout: 0.2, model: 'resnet34' },
    { name: 'sgd-lr0.3-diverged', status: 'FAILED', steps: 37, lr: 0.3, batch: 32, optimizer: 'sgd', dropout: 0.0, model: 'resnet18' },
    { name: 'adamw-long', status: 'RUNNING', steps: 64, lr: 0.002, batch: 128, optimizer: 'adamw', dropout: 0.1, model: 'resnet34' },
  ];
  const now = Date.now();
  for (const [i, r] of runs.entries()) {
    const start = now - (runs.length - i) * 3600_000;
    const { run } = await api('POST', 'runs/create', {
      experiment_id: experimentId,
      run_name: r.name,
      start_time: start,
      tags: [
        { key: 'mlflow.user', value: 'demo' },
        { key: 'mlflow.source.name', value: 'train.py' },
        { key: 'mlflow.source.type', value: 'LOCAL' },
        { key: 'model', value: r.model },
        { key: 'dataset', value: 'cifar10-mini' },
      ],
    });
    const runId = run.info.run_id;
    // Loss falls (or, for the diverging run, climbs) with noise; accuracy follows it.
    const rate = r.optimizer === 'sgd' && r.lr > 0.1 ? -0.02 : 0.02 + r.lr * 4 + (r.optimizer === 'sgd' ? 0 : 0.015);
    const floor = r.model === 'resnet34' ? 0.12 : 0.2;
    const metrics = [];
    for (let step = 0; step < r.steps; step++) {
      const timestamp = start + step * 20_000;
      const loss = Math.max(0.01, floor + 2.1 * Math.exp(-rate * step) + noise() * 0.08);
      const accuracy = Math.min(0.99, Math.max(0.05, 1 - loss / 2.4 + noise() * 0.02));
      metrics.push({ key: 'loss', value: +loss.toFixed(5), timestamp, step });
      metrics.push({ key: 'accuracy', value: +accuracy.toFixed(5), timestamp, step });
    }
    await api('POST', 'runs/log-batch', {
      run_id: runId,
      params: [
        { key: 'learning_rate', value: String(r.lr) },
        { key: 'batch_size', value: String(r.batch) },
        { key: 'optimizer', value: r.optimizer },
        { key: 'dropout', value: String(r.dropout) },
        { key: 'epochs', value: '100' },
      ],
      metrics,
      tags: r.status === 'FAILED' ? [{ key: 'mlflow.note.content', value: 'Loss diverged: learning rate too high.' }] : [],
    });
    if (r.status !== 'RUNNING') {
      await api('POST', 'runs/update', { run_id: runId, status: r.status, end_time: start + r.steps * 20_000 });
    }
  }
  log(`experiment "${DEMO_EXPERIMENT}" (id ${experimentId}) with ${runs.length} runs`);
}
