import { randomBytes } from 'node:crypto';
import type { DatasetInput, KeyValue, MetricPoint } from '../../entities';
import { MlflowError } from '../../errors';
import { LIMITS, truncateValue, validateLength, validateName } from '../../validation';
import type { SqlDatabase, SqlSession } from '../db/database';
import type { LogBatchRequest } from '../trackingStore';
import type { RunReader } from './runReader';
import type { StepSummaries } from './stepSummaries';
import { RUN_NAME_TAG, upsertTag, validatedTag } from './runs';

const MAX_DOUBLE = 1.7976931348623157e308;

/** How a metric value is stored: NaN as 0 with is_nan=1, ±Infinity as ±max double (compat §4.6). */
export function storedMetricValue(value: number): { value: number; isNan: 0 | 1 } {
  if (Number.isNaN(value)) return { value: 0, isNan: 1 };
  if (value === Infinity) return { value: MAX_DOUBLE, isNan: 0 };
  if (value === -Infinity) return { value: -MAX_DOUBLE, isNan: 0 };
  return { value, isNan: 0 };
}

const INSERT_METRIC =
  'INSERT OR IGNORE INTO metrics (key, value, timestamp, run_uuid, step, is_nan) VALUES (?, ?, ?, ?, ?, ?)';
/** Replaces the latest value only when (step, timestamp, value) grows (compat §4.6). */
const UPSERT_LATEST = `INSERT INTO latest_metrics (key, value, timestamp, step, is_nan, run_uuid) VALUES (?, ?, ?, ?, ?, ?)
  ON CONFLICT (key, run_uuid) DO UPDATE SET value = excluded.value, timestamp = excluded.timestamp, step = excluded.step, is_nan = excluded.is_nan
  WHERE (excluded.step, excluded.timestamp, excluded.value) > (latest_metrics.step, latest_metrics.timestamp, latest_metrics.value)`;

function validateMetric(m: MetricPoint, path: string): void {
  validateName(m.key, path);
  validateLength(m.key, LIMITS.key, path);
  if (m.timestamp < 0) {
    throw MlflowError.invalidParameter(`Invalid value ${m.timestamp} for parameter 'timestamp' supplied: timestamps must be non-negative.`);
  }
}

function checkBatchLimit(what: string, limit: number, count: number): void {
  if (count > limit) {
    throw MlflowError.invalidParameter(
      `A batch logging request can contain at most ${limit} ${what}. Got ${count} ${what}. ` +
        `Please split up ${what} across multiple requests and try again.`,
    );
  }
}

/** Python's repr of the conflict list, as MLflow prints it in its error message. */
function pyRepr(conflicts: Array<{ key: string; old_value: string; new_value: string }>): string {
  const q = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  return `[${conflicts.map((c) => `{'key': ${q(c.key)}, 'old_value': ${q(c.old_value)}, 'new_value': ${q(c.new_value)}}`).join(', ')}]`;
}

/** Params, metrics, tags and inputs logged to runs. */
export class RunDataWriter {
  constructor(
    private readonly db: SqlDatabase,
    private readonly reader: RunReader,
    private readonly summaries: StepSummaries,
  ) {}

  /** Runs a transaction that logs metrics to a run, then brings the run's step summaries up to date. */
  private async writeMetricsOf(runId: string, metrics: MetricPoint[], fn: (w: SqlSession, fresh: Set<string>) => Promise<void>): Promise<void> {
    try {
      let fresh = new Set<string>();
      await this.db.write(async (w) => {
        fresh = new Set<string>();
        await fn(w, fresh);
      });
      if (metrics.length > 0) this.summaries.noteSteps(runId, metrics, fresh);
    } catch (e) {
      this.summaries.forget(runId);
      throw e;
    }
  }

