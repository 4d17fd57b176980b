import * as assert from 'assert';
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';

const FIXTURE_DB = path.resolve(__dirname, '../../../../test/fixtures/mlflow-3.5/sqlite/mlflow.db');

function getJson(url: string): Promise<any> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve(JSON.parse(body)));
      })
      .on('error', reject);
  });
}

describe('Runlens: Copy Store (extension host)', function () {
  this.timeout(120000);
  let tmp = '';
  before(async () => {
    await vscode.extensions.getExtension('runlens.runlens')!.activate();
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'runlens-copy-e2e-'));
    fs.copyFileSync(FIXTURE_DB, path.join(tmp, 'mlflow.db'));
  });
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('copies an MLflow database into the embedded store, and a second copy duplicates nothing', async () => {
    const url = await vscode.commands.executeCommand<string>('runlens.server.copyTrackingUri');
    const folder = vscode.workspace.workspaceFolders![0].uri.fsPath;
    const args = {
      from: { label: 'fixture', uri: `sqlite:///${path.join(tmp, 'mlflow.db')}` },
      to: { label: 'embedded', uri: `sqlite:///${path.join(folder, '.runlens', 'mlflow.db')}` },
    };
    const first = await vscode.commands.executeCommand<any>('runlens.copyStore', args);
    assert.strictEqual(first.cancelled, false);
    assert.ok(first.kinds.runs.copied >= 10, JSON.stringify(first.kinds));
    const found = await getJson(`${url}/api/2.0/mlflow/experiments/get-by-name?experiment_name=iris-classification`);
    assert.strictEqual(found.experiment.name, 'iris-classification');
    const second = await vscode.commands.executeCommand<any>('runlens.copyStore', args);
    assert.strictEqual(second.kinds.runs.copied, 0);
    assert.strictEqual(second.kinds.runs.skipped, first.kinds.runs.copied);
  });
});
