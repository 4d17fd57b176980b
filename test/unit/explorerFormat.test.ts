import * as assert from 'node:assert/strict';
import type { Metric } from '../../src/core/entities';
import { formatBytes, formatDuration, formatMetricValue, formatRelativeTime } from '../../src/core/explorer/format';
import { chooseHeadlineMetric, describeRun, isLiveStatus, PRIMARY_METRIC_TAG } from '../../src/core/explorer/runSummary';

const NOW = Date.UTC(2025, 0, 15, 12, 0, 0);
const MIN = 60_000;
const metric = (key: string, value: number): Metric => ({ key, value, timestamp: NOW, step: 3 });

describe('explorer formatting', () => {
  it('says how long ago a run started', () => {
    assert.equal(formatRelativeTime(NOW - 10_000, NOW), 'just now');
    assert.equal(formatRelativeTime(NOW - 5 * MIN, NOW), '5 min ago');
    assert.equal(formatRelativeTime(NOW - 50_000, NOW), '1 min ago');
    assert.equal(formatRelativeTime(NOW - 59 * MIN, NOW), '59 min ago');
    assert.equal(formatRelativeTime(NOW - 60 * MIN, NOW), '1 hour ago');
    assert.equal(formatRelativeTime(NOW - 5 * 60 * MIN, NOW), '5 hours ago');
    assert.equal(formatRelativeTime(NOW - 24 * 60 * MIN, NOW), '1 day ago');
    assert.equal(formatRelativeTime(NOW - 3 * 24 * 60 * MIN, NOW), '3 days ago');
    assert.equal(formatRelativeTime(NOW - 60 * 24 * 60 * MIN, NOW), '2 months ago');
    assert.equal(formatRelativeTime(NOW - 800 * 24 * 60 * MIN, NOW), '2 years ago');
  });

  it('handles unset and future start times', () => {
    assert.equal(formatRelativeTime(undefined, NOW), '');
    assert.equal(formatRelativeTime(0, NOW), '');
    assert.equal(formatRelativeTime(NOW + 20_000, NOW), 'just now');
    assert.equal(formatRelativeTime(NOW + 5 * MIN, NOW), 'in 5 min');
  });

  it('formats durations', () => {
    assert.equal(formatDuration(undefined), '');
    assert.equal(formatDuration(250), '250 ms');
    assert.equal(formatDuration(42_000), '42 s');
    assert.equal(formatDuration(65 * MIN + 3000), '1 h 5 min');
    assert.equal(formatDuration(50 * 60 * MIN), '2 days 2 h');
  });

  it('formats metric values compactly', () => {
    assert.equal(formatMetricValue(0.931249), '0.9312');
    assert.equal(formatMetricValue(12.34567), '12.35');
    assert.equal(formatMetricValue(42), '42');
    assert.equal(formatMetricValue(-3), '-3');
    assert.equal(formatMetricValue(0), '0');
    assert.equal(formatMetricValue(0.00012346), '1.235e-4');
    assert.equal(formatMetricValue(123456789.5), '123500000');
    assert.equal(formatMetricValue(2.5e12), '2.5e+12');
    assert.equal(formatMetricValue(NaN), 'NaN');
    assert.equal(formatMetricValue(Infinity), 'Inf');
    assert.equal(formatMetricValue(-Infinity), '-Inf');
  });

  it('formats byte sizes', () => {
    assert.equal(formatBytes(undefined), '');
    assert.equal(formatBytes(512), '512 B');
    assert.equal(formatBytes(1536), '1.5 KB');
    assert.equal(formatBytes(50 * 1024 * 1024), '50.0 MB');
    assert.equal(formatBytes(3 * 1024 ** 3), '3.0 GB');
  });
});

describe('explorer run summary', () => {
  const metrics = [metric('loss', 0.25), metric('accuracy', 0.9), metric('f1', 0.8)];

  it('headlines the first metric alphabetically without a primary-metric tag', () => {
    assert.equal(chooseHeadlineMetric(metrics, undefined)?.key, 'accuracy');
    assert.equal(chooseHeadlineMetric(metrics, [{ key: 'other', value: 'x' }])?.key, 'accuracy');
    assert.equal(chooseHeadlineMetric([], undefined), undefined);
    assert.equal(chooseHeadlineMetric(undefined, undefined), undefined);
  });

  it("headlines the experiment's primary metric, and nothing when the run lacks it", () => {
    assert.equal(chooseHeadlineMetric(metrics, [{ key: PRIMARY_METRIC_TAG, value: 'loss' }])?.key, 'loss');
    assert.equal(chooseHeadlineMetric(metrics, [{ key: PRIMARY_METRIC_TAG, value: ' f1 ' }])?.key, 'f1');
    assert.equal(chooseHeadlineMetric(metrics, [{ key: PRIMARY_METRIC_TAG, value: 'auc' }]), undefined);
    // An empty tag value is as if unset.
    assert.equal(chooseHeadlineMetric(metrics, [{ key: PRIMARY_METRIC_TAG, value: '' }])?.key, 'accuracy');
  });

  it('describes a run in one line', () => {
    assert.equal(describeRun(NOW - 5 * MIN, metrics, undefined, NOW), '5 min ago · accuracy 0.9');
    assert.equal(describeRun(NOW - 5 * MIN, [], undefined, NOW), '5 min ago');
    assert.equal(describeRun(0, [metric('loss', 0.123456)], undefined, NOW), 'loss 0.1235');
    assert.equal(describeRun(0, [], undefined, NOW), '');
  });

  it('polls only runs whose data still changes', () => {
    assert.equal(isLiveStatus('RUNNING'), true);
    assert.equal(isLiveStatus('SCHEDULED'), true);
    for (const s of ['FINISHED', 'FAILED', 'KILLED'] as const) assert.equal(isLiveStatus(s), false);
  });
});
