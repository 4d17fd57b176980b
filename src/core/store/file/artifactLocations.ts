/**
 * Where the artifacts of file-store runs are. MLflow stores absolute `file://` URIs
 * (`artifact_uri` of runs, `artifact_location` of experiments and logged models); a server maps
 * them to local folders. The stored URI is authoritative (MLflow lists nothing for the runs of an
 * experiment in .trash/, whose URIs still point at the old place); the conventional folder
 * `<run folder>/artifacts` is given too, for stores moved from another machine.
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ArtifactLocation {
  /** The URI as stored in meta.yaml (e.g. `file:///abs/mlruns/1/<run>/artifacts`, or `s3://...`). */
  uri: string;
  /** The local folder the URI names (file: URIs and plain paths); undefined for remote URIs. */
  localPath?: string;
  /** `<run or model folder>/artifacts` inside the store, where MLflow puts artifacts when the store is the artifact root. */
  conventionalPath: string;
  /** The run's experiment has been deleted (moved to .trash/): MLflow lists no artifacts for it. */
  inTrash: boolean;
}

/**
 * The local path of a `file:` URI or a plain absolute path; undefined for other schemes.
 * `file:///C:/x` becomes `C:\x` on Windows; percent-escapes are decoded.
 */
export function localPathOfUri(uri: string): string | undefined {
  if (/^file:/i.test(uri)) {
    try {
      // file:/abs/path (one slash) is what Python's pathlib sometimes writes; normalise it.
      const normalized = /^file:\/(?!\/)/i.test(uri) ? `file://${uri.slice(5)}` : uri;
      return fileURLToPath(normalized);
    } catch {
      return undefined;
    }
  }
  if (/^[a-zA-Z][a-zA-Z0-9+.-]+:/.test(uri) && !/^[a-zA-Z]:[\\/]/.test(uri)) return undefined;
  return path.isAbsolute(uri) ? uri : undefined;
}

export function artifactLocation(uri: string, entityDir: string, inTrash: boolean): ArtifactLocation {
  const location: ArtifactLocation = { uri, conventionalPath: path.join(entityDir, 'artifacts'), inTrash };
  const local = localPathOfUri(uri);
  if (local !== undefined) location.localPath = local;
  return location;
}
