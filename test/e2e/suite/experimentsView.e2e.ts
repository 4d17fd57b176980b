// The Experiments view inside a real VS Code: seeds the embedded server over REST and reads the tree
// through the view's own TreeDataProvider (the internal command runlens.experiments.inspectTree).
import * as assert from 'assert';
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
  description?: string;
  message?: string;
  state: string;
  items: ItemSnapshot[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function inspect(...path: string[]): Promise<TreeSnapshot> {
  return Promise.resolve(vscode.commands.executeCommand<TreeSnapshot>('runlens.experiments.inspectTree', path));
}

function labels(tree: TreeSnapshot): string[] {
  return tree.items.map((i) => i.label);
}

/** Retries `check` until it passes or `ms` elapse (polling, server round trips). */
async function eventually<T>(ms: number, check: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await check();
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await sleep(250);
    }
  }
}

/**
 * The embedded server's URL from runlens.server.copyTrackingUri. That command waits on an information
 * message with a button before it returns, so notifications are dismissed until it does.
 */
async function trackingUrl(): Promise<string> {
  let done = false;
  const pending = Promise.resolve(vscode.commands.executeCommand<string>('runlens.server.copyTrackingUri')).finally(() => (done = true));
  const deadline = Date.now() + 60_000;
  while (!done && Date.now() < deadline) {
    await sleep(200);
    await vscode.commands.executeCommand('notifications.clearAll');
  }
  const url = await pending;
  assert.ok(url && /^https?:\/\//.test(url), `copyTrackingUri returned ${url}`);
  return url;
}

let base = '';

async function api<T = any>(route: string, body?: unknown, method = body === undefined ? 'GET' : 'POST'): Promise<T> {
  const res = await fetch(`${base}/api/2.0/mlflow/${route}`, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${route}: ${res.status} ${text}`);
  return JSON.parse(text) as T;
}

async function createExperiment(name: string): Promise<string> {
  return (await api<{ experiment_id: string }>('experiments/create', { name })).experiment_id;
}

async function createRun(experimentId: string, name: string, startTime: number, metrics: Record<string, number> = {}): Promise<string> {
  const { run } = await api<{ run: { info: { run_id: string } } }>('runs/create', { experiment_id: experimentId, run_name: name, start_time: startTime });
  const runId = run.info.run_id;
  const points = Object.entries(metrics).map(([key, value]) => ({ key, value, timestamp: startTime, step: 0 }));
  if (points.length) await api('runs/log-batch', { run_id: runId, metrics: points, params: [{ key: 'i', value: name }], tags: [] });
  return runId;
}

async function uploadArtifact(runId: string, path: string, content: Buffer): Promise<void> {
  const query = new URLSearchParams({ run_uuid: runId, path });
  const res = await fetch(`${base}/ajax-api/2.0/mlflow/upload-artifact?${query}`, { method: 'POST', body: content });
  assert.strictEqual(res.status, 200, await res.text());
}

/** A 1×1 PNG. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

async function finishRun(runId: string): Promise<void> {
  await api('runs/update', { run_id: runId, status: 'FINISHED', end_time: Date.now() });
}

describe('Experiments view (extension host)', function () {
  this.timeout(120_000);

  before(async () => {
    await vscode.extensions.getExtension('runlens.runlens')?.activate();
    // The view polls running runs only while visible.
    await vscode.commands.executeCommand('runlens.experiments.focus');
    base = await trackingUrl();
  });

  after(async () => {
    await vscode.commands.executeCommand('runlens.experiments.clearFilter');
    await vscode.commands.executeCommand('runlens.experiments.hideDeleted');
  });

  it('shows the welcome state while the store holds nothing, and creates the sample experiment', async () => {
    const experiments = await api<{ experiments?: Array<{ experiment_id: string }> }>('experiments/search', { max_results: 10 });
    const runs = await api<{ runs?: unknown[] }>('runs/search', { experiment_ids: ['0'], max_results: 1, run_view_type: 'ALL' });
    const fresh = (experiments.experiments ?? []).every((e) => e.experiment_id === '0') && !runs.runs?.length;
    await vscode.commands.executeCommand('runlens.experiments.refresh');
    const before = await inspect();
    if (fresh) {
      assert.strictEqual(before.state, 'empty');
      assert.deepStrictEqual(before.items, [], 'no items, so the welcome content shows');
    }

    const experimentId = await vscode.commands.executeCommand<string>('runlens.experiments.createSample');
    assert.ok(experimentId, 'createSample returned the experiment id');
    const roots = await inspect();
    assert.strictEqual(roots.state, 'ready');
    assert.ok(labels(roots).includes('sample-experiment'), `roots: ${labels(roots)}`);

    const runsTree = await inspect('sample-experiment');
    assert.deepStrictEqual(labels(runsTree), ['big-batch', 'tuned-lr', 'baseline'], 'newest first');
    for (const run of runsTree.items) {
      assert.strictEqual(run.icon, 'pass');
      assert.strictEqual(run.contextValue, 'run.active');
      assert.match(run.description ?? '', /ago · accuracy 0\.\d+$/);
    }

    const groups = await inspect('sample-experiment', 'baseline');
    assert.deepStrictEqual(labels(groups), ['Parameters', 'Metrics', 'Tags', 'Artifacts']);
    assert.strictEqual(groups.items[0].description, '4');
    const params = await inspect('sample-experiment', 'baseline', 'Parameters');
    assert.deepStrictEqual(labels(params), ['batch_size', 'epochs', 'learning_rate', 'optimizer']);
    assert.strictEqual(params.items.find((p) => p.label === 'optimizer')?.description, 'sgd');
    const metrics = await inspect('sample-experiment', 'baseline', 'Metrics');
    assert.deepStrictEqual(labels(metrics), ['accuracy', 'loss']);
    const tags = await inspect('sample-experiment', 'baseline', 'Tags');
    assert.strictEqual(tags.items[0].label, 'model_type', 'user tags before mlflow.* tags');

    const artifacts = await inspect('sample-experiment', 'baseline', 'Artifacts');
    assert.deepStrictEqual(labels(artifacts), ['config', 'history', 'notes.md', 'summary.json'], 'folders first');
    assert.deepStrictEqual(artifacts.items.map((a) => a.contextValue), ['artifact.folder', 'artifact.folder', 'artifact.file', 'artifact.file']);
    const config = await inspect('sample-experiment', 'baseline', 'Artifacts', 'config');
    assert.deepStrictEqual(labels(config), ['params.yaml']);
  });

  it('opens an artifact in an editor through the read-only runlens-artifact: file system', async () => {
    const artifacts = await inspect('sample-experiment', 'baseline', 'Artifacts');
    const summary = artifacts.items.find((a) => a.label === 'summary.json');
    assert.ok(summary);
    assert.strictEqual(summary.command, 'runlens.artifacts.open');
    assert.strictEqual(await vscode.commands.executeCommand('runlens.artifacts.open', summary.id), true);
    const editor = await eventually(10_000, async () => {
      const active = vscode.window.activeTextEditor;
      assert.strictEqual(active?.document.uri.scheme, 'runlens-artifact');
      return active;
    });
    assert.match(editor.document.uri.path, /\/summary\.json$/);
    assert.strictEqual(JSON.parse(editor.document.getText()).run, 'baseline');
    await assert.rejects(Promise.resolve(vscode.workspace.fs.writeFile(editor.document.uri, Buffer.from('{}'))));
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('opens image artifacts in the image preview', async () => {
    const experimentId = await createExperiment('e2e-images');
    const runId = await createRun(experimentId, 'with-plot', Date.now() - 1000);
    await uploadArtifact(runId, 'plots/loss.png', PNG);
    await finishRun(runId);
    await vscode.commands.executeCommand('runlens.experiments.refresh');
    const plots = await inspect('e2e-images', 'with-plot', 'Artifacts', 'plots');
    assert.deepStrictEqual(labels(plots), ['loss.png']);
    assert.strictEqual(await vscode.commands.executeCommand('runlens.runs.copyUri', `run/${runId}/artifacts/plots`), `runs:/${runId}/plots`);
    assert.strictEqual(await vscode.commands.executeCommand('runlens.artifacts.open', plots.items[0].id), true);
    await eventually(10_000, async () => {
      const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
      assert.ok(input instanceof vscode.TabInputCustom, `active tab input: ${JSON.stringify(input)}`);
      assert.strictEqual(input.uri.scheme, 'runlens-artifact');
      assert.strictEqual(input.viewType, 'imagePreview.previewEditor');
    });
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('shows a listing failure as an error item with the server message and Retry', async () => {
    // This server stores no s3: artifacts, so listing them fails (501) with a message.
    const { experiment_id: experimentId } = await api<{ experiment_id: string }>('experiments/create', { name: 'e2e-s3', artifact_location: 's3://no-such-bucket/runs' });
    const runId = await createRun(experimentId, 'remote', Date.now() - 1000);
    await finishRun(runId);
    await vscode.commands.executeCommand('runlens.experiments.refresh');
    const failed = await inspect('e2e-s3', 'remote', 'Artifacts');
    assert.strictEqual(failed.items.length, 1);
    const error = failed.items[0];
    assert.strictEqual(error.contextValue, 'message.error');
    assert.strictEqual(error.icon, 'error');
    assert.match(error.label, /not supported by this server/);
    assert.strictEqual(error.command, 'runlens.experiments.retry');
    await vscode.commands.executeCommand('runlens.experiments.retry', error.id);
    assert.strictEqual((await inspect('e2e-s3', 'remote', 'Artifacts')).items[0].contextValue, 'message.error', 'tried again, failed again');
    // The rest of the tree is unaffected.
    assert.deepStrictEqual(labels(await inspect('e2e-s3', 'remote')), ['Parameters', 'Metrics', 'Tags', 'Artifacts']);
  });

  it('pages runs 50 at a time with a Load more item', async () => {
    const experimentId = await createExperiment('e2e-paging');
    const start = Date.now() - 200_000;
    for (let i = 0; i < 120; i += 10) {
      await Promise.all(Array.from({ length: 10 }, (_, j) => createRun(experimentId, `r-${i + j}`, start + (i + j) * 1000, { m: i + j })));
    }
    await vscode.commands.executeCommand('runlens.experiments.refresh');
    let page = await inspect('e2e-paging');
    assert.strictEqual(page.items.length, 51);
    assert.strictEqual(page.items[0].label, 'r-119');
    const more = page.items[50];
    assert.strictEqual(more.kind, 'loadMore');
    assert.strictEqual(more.command, 'runlens.experiments.loadMore');

    await vscode.commands.executeCommand('runlens.experiments.loadMore', more.id);
    page = await inspect('e2e-paging');
    assert.strictEqual(page.items.length, 101);
    await vscode.commands.executeCommand('runlens.experiments.loadMore', more.id);
    page = await inspect('e2e-paging');
    assert.strictEqual(page.items.length, 120, 'all runs, no Load more item');
    assert.strictEqual(page.items[119].label, 'r-0');
    assert.strictEqual(new Set(page.items.map((i) => i.id)).size, 120);
  });

  it('filters runs with MLflow search syntax, shows the filter, and rejects what the server rejects', async () => {
    assert.strictEqual(await vscode.commands.executeCommand('runlens.experiments.filterRuns', 'metrics.m >= 100'), true);
    const filtered = await inspect('e2e-paging');
    assert.strictEqual(filtered.items.length, 20);
    assert.match(filtered.description ?? '', /filter: metrics\.m >= 100/);
    assert.match(filtered.message ?? '', /metrics\.m >= 100/);
    const sample = await inspect('sample-experiment');
    assert.strictEqual(sample.items[0].label, 'No runs match the filter');
    assert.strictEqual(sample.items[0].command, 'runlens.experiments.clearFilter');

    assert.strictEqual(await vscode.commands.executeCommand('runlens.experiments.filterRuns', 'metrics.m >>> 1'), false, 'invalid filter refused');
    assert.match((await inspect()).description ?? '', /filter: metrics\.m >= 100/, 'the previous filter stays');

    await vscode.commands.executeCommand('runlens.experiments.clearFilter');
    const cleared = await inspect('e2e-paging');
    assert.strictEqual(cleared.description, undefined);
    assert.strictEqual(cleared.message, undefined);
    assert.strictEqual(cleared.items.length, 51);
  });

  it('renames, deletes, shows deleted and restores runs; copies run ID and runs:/ URI', async () => {
    const experimentId = await createExperiment('e2e-runs');
    const runId = await createRun(experimentId, 'to-rename', Date.now() - 60_000, { acc: 0.5 });
    await finishRun(runId);
    await vscode.commands.executeCommand('runlens.experiments.refresh');
    assert.deepStrictEqual(labels(await inspect('e2e-runs')), ['to-rename']);

    assert.strictEqual(await vscode.commands.executeCommand('runlens.runs.rename', runId, 'renamed'), true);
    assert.deepStrictEqual(labels(await inspect('e2e-runs')), ['renamed']);

    assert.strictEqual(await vscode.commands.executeCommand('runlens.runs.copyId', runId), runId);
    assert.strictEqual(await vscode.commands.executeCommand('runlens.runs.copyUri', runId), `runs:/${runId}`);

    await api('runs/delete', { run_id: runId });
    await vscode.commands.executeCommand('runlens.experiments.refresh');
    assert.strictEqual((await inspect('e2e-runs')).items[0].label, 'No runs yet');

    await vscode.commands.executeCommand('runlens.experiments.showDeleted');
    const withDeleted = await inspect('e2e-runs');
    assert.strictEqual(withDeleted.items[0].contextValue, 'run.deleted');
    assert.strictEqual(withDeleted.items[0].icon, 'trash');
    assert.match(withDeleted.items[0].description ?? '', /^deleted · /);
    assert.match(withDeleted.description ?? '', /incl\. deleted/);

    assert.strictEqual(await vscode.commands.executeCommand('runlens.runs.restore', runId), true);
    assert.strictEqual((await inspect('e2e-runs')).items[0].contextValue, 'run.active');
    await vscode.commands.executeCommand('runlens.experiments.hideDeleted');
    assert.deepStrictEqual(labels(await inspect('e2e-runs')), ['renamed']);
  });

  it('creates, renames, deletes (shown when deleted ones are) and restores experiments', async () => {
    const experimentId = await vscode.commands.executeCommand<string>('runlens.experiments.create', 'e2e-created');
    assert.ok(experimentId);
    assert.ok(labels(await inspect()).includes('e2e-created'));
    assert.strictEqual(await vscode.commands.executeCommand('runlens.experiments.rename', `experiment/${experimentId}`, 'e2e-renamed'), true);
    const renamed = labels(await inspect());
    assert.ok(renamed.includes('e2e-renamed') && !renamed.includes('e2e-created'), `roots: ${renamed}`);

    await api('experiments/delete', { experiment_id: experimentId });
    await vscode.commands.executeCommand('runlens.experiments.refresh');
    assert.ok(!labels(await inspect()).includes('e2e-renamed'));
    await vscode.commands.executeCommand('runlens.experiments.showDeleted');
    const deleted = (await inspect()).items.find((i) => i.label === 'e2e-renamed');
    assert.strictEqual(deleted?.contextValue, 'experiment.deleted');
    assert.strictEqual(await vscode.commands.executeCommand('runlens.experiments.restore', experimentId), true);
    assert.strictEqual((await inspect()).items.find((i) => i.label === 'e2e-renamed')?.contextValue, 'experiment.active');
    await vscode.commands.executeCommand('runlens.experiments.hideDeleted');
  });

  it('polls running runs until they finish', async () => {
    const experimentId = await createExperiment('e2e-live');
    const runId = await createRun(experimentId, 'live', Date.now() - 5000, { loss: 1 });
    await vscode.commands.executeCommand('runlens.experiments.refresh');
    const live = await inspect('e2e-live');
    assert.strictEqual(live.items[0].icon, 'sync~spin');
    assert.strictEqual(live.items[0].description?.endsWith('loss 1'), true, live.items[0].description);

    await api('runs/log-batch', { run_id: runId, metrics: [{ key: 'loss', value: 0.5, timestamp: Date.now(), step: 1 }], params: [], tags: [] });
    await eventually(15_000, async () => {
      const metrics = await inspect('e2e-live', 'live', 'Metrics');
      assert.strictEqual(metrics.items[0].description, '0.5');
    });

    await finishRun(runId);
    await eventually(15_000, async () => {
      const item = (await inspect('e2e-live')).items[0];
      assert.strictEqual(item.icon, 'pass');
      assert.match(item.description ?? '', /loss 0\.5$/);
    });
  });
});
