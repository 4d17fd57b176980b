import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  connectionFromTrackingUri,
  discoverConnections,
  newRemoteId,
  normalizeServerUrl,
  persistable,
  sortConnections,
  trackingUriFromDotEnv,
  validateServerUrl,
  type Connection,
} from '../../src/core/connections';
import { makeTempDir } from '../support/tempDir';

function write(file: string, text = ''): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

describe('connections: discovery of workspace stores', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  beforeEach(() => {
    tmp = makeTempDir('runlens-conn-');
  });
  afterEach(() => tmp.cleanup());

  it('finds mlflow.db in the folder and one level down, never in .runlens/', () => {
    write(path.join(tmp.dir, 'mlflow.db'));
    write(path.join(tmp.dir, 'proj', 'mlflow.db'));
    write(path.join(tmp.dir, '.runlens', 'mlflow.db'));
    write(path.join(tmp.dir, 'a', 'b', 'mlflow.db')); // third level: not searched
    const found = discoverConnections(tmp.dir);
    assert.deepEqual(found.map((c) => [c.kind, c.label]), [['sqlite', 'mlflow.db'], ['sqlite', 'proj/mlflow.db']]);
    assert.equal(found[0].uri, `sqlite:///${path.join(tmp.dir, 'mlflow.db')}`);
    assert.equal(found[0].id, `sqlite:${path.join(tmp.dir, 'mlflow.db')}`);
  });

  it('finds mlruns/ holding 0/meta.yaml or models/, not other mlruns folders', () => {
    write(path.join(tmp.dir, 'mlruns', '0', 'meta.yaml'), 'name: Default\n');
    fs.mkdirSync(path.join(tmp.dir, 'sub', 'mlruns', 'models'), { recursive: true });
    fs.mkdirSync(path.join(tmp.dir, 'other', 'mlruns', 'x'), { recursive: true });
    const found = discoverConnections(tmp.dir);
    assert.deepEqual(found.map((c) => [c.kind, c.label]), [['mlruns', 'mlruns/'], ['mlruns', 'sub/mlruns/']]);
    assert.match(found[0].uri, /^file:\/\/\//);
  });

  it('reads MLFLOW_TRACKING_URI from .env files (remote, sqlite, file store)', () => {
    write(path.join(tmp.dir, '.env'), '# comment\nOTHER=1\nexport MLFLOW_TRACKING_URI="https://mlflow.example.com/"\n');
    write(path.join(tmp.dir, 'svc', '.env'), 'MLFLOW_TRACKING_URI=sqlite:///data/runs.db # local\n');
    write(path.join(tmp.dir, 'svc', 'data', 'runs.db'));
    write(path.join(tmp.dir, 'gone', '.env'), 'MLFLOW_TRACKING_URI=sqlite:///missing.db\n');
    const found = discoverConnections(tmp.dir);
    assert.deepEqual(
      found.map((c) => [c.kind, c.label, c.source]),
      [
        ['remote', 'mlflow.example.com', '.env'],
        ['sqlite', 'svc/data/runs.db', 'svc/.env'],
      ],
    );
    assert.equal(found[0].uri, 'https://mlflow.example.com');
    assert.equal(found[0].auth, 'none');
  });

  it('lists a store once even when a .env names it too', () => {
    write(path.join(tmp.dir, 'mlflow.db'));
    write(path.join(tmp.dir, '.env'), 'MLFLOW_TRACKING_URI=sqlite:///mlflow.db\n');
    assert.equal(discoverConnections(tmp.dir).length, 1);
  });

  it('returns nothing for a missing or empty folder', () => {
    assert.deepEqual(discoverConnections(tmp.dir), []);
    assert.deepEqual(discoverConnections(path.join(tmp.dir, 'nope')), []);
  });
});

describe('connections: model helpers', () => {
  it('parses .env values', () => {
    assert.equal(trackingUriFromDotEnv("MLFLOW_TRACKING_URI='http://h:5000'"), 'http://h:5000');
    assert.equal(trackingUriFromDotEnv('MLFLOW_TRACKING_URI = ./mlruns  # store'), './mlruns');
    assert.equal(trackingUriFromDotEnv('MLFLOW_TRACKING_URI='), undefined);
    assert.equal(trackingUriFromDotEnv('X_MLFLOW_TRACKING_URI=a'), undefined);
  });

  it('maps tracking URIs to connection kinds', () => {
    assert.equal(connectionFromTrackingUri('http://h:5000/', '/w', '.env')?.uri, 'http://h:5000');
    assert.equal(connectionFromTrackingUri('sqlite:////abs/m.db', '/w', '.env')?.id, `sqlite:${path.resolve('/abs/m.db')}`);
    assert.equal(connectionFromTrackingUri('./mlruns', '/w', '.env')?.kind, 'mlruns');
    assert.equal(connectionFromTrackingUri('databricks://profile', '/w', '.env'), undefined);
  });

  it('validates server URLs', () => {
    assert.equal(validateServerUrl('https://mlflow.example.com'), undefined);
    assert.match(validateServerUrl('ftp://x') ?? '', /http/);
    assert.match(validateServerUrl('not a url') ?? '', /URL/);
    assert.match(validateServerUrl('https://u:p@host') ?? '', /credentials/);
    assert.equal(normalizeServerUrl(' http://h:5000// '), 'http://h:5000');
  });

  it('orders roots: embedded, discovered by label, remotes as added', () => {
    const c = (id: string, kind: Connection['kind'], label: string): Connection => ({ id, kind, label, uri: '', auth: 'none' });
    const sorted = sortConnections([c('remote:b', 'remote', 'z'), c('sqlite:/b', 'sqlite', 'b'), c('remote:a', 'remote', 'a'), c('embedded', 'embedded', 'e'), c('mlruns:/a', 'mlruns', 'a')]);
    assert.deepEqual(sorted.map((x) => x.id), ['embedded', 'mlruns:/a', 'sqlite:/b', 'remote:b', 'remote:a']);
  });

  it('persists no unknown fields (no secrets) and makes distinct remote ids', () => {
    const withSecret = { id: 'remote:1', kind: 'remote', label: 'h', uri: 'https://h', auth: 'bearer', token: 's3cret' } as Connection & { token: string };
    assert.equal(JSON.stringify(persistable(withSecret)).includes('s3cret'), false);
    assert.notEqual(newRemoteId(), newRemoteId());
    assert.match(newRemoteId(() => 0.5), /^remote:[0-9a-z]{8}$/);
  });
});
