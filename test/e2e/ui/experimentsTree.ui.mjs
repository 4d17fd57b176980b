// The Experiments view against a seeded store: contents, a run that starts while the view is
// open, live metric updates, and filtering.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it, ROOT } from './harness.mjs';

const CLI = path.join(ROOT, 'dist', 'cli.js');

async function api(base, route, body) {
  const res = await fetch(`${base}/api/2.0/mlflow/${route}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`${route}: ${res.status} ${await res.text()}`);
  return res.json();
}

/** Seeds `<workspace>/.runlens` through a short-lived server, then stops it. */
async function seed(workspace) {
  const store = path.join(workspace, '.runlens');
  const child = spawn(process.execPath, [CLI, 'server', '--port', '0', '--backend-store-uri', `sqlite:///${store}/mlflow.db`, '--artifacts-destination', `${store}/artifacts`], { stdio: ['ignore', 'pipe', 'inherit'] });
  const base = await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c) => {
      out += c;
      const m = /listening at (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`seed server exited with ${code}`)));
  });
  const { experiment_id } = await api(base, 'experiments/create', { name: 'ui-experiment' });
  for (const [name, loss] of [['alpha-run', 0.9], ['beta-run', 0.4], ['gamma-run', 0.15]]) {
    const { run } = await api(base, 'runs/create', { experiment_id, run_name: name, start_time: Date.now() - 60000 });
    await api(base, 'runs/log-batch', { run_id: run.info.run_id, metrics: [{ key: 'loss', value: loss, timestamp: Date.now(), step: 0 }], params: [{ key: 'lr', value: '0.01' }] });
    await api(base, 'runs/update', { run_id: run.info.run_id, status: 'FINISHED', end_time: Date.now() });
  }
  await new Promise((resolve) => {
    child.once('exit', resolve);
    child.kill('SIGTERM');
  });
}

/** The URL of the server the extension started, from the store's lock file. */
function extensionServerUrl(workspace) {
  const lock = path.join(workspace, '.runlens', 'mlflow.db.runlens-lock');
  return JSON.parse(fs.readFileSync(lock, 'utf8')).url;
}

describe('Experiments view on a seeded store', { workspace: seed, settings: { 'runlens.experiments.pollIntervalSeconds': 1 } }, () => {
  it('shows the experiments and, expanded, their runs newest first', async ({ workbench }) => {
    await workbench.openViewContainer('Runlens');
    await workbench.waitForView('Experiments');
    const experiment = await workbench.waitForTreeItem('Experiments', 'ui-experiment');
    await experiment.click();
    await workbench.waitForTreeItem('Experiments', 'gamma-run');
    const labels = await workbench.treeLabels('Experiments');
    for (const name of ['ui-experiment', 'alpha-run', 'beta-run', 'gamma-run']) {
      if (!labels.includes(name)) throw new Error(`missing ${name} in ${JSON.stringify(labels)}`);
    }
    await workbench.screenshot('seeded experiments and runs');
  });

  it('shows a run logged over REST while the view is open, and updates its metrics', async ({ workbench, workspace }) => {
    const base = extensionServerUrl(workspace);
    const { experiment } = await (await fetch(`${base}/api/2.0/mlflow/experiments/get-by-name?experiment_name=ui-experiment`)).json();
    const { run } = await api(base, 'runs/create', { experiment_id: experiment.experiment_id, run_name: 'live-run', start_time: Date.now() });
    await api(base, 'runs/log-metric', { run_id: run.info.run_id, key: 'loss', value: 0.5, timestamp: Date.now(), step: 0 });
    const row = await workbench.waitForTreeItem('Experiments', 'live-run');
    await row.locator('.label-description', { hasText: 'loss 0.5' }).waitFor();
    await api(base, 'runs/log-metric', { run_id: run.info.run_id, key: 'loss', value: 0.125, timestamp: Date.now(), step: 1 });
    await row.locator('.label-description', { hasText: 'loss 0.125' }).waitFor();
    await workbench.screenshot('live run with updated metric');
    await api(base, 'runs/update', { run_id: run.info.run_id, status: 'FINISHED', end_time: Date.now() });
  });

  it('filters runs with MLflow search syntax', async ({ workbench, page }) => {
    await workbench.runCommand('Runlens: Filter Runs…');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor();
    await input.fill('metrics.loss < 0.3');
    await page.keyboard.press('Enter');
    const filtered = (labels) => labels.includes('gamma-run') && labels.includes('live-run') && !labels.includes('beta-run') && !labels.includes('alpha-run');
    let labels = [];
    for (const until = Date.now() + 15000; Date.now() < until; await page.waitForTimeout(200)) {
      // While filtered the view's header carries the filter, so read the side bar's rows directly.
      labels = (await page.locator('.part.sidebar .monaco-list-row .label-name').allInnerTexts()).map((t) => t.trim());
      if (filtered(labels)) break;
    }
    if (!filtered(labels)) throw new Error(`unexpected rows after filtering: ${JSON.stringify(labels)}`);
    await workbench.screenshot('filtered runs');
  });
});
