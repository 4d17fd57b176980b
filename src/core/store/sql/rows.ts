import type { Experiment, KeyValue, LifecycleStage, RunInfo, RunStatus } from '../../entities';

/** Row shapes of MLflow's tables, and their conversion to wire entities. */
export interface ExperimentRow {
  experiment_id: number;
  name: string;
  artifact_location: string | null;
  lifecycle_stage: string | null;
  creation_time: number | null;
  last_update_time: number | null;
}

export interface RunRow {
  run_uuid: string;
  name: string | null;
  user_id: string | null;
  status: string | null;
  start_time: number | null;
  end_time: number | null;
  lifecycle_stage: string | null;
  artifact_uri: string | null;
  experiment_id: number;
  deleted_time: number | null;
}

export const RUN_COLUMNS =
  'run_uuid, name, user_id, status, start_time, end_time, lifecycle_stage, artifact_uri, experiment_id, deleted_time';

export const EXPERIMENT_COLUMNS = 'experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time';

export function toExperiment(row: ExperimentRow, tags: KeyValue[]): Experiment {
  const experiment: Experiment = {
    experiment_id: String(row.experiment_id),
    name: row.name,
    lifecycle_stage: (row.lifecycle_stage ?? 'active') as LifecycleStage,
  };
  if (row.artifact_location !== null) experiment.artifact_location = row.artifact_location;
  if (row.last_update_time !== null) experiment.last_update_time = row.last_update_time;
  if (row.creation_time !== null) experiment.creation_time = row.creation_time;
  if (tags.length > 0) experiment.tags = tags;
  return experiment;
}

export function toRunInfo(row: RunRow): RunInfo {
  const info: RunInfo = {
    run_uuid: row.run_uuid,
    experiment_id: String(row.experiment_id),
    run_name: row.name ?? '',
    user_id: row.user_id ?? '',
    status: (row.status ?? 'RUNNING') as RunStatus,
    start_time: row.start_time ?? 0,
    artifact_uri: row.artifact_uri ?? '',
    lifecycle_stage: (row.lifecycle_stage ?? 'active') as LifecycleStage,
    run_id: row.run_uuid,
  };
  if (row.end_time !== null) info.end_time = row.end_time;
  return info;
}

/** SQLite placeholders for an IN list: "?, ?, ?". */
export function placeholders(count: number): string {
  return new Array(count).fill('?').join(', ');
}
