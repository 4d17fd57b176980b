#!/usr/bin/env node
// Runs the test suites one after another and closes with ONE line "N passed, N failed" that adds
// them up (CI reads that line):
//   1. unit + HTTP tests: mocha over out/test/**/*.test.js (.mocharc.json)
//   2. extension-host tests in a real VS Code: test/e2e/runExtensionTests.mjs
//   3. UI tests in a real VS Code + headless Chromium: test/e2e/ui/run.mjs
// Usage: node scripts/test-all.mjs [--unit] [--e2e]   (default: both). It expects `npm run build`
// and `npm run compile-tests` to have run (npm test does that); it compiles the e2e suite itself.
// The e2e part needs the VS Code test host: bash test/vscode-host/install.sh.
// RUNLENS_SKIP_E2E=1 skips the e2e part (reported, not counted).
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const only = new Set(process.argv.slice(2).filter((a) => a === '--unit' || a === '--e2e'));
const want = (part) => only.size === 0 || only.has(`--${part}`);
const COUNT_LINE = /^(?:\w+: )?(\d+) passed, (\d+) failed(?:, (\d+) skipped)?\s*$/;

/** Runs a command, echoing its output, and returns its exit code and the last count line. */
function run(label, command, args) {
  console.log(`\n=== ${label}: ${[path.basename(command), ...args].join(' ')}`);
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    let counts = null;
    const scan = (chunk) => {
      const lines = (tail + chunk).split('\n');
      tail = lines.pop();
      for (const line of lines) {
        const m = COUNT_LINE.exec(line.replace(/\x1b\[[0-9;]*m/g, ''));
        if (m) counts = { passed: +m[1], failed: +m[2], skipped: +(m[3] ?? 0) };
      }
    };
    child.stdout.on('data', (d) => { process.stdout.write(d); scan(d.toString()); });
    child.stderr.on('data', (d) => process.stderr.write(d));
    child.on('error', (e) => console.error(`${label}: ${e.message}`));
    child.on('close', (code, signal) => {
      scan('\n');
      resolve({ label, code: code ?? (signal ? 1 : 0), counts, seconds: (Date.now() - started) / 1000 });
    });
  });
}

const results = [];
if (want('unit')) {
  const color = process.stdout.isTTY ? ['--color'] : [];
  results.push(await run('unit/HTTP tests (mocha)', process.execPath, [path.join(ROOT, 'node_modules/mocha/bin/mocha.js'), ...color]));
}
if (want('e2e')) {
  if (process.env.RUNLENS_SKIP_E2E === '1') {
    console.log('\n=== e2e tests skipped (RUNLENS_SKIP_E2E=1)');
  } else {
    const tsc = await run('compile the extension-host suite', process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'test/e2e']);
    if (tsc.code !== 0) results.push({ ...tsc, counts: { passed: 0, failed: 1, skipped: 0 } });
    else {
      results.push(await run('extension-host tests (VS Code 1.100)', process.execPath, [path.join(ROOT, 'test/e2e/runExtensionTests.mjs')]));
      results.push(await run('UI tests (VS Code 1.100 + Chromium)', process.execPath, [path.join(ROOT, 'test/e2e/ui/run.mjs')]));
    }
  }
}

let passed = 0;
let failed = 0;
let skipped = 0;
console.log('\n=== summary');
for (const r of results) {
  // A runner that failed without a count line (crash, timeout) counts as one failure.
  const c = r.counts ?? { passed: 0, failed: r.code === 0 ? 0 : 1, skipped: 0 };
  if (r.code !== 0 && c.failed === 0) c.failed = 1;
  passed += c.passed;
  failed += c.failed;
  skipped += c.skipped;
  const extra = c.skipped ? `, ${c.skipped} skipped` : '';
  console.log(`  ${r.label} -> ${c.passed} passed, ${c.failed} failed${extra} (exit ${r.code}, ${r.seconds.toFixed(1)} s)`);
}
if (passed + failed === 0) console.log('  no test ran');
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
