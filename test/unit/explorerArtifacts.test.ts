import * as assert from 'node:assert/strict';
import { artifactUriPath, parentArtifactPath, parseArtifactUriPath, runsUri } from '../../src/core/explorer/artifactLocation';
import { artifactKind, decideArtifactPreview } from '../../src/core/explorer/artifactPreview';

const MB = 1024 * 1024;

describe('explorer artifact preview', () => {
  it('tells text, structured text, images and the rest apart', () => {
    assert.equal(artifactKind('notes.txt'), 'text');
    assert.equal(artifactKind('summary.JSON'), 'json');
    assert.equal(artifactKind('config/params.yml'), 'yaml');
    assert.equal(artifactKind('model/MLmodel'), 'yaml');
    assert.equal(artifactKind('model/requirements.txt'), 'text');
    assert.equal(artifactKind('history/metrics.csv'), 'csv');
    assert.equal(artifactKind('README.md'), 'markdown');
    assert.equal(artifactKind('plots/loss.png'), 'image');
    assert.equal(artifactKind('model/model.pkl'), 'other');
    assert.equal(artifactKind('.bashrc'), 'other');
    assert.equal(artifactKind('Makefile'), 'other');
  });

  it('opens files up to the limit directly and asks above it', () => {
    assert.deepEqual(decideArtifactPreview('a.csv', 10 * MB, 50), { kind: 'csv', confirm: false });
    assert.deepEqual(decideArtifactPreview('a.csv', 50 * MB, 50), { kind: 'csv', confirm: false });
    const big = decideArtifactPreview('data/a.csv', 50 * MB + 1, 50);
    assert.equal(big.confirm, true);
    assert.match(big.reason ?? '', /"a\.csv" is 50\.0 MB, above the preview limit of 50 MB/);
  });

  it('asks for every non-empty file with a limit of 0, and never for an unknown size', () => {
    assert.equal(decideArtifactPreview('a.txt', 1, 0).confirm, true);
    assert.equal(decideArtifactPreview('a.txt', 0, 0).confirm, false);
    assert.equal(decideArtifactPreview('a.txt', undefined, 0).confirm, false);
    assert.equal(decideArtifactPreview('a.txt', 1, -5).confirm, true);
  });
});

describe('explorer artifact locations', () => {
  it('builds and parses runlens-artifact URI paths', () => {
    assert.equal(artifactUriPath('abc', 'model/MLmodel'), '/abc/model/MLmodel');
    assert.equal(artifactUriPath('abc', '/x//y/'), '/abc/x/y');
    assert.equal(artifactUriPath('abc'), '/abc');
    assert.deepEqual(parseArtifactUriPath('/abc/model/MLmodel'), { runId: 'abc', path: 'model/MLmodel' });
    assert.deepEqual(parseArtifactUriPath('/abc'), { runId: 'abc', path: '' });
    assert.equal(parseArtifactUriPath('/'), undefined);
  });

  it('puts the connection id into runlens-artifact URI paths of other connections than the embedded store', () => {
    assert.equal(artifactUriPath('abc', 'x/y', 'embedded'), '/abc/x/y');
    assert.equal(artifactUriPath('abc', 'x/y', 'mlruns:/w/mlruns'), '/mlruns%3A%2Fw%2Fmlruns/abc/x/y');
    assert.deepEqual(parseArtifactUriPath('/mlruns%3A%2Fw%2Fmlruns/abc/x/y'), { connectionId: 'mlruns:/w/mlruns', runId: 'abc', path: 'x/y' });
    assert.deepEqual(parseArtifactUriPath('/remote%3Ak1/abc'), { connectionId: 'remote:k1', runId: 'abc', path: '' });
    assert.deepEqual(parseArtifactUriPath('/embedded/abc/f', (id) => id === 'embedded'), { connectionId: undefined, runId: 'abc', path: 'f' });
    // Old embedded URIs (no connection) keep working.
    assert.deepEqual(parseArtifactUriPath('/abc/f', (id) => id === 'embedded'), { runId: 'abc', path: 'f' });
    assert.equal(parseArtifactUriPath('/remote%3Ak1'), undefined);
  });

  it('names parent folders and runs:/ URIs', () => {
    assert.equal(parentArtifactPath('a/b/c.txt'), 'a/b');
    assert.equal(parentArtifactPath('c.txt'), '');
    assert.equal(runsUri('abc'), 'runs:/abc');
    assert.equal(runsUri('abc', 'model'), 'runs:/abc/model');
  });
});
