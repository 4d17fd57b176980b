/** Names of a run's artifacts outside the tree: `runlens-artifact:` URI paths and MLflow `runs:/` URIs. */

import { EMBEDDED_ID } from '../connections/connection';

/**
 * The scheme of Runlens' read-only artifact file system: `runlens-artifact:/<run_id>/<path>` for the
 * embedded store, `runlens-artifact:/<connection id, URI-encoded>/<run_id>/<path>` for other connections.
 */
export const ARTIFACT_SCHEME = 'runlens-artifact';

export interface ArtifactLocation {
  /** The connection the run belongs to; undefined for the embedded store (the old form without one). */
  connectionId?: string;
  runId: string;
  /** Relative to the run's artifact root, `/`-separated, no leading slash; empty for the root. */
  path: string;
}

/**
 * `/<run_id>/<path>`, or `/<connection id>/<run_id>/<path>` with the connection id URI-encoded (it
 * holds `:` and `/`) for a connection other than the embedded store (the URI class encodes the rest).
 */
export function artifactUriPath(runId: string, path = '', connectionId?: string): string {
  const clean = path.split('/').filter(Boolean).join('/');
  const run = clean ? `/${runId}/${clean}` : `/${runId}`;
  return connectionId && connectionId !== EMBEDDED_ID ? `/${encodeURIComponent(connectionId)}${run}` : run;
}

/**
 * The connection, run and artifact path of a `runlens-artifact:` URI path; undefined when it names no
 * run. A first segment naming a connection (`isConnection` of its decoded form, or any encoded `:`,
 * which no run id holds) is the connection; otherwise the path is the embedded store's old form.
 */
export function parseArtifactUriPath(uriPath: string, isConnection: (id: string) => boolean = () => false): ArtifactLocation | undefined {
  const parts = uriPath.split('/').filter(Boolean);
  if (parts.length === 0) return undefined;
  let connectionId: string | undefined;
  try {
    connectionId = decodeURIComponent(parts[0]);
  } catch {
    connectionId = undefined;
  }
  if (connectionId !== undefined && (connectionId.includes(':') || isConnection(connectionId))) {
    if (parts.length < 2) return undefined;
    return { connectionId: connectionId === EMBEDDED_ID ? undefined : connectionId, runId: parts[1], path: parts.slice(2).join('/') };
  }
  return { runId: parts[0], path: parts.slice(1).join('/') };
}

/** The parent folder of an artifact path ('' for a top-level entry). */
export function parentArtifactPath(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}

/** `runs:/<run_id>` or `runs:/<run_id>/<path>`, as MLflow's `mlflow.<flavor>.load_model` accepts. */
export function runsUri(runId: string, path = ''): string {
  const clean = path.split('/').filter(Boolean).join('/');
  return clean ? `runs:/${runId}/${clean}` : `runs:/${runId}`;
}
