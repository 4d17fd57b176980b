import type { ArtifactLocator } from './artifactLocator';

/** What the route modules of the server share, whatever kind of store it serves. */
export interface ServerContext {
  locator: ArtifactLocator;
  /** Throws 403 PERMISSION_DENIED when the store is read-only. */
  assertWritable: () => void;
  /** Absolute folder behind `mlflow-artifacts:/` URIs (the --artifacts-destination). */
  artifactsDestination: string;
  log?: (message: string) => void;
}
