#!/usr/bin/env node
// Runs the UI suites (test/e2e/ui/**/*.ui.mjs, or the files given as arguments) against a real
// VS Code 1.100 workbench (code-server + headless Chromium), with Runlens from this repo loaded as a
// development extension. Screenshots go to test-results/screenshots/ (emptied first).
// Prerequisites: `npm run build` and `bash test/vscode-host/install.sh`.
// Ends with the plain line "N passed, N failed"; exits 1 when a test failed.
// RUNLENS_E2E_GREP=<text> runs only tests whose "suite test" title contains it; VERBOSE=1 prints the
// browser console; KEEP_TMP=1 keeps temporary folders (code-server log, workspaces).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { INSTALL_HINT, missingHostParts } from '../../vscode-host/lib/codeServer.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../../..');

function findUiFiles(dir) {
  return fs.readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? findUiFiles(path.join(dir, e.name)) : e.name.endsWith('.ui.mjs') ? [path.join(dir, e.name)] : []))
    .sort();
}

const missing = missingHostParts();
if (!fs.existsSync(path.join(ROOT, 'dist/extension.js'))) missing.push('dist/extension.js is missing: run npm run build');
if (missing.length) {
  for (const m of missing) console.error(`UI tests: ${m}`);
  console.error(`UI tests: ${INSTALL_HINT}`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}

// Imported only now: harness.mjs loads playwright-core from test/vscode-host/node_modules.
const { runUiTests, SCREENSHOT_DIR } = await import('./harness.mjs');
const files = process.argv.length > 2 ? process.argv.slice(2).map((f) => path.resolve(f)) : findUiFiles(HERE);
fs.rmSync(SCREENSHOT_DIR, { recursive: true, force: true });
const started = Date.now();
let result;
try {
  result = await runUiTests(files, { grep: process.env.RUNLENS_E2E_GREP });
} catch (e) {
  console.error(`UI tests: ${e.stack ?? e}`);
  result = { passed: 0, failed: 1 };
}
console.log(`\n  UI tests took ${((Date.now() - started) / 1000).toFixed(1)} s; screenshots in ${path.relative(ROOT, SCREENSHOT_DIR)}/`);
console.log(`${result.passed} passed, ${result.failed} failed`);
process.exit(result.failed ? 1 : 0);
