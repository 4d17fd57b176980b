import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { call } from '../support/mlflowClient';
import { exited, spawnServer } from '../support/serverProcess';
import { makeTempDir } from '../support/tempDir';

/**
 * Kills the server with SIGKILL while eight clients are logging, restarts it on the same store and
 * checks that every point whose request was acknowledged is there.
 */
describe('crash recovery (SIGKILL during concurrent ingest)', function () {
  this.timeout(60000);
  let tmp: ReturnType<typeof makeTempDir>;
  beforeEach(() => (tmp = makeTempDir()));
  afterEach(() => tmp.cleanup());

  it('keeps every acknowledged metric point', async () => {
    const args = ['--backend-store-uri', `sqlite:///${path.join(tmp.dir, 'mlflow.db')}`, '--artifacts-destination', path.join(tmp.dir, 'artifacts')];
    const first = await spawnServer(args, tmp.dir);
    const run = (await call(first.url, 'POST', 'runs/create', { experiment_id: '0', start_time: 1 })).body.run.info.run_id as string;
    const acknowledged = new Map<string, number[]>();
    let stop = false;
    const worker = async (w: number) => {
      const key = `m${w}`;
      const steps: number[] = [];
      acknowledged.set(key, steps);
      for (let step = 0; !stop; step += 10) {
        const metrics = Array.from({ length: 10 }, (_, i) => ({ key, value: step + i, timestamp: 1000 + step + i, step: step + i }));
        try {
          const res = await call(first.url, 'POST', 'runs/log-batch', { run_id: run, metrics });
          if (res.status === 200) steps.push(...metrics.map((m) => m.step));
        } catch {
          return; // the connection died with the server
        }
      }
    };
    const workers = Array.from({ length: 8 }, (_, w) => worker(w));
    await new Promise((r) => setTimeout(r, 1500));
    first.child.kill('SIGKILL');
    stop = true;
    await Promise.all(workers);
    await exited(first.child);

    const total = [...acknowledged.values()].reduce((n, s) => n + s.length, 0);
    assert.ok(total > 500, `expected a real load before the kill, got ${total} acknowledged points`);

    const second = await spawnServer(args, tmp.dir);
    try {
      for (const [key, steps] of acknowledged) {
        const res = await call(second.url, 'GET', 'metrics/get-history', { run_id: run, metric_key: key, max_results: 1000000 });
        assert.equal(res.status, 200);
        const found = new Set<number>((res.body.metrics ?? []).map((m: { step: number }) => m.step));
        const missing = steps.filter((s) => !found.has(s));
        assert.deepEqual(missing, [], `${key}: ${missing.length} acknowledged points lost of ${steps.length}`);
      }
    } finally {
      second.child.kill('SIGTERM');
      assert.equal(await exited(second.child), 0);
    }
  });
});
