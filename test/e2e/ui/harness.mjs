// UI test harness: a real VS Code 1.100 workbench (code-server) in headless Chromium, with Runlens
// loaded as a development extension, on a fresh temporary workspace folder per suite.
//
//   import { describe, it } from './harness.mjs';
//   describe('Runlens view', { workspace: async (dir) => { /* write files into dir */ } }, () => {
//     it('shows the Experiments view', async ({ workbench }) => {
//       await workbench.openViewContainer('Runlens');
//       await workbench.waitForView('Experiments');
//       await workbench.screenshot('runlens-view');
//     });
//   });
//
// Files named test/e2e/ui/**/*.ui.mjs are run by test/e2e/ui/run.mjs. Suites run one after another;
// each gets its own workspace folder, code-server (fresh user data) and browser profile. Tests in a suite
// run in order on the same page. A failing test leaves a <suite>--failed-<test>.png screenshot.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCodeServer, workbenchUrl } from '../../vscode-host/lib/codeServer.mjs';
import { CONSOLE_NOISE, launchBrowser, onConsole } from '../../vscode-host/lib/browser.mjs';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const SCREENSHOT_DIR = path.join(ROOT, 'test-results', 'screenshots');
const DEFAULT_TEST_TIMEOUT_MS = 120000;
const DEFAULT_WAIT_MS = 60000; // cores are shared: be generous with every wait

const slug = (s) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
const cssString = (s) => JSON.stringify(s);

/** One workbench page: the helpers UI tests use. `page` is playwright's Page for anything else. */
export class Workbench {
  constructor(page, suiteName) {
    this.page = page;
    this.suiteName = suiteName;
  }

  /** Opens the workbench at `url` and waits until it is drawn. */
  async open(url) {
    await this.page.goto(url);
    await this.page.locator('.monaco-workbench .part.activitybar').waitFor({ timeout: DEFAULT_WAIT_MS });
  }

  /** Clicks a view container in the activity bar by its title (e.g. "Runlens", "Explorer"), unless it is open. */
  async openViewContainer(title) {
    // The aria-label is the container's title, plus " (keybinding)" for built-in ones like Explorer.
    const label = `a.action-label:is([aria-label=${cssString(title)}], [aria-label^=${cssString(`${title} (`)}])`;
    const item = this.page.locator(`.part.activitybar ${label}`);
    await item.waitFor({ timeout: DEFAULT_WAIT_MS });
    const tab = this.page.locator('.part.activitybar li[role="tab"]', { has: this.page.locator(label) });
    if ((await tab.getAttribute('aria-selected')) !== 'true') {
      await item.click();
      await this.page.mouse.move(700, 880); // away from the item, so its hover label does not cover the view
    }
    await this.page.locator(`.part.sidebar .composite.title h2`, { hasText: title }).waitFor({ timeout: DEFAULT_WAIT_MS });
  }

  /** The view pane with this name (the view's "name" in package.json) in the side bar. */
  view(name) {
    return this.page.locator('.part.sidebar .pane', {
      has: this.page.locator(`.pane-header[aria-label=${cssString(`${name} Section`)}]`),
    });
  }

  /** Waits until the view is shown (expanded, with its body visible) and returns its locator. */
  async waitForView(name) {
    const view = this.view(name);
    await view.locator('.pane-body').waitFor({ state: 'visible', timeout: DEFAULT_WAIT_MS });
    // Best effort: let the side bar's progress bar (extension activating, tree loading) finish.
    await this.page.locator('.part.sidebar > .content > .monaco-progress-container')
      .waitFor({ state: 'hidden', timeout: 15000 }).catch(() => {});
    return view;
  }

  /** The rows of a tree view (a view contributed with a TreeDataProvider). */
  treeRows(viewName) {
    return this.view(viewName).locator('.monaco-list-row');
  }

  /** Waits for a tree row whose text contains `label` and returns it. */
  async waitForTreeItem(viewName, label) {
    const row = this.treeRows(viewName).filter({ hasText: label }).first();
    await row.waitFor({ timeout: DEFAULT_WAIT_MS });
    return row;
  }

  /** The labels of the visible tree rows, top to bottom. */
  async treeLabels(viewName) {
    return (await this.treeRows(viewName).locator('.label-name').allInnerTexts()).map((s) => s.trim());
  }

  /** Runs a command from the command palette by its title as shown there, e.g. "Runlens: Show Log". */
  async runCommand(title) {
    await this.page.keyboard.press('F1');
    const input = this.page.locator('.quick-input-widget input');
    await input.waitFor({ timeout: DEFAULT_WAIT_MS });
    await input.fill(`>${title}`);
    await this.page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor({ timeout: DEFAULT_WAIT_MS });
    await this.page.keyboard.press('Enter');
  }

  /** Waits for a notification toast containing `text`. */
  async waitForNotification(text) {
    const toast = this.page.locator('.notifications-toasts .notification-toast', { hasText: text }).first();
    await toast.waitFor({ timeout: DEFAULT_WAIT_MS });
    return toast;
  }

  /** Saves a screenshot of the whole window as test-results/screenshots/<suite>--<name>.png. */
  async screenshot(name) {
    fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
    const file = path.join(SCREENSHOT_DIR, `${slug(this.suiteName)}--${slug(name)}.png`);
    await this.page.screenshot({ path: file });
    return file;
  }
}

// ---- registration --------------------------------------------------------------------------------
const suites = [];
let current = null;

/**
 * Declares a suite: one workbench on a fresh workspace folder.
 * @param {string} name
 * @param {{workspace?: (dir: string) => void|Promise<void>, settings?: object}|Function} [options]
 *        workspace: fills the workspace folder before the workbench opens; settings: workspace settings
 * @param {Function} fn  calls it() to add tests
 */
export function describe(name, options, fn) {
  if (typeof options === 'function') [options, fn] = [{}, options];
  const suite = { name, options, tests: [] };
  suites.push(suite);
  current = suite;
  try { fn(); } finally { current = null; }
}

/**
 * Declares a test: `fn({ workbench, page, workspace, server })`: workspace is the folder's path,
 * server the suite's code-server (`url`, `logFile`).
 * @param {string} name
 * @param {Function} fn
 * @param {{timeout?: number}} [options]
 */
export function it(name, fn, options = {}) {
  if (!current) throw new Error(`it('${name}') must be called inside describe()`);
  current.tests.push({ name, fn, timeout: options.timeout ?? DEFAULT_TEST_TIMEOUT_MS });
}

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms); }),
  ]).finally(() => clearTimeout(timer));
}

