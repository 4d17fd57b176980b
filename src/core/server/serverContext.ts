import type { DurableDatabase } from '../store/durableDatabase';
import type { SqlTrackingStore } from '../store/sql/sqlTrackingStore';

/** What the route modules of the embedded server share. */
export interface ServerContext {
  db: DurableDatabase;
  tracking: SqlTrackingStore;
  /** Absolute folder behind `mlflow-artifacts:/` URIs (the --artifacts-destination). */
  artifactsDestination: string;
  log?: (message: string) => void;
}
