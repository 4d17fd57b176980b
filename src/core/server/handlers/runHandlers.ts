import { RunStatus, RUN_STATUSES, type DatasetInput, type MetricPoint } from '../../entities';
import type { TrackingStore } from '../../store/trackingStore';
import { missingValue, type RequestFields } from '../requestFields';
import type { ApiHandler, RouteTable } from '../router';
import { readMaxResults, readViewType } from './viewType';

const STATUS_NUMBERS: Record<number, RunStatus> = { 1: 'RUNNING', 2: 'SCHEDULED', 3: 'FINISHED', 4: 'FAILED', 5: 'KILLED' };

/** run_id, or its deprecated alias run_uuid where MLflow's request still has that field. */
export function runIdOf(fields: RequestFields, acceptRunUuid: boolean): string {
  const id = fields.string('run_id') || (acceptRunUuid ? fields.string('run_uuid') : undefined);
  if (!id) throw missingValue('run_id');
  return id;
}

export function metricOf(f: RequestFields): MetricPoint {
  const key = f.string('key');
  if (key === undefined) throw missingValue(`key`);
  const metric: MetricPoint = {
    key,
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

function keyValues(list: RequestFields[]): Array<{ key: string; value: string }> {
  return list.map((t) => {
    const key = t.string('key');
    if (key === undefined) throw missingValue('key');
    return { key, value: t.string('value') ?? '' };
  });
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
      maxResults: readMaxResults(fields, 1000, 50000),
      orderBy: fields.stringList('order_by'),
      pageToken: fields.string('page_token'),
    });
    const body: { runs?: unknown[]; next_page_token?: string } = {};
    if (page.items.length > 0) body.runs = page.items;
    if (page.nextPageToken) body.next_page_token = page.nextPageToken;
    return body;
  });

  api.add('POST', 'runs/log-metric', async ({ fields }) => {
    await store.logMetric(runIdOf(fields, true), metricOf(fields));
    return {};
  });

  api.add('POST', 'runs/log-parameter', async ({ fields }) => {
    await store.logParam(runIdOf(fields, true), fields.requiredString('key'), fields.string('value') ?? '');
    return {};
  });

  api.add('POST', 'runs/set-tag', async ({ fields }) => {
    await store.setTag(runIdOf(fields, true), fields.requiredString('key'), fields.string('value') ?? '');
    return {};
  });

  api.add('POST', 'runs/delete-tag', async ({ fields }) => {
    await store.deleteTag(runIdOf(fields, false), fields.requiredString('key'));
    return {};
  });

  api.add('POST', 'runs/log-batch', async ({ fields }) => {
    await store.logBatch({
      runId: runIdOf(fields, false),
      metrics: fields.objectList('metrics').map(metricOf),
      params: keyValues(fields.objectList('params')),
      tags: keyValues(fields.objectList('tags')),
    });
    return {};
  });

  api.add('POST', 'runs/log-inputs', async ({ fields }) => {
    const models = fields.objectList('models').map((m) => m.requiredString('model_id'));
    await store.logInputs(runIdOf(fields, false), datasetInputsOf(fields), models);
    return {};
  });
}
