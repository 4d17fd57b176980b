/**
 * Replays artifacts.jsonl (recorded between the real MLflow 3.5 client and server, see
 * test/fixtures/traffic/README.md) against our tracking server, started on an ephemeral port with
 * a fresh store, and expects every answer to match the recording: uploads, listings and downloads
 * through the proxied artifact routes, plus the client's run and logged-model look-ups.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startTrackingServer } from '../../src/core/server/trackingServer';
import { formatMismatches, replayTraffic, trafficFixture } from '../support/trafficReplay';

type TrackingServer = Awaited<ReturnType<typeof startTrackingServer>>;

describe('replay artifacts.jsonl (MLflow 3.5 client traffic) against Runlens', function () {
  this.timeout(60000);
  let tmp = '';
  let server: TrackingServer | undefined;

  beforeEach(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'runlens-'));
    server = await startTrackingServer({
      dbPath: path.join(tmp, 'mlflow.db'),
      artifactsDestination: path.join(tmp, 'artifacts'),
      host: '127.0.0.1',
      port: 0,
    });
  });

  afterEach(async () => {
    await server?.close();
    server = undefined;
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('answers every exchange as the real MLflow server did', async () => {
    assert.ok(server);
    const result = await replayTraffic(trafficFixture('artifacts.jsonl'), { baseUrl: server.url });
    assert.equal(result.exchanges, 54);
    assert.equal(result.mismatches.length, 0, formatMismatches(result.mismatches));
  });
});
