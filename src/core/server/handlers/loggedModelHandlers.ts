import { MlflowError } from '../../errors';
import type { LoggedModelApi } from '../../store/loggedModelApi';
import { missingValue, type RequestFields } from '../requestFields';
import type { ApiHandler, RouteTable } from '../router';
import { runIdOf } from './runHandlers';

function keyValues(list: RequestFields[]): Array<{ key: string; value: string }> {
  return list.map((f) => {
    const key = f.string('key');
    if (key === undefined) throw missingValue('key');
    return { key, value: f.string('value') ?? '' };
  });
}

/** logged-models/* (MLflow 3.x) and runs/outputs. */
export function registerLoggedModelRoutes(
  api: RouteTable<ApiHandler>,
  models: LoggedModelApi,
  logOutputs: (runId: string, outputs: Array<{ modelId: string; step: number }>) => Promise<void>,
): void {
  api.add('POST', 'logged-models', async ({ fields }) => ({
    model: await models.create({
      experimentId: fields.requiredString('experiment_id'),
      name: fields.string('name'),
      modelType: fields.string('model_type'),
      sourceRunId: fields.string('source_run_id'),
      params: keyValues(fields.objectList('params')),
      tags: keyValues(fields.objectList('tags')),
    }),
  }));

  api.add('POST', 'logged-models/search', async ({ fields }) => {
    const maxResults = fields.int('max_results') ?? 100;
    if (maxResults < 1) throw MlflowError.invalidParameter(`Invalid value ${maxResults} for parameter 'max_results' supplied.`);
    const page = await models.search({
      experimentIds: fields.stringList('experiment_ids'),
      filter: fields.string('filter'),
      datasets: fields.objectList('datasets').map((d) => ({ dataset_name: d.requiredString('dataset_name'), dataset_digest: d.string('dataset_digest') })),
      orderBy: fields.objectList('order_by').map((o) => ({
        field_name: o.requiredString('field_name'),
        ascending: o.bool('ascending'),
        dataset_name: o.string('dataset_name'),
        dataset_digest: o.string('dataset_digest'),
      })),
      maxResults,
      pageToken: fields.string('page_token'),
    });
    const body: { models?: unknown[]; next_page_token?: string } = {};
    if (page.items.length > 0) body.models = page.items;
    if (page.nextPageToken) body.next_page_token = page.nextPageToken;
    return body;
  });

  api.add('GET', 'logged-models/:model_id', async ({ params }) => ({ model: await models.get(params.model_id) }));

  api.add('PATCH', 'logged-models/:model_id', async ({ params, fields }) => ({
    model: await models.finalize(params.model_id, fields.requiredString('status')),
  }));

  api.add('DELETE', 'logged-models/:model_id', async ({ params }) => {
    await models.delete(params.model_id);
    return {};
  });

  api.add('PATCH', 'logged-models/:model_id/tags', async ({ params, fields }) => {
    await models.setTags(params.model_id, keyValues(fields.objectList('tags')));
    return {};
  });

  api.add('DELETE', 'logged-models/:model_id/tags/:tag_key', async ({ params }) => {
    await models.deleteTag(params.model_id, params.tag_key);
    return {};
  });

  api.add('POST', 'logged-models/:model_id/params', async ({ params, fields }) => {
    await models.logParams(params.model_id, keyValues(fields.objectList('params')));
    return {};
  });

  api.add('POST', 'runs/outputs', async ({ fields }) => {
    const outputs = fields.objectList('models').map((m) => ({ modelId: m.requiredString('model_id'), step: m.int('step') ?? 0 }));
    await logOutputs(runIdOf(fields, false), outputs);
    return {};
  });
}
