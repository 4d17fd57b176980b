#!/usr/bin/env node
// Stand-in for the VS Code desktop executable, for @vscode/test-electron's
// runTests({ vscodeExecutablePath: <this file> }) (or @vscode/test-cli's useInstallation.fromPath).
//
// It takes the desktop command line that runTests builds:
//   --extensionDevelopmentPath=DIR (repeatable)  --extensionTestsPath=PATH  [FOLDER]
//   --user-data-dir=DIR  --extensions-dir=DIR    (other desktop flags are ignored)
// starts code-server on 127.0.0.1, opens the workbench in headless Chromium with those paths in the
// URL payload, prints the extension host's console output, and exits with the code the workbench
// reports through window.codeAutomationExit when the test runner's run() settles.
//
// Environment: TEST_TIMEOUT_MS (default 600000), VERBOSE=1 (print the console noise too),
// KEEP_TMP=1 (keep the temporary folder with code-server.log).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startCodeServer, workbenchUrl } from './lib/codeServer.mjs';
import { CONSOLE_NOISE, launchBrowser, onConsole } from './lib/browser.mjs';

const TIMEOUT_MS = Number(process.env.TEST_TIMEOUT_MS || 600000);

const devPaths = [];
const folders = [];
let testsPath, userDataDir, extensionsDir;
for (const arg of process.argv.slice(2)) {
  const m = /^--([^=]+)=(.*)$/.exec(arg);
  if (m?.[1] === 'extensionDevelopmentPath') devPaths.push(path.resolve(m[2]));
  else if (m?.[1] === 'extensionTestsPath') testsPath = path.resolve(m[2]);
  else if (m?.[1] === 'user-data-dir') userDataDir = path.resolve(m[2]);
  else if (m?.[1] === 'extensions-dir') extensionsDir = path.resolve(m[2]);
  else if (!arg.startsWith('-')) folders.push(path.resolve(arg));
}
if (!testsPath || devPaths.length === 0) {
  console.error('usage: code-server-test-host.mjs --extensionDevelopmentPath=DIR --extensionTestsPath=PATH [FOLDER] [--user-data-dir=DIR] [--extensions-dir=DIR]');
  process.exit(2);
}

const runDir = fs.mkdtempSync(path.join(os.tmpdir(), 'runlens-test-host-'));
let server, browser;
async function shutdown() {
  await browser?.close();
  await server?.stop();
}
let interrupted = false;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    interrupted = true;
    console.error(`code-server-test-host: ${signal}, stopping`);
    shutdown().finally(() => process.exit(130));
  });
}

let code;
try {
  server = await startCodeServer({ runDir, userDataDir, extensionsDir });
  browser = await launchBrowser();
  const flush = onConsole(browser.page, (text) => {
    if (process.env.VERBOSE || !CONSOLE_NOISE.test(text)) console.log(text);
  });
  let reportExit;
  const exited = new Promise((resolve) => { reportExit = resolve; });
  // Called by the workbench once the extension tests' run() has settled (0 = passed).
  await browser.page.exposeFunction('codeAutomationExit', (c) => reportExit(c));
  await browser.page.goto(workbenchUrl(server, { folder: folders[0], extensionDevelopmentPath: devPaths, extensionTestsPath: testsPath }));
  let timer;
  code = await Promise.race([exited, new Promise((resolve) => { timer = setTimeout(() => resolve('timeout'), TIMEOUT_MS); })]);
  clearTimeout(timer);
  await flush();
  if (code === 'timeout') {
    console.error(`code-server-test-host: no test result after ${TIMEOUT_MS} ms; code-server log: ${server.logFile}`);
    process.env.KEEP_TMP = '1';
  }
} catch (e) {
  console.error(`code-server-test-host: ${e.stack ?? e}`);
  code = 1;
}
if (!interrupted) {
  await shutdown();
  if (!process.env.KEEP_TMP) fs.rmSync(runDir, { recursive: true, force: true });
  process.exit(code === 'timeout' ? 124 : typeof code === 'number' ? code : 1);
}
