// Artifact throughput benchmark: uploads then downloads a 100 MB file through the proxied artifact
// routes (PUT/GET /api/2.0/mlflow-artifacts/artifacts/...) and reports MB/s for each.
//   import { benchArtifacts } from './benchArtifacts.mjs'; await benchArtifacts(base, report);
// Standalone: `node scripts/benchArtifacts.mjs [http://host:port]` (without a URL it starts
// `dist/cli.js server` on a fresh store in a temporary folder).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { serverUrl } from './benchClient.mjs';

const FILE_MB = 100;
const CHUNK = 1024 * 1024;

function artifactUrl(baseUrl, artifact) {
  return new URL(`/api/2.0/mlflow-artifacts/artifacts/${artifact}`, baseUrl);
}

/** PUTs `FILE_MB` MiB made of one repeated random MiB (cheap to produce, so the server is what is measured). */
function upload(baseUrl, artifact) {
  const block = randomBytes(CHUNK);
  const source = Readable.from((function* () {
    for (let i = 0; i < FILE_MB; i++) yield block;
  })());
  return new Promise((resolve, reject) => {
    const req = http.request(artifactUrl(baseUrl, artifact), { method: 'PUT', agent: false, headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': FILE_MB * CHUNK } }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`upload: ${res.statusCode} ${text}`))));
    });
    req.on('error', reject);
    source.pipe(req);
  });
}

function download(baseUrl, artifact) {
  return new Promise((resolve, reject) => {
    http.get(artifactUrl(baseUrl, artifact), { agent: false }, (res) => {
      let bytes = 0;
      res.on('data', (c) => (bytes += c.length));
      res.on('end', () => {
        if (res.statusCode !== 200) reject(new Error(`download: ${res.statusCode}`));
        else if (bytes !== FILE_MB * CHUNK) reject(new Error(`download: ${bytes} bytes, expected ${FILE_MB * CHUNK}`));
        else resolve();
      });
      res.on('error', reject);
    }).on('error', reject);
  });
}

function remove(baseUrl, artifact) {
  return new Promise((resolve, reject) => {
    const req = http.request(artifactUrl(baseUrl, artifact), { method: 'DELETE', agent: false }, (res) => {
      res.resume();
      res.on('end', resolve);
    });
    req.on('error', reject);
    req.end();
  });
}

/** Uploads and downloads a 100 MB artifact through `baseUrl` and reports MB/s for each direction. */
export async function benchArtifacts(baseUrl, report) {
  const folder = `bench-artifacts/${randomBytes(6).toString('hex')}`;
  const artifact = `${folder}/blob.bin`;
  try {
    let started = performance.now();
    await upload(baseUrl, artifact);
    report(`artifact upload (${FILE_MB} MB, streamed PUT)`, FILE_MB / ((performance.now() - started) / 1000), 'MB/s', '>= 150');
    started = performance.now();
    await download(baseUrl, artifact);
    report(`artifact download (${FILE_MB} MB, streamed GET)`, FILE_MB / ((performance.now() - started) / 1000), 'MB/s', '>= 250');
  } finally {
    await remove(baseUrl, folder).catch(() => undefined);
  }
}

async function main() {
  const report = (name, value, unit, target) => console.log(`${name.padEnd(46)} ${value.toFixed(value < 10 ? 1 : 0).padStart(10)} ${unit.padEnd(9)} (target ${target})`);
  if (process.argv[2]) {
    await benchArtifacts(process.argv[2], report);
    return;
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'runlens-bench-artifacts-'));
  const server = spawn(process.execPath, [path.resolve('dist/cli.js'), 'server', '--port', '0', '--backend-store-uri', `sqlite:///${dir}/mlflow.db`, '--artifacts-destination', `${dir}/artifacts`], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const base = await serverUrl(server);
    await benchArtifacts(base, report);
  } finally {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  await main();
}