  async logParam(runId: string, key: string, value: string): Promise<void> {
    validateName(key, 'key');
    validateLength(key, LIMITS.key, 'key');
    const stored = truncateValue(value ?? '', LIMITS.paramValue);
    await this.db.write(async (w) => {
      await this.reader.requireActive(runId, w);
      const existing = await w.get<{ value: string }>('SELECT value FROM params WHERE run_uuid = ? AND key = ?', [runId, key]);
      if (existing) {
        if (existing.value === stored) return;
        throw MlflowError.invalidParameter(
          `Changing param values is not allowed. Param with key='${key}' was already logged with value='${existing.value}' ` +
            `for run ID='${runId}'. Attempted logging new value '${stored}'.`,
        );
      }
      await w.run('INSERT INTO params (key, value, run_uuid) VALUES (?, ?, ?)', [key, stored, runId]);
    });
  }

  async logMetric(runId: string, metric: MetricPoint): Promise<void> {
    validateMetric(metric, 'name');
    await this.writeMetricsOf(runId, [metric], async (w, fresh) => {
      const run = await this.reader.requireActive(runId, w);
      await writeMetrics(w, runId, [metric], run.experiment_id, fresh);
    });
  }

  async logBatch(req: LogBatchRequest): Promise<void> {
    const { runId, metrics, params } = req;
    checkBatchLimit('metrics', LIMITS.batchMetrics, metrics.length);
    checkBatchLimit('params', LIMITS.batchParams, params.length);
    checkBatchLimit('tags', LIMITS.batchTags, req.tags.length);
    checkBatchLimit('metrics, params, and tags', LIMITS.batchTotal, metrics.length + params.length + req.tags.length);
    metrics.forEach((m, i) => validateMetric(m, `metrics[${i}].name`));
    const seen = new Set<string>();
    const duplicates = new Set<string>();
    const storedParams: KeyValue[] = params.map((p, i) => {
      validateName(p.key, `params[${i}].key`);
      validateLength(p.key, LIMITS.key, `params[${i}].key`);
      if (seen.has(p.key)) duplicates.add(p.key);
      seen.add(p.key);
      return { key: p.key, value: truncateValue(p.value ?? '', LIMITS.paramValue) };
    });
    if (duplicates.size > 0) {
      throw MlflowError.invalidParameter(`Duplicate parameter keys have been submitted: [${[...duplicates].map((k) => `'${k}'`).join(', ')}]. Please ensure the request contains only one param value per param key.`);
    }
    const tags = req.tags.map((t, i) => validatedTag(t.key, t.value, `tags[${i}].key`));
    await this.writeMetricsOf(runId, metrics, async (w, freshKeys) => {
      const run = await this.reader.requireActive(runId, w);
      const conflicts: Array<{ key: string; old_value: string; new_value: string }> = [];
      const fresh: KeyValue[] = [];
      for (const p of storedParams) {
        const existing = await w.get<{ value: string }>('SELECT value FROM params WHERE run_uuid = ? AND key = ?', [runId, p.key]);
        if (!existing) fresh.push(p);
        else if (existing.value !== p.value) conflicts.push({ key: p.key, old_value: existing.value, new_value: p.value });
      }
      if (conflicts.length > 0) {
        throw MlflowError.invalidParameter(
          `Changing param values is not allowed. Params were already logged='${pyRepr(conflicts)}' for run ID='${runId}'.`,
        );
      }
      for (const p of fresh) await w.run('INSERT INTO params (key, value, run_uuid) VALUES (?, ?, ?)', [p.key, p.value, runId]);
      await writeMetrics(w, runId, metrics, run.experiment_id, freshKeys);
      for (const t of tags) {
        await upsertTag(w, runId, t.key, t.value);
        if (t.key === RUN_NAME_TAG) await w.run('UPDATE runs SET name = ? WHERE run_uuid = ?', [t.value, runId]);
      }
    });
  }

