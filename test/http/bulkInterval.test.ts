import * as assert from 'node:assert/strict';
import { call } from '../support/mlflowClient';
import { startTestServer } from '../support/testServer';

interface Point {
  key: string;
  value: number;
  timestamp: number;
  step: number;
  run_id?: string;
}

/** MLflow's bulk-interval answer computed from full histories, the way its handler does it. */
function expected(histories: Map<string, Point[]>, maxResults: number, range?: [number, number]): Array<[string, number, number]> {
  const perRun = [...histories.values()].map((h) => h.map((p) => p.step));
  const all = [...new Set(perRun.flat())].sort((a, b) => a - b);
  const [start, end] = range ?? [0, all.length ? all[all.length - 1] : 0];
  const startIdx = all.filter((s) => s < start).length;
  const endIdx = all.filter((s) => s <= end).length;
  const chosen = new Set<number>();
  const n = endIdx - startIdx;
  if (n <= maxResults) all.slice(startIdx, endIdx).forEach((s) => chosen.add(s));
  else {
    for (let i = 0; i < maxResults; i++) chosen.add(all[startIdx + Math.trunc(i * (n / maxResults))]);
    chosen.add(all[endIdx - 1]);
  }
  for (const steps of perRun.filter((s) => s.length)) {
    for (const b of [Math.min(...steps), Math.max(...steps)]) if (b >= start && b <= end) chosen.add(b);
  }
  const out: Array<[string, number, number]> = [];
  for (const [run, points] of histories) {
    const picked = points.filter((p) => chosen.has(p.step)).sort((a, b) => a.step - b.step || a.timestamp - b.timestamp || a.value - b.value);
    for (const p of picked) out.push([run, p.step, p.value]);
  }
  return out;
}

describe('metrics/get-history-bulk-interval on large and irregular histories', function () {
  this.timeout(60_000);
  let server: Awaited<ReturnType<typeof startTestServer>>;
  beforeEach(async () => (server = await startTestServer()));
  afterEach(() => server.dispose());

  async function run(): Promise<string> {
    return (await call(server.url, 'POST', 'runs/create', { experiment_id: '0' })).body.run.info.run_id;
  }

  async function log(runId: string, points: Point[]): Promise<void> {
    for (let i = 0; i < points.length; i += 1000) {
      const res = await call(server.url, 'POST', 'runs/log-batch', { run_id: runId, metrics: points.slice(i, i + 1000) });
      assert.equal(res.status, 200, JSON.stringify(res.body));
    }
  }

  async function history(runId: string): Promise<Point[]> {
    const res = await call(server.url, 'GET', 'metrics/get-history', { run_id: runId, metric_key: 'loss' });
    return res.body.metrics;
  }

  async function sampled(runIds: string[], maxResults: number, range?: [number, number]): Promise<Array<[string, number, number]>> {
    const query: Record<string, unknown> = { run_ids: runIds, metric_key: 'loss', max_results: maxResults };
    if (range) Object.assign(query, { start_step: range[0], end_step: range[1] });
    const res = await call(server.url, 'GET', 'metrics/get-history-bulk-interval', query);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body.metrics.map((m: Point) => [m.run_id!, m.step, m.value]);
  }

  it('answers as MLflow for runs on one lattice, on different strides, with repeated and irregular steps — also after more points arrive', async () => {
    const dense = await run();
    const strided = await run();
    const irregular = await run();
    const points = (steps: number[], offset = 0) => steps.map((step, i) => ({ key: 'loss', value: step + offset, timestamp: 1000 + i, step }));
    await log(dense, points(Array.from({ length: 5000 }, (_, i) => i)));
    await log(dense, points([10, 20, 4999], 0.5)); // the same steps again, at another time
    await log(strided, points(Array.from({ length: 800 }, (_, i) => 100 + i * 5)));
    await log(irregular, points([3, 7, 8, 100, 1001, 4000]));
    const check = async (ids: string[], maxResults: number, range?: [number, number]) => {
      const histories = new Map<string, Point[]>();
      for (const id of ids) histories.set(id, await history(id));
      assert.deepEqual(await sampled(ids, maxResults, range), expected(histories, maxResults, range), `${ids.length} runs, ${maxResults}, ${range}`);
    };
    await check([dense], 320);
    await check([dense, strided], 100);
    await check([strided], 50, [1000, 3000]);
    await check([dense, strided, irregular], 320);
    await check([dense, irregular], 7, [5, 4500]);
    // A live run: new steps extend the lattice (and one leaves it) between reads.
    await log(dense, points(Array.from({ length: 100 }, (_, i) => 5000 + i)));
    await check([dense], 320);
    await log(strided, points([4103, 4105]));
    await check([strided], 64);
    await check([dense, strided], 320, [4000, 6000]);
  });

  it('keeps answering as MLflow when steps arrive out of order, below the first step, or leave a gap', async () => {
    const id = await run();
    const points = (steps: number[]) => steps.map((step, i) => ({ key: 'loss', value: step * 2, timestamp: 5000 + i, step }));
    const check = async (maxResults: number) => {
      const histories = new Map([[id, await history(id)]]);
      assert.deepEqual(await sampled([id], maxResults), expected(histories, maxResults));
    };
    await log(id, points(Array.from({ length: 3000 }, (_, i) => 5000 + 2999 - i))); // newest first
    await check(100);
    await log(id, points([4999, 4998, 4997])); // before the first step, in reverse
    await check(100);
    await log(id, points([9000])); // a gap: two runs of steps on the lattice
    await check(100);
    await check(3);
    await log(id, points([9003])); // off the lattice: the steps are listed from now on
    await check(100);
  });

  it('answers as MLflow while batches of one run arrive out of order (asynchronous logging)', async () => {
    const id = await run();
    const other = await run();
    const batch = (from: number, stride = 1) => Array.from({ length: 1000 }, (_, i) => ({ key: 'loss', value: i, timestamp: 9000 + i, step: from + i * stride }));
    const check = async (ids: string[], maxResults: number) => {
      const histories = new Map<string, Point[]>();
      for (const r of ids) histories.set(r, await history(r));
      assert.deepEqual(await sampled(ids, maxResults), expected(histories, maxResults));
    };
    await log(id, batch(2000));
    await log(id, batch(0));
    await check([id], 320);
    await log(id, batch(1000));
    await log(other, batch(0, 10));
    await check([id], 320);
    await check([id, other], 320);
    await check([id, other], 50);
  });
});
