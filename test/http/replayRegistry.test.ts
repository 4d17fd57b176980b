/**
 * Replays registry.jsonl (recorded between the real MLflow 3.5 client and server, see
 * test/fixtures/traffic/README.md) against our tracking server, started on an ephemeral port with
 * a fresh store, and expects every answer to match the recording but one accepted difference:
 * after version 1 is deleted MLflow still lists the alias `champion` -> 1 (seq 105), while our
 * server removes aliases pointing at a deleted version (compat §1.5).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startTrackingServer } from '../../src/core/server/trackingServer';
import { formatMismatches, replayTraffic, trafficFixture, type Mismatch } from '../support/trafficReplay';

type TrackingServer = Awaited<ReturnType<typeof startTrackingServer>>;

/** The dangling alias MLflow keeps at seq 105 (registered_model.aliases). */
function isAcceptedDifference(m: Mismatch): boolean {
  return m.seq === 105 && m.kind === 'body' && m.pointer.startsWith('/registered_model/aliases');
}

describe('replay registry.jsonl (MLflow 3.5 client traffic) against Runlens', function () {
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

  it('answers every exchange as the real MLflow server did (but the removed dangling alias)', async () => {
    assert.ok(server);
    const result = await replayTraffic(trafficFixture('registry.jsonl'), { baseUrl: server.url });
    assert.equal(result.exchanges, 107);
    const accepted = result.mismatches.filter(isAcceptedDifference);
    const remaining = result.mismatches.filter((m) => !isAcceptedDifference(m));
    assert.equal(remaining.length, 0, formatMismatches(remaining));
    // The accepted difference is exactly the missing alias list (MLflow: [{champion, "1"}]).
    assert.ok(accepted.length <= 1, formatMismatches(accepted));
  });
});