  /** Links logged models to the run as its outputs (3.x `runs/outputs`). */
  async logOutputs(runId: string, models: Array<{ modelId: string; step: number }>): Promise<void> {
    await this.db.write(async (w) => {
      await this.reader.require(runId, w);
      for (const { modelId, step } of models) {
        await w.run(
          "INSERT OR IGNORE INTO inputs (input_uuid, source_type, source_id, destination_type, destination_id, step) VALUES (?, 'RUN_OUTPUT', ?, 'MODEL_OUTPUT', ?, ?)",
          [randomBytes(16).toString('hex'), runId, modelId, step],
        );
      }
    });
  }

  async logInputs(runId: string, datasets: DatasetInput[], modelIds: string[]): Promise<void> {
    datasets.forEach(validateDatasetInput);
    await this.db.write(async (w) => {
      const run = await this.reader.requireActive(runId, w);
      for (const input of datasets) {
        const d = input.dataset;
        let datasetUuid = (
          await w.get<{ dataset_uuid: string }>('SELECT dataset_uuid FROM datasets WHERE experiment_id = ? AND name = ? AND digest = ?', [
            run.experiment_id,
            d.name,
            d.digest,
          ])
        )?.dataset_uuid;
        if (!datasetUuid) {
          datasetUuid = randomBytes(16).toString('hex');
          await w.run(
            `INSERT INTO datasets (dataset_uuid, experiment_id, name, digest, dataset_source_type, dataset_source, dataset_schema, dataset_profile)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
            [datasetUuid, run.experiment_id, d.name, d.digest, d.source_type, d.source, d.schema ?? null, d.profile ?? null],
          );
        }
        const linked = await w.get('SELECT 1 AS x FROM inputs WHERE source_type = ? AND source_id = ? AND destination_type = ? AND destination_id = ?', [
          'DATASET',
          datasetUuid,
          'RUN',
          runId,
        ]);
        if (linked) continue;
        const inputUuid = randomBytes(16).toString('hex');
        await w.run(
          "INSERT INTO inputs (input_uuid, source_type, source_id, destination_type, destination_id, step) VALUES (?, 'DATASET', ?, 'RUN', ?, 0)",
          [inputUuid, datasetUuid, runId],
        );
        for (const tag of input.tags ?? []) {
          await w.run('INSERT OR REPLACE INTO input_tags (input_uuid, name, value) VALUES (?, ?, ?)', [inputUuid, tag.key, tag.value]);
        }
      }
      for (const modelId of modelIds) {
        await w.run(
          "INSERT OR IGNORE INTO inputs (input_uuid, source_type, source_id, destination_type, destination_id, step) VALUES (?, 'RUN_INPUT', ?, 'MODEL_INPUT', ?, 0)",
          [randomBytes(16).toString('hex'), runId, modelId],
        );
      }
    });
  }
}

const ROWS_PER_INSERT = 50;
const INSERT_METRICS_CHUNK = `INSERT OR IGNORE INTO metrics (key, value, timestamp, run_uuid, step, is_nan) VALUES ${new Array(ROWS_PER_INSERT)
  .fill('(?, ?, ?, ?, ?, ?)')
  .join(', ')}`;

type StoredPoint = [key: string, value: number, timestamp: number, step: number, isNan: 0 | 1];

/** Whether a point's (step, timestamp, value) is strictly greater than another's (compat §4.6). */
function isLater(a: StoredPoint, b: StoredPoint): boolean {
  if (a[3] !== b[3]) return a[3] > b[3];
  if (a[2] !== b[2]) return a[2] > b[2];
  return a[1] > b[1];
}

/**
 * Inserts metric points (identical points are dropped by the primary key) in multi-row
 * statements, then moves each key's latest value once: to the batch's greatest point when that
 * beats the stored one, which is what applying the points one by one would leave.
 */
/**
 * `fresh` (optional) receives the keys the run had no point for before: their step summaries can
 * start from this batch (stepSummaries.ts).
 */
export async function writeMetrics(w: SqlSession, runId: string, metrics: MetricPoint[], experimentId: number, fresh?: Set<string>): Promise<void> {
  const points: StoredPoint[] = metrics.map((m) => {
    const { value, isNan } = storedMetricValue(m.value);
    return [m.key, value, m.timestamp, m.step ?? 0, isNan];
  });
  let i = 0;
  for (; i + ROWS_PER_INSERT <= points.length; i += ROWS_PER_INSERT) {
    const params: Array<string | number> = [];
    for (let j = i; j < i + ROWS_PER_INSERT; j++) {
      const [key, value, timestamp, step, isNan] = points[j];
      params.push(key, value, timestamp, runId, step, isNan);
    }
    await w.run(INSERT_METRICS_CHUNK, params);
  }
  for (; i < points.length; i++) {
    const [key, value, timestamp, step, isNan] = points[i];
    await w.run(INSERT_METRIC, [key, value, timestamp, runId, step, isNan]);
  }
  const latest = new Map<string, StoredPoint>();
  for (const p of points) {
    const current = latest.get(p[0]);
    if (!current || isLater(p, current)) latest.set(p[0], p);
  }
  for (const [key, value, timestamp, step, isNan] of latest.values()) {
    if (fresh && !(await w.get('SELECT 1 AS x FROM latest_metrics WHERE key = ? AND run_uuid = ?', [key, runId]))) fresh.add(key);
    await w.run(UPSERT_LATEST, [key, value, timestamp, step, isNan, runId]);
  }
  for (const m of metrics) {
    if (m.model_id) await writeModelMetric(w, runId, experimentId, m);
  }
}

/** A point logged for a logged model (3.x) is also kept with that model; unknown models are skipped. */
async function writeModelMetric(w: SqlSession, runId: string, experimentId: number, m: MetricPoint): Promise<void> {
  await w.run(
    `INSERT INTO logged_model_metrics (model_id, metric_name, metric_timestamp_ms, metric_step, metric_value, experiment_id, run_id, dataset_uuid, dataset_name, dataset_digest)
     SELECT ?, ?, ?, ?, ?, ?, ?, NULL, ?, ? WHERE EXISTS (SELECT 1 FROM logged_models WHERE model_id = ?)
     ON CONFLICT (model_id, metric_name, metric_timestamp_ms, metric_step, run_id) DO UPDATE SET metric_value = excluded.metric_value`,
    [m.model_id!, m.key, m.timestamp, m.step ?? 0, Number.isNaN(m.value) ? null : storedMetricValue(m.value).value, experimentId, runId, m.dataset_name ?? null, m.dataset_digest ?? null, m.model_id!],
  );
}

function validateDatasetInput(input: DatasetInput): void {
  const d = input.dataset;
  if (!d) throw MlflowError.invalidParameter("Missing value for required parameter 'datasets[].dataset'.");
  for (const [field, limit] of [
    ['name', LIMITS.datasetName],
    ['digest', LIMITS.datasetDigest],
    ['source', LIMITS.datasetSource],
    ['schema', LIMITS.datasetSchema],
    ['profile', LIMITS.datasetProfile],
  ] as const) {
    const value = d[field];
    if (value !== undefined && value.length > limit) {
      throw MlflowError.invalidParameter(`Dataset ${field} exceeds the maximum length of ${limit}`);
    }
  }
  for (const field of ['name', 'digest', 'source_type', 'source'] as const) {
    if (!d[field]) throw MlflowError.invalidParameter(`Missing value for required parameter 'dataset.${field}'.`);
  }
  for (const tag of input.tags ?? []) {
    if (tag.key.length > LIMITS.inputTagKey) throw MlflowError.invalidParameter(`Input tag key exceeds the maximum length of ${LIMITS.inputTagKey}`);
    if (tag.value.length > LIMITS.inputTagValue) throw MlflowError.invalidParameter(`Input tag value exceeds the maximum length of ${LIMITS.inputTagValue}`);
  }
}
