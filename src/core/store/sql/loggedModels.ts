import { randomBytes } from 'node:crypto';
import type { KeyValue, Page } from '../../entities';
import { MlflowError } from '../../errors';
import { decodeOffsetToken } from '../../search/pageToken';
import { pageOfKeys } from './paging';
import { buildLoggedModelSearchQuery, LOGGED_MODEL_STATUSES, type LoggedModelSearchOptions } from '../../search/loggedModelSearch';
import { LIMITS, validateLength, validateName } from '../../validation';
import type { SqlDatabase, SqlReader, SqlSession } from '../db/database';
import type { ExperimentTable } from './experiments';
import { generateRunName } from './runNames';
import { placeholders } from './rows';

/** A logged model (MLflow 3.x) as it travels over the REST API. */
export interface LoggedModel {
  info: {
    model_id: string;
    experiment_id: string;
    name: string;
    creation_timestamp_ms: number;
    last_updated_timestamp_ms: number;
    artifact_uri: string;
    status: string;
    model_type: string;
    source_run_id?: string;
    status_message?: string;
    tags?: KeyValue[];
  };
  data: { params?: KeyValue[]; metrics?: object[] };
}

export interface CreateLoggedModelRequest {
  experimentId: string;
  name?: string;
  modelType?: string;
  sourceRunId?: string;
  params: KeyValue[];
  tags: KeyValue[];
}

interface ModelRow {
  model_id: string;
  experiment_id: number;
  name: string;
  artifact_location: string;
  creation_timestamp_ms: number;
  last_updated_timestamp_ms: number;
  status: number;
  lifecycle_stage: string | null;
  model_type: string | null;
  source_run_id: string | null;
  status_message: string | null;
}

