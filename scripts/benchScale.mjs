// Scale phase of the benchmark: a deep-learning workload against a fresh `runlens server`, through
// the REST API only. One run with 1,000,000 steps and four with 100,000 steps of `loss` (1.4M points)
// are logged with runs/log-batch (1,000 metrics a request) by a few concurrent clients; then the
// chart's sampled read (get-history-bulk-interval, 320 points), the full paged history of the big run,
// a SIGTERM stop and a cold restart on the same store are timed, with the server's memory along the way.
// Optionally (--scale-5m) the store then grows to 5M points and memory is read again.
//   import { benchScale } from './benchScale.mjs'; await benchScale({ points, clients, fiveM });
// Standalone: `node scripts/benchScale.mjs [--scale-points 1400000] [--scale-clients 3] [--scale-5m]`
// Everything runs on 127.0.0.1; every loop is bounded (by its point count and by a time budget).
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import http from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { BenchConnection } from './benchClient.mjs';

const BATCH = 1000;
const KEY = 'loss';
const REQUEST_TIMEOUT_MS = 60_000;
const MiB = 1024 * 1024;
/** Simulated training time per step: a run's timestamps are its start plus step × STEP_MS. */
const STEP_MS = 10;

// ---------------------------------------------------------------------------------------------
// Small helpers

function memory(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (name) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN) / 1024;
    return { rss: field('VmRSS'), peak: field('VmHWM') };
  } catch {
    return { rss: NaN, peak: NaN }; // no /proc (not Linux) or the process is gone
  }
}

function quantile(sorted, q) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no answer in ${ms} ms`)), ms))),
  ]).finally(() => clearTimeout(timer));
}

/** The files next to the database (`mlflow.db*`: WAL, journal, lock…), with their sizes in bytes. */
function storeFiles(dir) {
  const files = [];
  for (const name of readdirSync(dir).sort()) {
    if (!name.startsWith('mlflow.db')) continue;
    const p = path.join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) {
      let size = 0;
      for (const inner of readdirSync(p)) size += statSync(path.join(p, inner)).size;
      files.push({ name: `${name}/`, size });
    } else files.push({ name, size: st.size });
  }
  return files;
}

function describeFiles(files) {
  return files.map((f) => `${f.name} ${(f.size / MiB).toFixed(f.size < 10 * MiB ? 2 : 0)} MiB`).join(', ') || '(none)';
}

/** A GET/POST over a keep-alive agent that collects the body in chunks (for large read answers). */
function makeRequester(base, agent) {
  return (method, route, body, raw = false) => {
    const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const url = new URL(route.startsWith('/') ? route : `/api/2.0/mlflow/${route}`, base);
    return withTimeout(new Promise((resolve, reject) => {
      const req = http.request(url, { method, agent, headers: data ? { 'Content-Type': 'application/json', 'Content-Length': data.length } : {} }, (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          if (res.statusCode !== 200) reject(new Error(`${method} ${route.slice(0, 120)}: ${res.statusCode} ${text.slice(0, 300)}`));
          else resolve(raw || !text.startsWith('{') ? text : JSON.parse(text));
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(data);
    }), REQUEST_TIMEOUT_MS, `${method} ${route.slice(0, 80)}`);
  };
}

/**
 * Starts `dist/cli.js server` on the store in `dir` and resolves once it prints its URL, with the
 * times (from spawn) to that line. The child's stderr goes to ours, prefixed.
 */
function startServer(cli, dir, nodeArgs) {
  const spawnedAt = performance.now();
  const child = spawn(process.execPath, [...nodeArgs, cli, 'server', '--host', '127.0.0.1', '--port', '0',
    '--backend-store-uri', `sqlite:///${dir}/mlflow.db`, '--artifacts-destination', `${dir}/artifacts`], { stdio: ['ignore', 'pipe', 'pipe'] });
  const state = { child, exit: undefined, stderr: '', spawnedAt };
  child.stderr.on('data', (c) => {
    state.stderr += c;
    if (state.stderr.length > 200_000) state.stderr = state.stderr.slice(-100_000);
    process.stderr.write(String(c).replace(/^(?=.)/gm, '  [server] '));
  });
  const exitPromise = new Promise((resolve) => child.once('exit', (code, signal) => {
    state.exit = { code, signal, at: performance.now() };
    resolve(state.exit);
  }));
  state.exited = exitPromise;
  return withTimeout(new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c) => {
      out += c;
      const m = /listening at (http:\/\/\S+)/.exec(out);
      if (m && !state.url) {
        state.url = m[1];
        state.listeningMs = performance.now() - spawnedAt;
        state.readyInMs = Number(/ready in (\d+) ms/.exec(out)?.[1] ?? NaN);
        resolve(state);
      }
    });
    exitPromise.then((e) => reject(new Error(`server exited (code ${e.code}, signal ${e.signal}) before listening:\n${out}\n${state.stderr.slice(-2000)}`)));
  }), 120_000, 'server start').catch((e) => {
    if (!state.exit) child.kill('SIGKILL');
    throw e;
  });
}

