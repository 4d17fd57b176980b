/** What the Experiments view says about one run in a single line: headline metric and liveness. */
import type { KeyValue, Metric, RunStatus } from '../entities';
import { formatMetricValue, formatRelativeTime } from './format';

/** The experiment tag naming the metric a run's one-line summary shows. */
export const PRIMARY_METRIC_TAG = 'mlflow.experiment.primaryMetric.name';

/**
 * The metric a run is summarised by: the one the experiment's `mlflow.experiment.primaryMetric.name`
 * tag names (none if the run lacks it, so every run of the experiment shows the same metric or nothing),
 * else the run's first metric in alphabetical order of keys.
 */
export function chooseHeadlineMetric(metrics: readonly Metric[] | undefined, experimentTags: readonly KeyValue[] | undefined): Metric | undefined {
  if (!metrics || metrics.length === 0) return undefined;
  const primary = experimentTags?.find((t) => t.key === PRIMARY_METRIC_TAG)?.value.trim();
  if (primary) return metrics.find((m) => m.key === primary);
  let first = metrics[0];
  for (const m of metrics) if (m.key < first.key) first = m;
  return first;
}

/** "5 min ago · accuracy 0.9312": relative start time and headline metric, either may be absent. */
export function describeRun(startTime: number | undefined, metrics: readonly Metric[] | undefined, experimentTags: readonly KeyValue[] | undefined, now: number): string {
  const parts: string[] = [];
  const when = formatRelativeTime(startTime, now);
  if (when) parts.push(when);
  const headline = chooseHeadlineMetric(metrics, experimentTags);
  if (headline) parts.push(`${headline.key} ${formatMetricValue(headline.value)}`);
  return parts.join(' · ');
}

/** Runs whose data still changes, so the view polls them: RUNNING, and SCHEDULED (about to run). */
export function isLiveStatus(status: RunStatus | undefined): boolean {
  return status === 'RUNNING' || status === 'SCHEDULED';
}
