/**
 * A 200 MB artifact through the proxied routes of a server running in its own process: the
 * server's memory must stay flat (uploads and downloads stream), and the bytes must survive.
 */
import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { exited, spawnServer, type ServerProcess } from '../support/serverProcess';
import { makeTempDir } from '../support/tempDir';

const FILE_BYTES = 200 * 1024 * 1024;
const CHUNK_BYTES = 1024 * 1024;
const MAX_GROWTH_MIB = 64;

/** Deterministic pseudo-random bytes (xorshift32), produced a chunk at a time and never held whole. */
function* deterministicChunks(total: number, seed = 0x9e3779b9): Generator<Buffer> {
  let state = seed >>> 0;
  for (let produced = 0; produced < total; produced += CHUNK_BYTES) {
    const words = new Uint32Array(Math.min(CHUNK_BYTES, total - produced) / 4);
    for (let i = 0; i < words.length; i++) {
      state ^= state << 13;
      state ^= state >>> 17;
      state ^= state << 5;
      words[i] = state >>> 0;
    }
    yield Buffer.from(words.buffer);
  }
}

/** VmHWM (peak resident set) and VmRSS of a process, in MiB. */
function memoryOf(pid: number): { peak: number; rss: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)![1]) / 1024;
  return { peak: field('VmHWM'), rss: field('VmRSS') };
}

function upload(base: string, artifact: string, size: number, chunks: Iterable<Buffer>): Promise<{ status: number; sha256: string }> {
  const hash = createHash('sha256');
  const source = Readable.from((function* () {
    for (const chunk of chunks) {
      hash.update(chunk);
      yield chunk;
    }
  })());
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}/api/2.0/mlflow-artifacts/artifacts/${artifact}`, { method: 'PUT', agent: false, headers: { 'Content-Length': String(size), 'Content-Type': 'application/octet-stream' } }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, sha256: hash.digest('hex') }));
    });
    req.on('error', reject);
    source.pipe(req);
  });
}

function download(base: string, artifact: string): Promise<{ status: number; bytes: number; sha256: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(`${base}/api/2.0/mlflow-artifacts/artifacts/${artifact}`, { agent: false }, (res) => {
        const hash = createHash('sha256');
        let bytes = 0;
        res.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
          hash.update(chunk);
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes, sha256: hash.digest('hex') }));
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

describe('large artifacts stream through a server process with flat memory', function () {
  this.timeout(60000);
  let tmp: ReturnType<typeof makeTempDir>;
  let server: ServerProcess | undefined;

  before(function () {
    if (process.platform !== 'linux') this.skip(); // reads /proc/<pid>/status
  });
  beforeEach(async () => {
    tmp = makeTempDir();
    server = await spawnServer(['--backend-store-uri', `sqlite:///${path.join(tmp.dir, 'mlflow.db')}`, '--artifacts-destination', path.join(tmp.dir, 'artifacts')], tmp.dir);
  });
  afterEach(async () => {
    if (server) {
      server.child.kill('SIGTERM');
      await exited(server.child);
      server = undefined;
    }
    tmp.cleanup();
  });

  it('uploads and downloads 200 MB with the same sha256 while the server grows well under the file size', async () => {
    const { url, child } = server!;
    // Warm up both paths so that code loading and buffer pools are counted in the baseline.
    assert.equal((await upload(url, 'warm/up.bin', 4 * CHUNK_BYTES, deterministicChunks(4 * CHUNK_BYTES, 7))).status, 200);
    assert.equal((await download(url, 'warm/up.bin')).bytes, 4 * CHUNK_BYTES);
    const before = memoryOf(child.pid!);

    const started = performance.now();
    const up = await upload(url, 'big/file.bin', FILE_BYTES, deterministicChunks(FILE_BYTES));
    const uploaded = performance.now();
    assert.equal(up.status, 200);
    assert.equal(fs.statSync(path.join(tmp.dir, 'artifacts/big/file.bin')).size, FILE_BYTES);
    const afterUpload = memoryOf(child.pid!);

    const down = await download(url, 'big/file.bin');
    const downloaded = performance.now();
    assert.equal(down.status, 200);
    assert.equal(down.bytes, FILE_BYTES);
    assert.equal(down.sha256, up.sha256, 'the downloaded bytes are the uploaded bytes');
    const after = memoryOf(child.pid!);

    const growth = after.peak - before.peak;
    const mbps = (ms: number) => (FILE_BYTES / 1024 / 1024 / (ms / 1000)).toFixed(0);
    console.log(
      `      server memory (MiB): before peak ${before.peak.toFixed(1)} rss ${before.rss.toFixed(1)}; ` +
        `after upload peak ${afterUpload.peak.toFixed(1)} rss ${afterUpload.rss.toFixed(1)}; ` +
        `after download peak ${after.peak.toFixed(1)} rss ${after.rss.toFixed(1)}; peak growth ${growth.toFixed(1)}. ` +
        `Upload ${mbps(uploaded - started)} MB/s, download ${mbps(downloaded - uploaded)} MB/s.`,
    );
    assert.ok(growth < MAX_GROWTH_MIB, `the server's peak memory grew by ${growth.toFixed(1)} MiB for a ${FILE_BYTES / 1024 / 1024} MiB file`);
    assert.deepEqual(fs.readdirSync(path.join(tmp.dir, 'artifacts/big')), ['file.bin'], 'no temporary file is left');
  });
});