async function stopServer(state) {
  if (state.exit) return { ms: 0, ...state.exit, alreadyExited: true };
  const t = performance.now();
  state.child.kill('SIGTERM');
  const e = await withTimeout(state.exited, 120_000, 'server stop').catch((err) => {
    state.child.kill('SIGKILL');
    throw err;
  });
  return { ms: performance.now() - t, ...e };
}

// ---------------------------------------------------------------------------------------------
// The workload

/** The body of one log-batch request: BATCH steps of `loss` from `start`, built as text (cheap for the client). */
function batchBody(runId, start, count, base) {
  const parts = new Array(count);
  for (let i = 0; i < count; i++) {
    const step = start + i;
    // A decaying loss with a little deterministic noise; always a finite JSON number.
    const value = 2.5 * Math.exp(-step / 200_000) + 0.05 * Math.sin(step * 0.37) + 0.1;
    parts[i] = `{"key":"${KEY}","value":${value},"timestamp":${base + step * STEP_MS},"step":${step}}`;
  }
  return `{"run_id":"${runId}","metrics":[${parts.join(',')}]}`;
}

/**
 * Logs `steps` points for each run (entries of `plan`), BATCH a request, with `clients` connections
 * pulling from one queue.
 * Stops early (and says so) when the time budget runs out or a request fails.
 */
async function ingest(base, plan, clients, budgetMs, pid, slots) {
  // At most `clients` runs are being logged at a time (one training job a client, in a slot),
  // interleaved batch by batch; when a run is done the next one takes its slot. The queue is
  // shared, so when fewer runs than clients are left, the clients share a run's batches.
  // Timestamps follow a simulated clock per slot (`slots`, kept across calls): a run starts when the
  // run before it in its slot ended, so runs that train at the same time overlap in time and later
  // runs come later — as MLflow's primary key (key, timestamp, step, …) sees real training jobs.
  const queue = [];
  const waiting = plan.map((p) => ({ ...p, next: 0 }));
  const active = [];
  while (waiting.length || active.length) {
    while (active.length < clients && waiting.length) {
      const run = waiting.shift();
      run.slot = [...slots.keys()].find((k) => !active.some((a) => a.slot === k));
      run.base = slots[run.slot];
      slots[run.slot] += run.steps * STEP_MS;
      active.push(run);
    }
    for (const c of [...active]) {
      const count = Math.min(BATCH, c.steps - c.next);
      queue.push({ run: c, start: c.next, count });
      c.next += count;
      if (c.next >= c.steps) active.splice(active.indexOf(c), 1);
    }
  }
  const latencies = [];
  const acknowledged = new Map(plan.map((p) => [p.runId, 0]));
  let nextJob = 0, failure, budgetHit = false, peakRss = 0;
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, memory(pid).rss || 0)), 250);
  const conns = Array.from({ length: clients }, () => new BenchConnection(base));
  try {
    await Promise.all(conns.map(async (conn) => {
      while (!failure && nextJob < queue.length) {
        if (performance.now() - started > budgetMs) {
          budgetHit = true;
          return;
        }
        const job = queue[nextJob++];
        const body = batchBody(job.run.runId, job.start, job.count, job.run.base);
        const a = performance.now();
        try {
          await withTimeout(conn.request('POST', '/api/2.0/mlflow/runs/log-batch', body), REQUEST_TIMEOUT_MS, 'log-batch');
        } catch (e) {
          failure ??= e;
          return;
        }
        latencies.push(performance.now() - a);
        acknowledged.set(job.run.runId, acknowledged.get(job.run.runId) + job.count);
      }
    }));
  } finally {
    clearInterval(sampler);
    conns.forEach((c) => c.close());
  }
  const ms = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  const clientCpu = (cpu.user + cpu.system) / 1000 / ms; // cores the load generator used
  const points = [...acknowledged.values()].reduce((a, b) => a + b, 0);
  latencies.sort((a, b) => a - b);
  return {
    ms, points, acknowledged, failure, budgetHit, requests: latencies.length, sampledPeakRss: peakRss, clientCpu,
    p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99), max: latencies[latencies.length - 1] ?? NaN,
    over50: latencies.filter((l) => l > 50).length,
  };
}

