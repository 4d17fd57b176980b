import type { TrackingStore } from '../../store/trackingStore';
import type { ApiHandler, RouteTable } from '../router';
import { runIdOf } from './runHandlers';

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
    const metrics = await store.getMetricHistoryBulkInterval({
      runIds: fields.stringList('run_ids'),
      metricKey: fields.requiredString('metric_key'),
      startStep: fields.int('start_step'),
      endStep: fields.int('end_step'),
      maxResults: fields.int('max_results') ?? 2500,
    });
    return metrics.length > 0 ? { metrics } : {};
  });

  /** The UI's bulk history: whole histories of up to 100 runs, ascending run id. */
  api.add('GET', 'metrics/get-history-bulk', async ({ fields }) => {
    const runIds = [...new Set(fields.stringList('run_id'))].sort();
    const metricKey = fields.requiredString('metric_key');
    const cap = Math.min(fields.int('max_results') ?? 25000, 25000);
    const metrics: object[] = [];
    for (const runId of runIds.slice(0, 100)) {
      const page = await store.getMetricHistory({ runId, metricKey, maxResults: cap - metrics.length || 1 });
      for (const m of page.items) {
        if (metrics.length >= cap) break;
        metrics.push({ ...m, run_id: runId });
      }
    }
    return metrics.length > 0 ? { metrics } : {};
  });
}
