/**
 * Replays seed_sklearn.jsonl, artifacts.jsonl and registry.jsonl (recorded between the real MLflow
 * 3.5 client and server, see test/fixtures/traffic/README.md) against our tracking server, each
 * with a fresh store, and expects every answer to match the recording.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startTrackingServer } from '../../src/core/server/trackingServer';
import { formatMismatches, replayTraffic, trafficFixture } from '../support/trafficReplay';

type TrackingServer = Awaited<ReturnType<typeof startTrackingServer>>;

const SCENARIOS: { file: string; exchanges: number }[] = [
  { file: 'seed_sklearn.jsonl', exchanges: 49 },
  { file: 'artifacts.jsonl', exchanges: 54 },
  { file: 'registry.jsonl', exchanges: 107 },
];

// Skipped for now: these scenarios need the artifact (mlflow-artifacts upload/list/download),
// logged-model and model-registry endpoints, which are a later piece of work. Enable this suite
// (describe.skip -> describe) when they land.
describe.skip('replay MLflow 3.5 client traffic: sklearn seed, artifacts, registry', function () {
  this.timeout(120000);
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

  for (const scenario of SCENARIOS) {
    it(`${scenario.file}: answers every exchange as the real MLflow server did`, async () => {
      assert.ok(server);
      const result = await replayTraffic(trafficFixture(scenario.file), { baseUrl: server.url });
      assert.equal(result.exchanges, scenario.exchanges);
      assert.equal(result.mismatches.length, 0, formatMismatches(result.mismatches));
    });
  }
});
