/**
 * `copyBetweenStores` with a remote (http) source behind a local proxy on 127.0.0.1 that requires
 * basic auth: the credentials come from MLflow's environment variables, a missing one fails
 * before anything is copied with the 401 explanation, and no secret shows in the result.
 */
import * as assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { MlflowApiError, MlflowClient } from '../../src/core/client/mlflowClient';
import { proxiedPath } from '../../src/core/copy/artifactCopier';
import { copyBetweenStores } from '../../src/core/copy/copyBetweenStores';
import { CLI, exited, spawnServer, type ServerProcess } from '../support/serverProcess';
import { makeTempDir } from '../support/tempDir';

const USER = 'copier';
const PASSWORD = 'pa55-word-not-to-leak';
const BLOB = randomBytes(64 * 1024);

/** A reverse proxy to `target` that answers 401 unless the request carries the right basic credentials. */
async function authProxy(target: string): Promise<{ url: string; server: http.Server; authorized: () => number }> {
  const expected = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
  const to = new URL(target);
  let authorized = 0;
  const server = http.createServer((req, res) => {
    if (req.headers.authorization !== expected) {
      req.resume();
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="mlflow"', 'Content-Type': 'text/plain' }).end('You are not authenticated.');
      return;
    }
    authorized++;
    const upstream = http.request({ host: to.hostname, port: to.port, method: req.method, path: req.url, headers: { ...req.headers, host: to.host } }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, authorized: () => authorized };
}

describe('runlens copy: from a remote server that requires basic auth', function () {
  this.timeout(120000);
  let tmp: ReturnType<typeof makeTempDir>;
  let source: ServerProcess;
  let proxy: Awaited<ReturnType<typeof authProxy>>;

  before(async () => {
    tmp = makeTempDir('runlens-copy-remote-');
    source = await spawnServer(['--backend-store-uri', `sqlite:///${path.join(tmp.dir, 'source.db')}`, '--artifacts-destination', path.join(tmp.dir, 'source-artifacts')], tmp.dir);
    const client = new MlflowClient({ baseUrl: source.url });
    const experiment = await client.createExperiment('remote-exp', [{ key: 'where', value: 'remote' }]);
    const run = await client.createRun(experiment, { runName: 'remote-run', startTime: 1735689600000 });
    const points = Array.from({ length: 1500 }, (_, i) => ({ key: 'loss', value: i / 1500, timestamp: 1735689600000 + i, step: i }));
    for (let i = 0; i < points.length; i += 1000) await client.logBatch(run.info.run_id, { metrics: points.slice(i, i + 1000) });
    await client.uploadProxiedArtifact(`${proxiedPath(run.info.artifact_uri)}/blobs/blob.bin`, async () => ({ stream: Readable.from([BLOB]), length: BLOB.length }));
    await client.updateRun(run.info.run_id, { status: 'FINISHED', endTime: 1735689700000 });
    await client.registry.createRegisteredModel('remote-model');
    await client.registry.createModelVersion({ name: 'remote-model', source: `runs:/${run.info.run_id}/blobs`, runId: run.info.run_id });
    client.close();
    proxy = await authProxy(source.url);
  });

  after(async () => {
    proxy?.server.closeAllConnections();
    await new Promise((resolve) => proxy?.server.close(resolve));
    source?.child.kill('SIGTERM');
    if (source) await exited(source.child);
    tmp?.cleanup();
  });

  it('fails before copying anything without credentials, explaining the 401', async () => {
    const dest = `sqlite:///${path.join(tmp.dir, 'no-auth', 'mlflow.db')}`;
    await assert.rejects(
      copyBetweenStores(proxy.url, dest, { cliPath: CLI, env: { MLFLOW_HTTP_REQUEST_MAX_RETRIES: '0' } }),
      (e: unknown) => e instanceof MlflowApiError && e.status === 401 && /Set MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD/.test(e.message),
    );
  });

  it('copies with MLFLOW_TRACKING_USERNAME / MLFLOW_TRACKING_PASSWORD, and no secret appears in the result', async () => {
    const destUri = `sqlite:///${path.join(tmp.dir, 'copy', 'mlflow.db')}`;
    const destArtifacts = path.join(tmp.dir, 'copy', 'mlartifacts');
    const calls: string[] = [];
    const result = await copyBetweenStores(proxy.url, destUri, {
      cliPath: CLI,
      toArtifacts: destArtifacts,
      env: { MLFLOW_TRACKING_USERNAME: USER, MLFLOW_TRACKING_PASSWORD: PASSWORD },
      onCall: (side, e) => calls.push(`${side} ${JSON.stringify(e)}`),
    });
    assert.deepEqual(result.failures, []);
    assert.equal(result.source, proxy.url);
    assert.equal(result.kinds.runs.copied, 1);
    assert.equal(result.kinds.modelVersions.copied, 1);
    assert.equal(result.counts.metricPoints, 1500);
    assert.equal(result.counts.artifactBytes, BLOB.length);
    assert.ok(proxy.authorized() > 5);
    const text = JSON.stringify(result) + calls.join('\n');
    assert.ok(!text.includes(PASSWORD) && !text.includes(Buffer.from(`${USER}:${PASSWORD}`).toString('base64')));
    assert.ok(calls.some((c) => c.startsWith('source') && c.includes('/get-artifact')));

    const dest = await spawnServer(['--backend-store-uri', destUri, '--artifacts-destination', destArtifacts], tmp.dir);
    const client = new MlflowClient({ baseUrl: dest.url });
    try {
      const experiment = (await client.getExperimentByName('remote-exp'))!;
      const [run] = (await client.searchRuns({ experimentIds: [experiment.experiment_id] })).items;
      assert.equal((await client.getMetricHistory(run.info.run_id, 'loss', 25000)).items.length, 1500);
      const blob = await client.downloadArtifact(run.info.run_id, 'blobs/blob.bin');
      assert.equal(createHash('sha256').update(blob).digest('hex'), createHash('sha256').update(BLOB).digest('hex'));
      const [version] = await client.registry.allVersions('remote-model');
      assert.equal(version.source, `runs:/${run.info.run_id}/blobs`);
    } finally {
      client.close();
      dest.child.kill('SIGTERM');
      await exited(dest.child);
    }
  });
});
