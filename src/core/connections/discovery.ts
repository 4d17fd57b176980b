import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Connection } from './connection';
import { normalizeServerUrl, remoteLabel } from './connection';

/** Folders never searched (the embedded store, VCS and dependency trees). */
const SKIP = new Set(['.runlens', '.git', 'node_modules', '.venv', 'venv', '__pycache__', '.hg', '.svn']);

/** `mlruns/` is an MLflow file store when it holds the Default experiment or a registry. */
export function isFileStore(dir: string): boolean {
  return fs.existsSync(path.join(dir, '0', 'meta.yaml')) || isDir(path.join(dir, 'models'));
}

function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

function rel(root: string, p: string): string {
  return path.relative(root, p).split(path.sep).join('/') || '.';
}

/** Reads MLFLOW_TRACKING_URI from .env text (`KEY=value`, optional `export`, quotes, comments). */
export function trackingUriFromDotEnv(text: string): string | undefined {
  let found: string | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?MLFLOW_TRACKING_URI\s*=\s*(.*)$/.exec(raw);
    if (!m) continue;
    let value = m[1].trim();
    const quoted = /^(['"])(.*)\1/.exec(value);
    if (quoted) value = quoted[2];
    else value = value.replace(/\s+#.*$/, '').trim();
    if (value) found = value;
  }
  return found;
}

/** The connection a tracking URI from a .env file stands for (relative paths from `baseDir`). */
export function connectionFromTrackingUri(uri: string, baseDir: string, source: string, labelRoot = baseDir): Connection | undefined {
  if (/^https?:\/\//i.test(uri)) {
    const url = normalizeServerUrl(uri);
    return { id: `env:${url}`, kind: 'remote', label: remoteLabel(url), uri: url, auth: 'none', source };
  }
  if (/^sqlite:\/\//i.test(uri)) {
    // sqlite:///relative.db or sqlite:////absolute.db (SQLAlchemy's form).
    const p = uri.replace(/^sqlite:\/\/\//i, '').replace(/\?.*$/, '');
    const file = path.resolve(baseDir, p);
    return sqliteConnection(file, labelRoot, source);
  }
  if (/^file:/i.test(uri)) {
    try {
      return mlrunsConnection(fileURLToPath(uri), labelRoot, source);
    } catch {
      return undefined;
    }
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(uri)) return undefined; // databricks://, postgresql://…: not served here
  return mlrunsConnection(path.resolve(baseDir, uri), labelRoot, source);
}

export function sqliteConnection(file: string, root: string, source?: string): Connection {
  return { id: `sqlite:${file}`, kind: 'sqlite', label: rel(root, file), uri: `sqlite:///${file}`, auth: 'none', ...(source ? { source } : {}) };
}

export function mlrunsConnection(dir: string, root: string, source?: string): Connection {
  return { id: `mlruns:${dir}`, kind: 'mlruns', label: `${rel(root, dir)}/`, uri: pathToFileURL(dir).href, auth: 'none', ...(source ? { source } : {}) };
}

/**
 * The tracking stores of a workspace folder: `mlflow.db` files and `mlruns/` file stores in the
 * folder and its subfolders (two levels, `.runlens/` excluded), and MLFLOW_TRACKING_URI of `.env`
 * files there. Each store is listed once.
 */
export function discoverConnections(root: string): Connection[] {
  const found = new Map<string, Connection>();
  const add = (c: Connection | undefined) => {
    if (c && !found.has(c.id)) found.set(c.id, c);
  };
  const dirs = [root];
  for (const name of safeReaddir(root)) {
    const sub = path.join(root, name);
    if (!SKIP.has(name) && name !== 'mlruns' && isDir(sub)) dirs.push(sub);
  }
  for (const dir of dirs) {
    const db = path.join(dir, 'mlflow.db');
    if (isFile(db)) add(sqliteConnection(db, root));
    const mlruns = path.join(dir, 'mlruns');
    if (isDir(mlruns) && isFileStore(mlruns)) add(mlrunsConnection(mlruns, root));
  }
  for (const dir of dirs) {
    const envFile = path.join(dir, '.env');
    if (!isFile(envFile)) continue;
    const uri = trackingUriFromDotEnv(readText(envFile));
    if (!uri) continue;
    const c = connectionFromTrackingUri(uri, dir, rel(root, envFile), root);
    // A local store the .env names is only listed if it exists (and is not the embedded one).
    if (!c || (c.kind === 'sqlite' && !isFile(c.id.slice('sqlite:'.length)))) continue;
    if (c.kind === 'mlruns' && !isDir(c.id.slice('mlruns:'.length))) continue;
    if (c.kind !== 'remote' && c.id.split(/[\\/]/).includes('.runlens')) continue;
    add(c);
  }
  return [...found.values()];
}

function safeReaddir(dir: string): string[] {
  try {
    return fs.readdirSync(dir).sort();
  } catch {
    return [];
  }
}

function readText(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
