import type { Metric, MetricPoint } from '../entities';
import type { MlflowClient } from '../client/mlflowClient';
import type { CopyContext } from './copyContext';

/** MLflow's log-batch limit (metrics per request). */
const BATCH_METRICS = 1000;
/** What get-history pages ask for (MLflow's own client sends 25,000). */
const HISTORY_PAGE = 25000;

/** Extra fields of a point that belongs to a logged model (3.x): keyed by `key|timestamp|step`. */
export type ModelLinks = Map<string, Pick<MetricPoint, 'model_id' | 'dataset_name' | 'dataset_digest'>>;

export function linkKey(key: string, timestamp: number, step: number): string {
  return `${key}|${timestamp}|${step}`;
}

/** Identity of a point for de-duplication: key, timestamp, step and value (NaN included). */
function pointKey(m: Metric): string {
  return `${m.key}|${m.timestamp}|${m.step}|${Number.isNaN(m.value) ? 'NaN' : String(m.value)}`;
}

/** Every page of a metric's history. */
export async function fullHistory(client: MlflowClient, runId: string, key: string, ctx?: CopyContext): Promise<Metric[]> {
  const points: Metric[] = [];
  let pageToken: string | undefined;
  do {
    ctx?.throwIfCancelled();
    const page = await client.getMetricHistory(runId, key, HISTORY_PAGE, pageToken);
    points.push(...page.items);
    pageToken = page.items.length > 0 ? page.nextPageToken : undefined;
  } while (pageToken);
  return points;
}

/**
 * Copies the full histories of a run's metrics. For a run that an interrupted copy started
 * (`resumed`), the destination's histories are read first and only the points it lacks are sent
 * (counted as a multiset, so exact duplicates a FileStore keeps are kept too): nothing is
 * duplicated whatever the destination store. Returns the number of points sent.
 */
export async function copyMetrics(ctx: CopyContext, sourceRunId: string, destRunId: string, keys: readonly string[], resumed: boolean, links: ModelLinks): Promise<number> {
  let pending: MetricPoint[] = [];
  let sent = 0;
  const flush = async () => {
    if (pending.length === 0) return;
    const batch = pending;
    pending = [];
    await ctx.dest.logBatch(destRunId, { metrics: batch });
    sent += batch.length;
    ctx.counts.metricPoints += batch.length;
    ctx.report('metrics', `${batch.length} metric points sent`);
  };
  for (const key of keys) {
    ctx.throwIfCancelled();
    const history = await fullHistory(ctx.source, sourceRunId, key, ctx);
    const have = new Map<string, number>();
    if (resumed) {
      for (const p of await fullHistory(ctx.dest, destRunId, key, ctx)) have.set(pointKey(p), (have.get(pointKey(p)) ?? 0) + 1);
    }
    for (const point of history) {
      const id = pointKey(point);
      const left = have.get(id) ?? 0;
      if (left > 0) {
        have.set(id, left - 1);
        continue;
      }
      const link = links.get(linkKey(point.key, point.timestamp, point.step));
      pending.push({ key: point.key, value: point.value, timestamp: point.timestamp, step: point.step, ...link });
      if (pending.length >= BATCH_METRICS) await flush();
    }
  }
  await flush();
  return sent;
}
