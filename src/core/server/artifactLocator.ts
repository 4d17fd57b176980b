import { MlflowError } from '../errors';
import type { SqlReader } from '../store/db/database';
import type { FileTrackingStore } from '../store/file';
import { resolveModelSourceUri } from '../store/sql/modelSource';

/** Where the artifacts of runs, logged models and model versions are, whatever the store. */
export interface ArtifactLocator {
  /** The run's artifact URI; 404 for an unknown run. */
  runArtifactUri(runId: string): Promise<string>;
  loggedModelArtifactUri(modelId: string): Promise<string>;
  /** A registered version's files: its storage location, else its source, resolved. */
  modelVersionArtifactUri(name: string, version: string): Promise<string>;
}

/** Locations read from MLflow's SQL schema. */
export function sqlArtifactLocator(db: SqlReader): ArtifactLocator {
  return {
    async runArtifactUri(runId) {
      const row = await db.get<{ artifact_uri: string | null }>('SELECT artifact_uri FROM runs WHERE run_uuid = ?', [runId]);
      if (!row) throw MlflowError.notFound(`Run with id=${runId} not found`);
      return row.artifact_uri ?? '';
    },
    async loggedModelArtifactUri(modelId) {
      const row = await db.get<{ artifact_location: string; lifecycle_stage: string | null }>(
        'SELECT artifact_location, lifecycle_stage FROM logged_models WHERE model_id = ?',
        [modelId],
      );
      if (!row || row.lifecycle_stage === 'deleted') throw MlflowError.notFound(`Logged model with ID '${modelId}' not found.`);
      return row.artifact_location;
    },
    async modelVersionArtifactUri(name, version) {
      const row = /^\d+$/.test(version)
        ? await db.get<{ source: string | null; storage_location: string | null }>(
            "SELECT source, storage_location FROM model_versions WHERE name = ? AND version = ? AND COALESCE(current_stage, '') != 'Deleted_Internal'",
            [name, Number(version)],
          )
        : undefined;
      if (!row) throw MlflowError.notFound(`Model Version (name=${name}, version=${version}) not found`);
      return resolveModelSourceUri(db, row.storage_location || row.source || '');
    },
  };
}

/** Locations as an `mlruns/` file store records them. */
export function fileArtifactLocator(store: FileTrackingStore): ArtifactLocator {
  return {
    async runArtifactUri(runId) {
      return (await store.runArtifactLocation(runId)).uri;
    },
    async loggedModelArtifactUri(modelId) {
      return (await store.loggedModels.artifactLocation(modelId)).uri;
    },
    async modelVersionArtifactUri(name, version) {
      return store.registry.getDownloadUri(name, version);
    },
  };
}
