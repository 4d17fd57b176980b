import { randomBytes } from 'node:crypto';
import type { KeyValue, Run, RunInfo } from '../../entities';
import { MlflowError } from '../../errors';
import { LIMITS, truncateValue, validateLength, validateName } from '../../validation';
import type { SqlDatabase, SqlSession } from '../db/database';
import type { CreateRunRequest, UpdateRunRequest } from '../trackingStore';
import type { ExperimentTable } from './experiments';
import { generateRunName } from './runNames';
import type { RunReader } from './runReader';
import { toRunInfo } from './rows';

export const RUN_NAME_TAG = 'mlflow.runName';

/** Run creation, update, lifecycle and tags in MLflow's SQL schema. */
export class RunTable {
  constructor(
    private readonly db: SqlDatabase,
    private readonly experiments: ExperimentTable,
    private readonly reader: RunReader,
  ) {}

  async create(req: CreateRunRequest): Promise<Run> {
    const tags = (req.tags ?? []).map((t) => validatedTag(t.key, t.value));
    const tagName = lastValue(tags, RUN_NAME_TAG);
    const runName = req.runName || undefined;
    if (runName !== undefined && tagName !== undefined && runName !== tagName) {
      throw MlflowError.invalidParameter(
        `Both 'run_name' argument and 'mlflow.runName' tag are specified, but with different values ` +
          `(run_name='${runName}', mlflow.runName='${tagName}').`,
      );
    }
    const name = runName ?? tagName ?? generateRunName();
    if (tagName === undefined) tags.push({ key: RUN_NAME_TAG, value: name });
    const runId = randomBytes(16).toString('hex');
    await this.db.write(async (w) => {
      const experiment = await this.experiments.requireActive(req.experimentId, w);
      const artifactUri = `${experiment.artifact_location ?? ''}/${runId}/artifacts`;
      await w.run(
        `INSERT INTO runs (run_uuid, name, source_type, source_name, entry_point_name, user_id, status, start_time, end_time,
           source_version, lifecycle_stage, artifact_uri, experiment_id, deleted_time)
         VALUES (?, ?, 'UNKNOWN', '', '', ?, 'RUNNING', ?, NULL, '', 'active', ?, ?, NULL)`,
        [runId, name, req.userId ?? '', req.startTime ?? Date.now(), artifactUri, experiment.experiment_id],
      );
      for (const tag of tags) await upsertTag(w, runId, tag.key, tag.value);
    });
    return (await this.reader.runs([runId]))[0];
  }

  async update(req: UpdateRunRequest): Promise<RunInfo> {
    await this.db.write(async (w) => {
      const row = await this.reader.requireActive(req.runId, w);
      const name = req.runName || undefined;
      await w.run('UPDATE runs SET status = ?, end_time = ?, name = ? WHERE run_uuid = ?', [
        req.status ?? row.status,
        req.endTime ?? row.end_time,
        name ?? row.name,
        req.runId,
      ]);
      if (name !== undefined) await upsertTag(w, req.runId, RUN_NAME_TAG, name);
    });
    return toRunInfo(await this.reader.require(req.runId));
  }

  async setLifecycle(runId: string, stage: 'active' | 'deleted'): Promise<void> {
    await this.db.write(async (w) => {
      await this.reader.require(runId, w);
      await w.run('UPDATE runs SET lifecycle_stage = ?, deleted_time = ? WHERE run_uuid = ?', [
        stage,
        stage === 'deleted' ? Date.now() : null,
        runId,
      ]);
    });
  }

  async setTag(runId: string, key: string, value: string): Promise<void> {
    const tag = validatedTag(key, value);
    await this.db.write(async (w) => {
      await this.reader.requireActive(runId, w);
      await upsertTag(w, runId, tag.key, tag.value);
      if (tag.key === RUN_NAME_TAG) await w.run('UPDATE runs SET name = ? WHERE run_uuid = ?', [tag.value, runId]);
    });
  }

  async deleteTag(runId: string, key: string): Promise<void> {
    await this.db.write(async (w) => {
      await this.reader.requireActive(runId, w);
      const changed = await w.run('DELETE FROM tags WHERE run_uuid = ? AND key = ?', [runId, key]);
      if (changed === 0) throw MlflowError.notFound(`No tag with name: ${key} in run with id ${runId}`);
    });
  }
}

/** Validates a run tag and truncates its value to MLflow's limit. */
export function validatedTag(key: string, value: string, path = 'key'): KeyValue {
  validateName(key, path);
  validateLength(key, LIMITS.key, path);
  return { key, value: truncateValue(value ?? '', LIMITS.tagValue) };
}

export async function upsertTag(w: SqlSession, runId: string, key: string, value: string): Promise<void> {
  await w.run(
    'INSERT INTO tags (key, value, run_uuid) VALUES (?, ?, ?) ON CONFLICT (key, run_uuid) DO UPDATE SET value = excluded.value',
    [key, value, runId],
  );
}

function lastValue(tags: KeyValue[], key: string): string | undefined {
  let value: string | undefined;
  for (const t of tags) if (t.key === key) value = t.value;
  return value;
}
