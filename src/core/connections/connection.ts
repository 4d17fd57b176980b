/** Tracking connections: the embedded store, stores found in the workspace, remote servers. */

export type ConnectionKind = 'embedded' | 'sqlite' | 'mlruns' | 'remote';
export type AuthKind = 'none' | 'basic' | 'bearer';

/** A connection as listed and persisted; secrets (password, token) are never part of it. */
export interface Connection {
  /** Stable id: `embedded`, `sqlite:<path>`, `mlruns:<path>`, `env:<uri>` or `remote:<random>`. */
  id: string;
  kind: ConnectionKind;
  label: string;
  /** The store (`sqlite:///…`, `file:///…`) or the server's http(s) URL. */
  uri: string;
  auth: AuthKind;
  /** Basic auth user name (not a secret; the password is). */
  username?: string;
  /** PEM file of certificate authorities to trust for https. */
  caFile?: string;
  /** Explicit opt-out of TLS certificate verification. */
  insecure?: boolean;
  timeoutMs?: number;
  /** Where a discovered connection came from (the .env file, the folder). */
  source?: string;
}

export const EMBEDDED_ID = 'embedded';
/** Listing requests against a connection fail after this long instead of hanging the view. */
export const DEFAULT_TIMEOUT_MS = 10_000;

/** Local connections are served by a `runlens server` child; remote ones are spoken to directly. */
export function isLocal(c: Pick<Connection, 'kind'>): boolean {
  return c.kind !== 'remote';
}

/** Order of the roots: embedded first, then discovered (stable by label), then remotes (as added). */
export function sortConnections(list: readonly Connection[]): Connection[] {
  const rank = (c: Connection) => (c.kind === 'embedded' ? 0 : c.id.startsWith('remote:') ? 2 : 1);
  return list
    .map((c, i) => ({ c, i }))
    .sort((a, b) => rank(a.c) - rank(b.c) || (rank(a.c) === 1 ? a.c.label.localeCompare(b.c.label) : 0) || a.i - b.i)
    .map((x) => x.c);
}

/** Checks a remote server URL; returns an error message or undefined. */
export function validateServerUrl(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return 'Enter an http:// or https:// URL, e.g. https://mlflow.example.com';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'Only http:// and https:// tracking servers can be added.';
  if (url.username || url.password) return 'Put credentials in the authentication step, not in the URL.';
  return undefined;
}

/** A URL without a trailing slash (MLflow clients join paths to it). */
export function normalizeServerUrl(text: string): string {
  return text.trim().replace(/\/+$/, '');
}

/** A short label for a remote server: its host and path. */
export function remoteLabel(uri: string): string {
  try {
    const u = new URL(uri);
    return `${u.host}${u.pathname === '/' ? '' : u.pathname}`;
  } catch {
    return uri;
  }
}

/** A new id for a user-added remote. */
export function newRemoteId(random: () => number = Math.random): string {
  return `remote:${Math.floor(random() * 36 ** 8).toString(36).padStart(8, '0')}`;
}

/** Strips anything that is not a persisted field (defensive: secrets never reach settings). */
export function persistable(c: Connection): Connection {
  const { id, kind, label, uri, auth, username, caFile, insecure, timeoutMs, source } = c;
  const out: Connection = { id, kind, label, uri, auth };
  if (username !== undefined) out.username = username;
  if (caFile) out.caFile = caFile;
  if (insecure) out.insecure = true;
  if (timeoutMs !== undefined) out.timeoutMs = timeoutMs;
  if (source) out.source = source;
  return out;
}
