// Benchmark of the tracking server: starts `runlens server` on a fresh store and measures
// throughput and latency of the calls MLflow clients and the UI make most. Not a test: it prints figures.
// Phases: "tracking" (the calls below, then artifacts) and "scale" (scripts/benchScale.mjs: 1.4M-point
// deep-learning workload, sampled and paged reads, restart). Both run by default; pick some with
//   node scripts/bench.mjs --only scale          (or --only tracking; RUNLENS_BENCH_ONLY=scale)
// Scale knobs: --scale-points N (default 1400000), --scale-clients N (2–4, default 3), --scale-5m,
// --scale-budget-s N (see benchScale.mjs). Where a figure measures what MLflow 3.5 was measured on
// (same machine, one worker, SQLite), the reference and the speed-up over it are printed beside it.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { benchArtifacts } from './benchArtifacts.mjs';
import { BenchConnection, serverUrl } from './benchClient.mjs';
import { benchScale, scaleOptionsFrom } from './benchScale.mjs';

const argv = process.argv.slice(2);
const PHASES = ['tracking', 'scale'];
const onlyArg = argv.includes('--only') ? argv[argv.indexOf('--only') + 1] : argv.find((a) => a.startsWith('--only='))?.slice(7);
const only = (onlyArg ?? process.env.RUNLENS_BENCH_ONLY ?? PHASES.join(',')).split(',').map((p) => p.trim()).filter(Boolean);
for (const p of only) {
  if (!PHASES.includes(p)) {
    console.error(`bench: unknown phase "${p}" (phases: ${PHASES.join(', ')})`);
    process.exit(2);
  }
}

/**
 * MLflow 3.5's figures on the same machine (one worker, SQLite backend), for the figures that
 * measure the same thing. `better`: whether a higher or a lower value is better.
 */
const MLFLOW = {
  sequential: { value: 100, unit: 'req/s', better: 'higher' },
  concurrent: { value: 90, unit: 'req/s', better: 'higher' },
  logBatch: { value: 7600, unit: 'points/s', better: 'higher' },
  search: { value: 370, unit: 'ms', better: 'lower' },
  history: { value: 5500, unit: 'ms', better: 'lower' },
  rss: { value: 300, unit: 'MiB', better: 'lower' },
};
/** How many times better than MLflow: throughput ratio Runlens/MLflow, or time (memory) ratio MLflow/Runlens. */
const speedup = (value, ref) => (ref.better === 'higher' ? value / ref.value : ref.value / value);

const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
let base;

function request(method, route, body) {
  const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  const url = new URL(route.startsWith('/') ? route : `/api/2.0/mlflow/${route}`, base);
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, agent, headers: data ? { 'Content-Type': 'application/json', 'Content-Length': data.length } : {} }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        if (res.statusCode !== 200) reject(new Error(`${method} ${route}: ${res.statusCode} ${text}`));
        else resolve(text.startsWith('{') ? JSON.parse(text) : text);
      });
    });
    req.on('error', reject);
    req.end(data);
  });
}

function rss(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name) => Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)[1]) / 1024;
  return { rss: field('VmRSS'), peak: field('VmHWM') };
}

