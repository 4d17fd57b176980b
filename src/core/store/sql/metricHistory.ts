import type { Metric, MetricWithRunId, Page } from '../../entities';
import { MlflowError } from '../../errors';
import type { DurableDatabase } from '../durableDatabase';
import type { BulkIntervalRequest, MetricHistoryRequest } from '../trackingStore';
import { decodeOffsetToken } from '../../search/pageToken';
import type { RunReader } from './runReader';
import { placeholders } from './rows';

type PointRow = [number, number | null, number, number];

function toMetric(key: string, [value, timestamp, step, isNan]: PointRow): Metric {
  return { key, value: isNan ? NaN : value, timestamp: timestamp ?? 0, step };
}

/** Metric histories: paged full histories and step-sampled histories for charts. */
export class MetricHistoryReader {
  constructor(
    private readonly db: DurableDatabase,
    private readonly reader: RunReader,
  ) {}

  /**
   * One page of a history in (timestamp, step, value) order. Pages after the first continue from
   * the last point returned (carried in the page token) instead of skipping an offset, so reading
   * a long history page by page stays linear.
   */
  history(req: MetricHistoryRequest): Page<Metric> {
    const cursor = decodeHistoryCursor(req.pageToken);
    const limit = req.maxResults;
    let sql = 'SELECT value, timestamp, step, is_nan FROM metrics WHERE key = ? AND run_uuid = ?';
    const params: Array<string | number> = [req.metricKey, req.runId];
    if (cursor.after) {
      sql += ' AND (timestamp, step, value, is_nan) > (?, ?, ?, ?)';
      params.push(...cursor.after);
    }
    sql += ' ORDER BY timestamp, step, value, is_nan';
    if (limit !== undefined) {
      sql += cursor.after ? ' LIMIT ?' : ' LIMIT ? OFFSET ?';
      params.push(limit + 1);
      if (!cursor.after) params.push(cursor.offset);
    }
    const rows = this.db.rows(sql, params) as PointRow[];
    const more = limit !== undefined && rows.length > limit;
    const page = more ? rows.slice(0, limit) : rows;
    const items = page.map((r) => toMetric(req.metricKey, r));
    if (!more) return { items };
    const [value, timestamp, step, isNan] = page[page.length - 1];
    return { items, nextPageToken: encodeHistoryCursor(cursor.offset + limit!, [timestamp ?? 0, step, value, isNan]) };
  }

  /**
   * MLflow's bulk-interval sampling: the union of evenly spaced steps across the runs (plus each
   * run's first and last step), then every point of each run at those steps.
   */
  bulkInterval(req: BulkIntervalRequest): MetricWithRunId[] {
    const { runIds, metricKey, maxResults } = req;
    const ids = [...new Set(runIds)];
    const list = placeholders(ids.length);
    const stepRows = this.db.rows(
      `SELECT DISTINCT step FROM metrics WHERE key = ? AND run_uuid IN (${list}) ORDER BY step`,
      [metricKey, ...ids],
    ) as Array<[number]>;
    if (stepRows.length === 0) return [];
    const allSteps = stepRows.map((r) => r[0]);
    const start = req.startStep ?? 0;
    const end = req.endStep ?? allSteps[allSteps.length - 1];
    const inRange = allSteps.filter((s) => s >= start && s <= end);
    const chosen = new Set<number>();
    if (inRange.length <= maxResults) {
      inRange.forEach((s) => chosen.add(s));
    } else {
      const n = inRange.length;
      for (let i = 0; i < maxResults; i++) chosen.add(inRange[Math.floor((i * n) / maxResults)]);
      chosen.add(inRange[n - 1]);
    }
    const bounds = this.db.rows(
      `SELECT run_uuid, MIN(step), MAX(step) FROM metrics WHERE key = ? AND run_uuid IN (${list}) GROUP BY run_uuid`,
      [metricKey, ...ids],
    ) as Array<[string, number, number]>;
    for (const [, min, max] of bounds) {
      if (min >= start && min <= end) chosen.add(min);
      if (max >= start && max <= end) chosen.add(max);
    }
    const steps = [...chosen].sort((a, b) => a - b);
    const result: MetricWithRunId[] = [];
    for (const runId of ids) {
      const rows = this.db.rows(
        `SELECT value, timestamp, step, is_nan FROM metrics WHERE run_uuid = ? AND key = ? AND step IN (SELECT value FROM json_each(?)) ORDER BY step, timestamp`,
        [runId, metricKey, JSON.stringify(steps)],
      ) as PointRow[];
      for (const r of rows) result.push({ ...toMetric(metricKey, r), run_id: runId });
    }
    return result;
  }
}

/** A history page token: MLflow's {"offset": N} plus the sort key of the last point returned. */
function encodeHistoryCursor(offset: number, after: [number, number, number, number]): string {
  return Buffer.from(JSON.stringify({ offset, after })).toString('base64');
}

function decodeHistoryCursor(token: string | undefined): { offset: number; after?: [number, number, number, number] } {
  const offset = decodeOffsetToken(token);
  if (!token) return { offset };
  const parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { after?: unknown };
  const after = parsed.after;
  if (Array.isArray(after) && after.length === 4 && after.every((n) => typeof n === 'number' && Number.isFinite(n))) {
    return { offset, after: after as [number, number, number, number] };
  }
  return { offset };
}

export function validateBulkInterval(req: BulkIntervalRequest): void {
  if (req.runIds.length === 0) throw MlflowError.invalidParameter('GetMetricHistoryBulkInterval request must specify at least one run_id.');
  if (req.runIds.length > 100) {
    throw MlflowError.invalidParameter(`GetMetricHistoryBulkInterval request cannot specify more than 100 run_ids. Received ${req.runIds.length} run_ids.`);
  }
  if ((req.startStep === undefined) !== (req.endStep === undefined)) {
    throw MlflowError.invalidParameter('If either start step or end step are specified, both must be specified.');
  }
  if (req.startStep !== undefined && req.endStep !== undefined && req.startStep > req.endStep) {
    throw MlflowError.invalidParameter('end_step must be greater than start_step. ');
  }
  if (req.maxResults < 1 || req.maxResults > 2500) {
    throw MlflowError.invalidParameter(`max_results must be between 1 and 2500. Received ${req.maxResults}.`);
  }
}
