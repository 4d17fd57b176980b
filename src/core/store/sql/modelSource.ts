import { MlflowError } from '../../errors';
import type { SqlReader } from '../db/database';

/**
 * The artifact URI a model source points at: `runs:/<run_id>/<path>` inside the run's artifacts,
 * `models:/<model_id>` a logged model's artifacts, `models:/<name>/<version>` and
 * `models:/<name>@<alias>` a registered version's location; anything else is already a location.
 */
export async function resolveModelSourceUri(db: SqlReader, source: string, depth = 0): Promise<string> {
  if (depth > 5) throw MlflowError.invalidParameter(`Model source '${source}' refers to itself.`);
  const runs = /^runs:\/([^/]+)\/?(.*)$/.exec(source);
  if (runs) {
    const run = await db.get<{ artifact_uri: string }>('SELECT artifact_uri FROM runs WHERE run_uuid = ?', [runs[1]]);
    if (!run) throw MlflowError.notFound(`Run with id=${runs[1]} not found`);
    return runs[2] ? `${run.artifact_uri.replace(/\/$/, '')}/${runs[2]}` : run.artifact_uri;
  }
  const models = /^models:\/(.+)$/.exec(source);
  if (!models) return source;
  const ref = models[1];
  if (/^m-[0-9a-f]{32}$/.test(ref)) {
    const model = await db.get<{ artifact_location: string }>('SELECT artifact_location FROM logged_models WHERE model_id = ?', [ref]);
    if (!model) throw MlflowError.notFound(`Logged model with ID '${ref}' not found.`);
    return model.artifact_location;
  }
  const alias = /^([^@]+)@(.+)$/.exec(ref);
  const byVersion = /^(.+)\/(\d+)$/.exec(ref);
  type VersionRow = { source: string | null; storage_location: string | null };
  let version: VersionRow | undefined;
  if (alias) {
    version = await db.get<VersionRow>(
      `SELECT mv.source, mv.storage_location FROM registered_model_aliases a
       JOIN model_versions mv ON mv.name = a.name AND mv.version = a.version
       WHERE a.name = ? AND a.alias = ? AND mv.current_stage != 'Deleted_Internal'`,
      [alias[1], alias[2]],
    );
  } else if (byVersion) {
    version = await db.get<VersionRow>(
      "SELECT source, storage_location FROM model_versions WHERE name = ? AND version = ? AND current_stage != 'Deleted_Internal'",
      [byVersion[1], Number(byVersion[2])],
    );
  } else {
    throw MlflowError.invalidParameter(`Unsupported model URI '${source}'.`);
  }
  if (!version) throw MlflowError.notFound(`No model version found for '${source}'.`);
  return version.storage_location || resolveModelSourceUri(db, version.source ?? '', depth + 1);
}