/**
 * Imports the test files and runs their suites. Prints a spec-like report and returns the counts.
 * @param {string[]} files absolute paths of *.ui.mjs files
 * @param {{grep?: string}} [o]  run only tests whose "suite test" title contains grep
 */
export async function runUiTests(files, o = {}) {
  for (const f of files) await import(path.resolve(f));
  const selected = suites
    .map((s) => ({ ...s, tests: s.tests.filter((t) => !o.grep || `${s.name} ${t.name}`.includes(o.grep)) }))
    .filter((s) => s.tests.length);
  let passed = 0;
  let failed = 0;
  if (!selected.length) return { passed, failed };

  for (const suite of selected) {
    console.log(`\n  ${suite.name}`);
    const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'runlens-ui-ws-'));
    const consoleLines = [];
    let server;
    let browser;
    let workbench;
    let setupError;
    try {
      if (suite.options.settings) {
        fs.mkdirSync(path.join(workspace, '.vscode'));
        fs.writeFileSync(path.join(workspace, '.vscode', 'settings.json'), JSON.stringify(suite.options.settings, null, 2));
      }
      await suite.options.workspace?.(workspace);
      server = await startCodeServer();
      browser = await launchBrowser();
      browser.page.setDefaultTimeout(DEFAULT_WAIT_MS);
      onConsole(browser.page, (text) => {
        if (CONSOLE_NOISE.test(text)) return;
        consoleLines.push(text);
        if (process.env.VERBOSE) console.log(`    [browser] ${text}`);
      });
      workbench = new Workbench(browser.page, suite.name);
      await workbench.open(workbenchUrl(server, { folder: workspace, extensionDevelopmentPath: ROOT }));
    } catch (e) {
      setupError = e;
    }
    for (const test of suite.tests) {
      const started = Date.now();
      try {
        if (setupError) throw setupError;
        await withTimeout(Promise.resolve().then(() => test.fn({ workbench, page: browser.page, workspace, server })), test.timeout, `test "${test.name}"`);
        passed++;
        console.log(`    ✔ ${test.name} (${Date.now() - started} ms)`);
      } catch (e) {
        failed++;
        console.log(`    ✘ ${test.name} (${Date.now() - started} ms)`);
        console.log(`      ${String(e.stack ?? e).split('\n').slice(0, 12).join('\n      ')}`);
        if (workbench) {
          const shot = await workbench.screenshot(`FAILED ${test.name}`).catch(() => null);
          if (shot) console.log(`      screenshot: ${path.relative(ROOT, shot)}`);
        }
        if (consoleLines.length) console.log(`      last browser console lines:\n        ${consoleLines.slice(-15).join('\n        ')}`);
      }
    }
    await browser?.close();
    await server?.stop(); // also ends the suite's extension host and whatever it started
    if (!process.env.KEEP_TMP) fs.rmSync(workspace, { recursive: true, force: true, maxRetries: 3 });
  }
  return { passed, failed };
}
