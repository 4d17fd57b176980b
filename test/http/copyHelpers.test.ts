/**
 * The pure parts of the copier: store URIs, proxied artifact paths, copy tags, re-pointing model
 * version sources, and the CLI summary.
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { MlflowClient } from '../../src/core/client/mlflowClient';
import { formatBytes, formatSummary } from '../../src/cli/copyCommand';
import { destinationRoot, proxiedPath } from '../../src/core/copy/artifactCopier';
import { CopyContext } from '../../src/core/copy/copyContext';
import { copyableTags, missingTags, sourceIdOf, sourceRef, storeIdFor } from '../../src/core/copy/copyTags';
import { emptyCounts } from '../../src/core/copy/copyTypes';
import { repointVersion } from '../../src/core/copy/registryCopier';
import { classifyStoreUri, defaultArtifactsFolder } from '../../src/core/copy/storeEndpoint';

describe('runlens copy: helpers', () => {
  it('classifies store URIs', () => {
    assert.deepEqual(classifyStoreUri('https://u:p@mlflow.example.com:8443/prefix/'), { kind: 'http', location: 'https://mlflow.example.com:8443/prefix' });
    assert.deepEqual(classifyStoreUri('sqlite:////data/mlflow.db'), { kind: 'sqlite', location: '/data/mlflow.db' });
    assert.deepEqual(classifyStoreUri('sqlite:///rel/mlflow.db'), { kind: 'sqlite', location: path.resolve('rel/mlflow.db') });
    assert.deepEqual(classifyStoreUri('file:///data/mlruns'), { kind: 'mlruns', location: '/data/mlruns' });
    assert.deepEqual(classifyStoreUri('./mlruns'), { kind: 'mlruns', location: path.resolve('mlruns') });
    assert.deepEqual(classifyStoreUri('/nowhere/mlflow.db'), { kind: 'sqlite', location: '/nowhere/mlflow.db' });
    assert.throws(() => classifyStoreUri('sqlite://'), /names no database file/);
    assert.throws(() => classifyStoreUri('postgresql://db/mlflow'), /unsupported store URI/);
    assert.equal(defaultArtifactsFolder('/x/.runlens/mlflow.db'), '/x/.runlens/artifacts');
    assert.equal(defaultArtifactsFolder('/x/project/mlflow.db'), '/x/project/mlartifacts');
  });

  it('finds the proxied path of artifact URIs, and refuses to upload elsewhere', () => {
    assert.equal(proxiedPath('mlflow-artifacts:/1/abc/artifacts'), '1/abc/artifacts');
    assert.equal(proxiedPath('mlflow-artifacts://host:5000/1/abc/artifacts'), '1/abc/artifacts');
    assert.equal(proxiedPath('http://host:5000/api/2.0/mlflow-artifacts/artifacts/1/r%C3%A9/artifacts'), '1/ré/artifacts');
    assert.equal(proxiedPath('s3://bucket/1/abc/artifacts'), undefined);
    assert.equal(proxiedPath('file:///data/mlartifacts/1'), undefined);
    assert.equal(destinationRoot('mlflow-artifacts:/1/abc/artifacts/', 'run abc'), '1/abc/artifacts');
    assert.throws(() => destinationRoot('s3://bucket/1/abc', 'run abc'), /the destination stores the artifacts of run abc at 's3:\/\/bucket\/1\/abc', which is not served through its proxied artifact store/);
  });

  it('makes and reads copy tags', () => {
    const id = storeIdFor('sqlite', '/data/mlflow.db');
    assert.match(id, /^sqlite-[0-9a-f]{10}$/);
    assert.equal(storeIdFor('sqlite', '/data/mlflow.db'), id, 'stable');
    assert.equal(sourceIdOf(sourceRef(id, 'abc123')), 'abc123');
    assert.equal(sourceIdOf(sourceRef(id, 'clf/3')), 'clf/3');
    assert.equal(sourceIdOf(undefined), undefined);
    assert.deepEqual(copyableTags([{ key: 'runlens.copy.source', value: 'x/y' }, { key: 'a', value: '1' }]), [{ key: 'a', value: '1' }]);
    assert.deepEqual(missingTags([{ key: 'a', value: '1' }, { key: 'b', value: '2' }], [{ key: 'a', value: '1' }, { key: 'b', value: 'old' }]), [{ key: 'b', value: '2' }]);
  });

  it('re-points model version sources to the copied run or logged model', () => {
    const client = new MlflowClient({ baseUrl: 'http://127.0.0.1:9' });
    const ctx = new CopyContext(client, client, { sourceId: 's' });
    ctx.runs.set('r1', { destRunId: 'd1', sourceArtifactUri: 'file:///old/mlartifacts/1/r1/artifacts', destArtifactUri: 'mlflow-artifacts:/1/d1/artifacts' });
    ctx.models.set('m-0123abcd', { destModelId: 'm-ffff0000', sourceArtifactUri: 'file:///old/mlartifacts/1/models/m-0123abcd/artifacts', destArtifactUri: 'mlflow-artifacts:/1/models/m-ffff0000/artifacts' });
    const v = (source: string, run_id?: string) => ({ name: 'm', version: '1', source, run_id });
    assert.deepEqual(repointVersion(ctx, v('runs:/r1/model', 'r1')), { runId: 'd1', modelId: undefined, source: 'runs:/d1/model', repointed: true });
    assert.deepEqual(repointVersion(ctx, v('models:/m-0123abcd', 'r1')), { runId: 'd1', modelId: 'm-ffff0000', source: 'models:/m-ffff0000', repointed: true });
    assert.deepEqual(repointVersion(ctx, v('file:///old/mlartifacts/1/r1/artifacts/exported', 'r1')), { runId: 'd1', modelId: undefined, source: 'mlflow-artifacts:/1/d1/artifacts/exported', repointed: true });
    assert.deepEqual(repointVersion(ctx, v('file:///old/mlartifacts/1/models/m-0123abcd/artifacts')), {
      runId: undefined,
      modelId: 'm-ffff0000',
      source: 'mlflow-artifacts:/1/models/m-ffff0000/artifacts',
      repointed: true,
    });
    assert.deepEqual(repointVersion(ctx, v('s3://bucket/model', 'unknown-run')), { runId: undefined, modelId: undefined, source: 's3://bucket/model', repointed: false });
    client.close();
  });

  it('says when none of the artifact locations of a local source exists (a store moved here)', () => {
    const client = new MlflowClient({ baseUrl: 'http://127.0.0.1:9' });
    const moved = new CopyContext(client, client, { sourceId: 's', localSource: true });
    moved.checkArtifactRoot('file:///__MLFLOW_FIXTURE_ROOT__/mlartifacts/1/r1/artifacts', false);
    moved.checkArtifactRoot('file:///__MLFLOW_FIXTURE_ROOT__/mlartifacts/1/r2/artifacts', false);
    assert.deepEqual(moved.summary(0).notes, [
      'none of the 2 artifact locations of the source exists on this machine (e.g. file:///__MLFLOW_FIXTURE_ROOT__/mlartifacts/1/r1/artifacts): if the store was moved here from elsewhere, its artifacts could not be copied',
    ]);
    const normal = new CopyContext(client, client, { sourceId: 's', localSource: true });
    normal.checkArtifactRoot('file:///nowhere/1/r1/artifacts', false);
    normal.checkArtifactRoot(`file://${__dirname}`, false);
    assert.deepEqual(normal.summary(0).notes, [], 'a run without artifacts has no folder, which is normal');
    const remote = new CopyContext(client, client, { sourceId: 's' });
    remote.checkArtifactRoot('file:///nowhere/1/r1/artifacts', false);
    assert.deepEqual(remote.summary(0).notes, [], 'paths of a remote server are not checked here');
    client.close();
  });

  it('formats the summary as a table with failures and notes', () => {
    const kinds = { experiments: { copied: 2, skipped: 1, failed: 0 }, runs: { copied: 5, skipped: 0, failed: 1 }, loggedModels: { copied: 0, skipped: 0, failed: 0 }, registeredModels: { copied: 1, skipped: 0, failed: 0 }, modelVersions: { copied: 2, skipped: 0, failed: 0 } };
    const text = formatSummary({
      kinds,
      counts: { ...emptyCounts(), metricPoints: 12345, artifactFiles: 3, artifactBytes: 5 * 1024 * 1024 },
      failures: [{ kind: 'runs', what: "run 'x' (abc) of experiment 'e'", message: 'boom' }],
      notes: ['a note'],
      cancelled: false,
      sourceId: 'sqlite-0123456789',
      durationMs: 1500,
      source: '/a/mlflow.db (read-only)',
      destination: 'http://127.0.0.1:5000',
    });
    assert.match(text, /^Copied from \/a\/mlflow\.db \(read-only\) to http:\/\/127\.0\.0\.1:5000 in 1\.5 s \(source id sqlite-0123456789\)/);
    assert.match(text, /runs\s+5\s+0\s+1/);
    assert.match(text, /metric points 12,345, artifact files 3 \(5\.0 MB\)/);
    assert.match(text, /Failures:\n  run 'x' \(abc\) of experiment 'e': boom/);
    assert.match(text, /Notes:\n  a note/);
    assert.equal(formatBytes(1023), '1023 B');
    assert.equal(formatBytes(1536), '1.5 KB');
  });
});
