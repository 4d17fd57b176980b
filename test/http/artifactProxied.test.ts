/**
 * The proxied artifact service (/api/2.0/mlflow-artifacts/..., compat §1.6) against a real server:
 * exact-byte round trips, listing shapes, delete, MLflow's error answers, path safety and
 * interrupted uploads.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { startTestServer } from '../support/testServer';

interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  json: () => any;
}

/** One request with the path sent exactly as given (no URL normalization on our side). */
function send(base: string, method: string, rawPath: string, body?: Buffer | string, headers: Record<string, string> = {}): Promise<RawResponse> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, method, path: rawPath, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const buffer = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: buffer, json: () => JSON.parse(buffer.toString('utf8')) });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

const ALL_BYTES = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
const API = '/api/2.0/mlflow-artifacts';
const AJAX = '/ajax-api/2.0/mlflow-artifacts';

describe('proxied artifact endpoints (mlflow-artifacts)', function () {
  this.timeout(30000);
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let destination: string;
  beforeEach(async () => {
    server = await startTestServer();
    destination = path.join(server.dir, 'artifacts');
  });
  afterEach(async () => server.dispose());

  const put = (prefix: string, artifact: string, body: Buffer | string, type = 'application/octet-stream') =>
    send(server.url, 'PUT', `${prefix}/artifacts/${artifact}`, body, { 'Content-Type': type });

  it('uploads and downloads exact bytes under both prefixes', async () => {
    for (const prefix of [API, AJAX]) {
      const up = await put(prefix, '1/run/artifacts/report/nested/blob.bin', ALL_BYTES);
      assert.equal(up.status, 200);
      assert.equal(up.headers['content-type'], 'application/json');
      assert.deepEqual(up.json(), {});
      const down = await send(server.url, 'GET', `${prefix}/artifacts/1/run/artifacts/report/nested/blob.bin`);
      assert.equal(down.status, 200);
      assert.deepEqual(down.body, ALL_BYTES);
      assert.equal(down.headers['content-type'], 'application/octet-stream');
      assert.equal(down.headers['content-disposition'], 'attachment; filename=blob.bin');
      assert.equal(down.headers['x-content-type-options'], 'nosniff');
    }
    assert.deepEqual(fs.readFileSync(path.join(destination, '1/run/artifacts/report/nested/blob.bin')), ALL_BYTES);
  });

  it('guesses download types as MLflow does', async () => {
    const files: Array<[string, string]> = [
      ['notes.txt', 'text/plain'],
      ['config/params.json', 'text/plain'],
      ['config/model.yaml', 'text/plain'],
      ['report/summary.md', 'text/plain'],
      ['report/data.csv', 'text/plain'],
      ['model/MLmodel', 'text/plain'],
      ['images/gradient.png', 'image/png'],
      ['model/model.pkl', 'application/octet-stream'],
    ];
    for (const [file, type] of files) {
      assert.equal((await put(API, `x/${file}`, 'content')).status, 200);
      const down = await send(server.url, 'GET', `${API}/artifacts/x/${file}`);
      assert.equal(down.headers['content-type'], type, file);
      assert.equal(down.headers['content-disposition'], `attachment; filename=${path.posix.basename(file)}`);
    }
  });

  it('lists one level sorted by name, directories without file_size; a file or missing path is {}', async () => {
    await put(API, 'e/r/artifacts/notes.txt', 'hello artifacts\n');
    await put(API, 'e/r/artifacts/report/data.csv', 'x,y\n1,2\n3,4\n');
    await put(API, 'e/r/artifacts/report/summary.md', '# Summary\n\nAll good.\n');
    await put(API, 'e/r/artifacts/report/nested/deep.txt', 'nested file\n');
    await put(API, 'e/r/artifacts/Zeta.txt', 'z');
    await put(API, 'e/r/artifacts/config/params.json', '{}');

    const list = async (query: string) => {
      const res = await send(server.url, 'GET', `${API}/artifacts${query}`);
      assert.equal(res.status, 200);
      assert.equal(res.headers['content-type'], 'application/json');
      return res.json();
    };
    assert.deepEqual(await list('?path=e/r/artifacts'), {
      files: [
        { path: 'Zeta.txt', is_dir: false, file_size: 1 },
        { path: 'config', is_dir: true },
        { path: 'notes.txt', is_dir: false, file_size: 16 },
        { path: 'report', is_dir: true },
      ],
    });
    assert.deepEqual(await list('?path=e/r/artifacts/report'), {
      files: [
        { path: 'data.csv', is_dir: false, file_size: 12 },
        { path: 'nested', is_dir: true },
        { path: 'summary.md', is_dir: false, file_size: 21 },
      ],
    });
    assert.deepEqual(await list('?path=e%2Fr%2Fartifacts%2Freport%2Fnested'), { files: [{ path: 'deep.txt', is_dir: false, file_size: 12 }] });
    assert.deepEqual(await list('?path=e/r/artifacts/notes.txt'), {});
    assert.deepEqual(await list('?path=e/r/artifacts/does-not-exist'), {});
    assert.deepEqual(await list(''), { files: [{ path: 'e', is_dir: true }] });
    const ajax = await send(server.url, 'GET', `${AJAX}/artifacts?path=e/r/artifacts/report/nested`);
    assert.deepEqual(ajax.json(), { files: [{ path: 'deep.txt', is_dir: false, file_size: 12 }] });
  });

  it('deletes files and whole folders; deleting what is not there is fine', async () => {
    await put(API, 'd/keep.txt', 'keep');
    await put(API, 'd/gone.txt', 'gone');
    await put(API, 'd/tree/a/b.txt', 'b');
    for (const target of ['d/gone.txt', 'd/tree', 'd/never-existed']) {
      const res = await send(server.url, 'DELETE', `${API}/artifacts/${target}`);
      assert.equal(res.status, 200, target);
      assert.deepEqual(res.json(), {});
    }
    assert.deepEqual((await send(server.url, 'GET', `${API}/artifacts?path=d`)).json(), { files: [{ path: 'keep.txt', is_dir: false, file_size: 4 }] });
    assert.equal((await send(server.url, 'DELETE', `${AJAX}/artifacts/d/keep.txt`)).status, 200);
    assert.deepEqual((await send(server.url, 'GET', `${API}/artifacts?path=d`)).json(), {});
  });

  it('answers a missing download with 500 INTERNAL_ERROR JSON, like MLflow', async () => {
    const res = await send(server.url, 'GET', `${API}/artifacts/nope/missing.txt`);
    assert.equal(res.status, 500);
    assert.equal(res.headers['content-type'], 'application/json');
    assert.equal(res.json().error_code, 'INTERNAL_ERROR');
  });

  it('answers multipart upload with 501 NOT_IMPLEMENTED for the local destination', async () => {
    for (const prefix of [API, AJAX]) {
      for (const [action, body] of [
        ['create', { path: 'big.bin', num_parts: 3 }],
        ['complete', { path: 'big.bin', upload_id: 'u', parts: [] }],
        ['abort', { path: 'big.bin', upload_id: 'u' }],
      ] as const) {
        const res = await send(server.url, 'POST', `${prefix}/mpu/${action}/1/run/artifacts/big.bin`, JSON.stringify(body), { 'Content-Type': 'application/json' });
        assert.equal(res.status, 501, `${prefix} ${action}`);
        assert.deepEqual(res.json(), { error_code: 'NOT_IMPLEMENTED', message: 'Multipart upload is not supported for the current artifact repository' });
      }
    }
    const unsafe = await send(server.url, 'POST', `${API}/mpu/create/%252e%252e/x`, JSON.stringify({ path: 'x' }), { 'Content-Type': 'application/json' });
    assert.equal(unsafe.status, 400);
    const noPath = await send(server.url, 'POST', `${API}/mpu/create/x.bin`, '{}', { 'Content-Type': 'application/json' });
    assert.equal(noPath.status, 400);
    assert.match(noPath.json().message, /Missing value for required parameter 'path'/);
  });

  it('refuses unsafe paths with 400 "Invalid path" and never touches anything outside', async () => {
    const outside = path.join(server.dir, 'outside');
    fs.mkdirSync(outside);
    fs.writeFileSync(path.join(outside, 'secret.txt'), 'secret');
    fs.mkdirSync(destination, { recursive: true });
    fs.symlinkSync(outside, path.join(destination, 'escape'));
    const invalid = async (method: string, rawPath: string, body?: string) => {
      const res = await send(server.url, method, rawPath, body, body === undefined ? {} : { 'Content-Type': 'text/plain' });
      assert.equal(res.status, 400, `${method} ${rawPath}: ${res.body.toString()}`);
      assert.deepEqual(res.json(), { error_code: 'INVALID_PARAMETER_VALUE', message: 'Invalid path' });
    };
    await invalid('PUT', `${API}/artifacts/%252e%252e/planted.txt`, 'x');
    await invalid('PUT', `${API}/artifacts/a/..%2f..%2fplanted.txt`, 'x');
    await invalid('PUT', `${API}/artifacts/a%5c..%5cplanted.txt`, 'x');
    await invalid('PUT', `${API}/artifacts/a/b/../c.txt`, 'x');
    await invalid('PUT', `${API}/artifacts/escape/planted.txt`, 'x');
    await invalid('GET', `${API}/artifacts/%252e%252e/outside/secret.txt`);
    await invalid('GET', `${API}/artifacts/escape/secret.txt`);
    await invalid('GET', `${API}/artifacts/x%00y`);
    await invalid('GET', `${API}/artifacts/x%23y`);
    await invalid('GET', `${API}/artifacts?path=../outside`);
    await invalid('GET', `${API}/artifacts?path=%252e%252e/outside`);
    await invalid('GET', `${API}/artifacts?path=/etc`);
    await invalid('GET', `${API}/artifacts?path=C:%5Cx`);
    await invalid('GET', `${API}/artifacts?path=escape`);
    await invalid('DELETE', `${API}/artifacts/escape`);
    await invalid('DELETE', `${API}/artifacts/%2e%2e%252f`);
    // Plain ../ segments are resolved by URL parsing before routing: they reach no artifact route.
    const dotted = await send(server.url, 'GET', `${API}/artifacts/../../../outside/secret.txt`);
    assert.notEqual(dotted.status, 200);
    assert.deepEqual(fs.readdirSync(outside), ['secret.txt']);
    assert.ok(!fs.existsSync(path.join(server.dir, 'planted.txt')));
    assert.deepEqual(fs.readdirSync(destination), ['escape']);
  });

  it('leaves no partial file when an upload is interrupted', async () => {
    await put(API, 'cut/existing.bin', 'old');
    const url = new URL(server.url);
    for (const target of ['cut/new.bin', 'cut/existing.bin']) {
      await new Promise<void>((resolve) => {
        const req = http.request({ host: url.hostname, port: url.port, method: 'PUT', path: `${API}/artifacts/${target}`, headers: { 'Content-Length': String(8 * 1024 * 1024) }, agent: false });
        req.on('error', () => resolve());
        req.write(Buffer.alloc(2 * 1024 * 1024, 7), () => setTimeout(() => {
          req.destroy();
          resolve();
        }, 100));
      });
    }
    const folder = path.join(destination, 'cut');
    const deadline = Date.now() + 5000;
    while (fs.readdirSync(folder).length > 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(fs.readdirSync(folder), ['existing.bin'], 'no partial or temporary file is left');
    assert.equal(fs.readFileSync(path.join(folder, 'existing.bin'), 'utf8'), 'old');
    // The server is still healthy.
    assert.equal((await put(API, 'cut/after.bin', ALL_BYTES)).status, 200);
  });
});