async function timed(fn) {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const cli = path.resolve('dist/cli.js');
const nodeArgs = (process.env.RUNLENS_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
const compared = [];

async function trackingPhase() {
  const dir = mkdtempSync(path.join(tmpdir(), 'runlens-bench-'));
  const startedAt = performance.now();
  const server = spawn(process.execPath, [...nodeArgs, cli, 'server', '--port', '0', '--backend-store-uri', `sqlite:///${dir}/mlflow.db`, '--artifacts-destination', `${dir}/artifacts`], { stdio: ['ignore', 'pipe', 'inherit'] });
  base = await serverUrl(server);
  await request('GET', '/health');
  const coldStart = performance.now() - startedAt;

  const results = [];
  const report = (name, value, unit, target, mlflow) => {
    results.push({ name, value, unit, target });
    let versus = '';
    if (mlflow) {
      const x = speedup(value, mlflow);
      compared.push({ name, value, unit, mlflow, x });
      versus = ` | MLflow 3.5: ${mlflow.value} ${mlflow.unit}, Runlens ${x.toFixed(1)}× ${mlflow.unit === 'MiB' ? 'smaller' : mlflow.better === 'higher' ? 'more' : 'faster'}`;
    }
    console.log(`${name.padEnd(46)} ${value.toFixed(value < 10 ? 1 : 0).padStart(10)} ${unit.padEnd(9)}${target ? ` (target ${target})` : ''}${versus}`);
  };
  try {
    report('cold start to /health', coldStart, 'ms', '<= 300');
    const { run } = await request('POST', 'runs/create', { experiment_id: '0', start_time: Date.now() });
    const runId = run.info.run_id;

    const LOG_METRIC = '/api/2.0/mlflow/runs/log-metric';
    const SEQ = 5000;
    const seq = new BenchConnection(base);
    let ms = await timed(async () => {
      for (let i = 0; i < SEQ; i++) await seq.request('POST', LOG_METRIC, { run_id: runId, key: 'seq', value: i, timestamp: i, step: i });
    });
    seq.close();
    report('sequential log-metric', (SEQ / ms) * 1000, 'req/s', '>= 2000', MLFLOW.sequential);

    const CONC = 8, PER = 2000;
    const conns = Array.from({ length: CONC }, () => new BenchConnection(base));
    ms = await timed(() => Promise.all(conns.map(async (conn, w) => {
      for (let i = 0; i < PER; i++) await conn.request('POST', LOG_METRIC, { run_id: runId, key: `conc${w}`, value: i, timestamp: i, step: i });
    })));
    conns.forEach((c) => c.close());
    report('8-concurrent log-metric', ((CONC * PER) / ms) * 1000, 'req/s', '>= 4000', MLFLOW.concurrent);

    const BATCHES = 100;
    ms = await timed(async () => {
      for (let b = 0; b < BATCHES; b++) {
        const metrics = Array.from({ length: 1000 }, (_, i) => ({ key: 'hist', value: Math.sin(b * 1000 + i), timestamp: b * 1000 + i, step: b * 1000 + i }));
        await request('POST', 'runs/log-batch', { run_id: runId, metrics });
      }
    });
    report('log-batch (1000 points a request)', ((BATCHES * 1000) / ms) * 1000, 'points/s', '>= 75000', MLFLOW.logBatch);

    const historyTimes = [];
    for (let r = 0; r < 3; r++) {
      historyTimes.push(await timed(async () => {
        let token, n = 0;
        do {
          const q = new URLSearchParams({ run_id: runId, metric_key: 'hist', max_results: '25000' });
          if (token) q.set('page_token', token);
          const page = await request('GET', `metrics/get-history?${q}`);
          n += page.metrics.length;
          token = page.next_page_token;
        } while (token);
        if (n !== 100000) throw new Error(`history has ${n} points`);
      }));
    }
    report('read a 100,000-step history (25,000 a page)', median(historyTimes), 'ms', '<= 250', MLFLOW.history);

    const { experiment_id: exp } = await request('POST', 'experiments/create', { name: 'search-bench' });
    const created = Date.now();
    for (let i = 0; i < 2000; i += 8) {
      await Promise.all(Array.from({ length: 8 }, async (_, j) => {
        const { run: r } = await request('POST', 'runs/create', { experiment_id: exp, start_time: created + i + j });
        await request('POST', 'runs/log-batch', {
          run_id: r.info.run_id,
          params: [{ key: 'p1', value: (i + j) % 2 ? 'a' : 'b' }, { key: 'p2', value: String(i + j) }],
          metrics: [{ key: 'm1', value: ((i + j) * 7919 % 1000) / 1000, timestamp: 1, step: 0 }, { key: 'm2', value: i + j, timestamp: 1, step: 0 }],
          tags: [{ key: 't', value: 'x' }],
        });
      }));
    }
    const searchTimes = [];
    let matched = 0;
    for (let r = 0; r < 7; r++) {
      searchTimes.push(await timed(async () => {
        const res = await request('POST', 'runs/search', { experiment_ids: [exp], filter: "metrics.m1 > 0.5 and params.p1 = 'a'", order_by: ['metrics.m1 DESC'], max_results: 1000 });
        matched = res.runs.length;
      }));
    }
    report(`runs/search over 2,000 runs (${matched} matched)`, median(searchTimes), 'ms', '<= 30', MLFLOW.search);
    const afterTracking = rss(server.pid);
    report('server RSS after the tracking benchmark', afterTracking.rss, 'MiB', '<= 150', MLFLOW.rss);

    // The Experiments view's first page: 50 newest runs of an experiment holding 10,000.
    const { experiment_id: big } = await request('POST', 'experiments/create', { name: 'ten-thousand-runs' });
    const writers = Array.from({ length: 8 }, () => new BenchConnection(base));
    await Promise.all(writers.map(async (conn, w) => {
      for (let i = w; i < 10000; i += writers.length) {
        const { run: r } = JSON.parse(await conn.request('POST', '/api/2.0/mlflow/runs/create', { experiment_id: big, start_time: created + i }));
        await conn.request('POST', '/api/2.0/mlflow/runs/log-batch', {
          run_id: r.info.run_id,
          params: [{ key: 'lr', value: String(i % 7) }],
          metrics: [{ key: 'loss', value: 1 / (i + 1), timestamp: 1, step: 0 }],
        });
      }
    }));
    writers.forEach((c) => c.close());
    const pageTimes = [];
    for (let r = 0; r < 7; r++) {
      pageTimes.push(await timed(() => request('POST', 'runs/search', { experiment_ids: [big], max_results: 50 })));
    }
    report('first page (50) of an experiment with 10,000 runs', median(pageTimes), 'ms', '<= 300');

    const beforeArtifacts = rss(server.pid).peak;
    await benchArtifacts(base, report);
    report('server peak RSS growth during the 100 MB artifact transfers', rss(server.pid).peak - beforeArtifacts, 'MiB', 'flat');

    const mem = rss(server.pid);
    report('server RSS at the end (12,000 more runs loaded)', mem.rss, 'MiB', '<= 150', MLFLOW.rss);
    report('server peak RSS', mem.peak, 'MiB', '');
  } finally {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
}

function printComparison() {
  if (compared.length === 0) return;
  console.log('\nRunlens vs MLflow 3.5 (same machine, one worker, SQLite); target >= 10× on each, RSS <= 150 MiB');
  for (const c of compared) {
    const goal = c.mlflow.unit === 'MiB' ? c.value <= 150 : c.x >= 10;
    const what = c.mlflow.unit === 'MiB' ? 'smaller' : c.mlflow.better === 'higher' ? 'more' : 'faster';
    console.log(`  ${c.name.padEnd(50)} ${c.value.toFixed(c.value < 10 ? 1 : 0).padStart(8)} ${c.unit.padEnd(9)} MLflow ${String(c.mlflow.value).padStart(5)} ${c.mlflow.unit.padEnd(9)} ${c.x.toFixed(1).padStart(6)}× ${what.padEnd(8)} ${goal ? 'ok' : 'MISSED'}`);
  }
}

try {
  if (only.includes('tracking')) await trackingPhase();
  printComparison();
  if (only.includes('scale')) await benchScale({ ...scaleOptionsFrom(argv), cli });
} finally {
  agent.destroy();
}
