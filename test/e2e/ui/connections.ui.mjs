// Connections in the sidebar: the MLflow 3.5 fixture's sqlite database and file store, found in the
// workspace, listed side by side with the embedded store and expanded to their experiments.
import fs from 'node:fs';
import path from 'node:path';
import { describe, it, ROOT } from './harness.mjs';

const FIXTURE = path.join(ROOT, 'test', 'fixtures', 'mlflow-3.5');
const TOKEN = '/__MLFLOW_FIXTURE_ROOT__';

/** A copy of the fixture's mlflow.db and mlruns/ (root placeholder substituted, as the fixture README says). */
function fixtureStores(workspace) {
  fs.copyFileSync(path.join(FIXTURE, 'sqlite', 'mlflow.db'), path.join(workspace, 'mlflow.db'));
  fs.cpSync(path.join(FIXTURE, 'file-store', 'mlruns'), path.join(workspace, 'mlruns'), { recursive: true });
  const manifest = JSON.parse(fs.readFileSync(path.join(FIXTURE, 'manifest.json'), 'utf8'));
  const rootPath = process.platform === 'win32' ? `/${workspace.replace(/\\/g, '/')}` : workspace;
  for (const f of manifest.placeholder.file_store.files) {
    if (f.path.split('/').includes('artifacts')) continue;
    const file = path.join(workspace, ...f.path.split('/'));
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').split(TOKEN).join(rootPath));
  }
}

describe('Connections in the sidebar', { workspace: fixtureStores }, () => {
  it('lists the embedded store, mlflow.db and mlruns/ as roots and expands both fixture stores side by side', async ({ workbench }) => {
    await workbench.openViewContainer('Runlens');
    await workbench.waitForView('Experiments');
    await workbench.waitForTreeItem('Experiments', 'Runlens store (.runlens)');
    const sqlite = await workbench.waitForTreeItem('Experiments', 'mlflow.db');
    const fileStore = await workbench.waitForTreeItem('Experiments', 'mlruns/');
    const roots = await workbench.treeLabels('Experiments');
    const order = ['Runlens store (.runlens)', 'mlflow.db', 'mlruns/'].map((l) => roots.indexOf(l));
    if (order.some((i) => i < 0) || !(order[0] < order[1] && order[1] < order[2])) throw new Error(`roots out of order: ${JSON.stringify(roots)}`);

    await sqlite.click();
    await workbench.treeRows('Experiments').filter({ hasText: 'iris-classification' }).first().waitFor({ timeout: 30000 });
    await fileStore.click();
    const iris = workbench.treeRows('Experiments').filter({ hasText: 'iris-classification' });
    const deadline = Date.now() + 30000;
    while ((await iris.count()) < 2) {
      if (Date.now() > deadline) throw new Error(`expected iris-classification under both stores: ${JSON.stringify(await workbench.treeLabels('Experiments'))}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    const labels = await workbench.treeLabels('Experiments');
    const at = (l, from = 0) => labels.indexOf(l, from);
    if (!(at('mlflow.db') < at('iris-classification') && at('iris-classification') < at('mlruns/') && at('mlruns/') < at('iris-classification', at('mlruns/')))) {
      throw new Error(`experiments not under their stores: ${JSON.stringify(labels)}`);
    }
    await workbench.screenshot('fixture stores side by side');
  });
});
