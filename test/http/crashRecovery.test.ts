import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { Database } from 'node-sqlite3-wasm';
import { call } from '../support/mlflowClient';
import { exited, spawnServer, type ServerProcess } from '../support/serverProcess';
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
    checkStoreFile(path.join(tmp.dir, 'mlflow.db'), []);

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

// ---------------------------------------------------------------------------------------------
// Large batches and checkpoints.
//
// Each logger owns one run and logs metric `loss` in batches of BATCH consecutive steps (batch b is
// steps b*BATCH … b*BATCH+BATCH-1), one request at a time, until the server dies. A batch answered
// 200 is acknowledged and must survive the kill; the batch in flight at the kill may be there or
// not, but only whole (a log-batch is one transaction). Nothing else may be there.

const BATCH = 1000;
const KEY = 'loss';
const T0 = 1_700_000_000_000;
const valueOf = (runIndex: number, step: number) => runIndex + step / 1024; // exact in binary and in JSON
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface LoggedRun {
  runId: string;
  index: number;
  /** Batches answered 200. */
  acknowledged: number[];
  /** The batch whose request was sent but not answered when the server died (or undefined). */
  inFlight: number | undefined;
  /** Answers other than 200 (unexpected; reported). */
  errors: string[];
}

/** POSTs a JSON text over the given agent; resolves with the status and body, rejects when the connection dies. */
function post(base: string, route: string, body: string, agent: http.Agent): Promise<{ status: number; text: string }> {
  const url = new URL(`/api/2.0/mlflow/${route}`, base);
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent, headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

function batchBody(run: LoggedRun, batch: number): string {
  const parts: string[] = [];
  for (let i = 0; i < BATCH; i++) {
    const step = batch * BATCH + i;
    parts.push(`{"key":"${KEY}","value":${valueOf(run.index, step)},"timestamp":${T0 + step},"step":${step}}`);
  }
  return `{"run_id":"${run.runId}","metrics":[${parts.join(',')}]}`;
}

/** Loggers that send large log-batch requests until the server dies or `maxBatches` each (a bound). */
class Ingest {
  readonly runs: LoggedRun[] = [];
  private readonly agents: http.Agent[] = [];
  private loops: Promise<void>[] = [];

  static async start(server: ServerProcess, clients: number, firstIndex: number, maxBatches: number): Promise<Ingest> {
    const ingest = new Ingest();
    for (let c = 0; c < clients; c++) {
      const res = await call(server.url, 'POST', 'runs/create', { experiment_id: '0', start_time: T0, run_name: `crash-${firstIndex + c}` });
      assert.equal(res.status, 200, `runs/create: ${JSON.stringify(res.body)}`);
      ingest.runs.push({ runId: res.body.run.info.run_id, index: firstIndex + c, acknowledged: [], inFlight: undefined, errors: [] });
    }
    ingest.loops = ingest.runs.map((run) => ingest.loop(server.url, run, maxBatches));
    return ingest;
  }

  private async loop(base: string, run: LoggedRun, maxBatches: number): Promise<void> {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    this.agents.push(agent);
    for (let batch = 0; batch < maxBatches; batch++) {
      const body = batchBody(run, batch);
      run.inFlight = batch;
      let res: { status: number; text: string };
      try {
        res = await post(base, 'runs/log-batch', body, agent);
      } catch {
        return; // the connection died with the server: this batch stays "in flight"
      }
      run.inFlight = undefined;
      if (res.status === 200) run.acknowledged.push(batch);
      else if (run.errors.push(`batch ${batch}: HTTP ${res.status} ${res.text.slice(0, 200)}`) >= 3) return;
    }
  }

  get acknowledgedBatches(): number {
    return this.runs.reduce((n, r) => n + r.acknowledged.length, 0);
  }

  /** How many loggers have a request out right now. */
  get inFlightNow(): number {
    return this.runs.filter((r) => r.inFlight !== undefined).length;
  }

  async finished(): Promise<void> {
    await Promise.all(this.loops);
    this.agents.forEach((a) => a.destroy());
  }
}

/**
 * Opens a copy of the database and its -wal (and -journal) in a temporary folder with
 * node-sqlite3-wasm — the copy, so that the server's own recovery of the original is undisturbed —
 * and checks `PRAGMA integrity_check`. The copy must also already hold every acknowledged point of
 * each run of `runs` (SQLite recovers them from the -wal), and at most those and the batch in flight.
 */
function checkStoreFile(dbPath: string, runs: LoggedRun[]): void {
  const copy = makeTempDir('runlens-crash-copy-');
  try {
    const target = path.join(copy.dir, 'mlflow.db');
    fs.copyFileSync(dbPath, target);
    for (const suffix of ['-wal', '-journal']) {
      if (fs.existsSync(dbPath + suffix)) fs.copyFileSync(dbPath + suffix, target + suffix);
    }
    // node-sqlite3-wasm locks with a folder beside the file; a copy never has one, but be sure.
    fs.rmSync(`${target}.lock`, { recursive: true, force: true });
    const db = new Database(target, { fileMustExist: true });
    try {
      db.exec('PRAGMA locking_mode = EXCLUSIVE'); // the wasm VFS has no shared memory for the WAL index
      const check = db.all('PRAGMA integrity_check') as Array<{ integrity_check: string }>;
      assert.deepEqual(check.map((r) => r.integrity_check), ['ok'], `integrity_check of ${dbPath} (copy with its -wal)`);
      for (const run of runs) {
        const row = db.get('SELECT COUNT(*) AS n FROM metrics WHERE run_uuid = ? AND key = ?', [run.runId, KEY]) as { n: number };
        const least = run.acknowledged.length * BATCH;
        const most = least + (run.inFlight !== undefined ? BATCH : 0);
        assert.ok(row.n >= least && row.n <= most && row.n % BATCH === 0,
          `run ${run.index}: the database file (with its -wal) holds ${row.n} points; ${least} were acknowledged${most > least ? `, ${BATCH} more in flight` : ''}`);
      }
    } finally {
      db.close();
    }
  } finally {
    copy.cleanup();
  }
}

/** Reads a run's whole `loss` history over REST, page by page (bounded). */
async function history(base: string, runId: string, expectAtMost: number): Promise<Array<{ step: number; value: number; timestamp: number }>> {
  const points: Array<{ step: number; value: number; timestamp: number }> = [];
  let token: string | undefined;
  for (let page = 0; page <= Math.ceil(expectAtMost / 25000) + 2; page++) {
    const query: Record<string, unknown> = { run_id: runId, metric_key: KEY, max_results: 25000 };
    if (token) query.page_token = token;
    const res = await call(base, 'GET', 'metrics/get-history', query);
    assert.equal(res.status, 200, `get-history: ${JSON.stringify(res.body).slice(0, 300)}`);
    points.push(...(res.body.metrics ?? []));
    token = res.body.next_page_token;
    if (!token) return points;
  }
  assert.fail(`get-history of ${runId} did not end after ${points.length} points`);
}

/** Checks over REST that every acknowledged point of every run is there with its value, and nothing but whole batches. */
async function verifyOverRest(base: string, runs: LoggedRun[]): Promise<number> {
  let total = 0;
  for (const run of runs) {
    const acked = new Set(run.acknowledged);
    const maxBatch = Math.max(-1, ...run.acknowledged, run.inFlight ?? -1);
    const points = await history(base, run.runId, (maxBatch + 1) * BATCH);
    const perBatch = new Map<number, number>();
    for (const p of points) {
      const batch = Math.floor(p.step / BATCH);
      assert.ok(acked.has(batch) || batch === run.inFlight, `run ${run.index}: step ${p.step} is there but its batch was never sent`);
      assert.equal(p.value, valueOf(run.index, p.step), `run ${run.index}: value of step ${p.step}`);
      assert.equal(p.timestamp, T0 + p.step, `run ${run.index}: timestamp of step ${p.step}`);
      perBatch.set(batch, (perBatch.get(batch) ?? 0) + 1);
    }
    const lost = run.acknowledged.filter((b) => perBatch.get(b) !== BATCH);
    assert.deepEqual(lost.map((b) => `batch ${b}: ${perBatch.get(b) ?? 0} of ${BATCH}`), [],
      `run ${run.index}: ${lost.length} of ${run.acknowledged.length} acknowledged batches lost or partial`);
    if (run.inFlight !== undefined) {
      const n = perBatch.get(run.inFlight) ?? 0;
      assert.ok(n === 0 || n === BATCH, `run ${run.index}: the batch in flight at the kill is partial (${n} of ${BATCH} points)`);
    }
    assert.deepEqual(run.errors, [], `run ${run.index}: log-batch answers other than 200`);
    total += points.length;
  }
  return total;
}

/** The restarted server takes new writes: a new run, a batch, read back. */
async function checkAcceptsWrites(base: string): Promise<void> {
  const created = await call(base, 'POST', 'runs/create', { experiment_id: '0', start_time: Date.now() });
  assert.equal(created.status, 200, `runs/create after restart: ${JSON.stringify(created.body)}`);
  const runId = created.body.run.info.run_id as string;
  const metrics = Array.from({ length: BATCH }, (_, i) => ({ key: 'after', value: i, timestamp: T0 + i, step: i }));
  const logged = await call(base, 'POST', 'runs/log-batch', { run_id: runId, metrics });
  assert.equal(logged.status, 200, `log-batch after restart: ${JSON.stringify(logged.body)}`);
  const read = await call(base, 'GET', 'metrics/get-history', { run_id: runId, metric_key: 'after', max_results: 25000 });
  assert.equal(read.body.metrics?.length, BATCH, 'the batch written after the restart reads back');
}

/**
 * Polls `file` every millisecond (size, mtime, inode) and SIGKILLs the server at the `skip`+1-th
 * change seen once `armed()` holds — so the kill lands while the server is writing that file —, or
 * at `deadlineMs` if none comes (a bound). Resolves when the kill was sent or the server is gone.
 */
function killOnWrite(server: ServerProcess, file: string, armed: () => boolean, skip: number, deadlineMs: number): Promise<{ onWrite: boolean; writesSeen: number; ms: number }> {
  const stamp = () => {
    const st = fs.statSync(file, { throwIfNoEntry: false });
    return st ? `${st.ino}:${st.size}:${st.mtimeMs}` : '';
  };
  const started = performance.now();
  let last = stamp(), writesSeen = 0, isArmed = false, onWrite = false;
  const gone = () => server.child.exitCode !== null || server.child.signalCode !== null;
  return new Promise((resolve) => {
    const timer = setInterval(() => {
      const ms = performance.now() - started;
      const now = stamp();
      if (now !== last) {
        last = now;
        writesSeen++;
        if (isArmed && skip-- <= 0) {
          server.child.kill('SIGKILL');
          onWrite = true;
        }
      }
      if (!isArmed && armed()) isArmed = true;
      if (!onWrite && ms > deadlineMs) server.child.kill('SIGKILL');
      if (onWrite || ms > deadlineMs || gone()) {
        clearInterval(timer);
        resolve({ onWrite, writesSeen, ms });
      }
    }, 1);
  });
}

describe('crash recovery (SIGKILL during large log-batch commits and WAL checkpoints)', function () {
  this.timeout(90000);
  let tmp: ReturnType<typeof makeTempDir>;
  let server: ServerProcess | undefined;
  let dbPath: string;
  let args: string[];
  beforeEach(() => {
    tmp = makeTempDir();
    dbPath = path.join(tmp.dir, 'mlflow.db');
    args = ['--backend-store-uri', `sqlite:///${dbPath}`, '--artifacts-destination', path.join(tmp.dir, 'artifacts')];
    server = undefined;
  });
  afterEach(async () => {
    if (server && server.child.exitCode === null && server.child.signalCode === null) {
      server.child.kill('SIGKILL');
      await exited(server.child);
    }
    tmp.cleanup();
  });

  it('keeps every acknowledged point when killed while four clients send 1,000-metric batches', async () => {
    server = await spawnServer(args, tmp.dir);
    const ingest = await Ingest.start(server, 4, 0, 400);
    // Let the load settle, wait a random while, then kill the moment a commit is seen writing the
    // WAL (or after 2 s without one).
    for (let i = 0; i < 400 && ingest.acknowledgedBatches < 12; i++) await sleep(25);
    await sleep(200 + Math.floor(Math.random() * 1000));
    const kill = await killOnWrite(server, `${dbPath}-wal`, () => true, Math.floor(Math.random() * 2), 2000);
    const inFlight = ingest.inFlightNow;
    await exited(server.child);
    if (process.env.RUNLENS_CRASH_LOG) console.log(`      killed ${kill.onWrite ? 'on a WAL write' : 'after 2 s'}, ${inFlight} requests in flight, ${ingest.acknowledgedBatches} batches acknowledged`);
    await ingest.finished();

    const acknowledged = ingest.acknowledgedBatches;
    assert.ok(acknowledged >= 12, `only ${acknowledged} batches were acknowledged before the kill (a real load needs 12)`);
    assert.ok(inFlight >= 1, `no large batch was in flight at the kill (answers other than 200: ${JSON.stringify(ingest.runs.map((r) => r.errors))})`);
    checkStoreFile(dbPath, ingest.runs);

    server = await spawnServer(args, tmp.dir);
    const total = await verifyOverRest(server.url, ingest.runs);
    assert.ok(total >= acknowledged * BATCH, `${total} points read back, ${acknowledged * BATCH} acknowledged`);
    await checkAcceptsWrites(server.url);
    server.child.kill('SIGTERM');
    assert.equal(await exited(server.child), 0, 'the restarted server stops cleanly');
    checkStoreFile(dbPath, ingest.runs);
  });

  it('keeps every acknowledged point when killed during WAL checkpoints (3 rounds)', async () => {
    const ROUNDS = 3;
    const all: LoggedRun[] = [];
    let killsOnWrite = 0;
    const log: string[] = [];
    server = await spawnServer(args, tmp.dir);
    for (let round = 0; round < ROUNDS; round++) {
      const ingest = await Ingest.start(server, 3, all.length, 300);
      all.push(...ingest.runs);
      // Watch the database file: in WAL mode it is written only by checkpoints (WAL past ~1,000
      // pages). Once a random load is in and a checkpoint has happened, kill the server during one
      // of the next writes to the file.
      const started = performance.now();
      let checkpoints = 0;
      const dbStamp = () => String(fs.statSync(dbPath, { throwIfNoEntry: false })?.mtimeMs);
      const before = dbStamp();
      const load = 15 + Math.floor(Math.random() * 40); // batches acknowledged before arming: kill at various store sizes
      const kill = await killOnWrite(server, dbPath, () => {
        if (dbStamp() !== before) checkpoints = 1;
        return checkpoints > 0 && ingest.acknowledgedBatches >= load;
      }, Math.floor(Math.random() * 3), 6000);
      const killedOnWrite = kill.onWrite, writesSeen = kill.writesSeen;
      const inFlight = ingest.inFlightNow;
      await exited(server.child);
      await ingest.finished();
      if (killedOnWrite) killsOnWrite++;
      log.push(`round ${round + 1}: ${ingest.acknowledgedBatches} batches acknowledged, ${inFlight} in flight, ` +
        `${writesSeen} database-file writes seen, killed ${killedOnWrite ? 'on a database-file write' : 'after 6 s'} at ${Math.round(performance.now() - started)} ms, ` +
        `-wal ${fs.statSync(`${dbPath}-wal`, { throwIfNoEntry: false })?.size ?? 'absent'} bytes`);
      if (process.env.RUNLENS_CRASH_LOG) console.log(`      ${log.at(-1)}`);
      assert.ok(ingest.acknowledgedBatches >= 10, `too little load before the kill (a real load needs 10 batches) in ${log.at(-1)}`);

      checkStoreFile(dbPath, all);
      server = await spawnServer(args, tmp.dir);
      const total = await verifyOverRest(server.url, all);
      const acknowledged = all.reduce((n, r) => n + r.acknowledged.length, 0);
      assert.ok(total >= acknowledged * BATCH, `${total} points read back, ${acknowledged * BATCH} acknowledged`);
      await checkAcceptsWrites(server.url);
    }
    server.child.kill('SIGTERM');
    assert.equal(await exited(server.child), 0, 'the restarted server stops cleanly');
    checkStoreFile(dbPath, []);
    assert.equal(killsOnWrite, ROUNDS, `every kill should land while the database file is being written (a checkpoint):\n${log.join("\n")}`);
  });
});
