// Starts and stops code-server (VS Code 1.100 as a web server) on 127.0.0.1, and builds workbench URLs.
// No third-party imports, so that scripts can load it before checking that the host is installed.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** test/vscode-host: where install.sh puts code-server, playwright-core and @vscode/test-electron. */
export const HOST_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const CODE_SERVER_ENTRY =
  process.env.CODE_SERVER_BIN || path.join(HOST_DIR, 'node_modules/code-server/out/node/entry.js');
/** code-server 4.100.x runs on Node 20, the machine's Node. */
export const CODE_SERVER_NODE = process.env.CODE_SERVER_NODE || process.execPath;
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

/** Settings that keep a test workbench quiet and offline. */
export const QUIET_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'update.mode': 'none',
  'security.workspace.trust.enabled': false,
};

/** What is missing for the test host, as messages a person can act on; empty when all is there. */
export function missingHostParts({ browser = true } = {}) {
  const missing = [];
  if (!fs.existsSync(CODE_SERVER_ENTRY)) missing.push(`code-server is not installed (${CODE_SERVER_ENTRY})`);
  if (browser && !fs.existsSync(CHROMIUM)) missing.push(`Chromium is not installed (${CHROMIUM})`);
  if (browser && !fs.existsSync(path.join(HOST_DIR, 'node_modules/playwright-core/package.json'))) {
    missing.push('playwright-core is not installed');
  }
  return missing;
}

export const INSTALL_HINT = 'install the VS Code test host with: bash test/vscode-host/install.sh (as root, or with sudo for its apt step)';

/** Writes `settings` (merged over QUIET_SETTINGS) as the user settings unless a settings file exists. */
export function ensureUserSettings(userDataDir, settings = {}) {
  const file = path.join(userDataDir, 'User', 'settings.json');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  if (!fs.existsSync(file)) fs.writeFileSync(file, JSON.stringify({ ...QUIET_SETTINGS, ...settings }, null, 2));
}

/**
 * Starts code-server and resolves once it listens.
 * @param {object} [o]
 * @param {string} [o.runDir]        folder for config, logs and (by default) user data and extensions; a fresh temporary one if omitted
 * @param {string} [o.userDataDir]
 * @param {string} [o.extensionsDir]
 * @param {number} [o.port]          0 (default) picks a free port
 * @param {object} [o.settings]      user settings written on first use of userDataDir
 * @param {object} [o.env]           extra environment for code-server and so for the extension host
 * @param {string[]} [o.extraArgs]
 * @param {(chunk: string) => void} [o.onOutput]  code-server's stdout/stderr, besides the log file
 * @returns {Promise<{url: string, authority: string, pid: number, runDir: string, logFile: string, stop(): Promise<void>, exited: Promise<number|null>}>}
 */
export async function startCodeServer(o = {}) {
  if (!fs.existsSync(CODE_SERVER_ENTRY)) throw new Error(`code-server not found at ${CODE_SERVER_ENTRY}; ${INSTALL_HINT}`);
  const ownRunDir = !o.runDir;
  const runDir = o.runDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'runlens-cs-'));
  const userDataDir = o.userDataDir ?? path.join(runDir, 'user-data');
  const extensionsDir = o.extensionsDir ?? path.join(runDir, 'extensions');
  fs.mkdirSync(extensionsDir, { recursive: true });
  ensureUserSettings(userDataDir, o.settings);
  // An empty config file: otherwise code-server writes ~/.config/code-server/config.yaml with a password.
  const config = path.join(runDir, 'config.yaml');
  fs.writeFileSync(config, '');
  const logFile = path.join(runDir, 'code-server.log');
  const log = fs.createWriteStream(logFile);

  const args = [
    CODE_SERVER_ENTRY, '--config', config, '--bind-addr', `127.0.0.1:${o.port ?? 0}`, '--auth', 'none',
    '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir,
    '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust',
    '--disable-getting-started-override', '--ignore-last-opened',
    ...(o.extraArgs ?? []),
  ];
  // Own process group, so that stop() also ends its file watcher and extension hosts.
  const child = spawn(CODE_SERVER_NODE, args, {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    // XDG_DATA_HOME: code-server writes coder-logs and a heartbeat there; keep them out of $HOME.
    env: { ...process.env, XDG_DATA_HOME: path.join(runDir, 'xdg-data'), ...o.env },
  });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));

  let stopping;
  const stop = () => {
    stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        try { process.kill(-child.pid, 'SIGTERM'); } catch { /* already gone */ }
        const timer = setTimeout(() => { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } }, 10000);
        await exited;
        clearTimeout(timer);
      }
      // Children that outlive code-server (file watcher, extension host) share its group.
      try { process.kill(-child.pid, 'SIGKILL'); } catch { /* none left */ }
      await new Promise((r) => log.end(r));
      if (ownRunDir && !process.env.KEEP_TMP) fs.rmSync(runDir, { recursive: true, force: true });
    })();
    return stopping;
  };
  const killOnExit = () => { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } };
  process.once('exit', killOnExit);
  exited.then(() => process.removeListener('exit', killOnExit));

  let recent = '';
  const url = await new Promise((resolve, reject) => {
    let seen = '';
    const onData = (d) => {
      const s = d.toString();
      log.write(s);
      recent = (recent + s).slice(-4000);
      o.onOutput?.(s);
      if (seen !== null) {
        seen += s;
        const m = /HTTP server listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(seen);
        if (m) { seen = null; resolve(m[1]); }
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    exited.then((c) => reject(new Error(`code-server exited early (${c})`)));
    setTimeout(() => reject(new Error('code-server did not listen within 60 s')), 60000).unref();
  }).catch(async (e) => {
    await stop();
    throw new Error(`${e.message}${recent ? `\n--- code-server output (tail) ---\n${recent}` : ''}`);
  });

  return { url, authority: new URL(url).host, pid: child.pid, runDir, userDataDir, extensionsDir, logFile, stop, exited };
}

/**
 * The workbench URL for a folder, with development extensions and an extension test runner passed
 * through the URL payload (code-server's CLI rejects --extensionDevelopmentPath/--extensionTestsPath).
 * @param {{url: string, authority: string}} server
 * @param {{folder?: string, extensionDevelopmentPath?: string|string[], extensionTestsPath?: string}} [o]
 */
export function workbenchUrl(server, o = {}) {
  const remote = (p) => `vscode-remote://${server.authority}${path.resolve(p)}`;
  const dev = [o.extensionDevelopmentPath ?? []].flat();
  const payload = dev.map((d) => ['extensionDevelopmentPath', remote(d)]);
  if (o.extensionTestsPath) payload.push(['extensionTestsPath', remote(o.extensionTestsPath)]);
  const query = [];
  query.push(o.folder ? `folder=${encodeURIComponent(path.resolve(o.folder))}` : 'ew=true');
  if (payload.length) query.push(`payload=${encodeURIComponent(JSON.stringify(payload))}`);
  return `${server.url}/?${query.join('&')}`;
}
