import type { Metric, MetricWithRunId, Page } from '../../entities';
import { MlflowError } from '../../errors';
import type { SqlDatabase } from '../db/database';
import type { BulkIntervalRequest, MetricHistoryRequest } from '../trackingStore';
import { decodeOffsetToken } from '../../search/pageToken';
import { arraySteps, latticeUnion, sampleSteps, type SortedSteps } from '../stepSampling';
import { boundsOf, latticeSegments, StepSummaries, type StepSummary } from './stepSummaries';

interface PointRow {
  value: number;
  timestamp: number | null;
  step: number;
  is_nan: number;
}

/** MLflow's cap on the points one run contributes to a bulk-interval answer. */
const MAX_POINTS_PER_RUN = 25_000;

function toMetric(key: string, r: PointRow): Metric {
  return { key, value: r.is_nan ? NaN : r.value, timestamp: r.timestamp ?? 0, step: r.step };
}

/** Metric histories: paged full histories and step-sampled histories for charts. */
export class MetricHistoryReader {
  /** Step summaries of histories, kept current by the writer (RunDataWriter). */
  readonly summaries: StepSummaries;

  constructor(private readonly db: SqlDatabase) {
    this.summaries = new StepSummaries(db);
  }

  /**
   * One page of a history in MLflow's (timestamp, step, value) order. Pages after the first
   * continue from the last point returned (carried in the page token) instead of skipping an
   * offset, so reading a long history page by page stays linear.
   */
  async history(req: MetricHistoryRequest): Promise<Page<Metric>> {
    const cursor = decodeHistoryCursor(req.pageToken);
    const limit = req.maxResults;
    // The integer columns are read as floats: no BigInt per value on the way out of SQLite.
    let sql =
      'SELECT m.value AS v, CAST(m.timestamp AS DOUBLE PRECISION) AS t, CAST(m.step AS DOUBLE PRECISION) AS s, m.is_nan AS n ' +
      'FROM metrics AS m WHERE m.run_uuid = ? AND m.key = ?';
    const params: Array<string | number> = [req.runId, req.metricKey];
    if (cursor.after) {
      sql += ' AND (m.timestamp, m.step, m.value, m.is_nan) > (?, ?, ?, ?)';
      params.push(...cursor.after);
    }
    sql += ' ORDER BY m.timestamp, m.step, m.value, m.is_nan';
    if (limit !== undefined) {
      sql += cursor.after ? ' LIMIT ?' : ' LIMIT ? OFFSET ?';
      params.push(limit + 1);
      if (!cursor.after) params.push(cursor.offset);
    }
    const rows = await this.db.all<{ v: number; t: number; s: number; n: number }>(sql, params);
    const more = limit !== undefined && rows.length > limit;
    const count = more ? limit! : rows.length;
    const key = req.metricKey;
    const items: Metric[] = new Array(count);
    for (let i = 0; i < count; i++) {
      const r = rows[i];
      items[i] = { key, value: r.n ? NaN : r.v, timestamp: r.t, step: r.s };
    }
    if (!more) return { items };
    const last = rows[count - 1];
    return { items, nextPageToken: encodeHistoryCursor(cursor.offset + limit!, [last.t, last.s, last.v, last.n]) };
  }

