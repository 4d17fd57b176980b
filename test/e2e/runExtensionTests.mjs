#!/usr/bin/env node
// Runs the extension-host suite (test/e2e/suite, compiled to out/test/e2e/suite) inside a real
// VS Code 1.100 (code-server + headless Chromium) through @vscode/test-electron's runTests().
// Prerequisites: `npm run build` (dist/extension.js), `npx tsc -p test/e2e` and
// `bash test/vscode-host/install.sh`. `node scripts/test-all.mjs --e2e` does all of it but the install.
// RUNLENS_E2E_GREP=<text> runs only the tests whose full title contains it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { HOST_DIR, INSTALL_HINT, missingHostParts } from '../vscode-host/lib/codeServer.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const STAND_IN = path.join(HOST_DIR, 'code-server-test-host.mjs');
const SUITE_INDEX = path.join(ROOT, 'out/test/e2e/suite/index.js');

const missing = missingHostParts();
if (!fs.existsSync(path.join(HOST_DIR, 'node_modules/@vscode/test-electron/package.json'))) missing.push('@vscode/test-electron is not installed');
if (!fs.existsSync(SUITE_INDEX)) missing.push(`${path.relative(ROOT, SUITE_INDEX)} is missing: run npx tsc -p test/e2e`);
if (!fs.existsSync(path.join(ROOT, 'dist/extension.js'))) missing.push('dist/extension.js is missing: run npm run build');
if (missing.length) {
  for (const m of missing) console.error(`extension-host tests: ${m}`);
  console.error(`extension-host tests: ${INSTALL_HINT}`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}

const { runTests } = createRequire(path.join(HOST_DIR, 'package.json'))('@vscode/test-electron');
fs.chmodSync(STAND_IN, 0o755); // runTests spawns it as an executable; a checkout may have lost the mode

// A fresh workspace folder, user data and extensions folder for every run.
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'runlens-ext-tests-'));
const workspace = path.join(tmp, 'workspace');
fs.mkdirSync(workspace);
let exitCode = 0;
try {
  await runTests({
    vscodeExecutablePath: STAND_IN,
    extensionDevelopmentPath: ROOT,
    extensionTestsPath: path.join(ROOT, 'out/test/e2e/suite/index'),
    extensionTestsEnv: { RUNLENS_E2E_WORKSPACE: workspace },
    launchArgs: [workspace, `--user-data-dir=${path.join(tmp, 'user-data')}`, `--extensions-dir=${path.join(tmp, 'extensions')}`],
  });
} catch (e) {
  console.error(`extension-host tests failed: ${e.message}`);
  exitCode = 1;
} finally {
  if (!process.env.KEEP_TMP) fs.rmSync(tmp, { recursive: true, force: true });
}
process.exit(exitCode);
