/**
 * Artifact routes of the tracking API and UI against a real server: artifacts/list,
 * logged-models/:id/artifacts/directories, /get-artifact, /model-versions/get-artifact and
 * /ajax-api/2.0/mlflow/upload-artifact (compat §1.4, §1.7).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { call } from '../support/mlflowClient';
import { startTestServer } from '../support/testServer';

interface Download {
  status: number;
  contentType: string | null;
  disposition: string | null;
  body: Buffer;
}

async function get(base: string, route: string): Promise<Download> {
  const res = await fetch(`${base}${route}`);
  return { status: res.status, contentType: res.headers.get('content-type'), disposition: res.headers.get('content-disposition'), body: Buffer.from(await res.arrayBuffer()) };
}

const ALL_BYTES = Buffer.from(Array.from({ length: 256 }, (_, i) => i));

describe('tracking artifact routes', function () {
  this.timeout(30000);
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let runId: string;
  let expId: string;
  let rootUri: string;

  const put = async (artifact: string, body: Buffer | string) => {
    const res = await fetch(`${server.url}/api/2.0/mlflow-artifacts/artifacts/${artifact}`, { method: 'PUT', body });
    assert.equal(res.status, 200, await res.text());
  };

  beforeEach(async () => {
    server = await startTestServer();
    expId = (await call(server.url, 'POST', 'experiments/create', { name: 'artifacts-demo' })).body.experiment_id;
    const run = (await call(server.url, 'POST', 'runs/create', { experiment_id: expId, start_time: Date.now() })).body.run;
    runId = run.info.run_id;
    rootUri = run.info.artifact_uri;
    assert.equal(rootUri, `mlflow-artifacts:/${expId}/${runId}/artifacts`);
    const base = `${expId}/${runId}/artifacts`;
    await put(`${base}/notes.txt`, 'hello artifacts\n');
    await put(`${base}/dir/b.txt`, 'bee');
    await put(`${base}/dir/sub/blob.bin`, ALL_BYTES);
  });
  afterEach(async () => server.dispose());

  it('artifacts/list lists one level with paths relative to the run root', async () => {
    const root = await call(server.url, 'GET', 'artifacts/list', { run_id: runId });
    assert.equal(root.status, 200);
    assert.equal(root.contentType, 'application/json');
    assert.deepEqual(root.body, {
      root_uri: rootUri,
      files: [
        { path: 'dir', is_dir: true },
        { path: 'notes.txt', is_dir: false, file_size: 16 },
      ],
    });
    const dir = await call(server.url, 'GET', 'artifacts/list', { run_uuid: runId, path: 'dir' });
    assert.deepEqual(dir.body, {
      root_uri: rootUri,
      files: [
        { path: 'dir/b.txt', is_dir: false, file_size: 3 },
        { path: 'dir/sub', is_dir: true },
      ],
    });
    const sub = await call(server.url, 'GET', 'artifacts/list', { run_id: runId, run_uuid: runId, path: 'dir/sub', page_token: 'ignored' });
    assert.deepEqual(sub.body.files, [{ path: 'dir/sub/blob.bin', is_dir: false, file_size: 256 }]);
    for (const p of ['notes.txt', 'nothing-here']) {
      assert.deepEqual((await call(server.url, 'GET', 'artifacts/list', { run_id: runId, path: p })).body, { root_uri: rootUri }, p);
    }
    const ajax = await fetch(`${server.url}/ajax-api/2.0/mlflow/artifacts/list?run_id=${runId}&path=dir`);
    assert.equal(((await ajax.json()) as { files: unknown[] }).files.length, 2);
  });

  it('artifacts/list errors: unknown run 404, missing run_id 400, unsafe path 400', async () => {
    const unknown = await call(server.url, 'GET', 'artifacts/list', { run_id: '0123456789abcdef0123456789abcdef' });
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.error_code, 'RESOURCE_DOES_NOT_EXIST');
    assert.equal(unknown.body.message, 'Run with id=0123456789abcdef0123456789abcdef not found');
    const missing = await call(server.url, 'GET', 'artifacts/list', { path: 'x' });
    assert.equal(missing.status, 400);
    assert.equal(missing.body.error_code, 'INVALID_PARAMETER_VALUE');
    for (const bad of ['../x', '%2e%2e/x', '/etc', 'a\\b']) {
      const res = await call(server.url, 'GET', 'artifacts/list', { run_id: runId, path: bad });
      assert.deepEqual([res.status, res.body], [400, { error_code: 'INVALID_PARAMETER_VALUE', message: 'Invalid path' }], bad);
    }
  });

  it('/get-artifact downloads a run artifact (run_id or run_uuid)', async () => {
    const blob = await get(server.url, `/get-artifact?run_id=${runId}&path=dir/sub/blob.bin`);
    assert.equal(blob.status, 200);
    assert.deepEqual(blob.body, ALL_BYTES);
    assert.equal(blob.contentType, 'application/octet-stream');
    assert.equal(blob.disposition, 'attachment; filename=blob.bin');
    const notes = await get(server.url, `/get-artifact?run_uuid=${runId}&path=notes.txt`);
    assert.equal(notes.body.toString(), 'hello artifacts\n');
    assert.equal(notes.contentType, 'text/plain');
    assert.equal((await get(server.url, `/get-artifact?run_id=${runId}&path=missing.txt`)).status, 500);
    assert.equal((await get(server.url, `/get-artifact?run_id=0123456789abcdef0123456789abcdef&path=notes.txt`)).status, 404);
    assert.equal((await get(server.url, `/get-artifact?run_id=${runId}&path=..%2F..%2F..%2Fmlflow.db`)).status, 400);
    assert.equal((await get(server.url, `/get-artifact?run_id=${runId}`)).status, 400);
  });

  it('upload-artifact writes a raw body (≤ 10 MB) into the run, with MLflow error messages', async () => {
    const upload = (query: string, body?: Buffer | string) => fetch(`${server.url}/ajax-api/2.0/mlflow/upload-artifact${query}`, { method: 'POST', body });
    const ok = await upload(`?run_uuid=${runId}&path=uploads/table.csv`, 'a,b\n1,2\n');
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get('content-type'), 'application/json');
    assert.equal(await ok.text(), '', 'MLflow answers an empty body');
    assert.deepEqual((await call(server.url, 'GET', 'artifacts/list', { run_id: runId, path: 'uploads' })).body.files, [{ path: 'uploads/table.csv', is_dir: false, file_size: 8 }]);

    const expectError = async (res: Response, status: number, message: string) => {
      assert.equal(res.status, status);
      const body = (await res.json()) as { message: string };
      assert.equal(body.message, message);
    };
    await expectError(await upload('?path=x.txt', 'x'), 400, 'Request must specify run_uuid.');
    await expectError(await upload(`?run_uuid=${runId}`, 'x'), 400, 'Request must specify path.');
    await expectError(await upload(`?run_uuid=${runId}&path=../x.txt`, 'x'), 400, 'Invalid path');
    await expectError(await upload(`?run_uuid=${runId}&path=x.txt`, ''), 400, 'Request must specify data.');
    await expectError(await upload(`?run_uuid=${runId}&path=x.txt`, Buffer.alloc(10 * 1024 * 1024 + 1)), 400, 'Artifact size is too large. Max size is 10MB.');
    await expectError(await upload(`?run_uuid=0123456789abcdef0123456789abcdef&path=x.txt`, 'x'), 404, 'Run with id=0123456789abcdef0123456789abcdef not found');
    const exactlyTen = await upload(`?run_uuid=${runId}&path=ten.bin`, Buffer.alloc(10 * 1024 * 1024, 1));
    assert.equal(exactlyTen.status, 200);
    assert.ok(!fs.existsSync(path.join(server.dir, 'artifacts', expId, runId, 'artifacts', 'x.txt')));
  });

  it('refuses a chunked upload-artifact body past 10 MB and keeps the connection usable', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const exchange = (method: string, route: string, feed?: (req: http.ClientRequest) => void) =>
        new Promise<{ status: number; text: string }>((resolve, reject) => {
          const req = http.request(`${server.url}${route}`, { method, agent, headers: feed ? { 'Transfer-Encoding': 'chunked' } : {} }, (res) => {
            let text = '';
            res.on('data', (c: Buffer) => (text += c));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
          });
          req.on('error', reject);
          if (feed) feed(req);
          else req.end();
        });
      const tooLarge = await exchange('POST', `/ajax-api/2.0/mlflow/upload-artifact?run_uuid=${runId}&path=big.bin`, (req) => {
        let sent = 0;
        const pump = () => {
          while (sent < 12 * 1024 * 1024) {
            sent += 64 * 1024;
            if (!req.write(Buffer.alloc(64 * 1024))) return void req.once('drain', pump);
          }
          req.end();
        };
        pump();
      });
      assert.equal(tooLarge.status, 400);
      assert.equal(JSON.parse(tooLarge.text).message, 'Artifact size is too large. Max size is 10MB.');
      const next = await exchange('GET', `/api/2.0/mlflow/artifacts/list?run_id=${runId}`);
      assert.equal(next.status, 200);
      assert.ok(!fs.existsSync(path.join(server.dir, 'artifacts', expId, runId, 'artifacts', 'big.bin')));
    } finally {
      agent.destroy();
    }
  });

  it('serves runs of an experiment with a local (file://) artifact location', async () => {
    const location = path.join(server.dir, 'custom-location');
    const exp = (await call(server.url, 'POST', 'experiments/create', { name: 'custom', artifact_location: `file://${location}` })).body.experiment_id;
    const run = (await call(server.url, 'POST', 'runs/create', { experiment_id: exp, start_time: Date.now() })).body.run;
    assert.equal(run.info.artifact_uri, `file://${location}/${run.info.run_id}/artifacts`);
    const up = await fetch(`${server.url}/ajax-api/2.0/mlflow/upload-artifact?run_uuid=${run.info.run_id}&path=model/MLmodel`, { method: 'POST', body: 'flavors: {}\n' });
    assert.equal(up.status, 200);
    assert.equal(fs.readFileSync(path.join(location, run.info.run_id, 'artifacts/model/MLmodel'), 'utf8'), 'flavors: {}\n');
    const listing = await call(server.url, 'GET', 'artifacts/list', { run_id: run.info.run_id, path: 'model' });
    assert.deepEqual(listing.body, { root_uri: run.info.artifact_uri, files: [{ path: 'model/MLmodel', is_dir: false, file_size: 12 }] });
    const down = await get(server.url, `/get-artifact?run_id=${run.info.run_id}&path=model/MLmodel`);
    assert.equal(down.body.toString(), 'flavors: {}\n');
    assert.equal(down.contentType, 'text/plain');
  });

  it('/model-versions/get-artifact downloads through the version source', async () => {
    await server.store.db.write(async (w) => {
      const now = Date.now();
      await w.run('INSERT INTO registered_models (name, creation_time, last_updated_time) VALUES (?, ?, ?)', ['demo', now, now]);
      const insert = 'INSERT INTO model_versions (name, version, creation_time, last_updated_time, current_stage, source, run_id, status, storage_location) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)';
      await w.run(insert, ['demo', 1, now, now, 'None', `runs:/${runId}/dir`, runId, 'READY', null]);
      await w.run(insert, ['demo', 2, now, now, 'None', 'runs:/whatever/x', runId, 'READY', rootUri]);
      await w.run(insert, ['demo', 3, now, now, 'Deleted_Internal', 'REDACTED-SOURCE-PATH', 'REDACTED-RUN-ID', 'READY', null]);
    });
    const v1 = await get(server.url, '/model-versions/get-artifact?name=demo&version=1&path=sub/blob.bin');
    assert.equal(v1.status, 200);
    assert.deepEqual(v1.body, ALL_BYTES);
    assert.equal(v1.disposition, 'attachment; filename=blob.bin');
    const v2 = await get(server.url, '/model-versions/get-artifact?name=demo&version=2&path=notes.txt');
    assert.equal(v2.body.toString(), 'hello artifacts\n');
    assert.equal((await get(server.url, '/model-versions/get-artifact?name=demo&version=3&path=notes.txt')).status, 404);
    assert.equal((await get(server.url, '/model-versions/get-artifact?name=demo&version=9&path=notes.txt')).status, 404);
    assert.equal((await get(server.url, '/model-versions/get-artifact?name=demo&version=1&path=%2e%2e/notes.txt')).status, 400);
  });

  it('logged-models/:id/artifacts/directories lists a logged model folder', async () => {
    const created = await call(server.url, 'POST', 'logged-models', { experiment_id: expId, name: 'model' });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    const modelId: string = created.body.model.info.model_id;
    const location: string = created.body.model.info.artifact_uri;
    assert.equal(location, `mlflow-artifacts:/${expId}/models/${modelId}/artifacts`);
    await put(`${expId}/models/${modelId}/artifacts/MLmodel`, 'flavors: {}\n');
    await put(`${expId}/models/${modelId}/artifacts/model.pkl`, ALL_BYTES);
    await put(`${expId}/models/${modelId}/artifacts/env/requirements.txt`, 'mlflow\n');
    const root = await call(server.url, 'GET', `logged-models/${modelId}/artifacts/directories`);
    assert.deepEqual(root.body, {
      root_uri: location,
      files: [
        { path: 'MLmodel', is_dir: false, file_size: 12 },
        { path: 'env', is_dir: true },
        { path: 'model.pkl', is_dir: false, file_size: 256 },
      ],
    });
    const env = await call(server.url, 'GET', `logged-models/${modelId}/artifacts/directories`, { artifact_directory_path: 'env' });
    assert.deepEqual(env.body.files, [{ path: 'env/requirements.txt', is_dir: false, file_size: 7 }]);
    const unknown = await call(server.url, 'GET', 'logged-models/m-0123456789abcdef0123456789abcdef/artifacts/directories');
    assert.equal(unknown.status, 404);
    const unsafe = await call(server.url, 'GET', `logged-models/${modelId}/artifacts/directories`, { artifact_directory_path: '../..' });
    assert.equal(unsafe.status, 400);
  });
});
