/** Names of a run's artifacts outside the tree: `runlens-artifact:` URI paths and MLflow `runs:/` URIs. */

/** The scheme of Runlens' read-only artifact file system: `runlens-artifact:/<run_id>/<path>`. */
export const ARTIFACT_SCHEME = 'runlens-artifact';

export interface ArtifactLocation {
  runId: string;
  /** Relative to the run's artifact root, `/`-separated, no leading slash; empty for the root. */
  path: string;
}

/** `/<run_id>/<path>` (the URI path; the URI class encodes special characters). */
export function artifactUriPath(runId: string, path = ''): string {
  const clean = path.split('/').filter(Boolean).join('/');
  return clean ? `/${runId}/${clean}` : `/${runId}`;
}

/** The run and artifact path of a `runlens-artifact:` URI path; undefined when it names no run. */
export function parseArtifactUriPath(uriPath: string): ArtifactLocation | undefined {
  const parts = uriPath.split('/').filter(Boolean);
  if (parts.length === 0) return undefined;
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
