import { MlflowError } from '../../errors';
import type { SqlDatabase, SqlSession } from '../db/database';
import { placeholders } from './rows';

export interface PurgeOptions {
  /** Only runs deleted at least this long ago (ms); experiments by their last update. */
  olderThanMs?: number;
  /** Only these runs (each must be deleted). */
  runIds?: string[];
  /** Only these experiments (each must be deleted); their runs are purged with them. */
  experimentIds?: string[];
  now?: number;
}

export interface PurgedRun {
  runId: string;
  artifactUri: string;
}

export interface PurgeResult {
  runs: PurgedRun[];
  experiments: Array<{ experimentId: string; artifactLocation: string }>;
}

/** Removes a run and everything that hangs off it. */
async function deleteRun(w: SqlSession, runId: string): Promise<void> {
  await w.run(
    "DELETE FROM input_tags WHERE input_uuid IN (SELECT input_uuid FROM inputs WHERE destination_type = 'RUN' AND destination_id = ?)",
    [runId],
  );
  await w.run("DELETE FROM inputs WHERE (destination_type = 'RUN' AND destination_id = ?) OR (source_type IN ('RUN_INPUT', 'RUN_OUTPUT') AND source_id = ?)", [runId, runId]);
  for (const table of ['tags', 'params', 'metrics', 'latest_metrics']) {
    await w.run(`DELETE FROM ${table} WHERE run_uuid = ?`, [runId]);
  }
  await w.run('DELETE FROM runs WHERE run_uuid = ?', [runId]);
}

/** Removes an experiment, its remaining runs, and the rows that reference it. */
async function deleteExperiment(w: SqlSession, experimentId: number): Promise<void> {
  for (const { run_uuid } of await w.all<{ run_uuid: string }>('SELECT run_uuid FROM runs WHERE experiment_id = ?', [experimentId])) {
    await deleteRun(w, run_uuid);
  }
  await w.run('DELETE FROM trace_info WHERE experiment_id = ?', [experimentId]);
  await w.run('DELETE FROM logged_model_metrics WHERE experiment_id = ?', [experimentId]);
  await w.run('DELETE FROM logged_model_params WHERE experiment_id = ?', [experimentId]);
  await w.run('DELETE FROM logged_model_tags WHERE experiment_id = ?', [experimentId]);
  await w.run('DELETE FROM experiment_tags WHERE experiment_id = ?', [experimentId]);
  await w.run('DELETE FROM experiments WHERE experiment_id = ?', [experimentId]);
}

/**
 * Permanently deletes runs and experiments that are in the deleted lifecycle stage, as
 * `mlflow gc` does. Returns what was purged so that the caller can remove the artifacts.
 */
export async function purgeDeleted(db: SqlDatabase, options: PurgeOptions = {}): Promise<PurgeResult> {
  const now = options.now ?? Date.now();
  const cutoff = options.olderThanMs !== undefined ? now - options.olderThanMs : undefined;
  return db.write(async (w) => {
    const runs: PurgedRun[] = [];
    const experiments: PurgeResult['experiments'] = [];
    let experimentIds: number[];
    if (options.experimentIds?.length) {
      experimentIds = [];
      for (const id of options.experimentIds) {
        // The id is checked before the query: a non-number must not reach an integer column.
        if (!/^\d+$/.test(id)) throw MlflowError.notFound(`No Experiment with id=${id} exists`);
        const row = await w.get<{ experiment_id: number; lifecycle_stage: string }>('SELECT experiment_id, lifecycle_stage FROM experiments WHERE experiment_id = ?', [Number(id)]);
        if (!row) throw MlflowError.notFound(`No Experiment with id=${id} exists`);
        if (row.lifecycle_stage !== 'deleted') throw MlflowError.invalidParameter(`Experiment ${id} is not in the deleted lifecycle stage; only deleted experiments can be purged.`);
        experimentIds.push(row.experiment_id);
      }
    } else if (!options.runIds?.length) {
      experimentIds = (
        await w.all<{ experiment_id: number }>(
          `SELECT experiment_id FROM experiments WHERE lifecycle_stage = 'deleted'${cutoff !== undefined ? ' AND COALESCE(last_update_time, 0) <= ?' : ''}`,
          cutoff !== undefined ? [cutoff] : [],
        )
      ).map((r) => r.experiment_id);
    } else {
      experimentIds = [];
    }

    let runRows: Array<{ run_uuid: string; artifact_uri: string | null }>;
    if (options.runIds?.length) {
      runRows = [];
      for (const id of options.runIds) {
        const row = await w.get<{ run_uuid: string; artifact_uri: string | null; lifecycle_stage: string }>('SELECT run_uuid, artifact_uri, lifecycle_stage FROM runs WHERE run_uuid = ?', [id]);
        if (!row) throw MlflowError.notFound(`Run with id=${id} not found`);
        if (row.lifecycle_stage !== 'deleted') throw MlflowError.invalidParameter(`Run ${id} is not in the deleted lifecycle stage; only deleted runs can be purged.`);
        runRows.push(row);
      }
    } else {
      const scope = experimentIds.length ? ` OR experiment_id IN (${placeholders(experimentIds.length)})` : '';
      runRows = await w.all(
        `SELECT run_uuid, artifact_uri FROM runs WHERE (lifecycle_stage = 'deleted'${cutoff !== undefined ? ' AND COALESCE(deleted_time, 0) <= ?' : ''})${scope}`,
        [...(cutoff !== undefined ? [cutoff] : []), ...experimentIds],
      );
    }
    for (const r of runRows) {
      await deleteRun(w, r.run_uuid);
      runs.push({ runId: r.run_uuid, artifactUri: r.artifact_uri ?? '' });
    }
    for (const id of experimentIds) {
      const row = await w.get<{ artifact_location: string | null }>('SELECT artifact_location FROM experiments WHERE experiment_id = ?', [id]);
      await deleteExperiment(w, id);
      experiments.push({ experimentId: String(id), artifactLocation: row?.artifact_location ?? '' });
    }
    return { runs, experiments };
  });
}

/** Parses MLflow's `--older-than` durations such as "1d2h3m4s" into milliseconds. */
export function parseDuration(text: string): number {
  const match = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(text.trim());
  if (!match || text.trim() === '') {
    throw MlflowError.invalidParameter(`Could not parse '${text}' as a duration; use a form like 1d2h3m4s.`);
  }
  const [, d, h, m, s] = match.map((v) => Number(v ?? 0));
  return (((d * 24 + h) * 60 + m) * 60 + s) * 1000;
}