  /** MLflow's bulk-interval read: sampled steps (stepSampling.ts), then each run's points at them. */
  async bulkInterval(req: BulkIntervalRequest): Promise<MetricWithRunId[]> {
    const { runIds, metricKey, maxResults } = req;
    for (const runId of runIds) {
      if (!(await this.db.get('SELECT 1 AS x FROM runs WHERE run_uuid = ?', [runId]))) throw MlflowError.notFound(`Run with id=${runId} not found`);
    }
    const summaries: StepSummary[] = [];
    for (const runId of runIds) {
      const summary = await this.summary(runId, metricKey);
      if (summary) summaries.push(summary);
    }
    const bounds = summaries.map(boundsOf);
    const all = await this.allSteps(runIds, metricKey, summaries);
    const range = req.startStep !== undefined && req.endStep !== undefined ? { start: req.startStep, end: req.endStep } : undefined;
    const steps = sampleSteps(all, bounds, maxResults, range);
    const result: MetricWithRunId[] = [];
    if (steps.length === 0) return result;
    const list = JSON.stringify(steps);
    for (const runId of runIds) {
      // The steps drive the join, so each is one seek on the (run, key, step) index.
      const rows = await this.db.all<PointRow>(
        'SELECT m.value, m.timestamp, m.step, m.is_nan FROM json_each(?) AS s CROSS JOIN metrics AS m ' +
          'WHERE m.run_uuid = ? AND m.key = ? AND m.step = s.value ORDER BY m.step, m.timestamp, m.value LIMIT ?',
        [list, runId, metricKey, MAX_POINTS_PER_RUN],
      );
      for (const r of rows) result.push({ ...toMetric(metricKey, r), run_id: runId });
    }
    return result;
  }

  /** The sorted distinct steps of the runs: computed from their lattices, else listed. */
  private async allSteps(runIds: string[], key: string, summaries: StepSummary[]): Promise<SortedSteps> {
    const lattices = summaries.flatMap((s) => (s.kind === 'lattice' ? [latticeSegments(s)] : []));
    if (lattices.length === summaries.length) {
      const union = latticeUnion(lattices.flat());
      if (union) return union;
    }
    const distinct = new Set<number>();
    for (const runId of runIds) {
      const row = await this.db.get<{ steps: string | null }>(
        'SELECT json_group_array(step) AS steps FROM (SELECT DISTINCT step FROM metrics WHERE run_uuid = ? AND key = ? ORDER BY step)',
        [runId, key],
      );
      for (const step of JSON.parse(row?.steps ?? '[]') as number[]) distinct.add(step);
    }
    return arraySteps([...distinct].sort((a, b) => a - b));
  }

  /** What the steps of one history look like (one index scan, then kept by StepSummaries). */
  private async summary(runId: string, key: string): Promise<StepSummary | undefined> {
    const cached = this.summaries.get(runId, key);
    if (cached) return cached;
    const bounds = await this.db.get<{ lo: number | null; hi: number | null }>(
      'SELECT (SELECT MIN(step) FROM metrics WHERE run_uuid = ? AND key = ?) AS lo, (SELECT MAX(step) FROM metrics WHERE run_uuid = ? AND key = ?) AS hi',
      [runId, key, runId, key],
    );
    if (!bounds || bounds.lo === null || bounds.hi === null) return undefined;
    const min = bounds.lo;
    const max = bounds.hi;
    let summary: StepSummary;
    if (min === max) {
      summary = { kind: 'lattice', stride: 0, segments: [[min, max]] };
    } else {
      const next = (await this.db.get<{ s: number }>('SELECT MIN(step) AS s FROM metrics WHERE run_uuid = ? AND key = ? AND step > ?', [runId, key, min]))!.s;
      const stride = next - min;
      const expected = (max - min) / stride + 1;
      // `step >= min` lets the narrow (run, key, step) index serve the count.
      const counts = (await this.db.get<{ n: number; off: number | null }>(
        'SELECT COUNT(*) AS n, SUM((step - ?) % ? != 0) AS off FROM metrics WHERE run_uuid = ? AND key = ? AND step >= ?',
        [min, stride, runId, key, min],
      ))!;
      let lattice = counts.off === 0 && counts.n === expected;
      if (!lattice && counts.off === 0 && Number.isInteger(expected) && counts.n > expected) {
        // Some steps were logged more than once: count them once.
        const distinct = (await this.db.get<{ n: number }>('SELECT COUNT(DISTINCT step) AS n FROM metrics WHERE run_uuid = ? AND key = ? AND step >= ?', [runId, key, min]))!.n;
        lattice = distinct === expected;
      }
      summary = lattice ? { kind: 'lattice', stride, segments: [[min, max]] } : { kind: 'irregular', min, max };
    }
    this.summaries.set(runId, key, summary);
    return summary;
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
