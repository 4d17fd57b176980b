/**
 * `runlens copy --from <mlruns folder>`: the MLflow 3.5 file-store fixture, served by
 * `runlens server --backend-store-uri <mlruns>` once this build can read file stores. Until
 * then the copy must say so clearly (and point at the workaround) instead of failing obscurely.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { copyBetweenStores } from '../../src/core/copy/copyBetweenStores';
import { CLI, runCli } from '../support/serverProcess';
import { makeTempDir } from '../support/tempDir';

const FIXTURE = path.resolve(__dirname, '../../../test/fixtures/mlflow-3.5');
const TOKEN = '/__MLFLOW_FIXTURE_ROOT__';

/** Replaces the path placeholder in the store's meta.yaml files (not in artifacts), as test/fixtures/README.md says. */
function substitutePlaceholder(dir: string, root: string): void {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== 'artifacts') substitutePlaceholder(full, root);
    else if (entry.isFile() && entry.name === 'meta.yaml') fs.writeFileSync(full, fs.readFileSync(full, 'utf8').split(TOKEN).join(root));
  }
}

describe('runlens copy: from an mlruns file store', function () {
  this.timeout(120000);
  let tmp: ReturnType<typeof makeTempDir>;
  let mlruns: string;

  before(async () => {
    tmp = makeTempDir('runlens-copy-mlruns-');
    fs.cpSync(path.join(FIXTURE, 'file-store'), path.join(tmp.dir, 'file-store'), { recursive: true });
    substitutePlaceholder(path.join(tmp.dir, 'file-store'), path.join(tmp.dir, 'file-store'));
    mlruns = path.join(tmp.dir, 'file-store', 'mlruns');
  });
  after(() => tmp?.cleanup());

  it('copies the file store, or says clearly that this build cannot read file stores yet', async () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(FIXTURE, 'manifest.json'), 'utf8'));
    const dest = `sqlite:///${path.join(tmp.dir, 'dest', 'mlflow.db')}`;
    let result;
    try {
      result = await copyBetweenStores(mlruns, dest, { cliPath: CLI });
    } catch (e) {
      assert.match((e as Error).message, /this Runlens build cannot serve mlruns file stores yet .* start "mlflow server --backend-store-uri .*mlruns" and copy from its http:\/\/ URL instead/);
      const cli = await runCli(['copy', '--from', `file://${mlruns}`, '--to', dest], tmp.dir);
      assert.equal(cli.code, 1);
      assert.match(cli.output, /runlens copy: this Runlens build cannot serve mlruns file stores yet/);
      return;
    }
    const counts = manifest.counts.file_store;
    assert.deepEqual(result.failures, []);
    assert.deepEqual(result.notes, []);
    assert.deepEqual(result.kinds, {
      experiments: { copied: 2, skipped: 1, failed: 0 },
      runs: { copied: counts.runs, skipped: 0, failed: 0 },
      loggedModels: { copied: counts.logged_models, skipped: 0, failed: 0 },
      registeredModels: { copied: counts.registered_models, skipped: 0, failed: 0 },
      modelVersions: { copied: counts.model_versions, skipped: 0, failed: 0 },
    });
    // Every point MLflow returns from the file store is sent, exact duplicates included.
    assert.equal(result.counts.metricPoints, counts.metric_points);
    assert.equal(result.counts.artifactFiles, counts.run_artifact_files + counts.logged_model_artifact_files);

    const again = await copyBetweenStores(mlruns, dest, { cliPath: CLI });
    assert.deepEqual(again.failures, []);
    assert.equal(again.kinds.runs.copied, 0);
    assert.equal(again.kinds.runs.skipped, counts.runs);
    assert.equal(again.counts.metricPoints + again.counts.artifactFiles, 0);
  });
});
