// Headless Debian Chromium driven by playwright-core, and the workbench's console as plain text.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import util from 'node:util';
import { chromium } from 'playwright-core';
import { CHROMIUM } from './codeServer.mjs';

const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/**
 * A fresh Chromium profile (persistent context, as webviews' service workers were verified with).
 * @param {{profileDir?: string, viewport?: {width: number, height: number}}} [o]
 * @returns {Promise<{context: import('playwright-core').BrowserContext, page: import('playwright-core').Page, close(): Promise<void>}>}
 */
export async function launchBrowser(o = {}) {
  const ownProfile = !o.profileDir;
  const profileDir = o.profileDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'runlens-chromium-'));
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: o.viewport ?? { width: 1400, height: 900 },
    args: CHROMIUM_ARGS,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  let closing;
  const close = () => {
    closing ??= context.close().catch(() => {}).finally(() => {
      if (ownProfile) fs.rmSync(profileDir, { recursive: true, force: true });
    });
    return closing;
  };
  return { context, page, close };
}

/** Browser console lines that are known noise from code-server in a sandbox without internet. */
export const CONSOLE_NOISE = new RegExp('^(' + [
  'Failed to load resource', 'An iframe which has both', 'Found unexpected service worker',
  'The web worker extension host', 'Overwriting extension', 'Resolv(ing|ed) connection token',
  'Creating a socket', 'Updating additional builtin', '\\[Service Worker\\]', 'ChatSessionStore',
  '.*getaddrinfo ENOTFOUND', 'Creation of workbench contribution', '\\s*$',
].join('|') + ')');

/**
 * Calls `onLine(text, type)` for each console message of the page, in order, formatted as the
 * extension host meant it: it forwards console.* as ('%c INFO', 'color: ...', format, ...args), which
 * util.format joins. Returns flush(), which resolves once every message seen so far was handed on.
 */
export function onConsole(page, onLine) {
  let chain = Promise.resolve();
  page.on('console', (m) => {
    const args = Promise.all(m.args().map((a) => a.jsonValue())).catch(() => [m.text()]);
    chain = chain.then(async () => {
      let a = await args;
      if (typeof a[0] === 'string' && /^%c\s*(TRACE|DEBUG|INFO|WARN|ERR)/.test(a[0])) a = a.slice(2);
      const text = typeof a[0] === 'string' ? util.format(...a) : a.map(String).join(' ');
      try { onLine(text, m.type()); } catch { /* a listener error must not stop the chain */ }
    });
  });
  return () => chain;
}