const FORBIDDEN_NAME = /[/:.%"']/;

/** Logged models with their params, tags and metrics (tables logged_models, logged_model_*). */
export class LoggedModelTable {
  constructor(
    private readonly db: SqlDatabase,
    private readonly experiments: ExperimentTable,
  ) {}

  private async row(modelId: string, s: SqlReader = this.db): Promise<ModelRow> {
    const row = await s.get<ModelRow>('SELECT * FROM logged_models WHERE model_id = ?', [modelId]);
    if (!row || row.lifecycle_stage === 'deleted') throw MlflowError.notFound(`Logged model with ID '${modelId}' not found.`);
    return row;
  }

  async create(req: CreateLoggedModelRequest): Promise<LoggedModel> {
    const name = req.name || generateRunName();
    if (FORBIDDEN_NAME.test(name)) {
      throw MlflowError.invalidParameter(`Invalid model name '${name}'. Names cannot contain the following characters: '/', ':', '.', '%', '"' and "'".`);
    }
    for (const p of req.params) validateKey(p.key);
    for (const t of req.tags) validateKey(t.key);
    const modelId = `m-${randomBytes(16).toString('hex')}`;
    await this.db.write(async (w) => {
      const experiment = await this.experiments.requireActive(req.experimentId, w);
      const now = Date.now();
      await w.run(
        `INSERT INTO logged_models (model_id, experiment_id, name, artifact_location, creation_timestamp_ms, last_updated_timestamp_ms,
           status, lifecycle_stage, model_type, source_run_id, status_message) VALUES (?, ?, ?, ?, ?, ?, 1, 'active', ?, ?, NULL)`,
        [modelId, experiment.experiment_id, name, `${experiment.artifact_location}/models/${modelId}/artifacts`, now, now, req.modelType ?? null, req.sourceRunId ?? null],
      );
      await writeParams(w, modelId, experiment.experiment_id, req.params);
      await writeTags(w, modelId, experiment.experiment_id, req.tags);
    });
    return this.get(modelId);
  }

  async get(modelId: string): Promise<LoggedModel> {
    return (await this.toEntities([await this.row(modelId)]))[0];
  }

  async finalize(modelId: string, status: string): Promise<LoggedModel> {
    const code = LOGGED_MODEL_STATUSES.indexOf(status);
    if (code <= 0) throw MlflowError.invalidParameter(`Invalid model status '${status}'.`);
    await this.db.write(async (w) => {
      await this.row(modelId, w);
      await w.run('UPDATE logged_models SET status = ?, last_updated_timestamp_ms = ? WHERE model_id = ?', [code, Date.now(), modelId]);
    });
    return this.get(modelId);
  }

  async delete(modelId: string): Promise<void> {
    await this.db.write(async (w) => {
      await this.row(modelId, w);
      await w.run("UPDATE logged_models SET lifecycle_stage = 'deleted', last_updated_timestamp_ms = ? WHERE model_id = ?", [Date.now(), modelId]);
    });
  }

  async setTags(modelId: string, tags: KeyValue[]): Promise<void> {
    for (const t of tags) validateKey(t.key);
    await this.db.write(async (w) => {
      const row = await this.row(modelId, w);
      await writeTags(w, modelId, row.experiment_id, tags);
    });
  }

  async deleteTag(modelId: string, key: string): Promise<void> {
    await this.db.write(async (w) => {
      await this.row(modelId, w);
      const changed = await w.run('DELETE FROM logged_model_tags WHERE model_id = ? AND tag_key = ?', [modelId, key]);
      if (changed === 0) throw MlflowError.notFound(`No tag with key '${key}' found for logged model '${modelId}'.`);
    });
  }

  async logParams(modelId: string, params: KeyValue[]): Promise<void> {
    for (const p of params) validateKey(p.key);
    await this.db.write(async (w) => {
      const row = await this.row(modelId, w);
      await writeParams(w, modelId, row.experiment_id, params);
    });
  }

  async search(opts: Omit<LoggedModelSearchOptions, 'offset' | 'limit'> & { maxResults: number; pageToken?: string }): Promise<Page<LoggedModel>> {
    const offset = decodeOffsetToken(opts.pageToken);
    const { sql, params } = buildLoggedModelSearchQuery({ ...opts, offset, limit: opts.maxResults + 1 });
    const ids = (await this.db.all<{ model_id: string }>(sql, params)).map((r) => r.model_id);
    return pageOfKeys(ids, opts.maxResults, offset, async (page) => {
      const rows = page.length ? await this.db.all<ModelRow>(`SELECT * FROM logged_models WHERE model_id IN (${placeholders(page.length)})`, page) : [];
      const byId = new Map(rows.map((r) => [r.model_id, r]));
      return this.toEntities(page.map((id) => byId.get(id)!));
    });
  }

  private async toEntities(rows: ModelRow[]): Promise<LoggedModel[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.model_id);
    const list = placeholders(ids.length);
    const group = async <T>(sql: string) => {
      const map = new Map<string, T[]>();
      for (const r of await this.db.all<T & { model_id: string }>(sql, ids)) {
        const l = map.get(r.model_id) ?? [];
        l.push(r);
        map.set(r.model_id, l);
      }
      return map;
    };
    const tags = await group<{ tag_key: string; tag_value: string }>(`SELECT model_id, tag_key, tag_value FROM logged_model_tags WHERE model_id IN (${list}) ORDER BY tag_key`);
    const params = await group<{ param_key: string; param_value: string }>(`SELECT model_id, param_key, param_value FROM logged_model_params WHERE model_id IN (${list}) ORDER BY param_key`);
    const metrics = await group<{ metric_name: string; metric_value: number | null; metric_timestamp_ms: number; metric_step: number; run_id: string; dataset_name: string | null; dataset_digest: string | null }>(
      `SELECT model_id, metric_name, metric_value, metric_timestamp_ms, metric_step, run_id, dataset_name, dataset_digest FROM logged_model_metrics WHERE model_id IN (${list}) ORDER BY rowid`,
    );
    return rows.map((r) => {
      const info: LoggedModel['info'] = {
        model_id: r.model_id,
        experiment_id: String(r.experiment_id),
        name: r.name,
        creation_timestamp_ms: r.creation_timestamp_ms,
        last_updated_timestamp_ms: r.last_updated_timestamp_ms,
        artifact_uri: r.artifact_location,
        status: LOGGED_MODEL_STATUSES[r.status] ?? 'LOGGED_MODEL_STATUS_UNSPECIFIED',
        model_type: r.model_type ?? '',
      };
      if (r.source_run_id) info.source_run_id = r.source_run_id;
      if (r.status_message) info.status_message = r.status_message;
      const t = tags.get(r.model_id);
      if (t) info.tags = t.map((x) => ({ key: x.tag_key, value: x.tag_value }));
      const data: LoggedModel['data'] = {};
      const p = params.get(r.model_id);
      if (p) data.params = p.map((x) => ({ key: x.param_key, value: x.param_value }));
      const m = metrics.get(r.model_id);
      if (m) {
        data.metrics = m.map((x) => ({
          key: x.metric_name,
          value: x.metric_value ?? NaN,
          timestamp: x.metric_timestamp_ms,
          step: x.metric_step,
          ...(x.dataset_name ? { dataset_name: x.dataset_name } : {}),
          ...(x.dataset_digest ? { dataset_digest: x.dataset_digest } : {}),
          model_id: r.model_id,
          run_id: x.run_id,
        }));
      }
      return { info, data };
    });
  }
}

function validateKey(key: string): void {
  validateName(key, 'key');
  validateLength(key, LIMITS.key, 'key');
}

async function writeParams(w: SqlSession, modelId: string, experimentId: number, params: KeyValue[]): Promise<void> {
  for (const p of params) {
    await w.run(
      'INSERT INTO logged_model_params (model_id, experiment_id, param_key, param_value) VALUES (?, ?, ?, ?) ON CONFLICT (model_id, param_key) DO UPDATE SET param_value = excluded.param_value',
      [modelId, experimentId, p.key, p.value ?? ''],
    );
  }
}

async function writeTags(w: SqlSession, modelId: string, experimentId: number, tags: KeyValue[]): Promise<void> {
  for (const t of tags) {
    await w.run(
      'INSERT INTO logged_model_tags (model_id, experiment_id, tag_key, tag_value) VALUES (?, ?, ?, ?) ON CONFLICT (model_id, tag_key) DO UPDATE SET tag_value = excluded.tag_value',
      [modelId, experimentId, t.key, t.value ?? ''],
    );
  }
}