async function createRuns(request, experimentId, n, prefix) {
  const ids = [];
  for (let i = 0; i < n; i++) {
    const { run } = await request('POST', 'runs/create', { experiment_id: experimentId, run_name: `${prefix}-${i}`, start_time: Date.now() });
    ids.push(run.info.run_id);
  }
  return ids;
}

function bulkIntervalRoute(runIds) {
  const q = new URLSearchParams();
  for (const id of runIds) q.append('run_ids', id);
  q.set('metric_key', KEY);
  q.set('max_results', '320');
  return `/ajax-api/2.0/mlflow/metrics/get-history-bulk-interval?${q}`;
}

async function timedMs(fn) {
  const a = performance.now();
  const value = await fn();
  return { ms: performance.now() - a, value };
}

// ---------------------------------------------------------------------------------------------
// The phase

/**
 * Runs the scale phase and prints its table. Options: points (total of the 5-run workload, split
 * 10:1:1:1:1, default 1,400,000), clients (2–4, default 3), fiveM (grow the store to 5M points),
 * budgetS (time budget of each ingest, default 300 s), cli, nodeArgs.
 * Returns the rows of the table.
 */
export async function benchScale(options = {}) {
  const points = Math.max(5 * BATCH, options.points ?? 1_400_000);
  const clients = Math.min(8, Math.max(1, options.clients ?? 3));
  const budgetMs = (options.budgetS ?? 300) * 1000;
  const cli = options.cli ?? path.resolve('dist/cli.js');
  const nodeArgs = options.nodeArgs ?? [];
  const big = Math.round((points * 10) / 14 / BATCH) * BATCH;
  const small = Math.round(points / 14 / BATCH) * BATCH;
  const total = big + 4 * small;

  const rows = [];
  const notes = [];
  const row = (name, value, unit, target, ok) => {
    rows.push({ name, value, unit, target, ok });
    const shown = typeof value === 'number' ? (Number.isFinite(value) ? value.toFixed(Math.abs(value) < 10 ? 1 : 0) : 'n/a') : String(value);
    console.log(`  ${name.padEnd(58)} ${shown.padStart(10)} ${unit.padEnd(9)} ${target ? `(target ${target})` : ''}${ok === false ? '  MISSED' : ''}`);
  };
  const within = (value, max) => (Number.isFinite(value) ? value <= max : false);
  const atLeast = (value, min) => (Number.isFinite(value) ? value >= min : false);

  const dir = mkdtempSync(path.join(tmpdir(), 'runlens-bench-scale-'));
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  let server;
  const phaseStart = performance.now();
  const loadAtStart = loadavg()[0];
  console.log(`\nscale phase: ${total.toLocaleString('en')} points of "${KEY}" (1 run × ${big.toLocaleString('en')} + 4 × ${small.toLocaleString('en')} steps), `
    + `log-batch of ${BATCH}, ${clients} concurrent clients; store in ${dir}`);
  try {
    server = await startServer(cli, dir, nodeArgs);
    let request = makeRequester(server.url, agent);
    const { experiment_id: exp } = await request('POST', 'experiments/create', { name: 'scale-bench' });
    const runIds = await createRuns(request, exp, 5, 'train');
    const plan = runIds.map((runId, i) => ({ runId, steps: i === 0 ? big : small }));

    // 1. Ingest.
    const slots = Array.from({ length: clients }, () => 1_700_000_000_000);
    const ing = await ingest(server.url, plan, clients, budgetMs, server.child.pid, slots);
    if (ing.failure) notes.push(`ingest stopped by a failed request after ${ing.points.toLocaleString('en')} points: ${ing.failure.message}`);
    if (ing.budgetHit) notes.push(`ingest stopped at its ${budgetMs / 1000} s budget after ${ing.points.toLocaleString('en')} of ${total.toLocaleString('en')} points`);
    const pps = (ing.points / ing.ms) * 1000;
    row(`ingest ${ing.points.toLocaleString('en')} points (${ing.requests} log-batch requests)`, ing.ms / 1000, 's', '');
    row('ingest throughput', pps, 'points/s', '>= 76000 (10× MLflow 7,600)', atLeast(pps, 76_000));
    row(`server time per log-batch (elapsed / requests, ${clients} clients queue)`, ing.ms / ing.requests, 'ms', '', undefined);
    row('load generator CPU during ingest (cores)', ing.clientCpu, 'cores', '', undefined);
    row('log-batch latency p50', ing.p50, 'ms', '', undefined);
    row('log-batch latency p99', ing.p99, 'ms', '<= 50', within(ing.p99, 50));
    row(`log-batch latency max (${ing.over50} of ${ing.requests} over 50 ms)`, ing.max, 'ms', '<= 50', within(ing.max, 50));
    const afterIngest = memory(server.child.pid);
    row('server RSS after ingest (VmRSS)', afterIngest.rss, 'MiB', '<= 300', within(afterIngest.rss, 300));
    row('server peak RSS so far (VmHWM)', afterIngest.peak, 'MiB', '<= 300', within(afterIngest.peak, 300));
    notes.push(`store files after ingest (server running): ${describeFiles(storeFiles(dir))}`);
    if (ing.failure || server.exit) throw ing.failure ?? new Error(`server exited during ingest: ${JSON.stringify(server.exit)}`);

    // 2. Reads: the chart's sampled read of the 5 runs, then the big run's full history page by page.
    const bulkRoute = bulkIntervalRoute(runIds);
    const first = await timedMs(() => request('GET', bulkRoute));
    const sampled = first.value.metrics?.length ?? 0;
    const repeats = [];
    for (let i = 0; i < 5; i++) repeats.push((await timedMs(() => request('GET', bulkRoute))).ms);
    row(`get-history-bulk-interval, 5 runs, 320 (${sampled} points), first`, first.ms, 'ms', '<= 100', within(first.ms, 100));
    row('get-history-bulk-interval, median of 5 repeats', median(repeats), 'ms', '<= 100', within(median(repeats), 100));
    if (sampled === 0) notes.push('get-history-bulk-interval returned no points');

    const expected = ing.acknowledged.get(runIds[0]);
    // Timed to the last byte of each page; parsing the JSON on this side is timed apart.
    const pages = { n: 0, count: 0, parseMs: 0 };
    const history = await timedMs(async () => {
      let token;
      do {
        const q = new URLSearchParams({ run_id: runIds[0], metric_key: KEY, max_results: '25000' });
        if (token) q.set('page_token', token);
        const text = await request('GET', `metrics/get-history?${q}`, undefined, true);
        const p0 = performance.now();
        const page = JSON.parse(text);
        pages.parseMs += performance.now() - p0;
        pages.n++;
        pages.count += page.metrics?.length ?? 0;
        token = page.next_page_token;
      } while (token && pages.n < Math.ceil(expected / 25000) + 5);
    });
    history.ms -= pages.parseMs;
    notes.push(`parsing the ${pages.n} history pages on the client took ${pages.parseMs.toFixed(0)} ms more (not counted)`);
    if (pages.count !== expected) notes.push(`the paged history returned ${pages.count} points, ${expected} were acknowledged`);
    row(`full history of the ${expected.toLocaleString('en')}-step run (${pages.n} pages of 25,000)`, history.ms, 'ms', '<= 2000', within(history.ms, 2000) && pages.count === expected);
    const afterReads = memory(server.child.pid);
    row('server RSS after the reads (VmRSS)', afterReads.rss, 'MiB', '<= 300', within(afterReads.rss, 300));
    row('server peak RSS (VmHWM)', afterReads.peak, 'MiB', '<= 300', within(afterReads.peak, 300));

    // 3. Stop (SIGTERM), look at the files, restart on the same store: cold start.
    const stopped = await stopServer(server);
    row('SIGTERM to exit', stopped.ms, 'ms', '', undefined);
    if (stopped.code !== 0) notes.push(`server exit after SIGTERM: code ${stopped.code}, signal ${stopped.signal}`);
    const files = storeFiles(dir);
    const db = files.find((f) => f.name === 'mlflow.db');
    row('database file size after stop', (db?.size ?? NaN) / MiB, 'MiB', '', undefined);
    notes.push(`store files after stop: ${describeFiles(files)}`);

    server = await startServer(cli, dir, nodeArgs);
    request = makeRequester(server.url, agent);
    await request('GET', '/health');
    const toHealth = performance.now() - server.spawnedAt;
    const search = await request('POST', 'experiments/search', { max_results: 100 });
    const toSearch = performance.now() - server.spawnedAt;
    if (!search.experiments?.some((e) => e.experiment_id === exp)) notes.push('after the restart experiments/search does not list the benchmark experiment');
    row(`cold start: spawn to "listening" line (server says ready in ${server.readyInMs} ms)`, server.listeningMs, 'ms', '', undefined);
    row('cold start: spawn to /health', toHealth, 'ms', '<= 300', within(toHealth, 300));
    row('cold start: spawn to first experiments/search', toSearch, 'ms', '<= 300', within(toSearch, 300));
    const cold = await timedMs(() => request('GET', bulkRoute));
    row('get-history-bulk-interval after the restart', cold.ms, 'ms', '<= 100', within(cold.ms, 100));
    const afterRestart = memory(server.child.pid);
    row('server RSS after restart and one read', afterRestart.rss, 'MiB', '<= 300', within(afterRestart.rss, 300));

    // 4. Optionally grow to 5M points and read memory again.
    if (options.fiveM) {
      const more = Math.max(0, Math.round((5_000_000 - ing.points) / 100_000));
      const extra = await createRuns(request, exp, more, 'grow');
      const ing5 = await ingest(server.url, extra.map((runId) => ({ runId, steps: 100_000 })), clients, budgetMs * 2, server.child.pid, slots);
      if (ing5.failure) notes.push(`5M ingest stopped by a failed request: ${ing5.failure.message}`);
      if (ing5.budgetHit) notes.push(`5M ingest stopped at its budget after ${ing5.points.toLocaleString('en')} points`);
      const storePoints = ing.points + ing5.points;
      row(`grow to ${storePoints.toLocaleString('en')} points (${more} more runs × 100,000)`, ing5.ms / 1000, 's', '');
      row('ingest throughput while growing', (ing5.points / ing5.ms) * 1000, 'points/s', '>= 76000', atLeast((ing5.points / ing5.ms) * 1000, 76_000));
      row('log-batch latency p99 while growing', ing5.p99, 'ms', '<= 50', within(ing5.p99, 50));
      row(`log-batch latency max while growing (${ing5.over50} over 50 ms)`, ing5.max, 'ms', '<= 50', within(ing5.max, 50));
      const at5 = memory(server.child.pid);
      row(`server RSS at ${(storePoints / 1e6).toFixed(1)}M points (VmRSS)`, at5.rss, 'MiB', '<= 300, flat', within(at5.rss, 300));
      row('server peak RSS (VmHWM)', at5.peak, 'MiB', '<= 300', within(at5.peak, 300));
      const bulk5 = [];
      for (let i = 0; i < 3; i++) bulk5.push((await timedMs(() => request('GET', bulkRoute))).ms);
      row(`get-history-bulk-interval at ${(storePoints / 1e6).toFixed(1)}M points, median of 3`, median(bulk5), 'ms', '<= 100', within(median(bulk5), 100));
      notes.push(`store files at ${(storePoints / 1e6).toFixed(1)}M points (server running): ${describeFiles(storeFiles(dir))}`);
    }
  } catch (e) {
    notes.push(`the scale phase stopped: ${e.message}`);
    if (server?.exit) notes.push(`server exit: code ${server.exit.code}, signal ${server.exit.signal}; last stderr: ${server.stderr.slice(-1500)}`);
    process.exitCode = 1;
  } finally {
    if (server && !server.exit) await stopServer(server).catch((e) => notes.push(`stopping the server: ${e.message}`));
    agent.destroy();
    if (process.env.RUNLENS_BENCH_KEEP === '1') notes.push(`store kept at ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }

  console.log(`\nscale phase results (${new Date().toISOString()}, ${((performance.now() - phaseStart) / 1000).toFixed(0)} s, ${clients} clients; `
    + `${cpus().length} cores, 1-min load average ${loadAtStart.toFixed(1)} before, ${loadavg()[0].toFixed(1)} after)`);
  const line = (a, b, c, d, e) => `  ${a.padEnd(66)} ${b.padStart(10)} ${c.padEnd(9)} ${d.padEnd(28)} ${e}`;
  console.log(line('figure', 'value', 'unit', 'target', ''));
  console.log(`  ${'-'.repeat(122)}`);
  for (const r of rows) {
    const shown = Number.isFinite(r.value) ? r.value.toFixed(Math.abs(r.value) < 10 ? 1 : 0) : 'n/a';
    console.log(line(r.name, shown, r.unit, r.target, r.ok === undefined ? '' : r.ok ? 'ok' : 'MISSED'));
  }
  for (const n of notes) console.log(`  note: ${n}`);
  return rows;
}

/** --scale-points N, --scale-clients N, --scale-5m, --scale-budget-s N (or RUNLENS_BENCH_SCALE_* variables). */
export function scaleOptionsFrom(argv, env = process.env) {
  const arg = (name) => {
    const i = argv.indexOf(name);
    if (i >= 0) return argv[i + 1];
    const eq = argv.find((a) => a.startsWith(`${name}=`));
    return eq?.slice(name.length + 1);
  };
  const num = (v) => (v === undefined || v === '' ? undefined : Number(String(v).replace(/[_,]/g, '')));
  return {
    points: num(arg('--scale-points') ?? env.RUNLENS_BENCH_SCALE_POINTS),
    clients: num(arg('--scale-clients') ?? env.RUNLENS_BENCH_SCALE_CLIENTS),
    budgetS: num(arg('--scale-budget-s') ?? env.RUNLENS_BENCH_SCALE_BUDGET_S),
    fiveM: argv.includes('--scale-5m') || env.RUNLENS_BENCH_SCALE_5M === '1',
    nodeArgs: (env.RUNLENS_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  await benchScale(scaleOptionsFrom(process.argv.slice(2)));
}
