import { RunStatus, RUN_STATUSES, type DatasetInput, type MetricPoint } from '../../entities';
import type { TrackingStore } from '../../store/trackingStore';
import { validateMetricPoint, validateParamKey, validateRunId, validateTagKey } from '../../validation';
import { missingValue, type RequestFields } from '../requestFields';
import type { ApiHandler, RouteTable } from '../router';
import { runsMaxResults } from './maxResults';
import { readViewType } from './viewType';

const STATUS_NUMBERS: Record<number, RunStatus> = { 1: 'RUNNING', 2: 'SCHEDULED', 3: 'FINISHED', 4: 'FAILED', 5: 'KILLED' };

/** run_id, or its deprecated alias run_uuid where MLflow's request still has that field. */
export function runIdOf(fields: RequestFields, acceptRunUuid: boolean): string {
  const id = fields.string('run_id') || (acceptRunUuid ? fields.string('run_uuid') : undefined);
  if (!id) throw missingValue('run_id');
  return id;
}

/** A metric of log-metric or log-batch; key, value and timestamp are required (empty counts as missing). */
export function metricOf(f: RequestFields): MetricPoint {
  const metric: MetricPoint = {
    key: f.requiredString('key'),
    value: f.requiredDouble('value'),
    timestamp: f.requiredInt('timestamp'),
    step: f.int('step') ?? 0,
  };
  const modelId = f.string('model_id');
  if (modelId) metric.model_id = modelId;
  const datasetName = f.string('dataset_name');
  if (datasetName) metric.dataset_name = datasetName;
  const datasetDigest = f.string('dataset_digest');
  if (datasetDigest) metric.dataset_digest = datasetDigest;
  return metric;
}

/** Key-value pairs (tags, params); a missing or empty key is reported with its path, e.g. `tags[1].key`. */
function keyValues(list: RequestFields[]): Array<{ key: string; value: string }> {
  return list.map((t) => ({ key: t.requiredString('key'), value: t.string('value') ?? '' }));
}

function datasetInputsOf(fields: RequestFields): DatasetInput[] {
  return fields.objectList('datasets').map((input) => {
    const d = input.object('dataset');
    if (!d) throw missingValue('dataset');
    const dataset: DatasetInput['dataset'] = {
      name: d.requiredString('name'),
      digest: d.requiredString('digest'),
      source_type: d.requiredString('source_type'),
      source: d.requiredString('source'),
    };
    const schema = d.string('schema');
    const profile = d.string('profile');
    if (schema !== undefined) dataset.schema = schema;
    if (profile !== undefined) dataset.profile = profile;
    return { dataset, tags: keyValues(input.objectList('tags')) };
  });
}

/** runs/* endpoints (compat §1.4). */
export function registerRunRoutes(api: RouteTable<ApiHandler>, store: TrackingStore): void {
  api.add('POST', 'runs/create', async ({ fields }) => ({
    run: await store.createRun({
      experimentId: fields.string('experiment_id') || '0',
      userId: fields.string('user_id'),
      runName: fields.string('run_name'),
      startTime: fields.int('start_time'),
      tags: keyValues(fields.objectList('tags')),
    }),
  }));

  api.add('GET', 'runs/get', async ({ fields }) => ({ run: await store.getRun(runIdOf(fields, true)) }));

  api.add('POST', 'runs/update', async ({ fields }) => ({
    run_info: await store.updateRun({
      runId: runIdOf(fields, true),
      status: fields.enumValue('status', RUN_STATUSES, STATUS_NUMBERS),
      endTime: fields.int('end_time'),
      runName: fields.string('run_name'),
    }),
  }));

  api.add('POST', 'runs/delete', async ({ fields }) => {
    await store.deleteRun(runIdOf(fields, false));
    return {};
  });

  api.add('POST', 'runs/restore', async ({ fields }) => {
    await store.restoreRun(runIdOf(fields, false));
    return {};
  });

  api.add('POST', 'runs/search', async ({ fields }) => {
    const page = await store.searchRuns({
      experimentIds: fields.stringList('experiment_ids'),
      filter: fields.string('filter'),
      viewType: readViewType(fields, 'run_view_type'),
      maxResults: runsMaxResults(fields),
      orderBy: fields.stringList('order_by'),
      pageToken: fields.string('page_token'),
    });
    const body: { runs?: unknown[]; next_page_token?: string } = {};
    if (page.items.length > 0) body.runs = page.items;
    if (page.nextPageToken) body.next_page_token = page.nextPageToken;
    return body;
  });

  // Keys and values are checked here, before the run is looked up, in MLflow's order and wording.
  api.add('POST', 'runs/log-metric', async ({ fields }) => {
    const runId = runIdOf(fields, true);
    const metric = metricOf(fields);
    validateMetricPoint(metric, '');
    await store.logMetric(runId, metric);
    return {};
  });

  api.add('POST', 'runs/log-parameter', async ({ fields }) => {
    const runId = runIdOf(fields, true);
    const key = fields.requiredString('key');
    const value = fields.string('value') ?? '';
    validateParamKey(key, '');
    await store.logParam(runId, key, value);
    return {};
  });

  api.add('POST', 'runs/set-tag', async ({ fields }) => {
    const runId = runIdOf(fields, true);
    const key = fields.requiredString('key');
    const value = fields.string('value') ?? '';
    validateTagKey(key, '');
    await store.setTag(runId, key, value);
    return {};
  });

  api.add('POST', 'runs/delete-tag', async ({ fields }) => {
    await store.deleteTag(runIdOf(fields, false), fields.requiredString('key'));
    return {};
  });

  api.add('POST', 'runs/log-batch', async ({ fields }) => {
    const runId = runIdOf(fields, false);
    const metrics = fields.objectList('metrics').map(metricOf);
    const params = keyValues(fields.objectList('params'));
    const tags = keyValues(fields.objectList('tags'));
    // MLflow checks the run id's form, then every entity, then the batch limits and duplicate param keys.
    validateRunId(runId);
    metrics.forEach((m, i) => validateMetricPoint(m, `metrics[${i}]`));
    params.forEach((p, i) => validateParamKey(p.key, `params[${i}]`));
    tags.forEach((t, i) => validateTagKey(t.key, `tags[${i}]`));
    await store.logBatch({ runId, metrics, params, tags });
    return {};
  });

  api.add('POST', 'runs/log-inputs', async ({ fields }) => {
    const models = fields.objectList('models').map((m) => m.requiredString('model_id'));
    await store.logInputs(runIdOf(fields, false), datasetInputsOf(fields), models);
    return {};
  });
}
