import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MlflowError } from '../../src/core/errors';
import { joinArtifactPath, percentDecodeFully, validateArtifactPath } from '../../src/core/artifacts/artifactPath';
import { ArtifactRepository } from '../../src/core/artifacts/artifactRepository';
import { guessMimeType } from '../../src/core/artifacts/mimeTypes';
import { localArtifactRoot } from '../../src/core/artifacts/artifactUri';
import { makeTempDir } from '../support/tempDir';

function isInvalidPath(e: unknown): boolean {
  return e instanceof MlflowError && e.errorCode === 'INVALID_PARAMETER_VALUE' && e.httpStatus === 400 && e.message === 'Invalid path';
}

const HOSTILE = [
  '../x',
  'a/../../x',
  'a/..',
  '..',
  '%2e%2e/x',
  '%2E%2E/x',
  'a/%2e%2e/%2e%2e/x',
  '%252e%252e/x',
  '%25252e%25252e/x',
  '..%2fx',
  '..%252fx',
  '/etc/passwd',
  '%2fetc%2fpasswd',
  '//server/share',
  'C:\\x',
  'C:/x',
  'c:x',
  'a\\b',
  '..\\x',
  '%5c%5cserver%5cshare',
  'x#y',
  'x%23y',
  'a\u0000b',
  'a%00b',
  'a\nb',
  'a%0d%0ab',
  'a\u007fb',
  'file:///etc/passwd',
  'file://localhost/etc/passwd',
];

const BENIGN: Array<[string, string]> = [
  ['', ''],
  ['notes.txt', 'notes.txt'],
  ['a/b/c.txt', 'a/b/c.txt'],
  ['1/0123456789abcdef0123456789abcdef/artifacts/report/data.csv', '1/0123456789abcdef0123456789abcdef/artifacts/report/data.csv'],
  ['..a/b..', '..a/b..'],
  ['a/.../b', 'a/.../b'],
  ['.hidden', '.hidden'],
  ['dir/', 'dir/'],
  ['a%20b.txt', 'a b.txt'],
  ['caf%C3%A9.txt', 'café.txt'],
  ['日本/データ.json', '日本/データ.json'],
  ['100%.txt', '100%.txt'],
  ['ab:c', 'ab:c'],
  ['model/MLmodel', 'model/MLmodel'],
];

describe('artifact path safety (compat §2.9)', () => {
  it('rejects every hostile path with 400 INVALID_PARAMETER_VALUE "Invalid path"', () => {
    for (const hostile of HOSTILE) {
      assert.throws(() => validateArtifactPath(hostile), isInvalidPath, JSON.stringify(hostile));
    }
  });

  it('accepts benign paths and returns them decoded', () => {
    for (const [raw, expected] of BENIGN) assert.equal(validateArtifactPath(raw), expected, JSON.stringify(raw));
  });

  it('decodes repeatedly until stable, like Python unquote (malformed escapes stay)', () => {
    assert.equal(percentDecodeFully('%25252e'), '.');
    assert.equal(percentDecodeFully('%zz%4'), '%zz%4');
    assert.equal(percentDecodeFully('%e6%97%a5'), '日');
    // A path that keeps changing after ten rounds is refused rather than decoded forever.
    assert.throws(() => percentDecodeFully(`%${'25'.repeat(12)}41`), isInvalidPath);
  });

  it('joins artifact paths like posixpath.join', () => {
    assert.equal(joinArtifactPath('report', 'data.csv'), 'report/data.csv');
    assert.equal(joinArtifactPath('report/', 'data.csv'), 'report/data.csv');
    assert.equal(joinArtifactPath('', 'data.csv'), 'data.csv');
  });
});

describe('artifact URIs', () => {
  const dest = path.resolve('/srv/artifacts');

  it('maps mlflow-artifacts URIs into the destination and local URIs to themselves', () => {
    assert.deepEqual(localArtifactRoot('mlflow-artifacts:/1/abc/artifacts', dest), { root: path.join(dest, '1/abc/artifacts'), boundary: dest, proxied: true });
    assert.deepEqual(localArtifactRoot('mlflow-artifacts://host:5000/1/abc/artifacts', dest).root, path.join(dest, '1/abc/artifacts'));
    assert.equal(localArtifactRoot('http://host:5000/api/2.0/mlflow-artifacts/artifacts/1/abc/artifacts', dest).root, path.join(dest, '1/abc/artifacts'));
    assert.equal(localArtifactRoot('mlflow-artifacts:', dest).root, dest);
    assert.deepEqual(localArtifactRoot('file:///data/mlruns/1/abc/artifacts', dest), { root: '/data/mlruns/1/abc/artifacts', boundary: '/data/mlruns/1/abc/artifacts', proxied: false });
    assert.equal(localArtifactRoot('/data/runs/x', dest).root, '/data/runs/x');
  });

  it('refuses proxied URIs that leave the destination and answers 501 for remote stores', () => {
    assert.throws(() => localArtifactRoot('mlflow-artifacts:/../../etc', dest), isInvalidPath);
    assert.throws(() => localArtifactRoot('s3://bucket/x', dest), (e: unknown) => e instanceof MlflowError && e.httpStatus === 501);
  });
});

