import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MlflowError } from '../../src/core/errors';
import { ArtifactRepository, UPLOAD_TEMP_PREFIX } from '../../src/core/artifacts/artifactRepository';
import { makeTempDir } from '../support/tempDir';

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const ALL_BYTES = Buffer.from(Array.from({ length: 256 }, (_, i) => i));

describe('ArtifactRepository', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let dest: string;
  let repo: ArtifactRepository;

  beforeEach(() => {
    tmp = makeTempDir();
    dest = path.join(tmp.dir, 'artifacts');
    fs.mkdirSync(dest);
    repo = new ArtifactRepository(dest);
  });
  afterEach(() => tmp.cleanup());

  it('writes, reads back, lists and removes under an mlflow-artifacts URI', async () => {
    const uri = 'mlflow-artifacts:/1/run/artifacts';
    assert.equal(await repo.write(uri, 'report/nested/blob.bin', [ALL_BYTES.subarray(0, 100), ALL_BYTES.subarray(100)]), 256);
    await repo.write(uri, 'report/data.csv', ['x,y\n']);
    await repo.write(uri, 'notes.txt', [Buffer.from('hello')]);
    assert.deepEqual(fs.readFileSync(path.join(dest, '1/run/artifacts/report/nested/blob.bin')), ALL_BYTES);

    const download = await repo.openRead(uri, 'report/nested/blob.bin');
    assert.equal(download.size, 256);
    assert.equal(download.name, 'blob.bin');
    assert.deepEqual(await readAll(download.stream), ALL_BYTES);

    assert.deepEqual(await repo.list(uri), [
      { name: 'notes.txt', isDir: false, size: 5 },
      { name: 'report', isDir: true },
    ]);
    assert.deepEqual(await repo.list(uri, 'report'), [
      { name: 'data.csv', isDir: false, size: 4 },
      { name: 'nested', isDir: true },
    ]);
    assert.deepEqual(await repo.list(uri, 'notes.txt'), [], 'a file lists as nothing');
    assert.deepEqual(await repo.list(uri, 'missing'), [], 'a missing path lists as nothing');

    assert.equal(await repo.remove(uri, 'report'), true);
    assert.equal(await repo.remove(uri, 'notes.txt'), true);
    assert.equal(await repo.remove(uri, 'notes.txt'), false, 'removing twice is fine');
    assert.deepEqual(await repo.list(uri), []);
  });

  it('replaces an existing file atomically', async () => {
    await repo.write('mlflow-artifacts:', 'a.txt', ['old']);
    await repo.write('mlflow-artifacts:', 'a.txt', ['new content']);
    assert.equal(fs.readFileSync(path.join(dest, 'a.txt'), 'utf8'), 'new content');
    assert.deepEqual(fs.readdirSync(dest), ['a.txt']);
  });

  it('leaves neither a partial file nor a temporary file when the source fails', async () => {
    await repo.write('mlflow-artifacts:', 'dir/keep.txt', ['previous']);
    async function* failing(): AsyncGenerator<Buffer> {
      yield Buffer.alloc(3 * 1024 * 1024, 1); // more than one write batch reaches the disk first
      throw new Error('connection lost');
    }
    await assert.rejects(repo.write('mlflow-artifacts:', 'dir/big.bin', failing()), /connection lost/);
    await assert.rejects(repo.write('mlflow-artifacts:', 'dir/keep.txt', failing()), /connection lost/);
    assert.deepEqual(fs.readdirSync(path.join(dest, 'dir')), ['keep.txt']);
    assert.equal(fs.readFileSync(path.join(dest, 'dir/keep.txt'), 'utf8'), 'previous');
  });

  it('discards an upload that is incomplete, too large or empty when asked to', async () => {
    await assert.rejects(repo.write('mlflow-artifacts:', 'cut.bin', ['abc'], { isComplete: () => false }), /ended before/);
    const tooLarge = () => MlflowError.invalidParameter('too large');
    await assert.rejects(repo.write('mlflow-artifacts:', 'big.bin', ['abc', 'def'], { maxBytes: 5, tooLarge }), /too large/);
    const empty = () => MlflowError.invalidParameter('no data');
    await assert.rejects(repo.write('mlflow-artifacts:', 'empty.bin', [], { whenEmpty: empty }), /no data/);
    assert.deepEqual(fs.readdirSync(dest), []);
  });

  it('hides uploads in progress from listings', async () => {
    fs.writeFileSync(path.join(dest, `${UPLOAD_TEMP_PREFIX}0123`), 'partial');
    fs.writeFileSync(path.join(dest, 'done.txt'), 'done');
    assert.deepEqual((await repo.list('mlflow-artifacts:')).map((e) => e.name), ['done.txt']);
  });

  it('answers INTERNAL_ERROR (500) for a missing file or a folder, as MLflow does', async () => {
    fs.mkdirSync(path.join(dest, 'folder'));
    for (const missing of ['nope.txt', 'folder', 'nope/deeper.txt']) {
      await assert.rejects(repo.openRead('mlflow-artifacts:', missing), (e: unknown) => e instanceof MlflowError && e.httpStatus === 500, missing);
    }
  });

  it('refuses to write a file over a folder, or below a file, leaving nothing behind', async () => {
    await repo.write('mlflow-artifacts:', 'tree/leaf.txt', ['leaf']);
    const internal = (e: unknown) => e instanceof MlflowError && e.errorCode === 'INTERNAL_ERROR';
    await assert.rejects(repo.write('mlflow-artifacts:', 'tree', ['x']), internal);
    await assert.rejects(repo.write('mlflow-artifacts:', 'tree/leaf.txt/below.txt', ['x']), internal);
    assert.deepEqual(fs.readdirSync(dest), ['tree']);
    assert.deepEqual(fs.readdirSync(path.join(dest, 'tree')), ['leaf.txt']);
  });

  it('never removes the destination itself and needs a file name to write', async () => {
    const invalid = (e: unknown) => e instanceof MlflowError && e.message === 'Invalid path';
    await assert.rejects(repo.remove('mlflow-artifacts:', ''), invalid);
    await assert.rejects(repo.write('mlflow-artifacts:', '', ['x']), invalid);
    assert.ok(fs.existsSync(dest));
  });

  it('serves file:// and absolute-path roots (custom experiment artifact locations)', async () => {
    const custom = path.join(tmp.dir, 'custom', 'run1');
    await repo.write(`file://${custom}`, 'model/MLmodel', ['flavors: {}\n']);
    assert.deepEqual(await repo.list(custom, 'model'), [{ name: 'MLmodel', isDir: false, size: 12 }]);
    const download = await repo.openRead(`file://${custom}`, 'model/MLmodel');
    assert.equal((await readAll(download.stream)).toString(), 'flavors: {}\n');
    assert.equal(await repo.remove(`file://${custom}`), true, 'a run root outside the destination can be removed whole (gc)');
    assert.ok(!fs.existsSync(custom));
  });
});
