import type { Metric } from '../../entities';
import { MlflowError } from '../../errors';
import type { TrackingStore } from '../../store/trackingStore';
import type { ApiHandler, RouteTable } from '../router';
import { readBulkIntervalRequest, readHistoryBulkRequest, type HistoryBulkRequest } from './metricValidation';
import { runIdOf } from './runHandlers';

/** A point of get-history-bulk, with its run (keys in the order MLflow's JSON encoder sorts them). */
interface BulkPoint {
  key: string;
  run_id: string;
  step: number;
  timestamp: number;
  value: number;
}

/**
 * get-history-bulk as MLflow's SQL store answers it: the histories of the distinct runs in
 * ascending run id order, each ordered by (timestamp, step, value), at most max_results points in
 * all (zero gives none; a negative number drops that many from the end). Runs without the metric,
 * or unknown, contribute nothing.
 */
async function historyBulk(store: TrackingStore, req: HistoryBulkRequest): Promise<BulkPoint[]> {
  const points: BulkPoint[] = [];
  const cap = req.maxResults > 0 ? req.maxResults : Infinity;
  for (const runId of [...new Set(req.runIds)].sort()) {
    if (points.length >= cap) break;
    let history: Metric[];
    try {
      history = (await store.getMetricHistory({ runId, metricKey: req.metricKey })).items;
    } catch (e) {
      if (e instanceof MlflowError && e.errorCode === 'RESOURCE_DOES_NOT_EXIST') continue;
      throw e;
    }
    const num = (v: number) => (Number.isNaN(v) ? 0 : v);
    const sorted = [...history].sort((a, b) => a.timestamp - b.timestamp || a.step - b.step || num(a.value) - num(b.value));
    for (const m of sorted) points.push({ key: m.key, run_id: runId, step: m.step, timestamp: m.timestamp, value: m.value });
  }
  if (req.maxResults === 0) return [];
  return req.maxResults > 0 ? points.slice(0, req.maxResults) : points.slice(0, req.maxResults);
}

/** metrics/* endpoints: paged history, and sampled histories for charts (compat §1.4, §1.7). */
export function registerMetricRoutes(api: RouteTable<ApiHandler>, store: TrackingStore): void {
  api.add('GET', 'metrics/get-history', async ({ fields }) => {
    const page = await store.getMetricHistory({
      runId: runIdOf(fields, true),
      metricKey: fields.requiredString('metric_key'),
      maxResults: fields.int('max_results'),
      pageToken: fields.string('page_token'),
    });
    const body: { metrics?: unknown[]; next_page_token?: string } = {};
    if (page.items.length > 0) body.metrics = page.items;
    if (page.nextPageToken) body.next_page_token = page.nextPageToken;
    return body;
  });

  api.add('GET', 'metrics/get-history-bulk-interval', async ({ fields }) => {
    const metrics = await store.getMetricHistoryBulkInterval(readBulkIntervalRequest(fields));
    return metrics.length > 0 ? { metrics } : {};
  });

  /** The UI's bulk history: served under the ajax prefix only, from the query string only. */
  api.add('GET', 'metrics/get-history-bulk', async ({ raw }) => {
    const url = new URL(raw.url ?? '/', 'http://localhost');
    if (!url.pathname.startsWith('/ajax-api/')) {
      throw new MlflowError('ENDPOINT_NOT_FOUND', `No API endpoint is served at GET ${url.pathname}.`);
    }
    return { metrics: await historyBulk(store, readHistoryBulkRequest(url.searchParams)) };
  });
}
