import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MlflowError } from '../errors';
import { invalidPath, percentDecodeOnce } from './artifactPath';

/** Where an artifact URI lives on this machine. */
export interface LocalArtifactRoot {
  /** The folder the URI names (it may not exist yet). */
  root: string;
  /** The folder nothing resolved under this URI may leave: the artifacts destination for proxied URIs, else the root itself. */
  boundary: string;
  /** Whether the URI is served through the proxied artifact destination (`mlflow-artifacts:`, or an http(s) URL of its routes). */
  proxied: boolean;
}

const MLFLOW_ARTIFACTS = /^mlflow-artifacts:(?:\/\/[^/]*)?(.*)$/i;
const HTTP_ROUTE_ANCHOR = '/api/2.0/mlflow-artifacts/artifacts/';
const SCHEME = /^([a-zA-Z][a-zA-Z0-9+.-]*):/;

function unsupported(uri: string): MlflowError {
  return new MlflowError('NOT_IMPLEMENTED', `Artifact URI '${uri}' is not supported by this server: only mlflow-artifacts:, file: and local paths are.`);
}

/** The path of a proxied artifact URI inside the artifacts destination, or undefined when the URI is not proxied. */
export function proxiedArtifactPath(uri: string): string | undefined {
  const proxied = MLFLOW_ARTIFACTS.exec(uri);
  if (proxied) return proxied[1].replace(/^\/+/, '');
  if (/^https?:/i.test(uri)) {
    let pathname: string;
    try {
      pathname = new URL(uri).pathname;
    } catch {
      return undefined;
    }
    const at = pathname.indexOf(HTTP_ROUTE_ANCHOR);
    if (at >= 0) return percentDecodeOnce(pathname.slice(at + HTTP_ROUTE_ANCHOR.length)).replace(/^\/+/, '');
  }
  return undefined;
}

/**
 * Maps an artifact URI (a run's artifact_uri, a logged model's artifact_location, a model
 * version's source) to local folders: `mlflow-artifacts:/<p>` (also with a `//host:port`
 * authority, or as `http(s)://host/api/2.0/mlflow-artifacts/artifacts/<p>`) → `<destination>/<p>`;
 * `file://` URIs and local paths → themselves. Other schemes (s3:, gs:, …) answer NOT_IMPLEMENTED.
 */
export function localArtifactRoot(uri: string, destination: string): LocalArtifactRoot {
  const inDestination = proxiedArtifactPath(uri);
  if (inDestination !== undefined) {
    const root = path.resolve(destination, inDestination);
    const relative = path.relative(destination, root);
    if (relative.startsWith('..') || path.isAbsolute(relative)) throw invalidPath();
    return { root, boundary: destination, proxied: true };
  }
  if (/^https?:/i.test(uri)) throw unsupported(uri);
  let local: string;
  if (/^file:/i.test(uri)) {
    try {
      local = fileURLToPath(uri);
    } catch {
      throw invalidPath();
    }
  } else if (path.isAbsolute(uri) || !SCHEME.exec(uri) || (process.platform === 'win32' && /^[a-zA-Z]:[\\/]/.test(uri))) {
    local = uri;
  } else {
    throw unsupported(uri);
  }
  if (local === '' || local.includes('\0')) throw invalidPath();
  const root = path.resolve(local);
  return { root, boundary: root, proxied: false };
}
