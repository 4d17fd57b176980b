import type { KeyValue } from '../../entities';

/** Model registry rows (tables registered_models, model_versions, ...) and their wire shapes (compat §1.3). */

export interface RegisteredModelRow {
  name: string;
  creation_time: number | null;
  last_updated_time: number | null;
  description: string | null;
}

export interface ModelVersionRow {
  name: string;
  version: number;
  creation_time: number | null;
  last_updated_time: number | null;
  description: string | null;
  user_id: string | null;
  current_stage: string | null;
  source: string | null;
  run_id: string | null;
  status: string | null;
  status_message: string | null;
  run_link: string | null;
  storage_location: string | null;
}

export const REGISTERED_MODEL_COLUMNS = 'name, creation_time, last_updated_time, description';

export const MODEL_VERSION_COLUMNS =
  'name, version, creation_time, last_updated_time, description, user_id, current_stage, source, run_id, status, ' +
  'status_message, run_link, storage_location';

export interface RegisteredModelAlias {
  alias: string;
  /** A string on the wire, an integer in storage. */
  version: string;
}

/** A model version as MLflow's server emits it: unset fields omitted, fields in proto order. */
export interface ModelVersion {
  name: string;
  version: string;
  creation_timestamp?: number;
  last_updated_timestamp?: number;
  user_id?: string;
  current_stage?: string;
  description?: string;
  source?: string;
  run_id?: string;
  status?: string;
  status_message?: string;
  tags?: KeyValue[];
  run_link?: string;
  aliases?: string[];
}

export interface RegisteredModel {
  name: string;
  creation_timestamp?: number;
  last_updated_timestamp?: number;
  description?: string;
  latest_versions?: ModelVersion[];
  tags?: KeyValue[];
  aliases?: RegisteredModelAlias[];
}

export const STAGE_NONE = 'None';
export const STAGE_STAGING = 'Staging';
export const STAGE_PRODUCTION = 'Production';
export const STAGE_ARCHIVED = 'Archived';
export const STAGE_DELETED_INTERNAL = 'Deleted_Internal';
export const ALL_STAGES = [STAGE_NONE, STAGE_STAGING, STAGE_PRODUCTION, STAGE_ARCHIVED] as const;
/** Stages that `archive_existing_versions` may be used with. */
export const ACTIVE_STAGES = [STAGE_STAGING, STAGE_PRODUCTION] as const;

export const IS_PROMPT_TAG = 'mlflow.prompt.is_prompt';

/**
 * The wire form of a version row. Like MLflow, description/source/run_id/run_link are emitted
 * whenever they are not NULL (so "" is emitted), status_message only when non-empty.
 */
export function toModelVersion(row: ModelVersionRow, tags: KeyValue[], aliases: string[]): ModelVersion {
  const mv: ModelVersion = { name: row.name, version: String(row.version) };
  if (row.creation_time !== null) mv.creation_timestamp = row.creation_time;
  if (row.last_updated_time !== null) mv.last_updated_timestamp = row.last_updated_time;
  if (row.user_id !== null) mv.user_id = row.user_id;
  if (row.current_stage !== null) mv.current_stage = row.current_stage;
  if (row.description !== null) mv.description = row.description;
  if (row.source !== null) mv.source = row.source;
  if (row.run_id !== null) mv.run_id = row.run_id;
  if (row.status !== null) mv.status = row.status;
  if (row.status_message) mv.status_message = row.status_message;
  if (tags.length > 0) mv.tags = tags;
  if (row.run_link !== null) mv.run_link = row.run_link;
  if (aliases.length > 0) mv.aliases = aliases;
  return mv;
}

/** The wire form of a registered model; an empty description is omitted, as MLflow does. */
export function toRegisteredModel(
  row: RegisteredModelRow,
  latest: ModelVersion[],
  tags: KeyValue[],
  aliases: RegisteredModelAlias[],
): RegisteredModel {
  const rm: RegisteredModel = { name: row.name };
  if (row.creation_time !== null) rm.creation_timestamp = row.creation_time;
  if (row.last_updated_time) rm.last_updated_timestamp = row.last_updated_time;
  if (row.description) rm.description = row.description;
  if (latest.length > 0) rm.latest_versions = latest;
  if (tags.length > 0) rm.tags = tags;
  if (aliases.length > 0) rm.aliases = aliases;
  return rm;
}

/**
 * MLflow's latest_versions: walking the versions in ascending order, the highest version of each
 * stage (deleted ones skipped); stages keep the order in which they were first met.
 */
export function latestPerStage(rowsAscending: ModelVersionRow[]): ModelVersionRow[] {
  const byStage = new Map<string, ModelVersionRow>();
  for (const row of rowsAscending) {
    const stage = row.current_stage ?? STAGE_NONE;
    if (stage === STAGE_DELETED_INTERNAL) continue;
    const current = byStage.get(stage);
    if (!current || current.version < row.version) byStage.set(stage, row);
  }
  return [...byStage.values()];
}

/** Groups rows by a key, keeping their order. */
export function groupBy<T, K>(rows: readonly T[], key: (row: T) => K): Map<K, T[]> {
  const map = new Map<K, T[]>();
  for (const row of rows) {
    const k = key(row);
    const list = map.get(k);
    if (list) list.push(row);
    else map.set(k, [row]);
  }
  return map;
}

/** Splits a list into chunks small enough for SQLite's bound-parameter limit. */
export function chunks<T>(items: readonly T[], size = 500): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