describe('artifact MIME types', () => {
  it('guesses as MLflow does', () => {
    for (const name of ['a.txt', 'a.json', 'a.yaml', 'a.yml', 'a.md', 'a.csv', 'MLmodel', 'MLproject', 'x/requirements.txt', 'A.TXT']) {
      assert.equal(guessMimeType(name), 'text/plain', name);
    }
    assert.equal(guessMimeType('images/gradient.png'), 'image/png');
    assert.equal(guessMimeType('a.jpg'), 'image/jpeg');
    assert.equal(guessMimeType('estimator.html'), 'text/html');
    for (const name of ['model.pkl', 'blob.bin', 'noextension', '.bashrc', 'weights.pt']) {
      assert.equal(guessMimeType(name), 'application/octet-stream', name);
    }
  });
});

describe('ArtifactRepository: symlinks never lead out of the boundary', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let dest: string;
  let outside: string;
  let repo: ArtifactRepository;

  beforeEach(() => {
    tmp = makeTempDir();
    dest = path.join(tmp.dir, 'artifacts');
    outside = path.join(tmp.dir, 'outside');
    fs.mkdirSync(path.join(dest, 'run/artifacts'), { recursive: true });
    fs.mkdirSync(outside);
    fs.writeFileSync(path.join(outside, 'secret.txt'), 'secret');
    fs.writeFileSync(path.join(dest, 'run/artifacts/inside.txt'), 'inside');
    fs.symlinkSync(outside, path.join(dest, 'run/artifacts/escape'));
    fs.symlinkSync(path.join(outside, 'secret.txt'), path.join(dest, 'run/artifacts/secret-link.txt'));
    fs.symlinkSync(path.join(dest, 'run/artifacts/inside.txt'), path.join(dest, 'run/artifacts/inside-link.txt'));
    repo = new ArtifactRepository(dest);
  });
  afterEach(() => tmp.cleanup());

  it('refuses to read, list, write or delete through a link that points outside', async () => {
    await assert.rejects(repo.openRead('mlflow-artifacts:', 'run/artifacts/escape/secret.txt'), isInvalidPath);
    await assert.rejects(repo.openRead('mlflow-artifacts:', 'run/artifacts/secret-link.txt'), isInvalidPath);
    await assert.rejects(repo.list('mlflow-artifacts:', 'run/artifacts/escape'), isInvalidPath);
    await assert.rejects(repo.write('mlflow-artifacts:', 'run/artifacts/escape/planted.txt', [Buffer.from('x')]), isInvalidPath);
    await assert.rejects(repo.remove('mlflow-artifacts:', 'run/artifacts/escape'), isInvalidPath);
    assert.deepEqual(fs.readdirSync(outside), ['secret.txt']);
    assert.equal(fs.readFileSync(path.join(outside, 'secret.txt'), 'utf8'), 'secret');
  });

  it('refuses the same through a file:// root', async () => {
    const root = `file://${path.join(dest, 'run/artifacts')}`;
    await assert.rejects(repo.openRead(root, 'escape/secret.txt'), isInvalidPath);
    await assert.rejects(repo.list(root, 'escape'), isInvalidPath);
  });

  it('hides outside links from listings but follows links that stay inside', async () => {
    const names = (await repo.list('mlflow-artifacts:', 'run/artifacts')).map((e) => e.name);
    assert.deepEqual(names, ['inside-link.txt', 'inside.txt']);
    const download = await repo.openRead('mlflow-artifacts:', 'run/artifacts/inside-link.txt');
    download.stream.destroy();
    assert.equal(download.size, 6);
  });

  it('refuses a destination whose run folder is itself a link to outside', async () => {
    fs.symlinkSync(outside, path.join(dest, 'evil'));
    await assert.rejects(repo.list('mlflow-artifacts:/evil', ''), isInvalidPath);
    await assert.rejects(repo.openRead('mlflow-artifacts:/evil/artifacts', 'x'), isInvalidPath);
  });
});
