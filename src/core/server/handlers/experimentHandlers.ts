import { MlflowError } from '../../errors';
import type { TrackingStore } from '../../store/trackingStore';
import type { RequestFields } from '../requestFields';
import type { ApiHandler, RouteTable } from '../router';
import { checkArtifactLocationUrl } from './artifactLocationCheck';
import { experimentsMaxResults } from './maxResults';
import { readViewType } from './viewType';

function tagsOf(fields: RequestFields): Array<{ key: string; value: string }> {
  return fields.objectList('tags').map((t) => ({ key: t.requiredString('key'), value: t.string('value') ?? '' }));
}

/** experiments/* endpoints (compat §1.4). */
export function registerExperimentRoutes(api: RouteTable<ApiHandler>, store: TrackingStore): void {
  api.add('POST', 'experiments/create', async ({ fields }) => {
    const name = fields.requiredString('name');
    const artifactLocation = fields.string('artifact_location') ?? '';
    const tags = tagsOf(fields);
    checkArtifactLocationUrl(artifactLocation);
    const experimentId = await store.createExperiment({ name, artifactLocation: artifactLocation || undefined, tags });
    return { experiment_id: experimentId };
  });

  api.add('GET', 'experiments/get', async ({ fields }) => ({
    experiment: await store.getExperiment(fields.requiredString('experiment_id')),
  }));

  api.add('GET', 'experiments/get-by-name', async ({ fields }) => {
    const name = fields.requiredString('experiment_name');
    const experiment = await store.getExperimentByName(name);
    if (!experiment) throw MlflowError.notFound(`Could not find experiment with name '${name}'`);
    return { experiment };
  });

  const search: ApiHandler = async ({ fields }) => {
    const page = await store.searchExperiments({
      filter: fields.string('filter'),
      viewType: readViewType(fields, 'view_type'),
      maxResults: experimentsMaxResults(fields),
      orderBy: fields.stringList('order_by'),
      pageToken: fields.string('page_token'),
    });
    const body: { experiments?: unknown[]; next_page_token?: string } = {};
    if (page.items.length > 0) body.experiments = page.items;
    if (page.nextPageToken) body.next_page_token = page.nextPageToken;
    return body;
  };
  api.add('POST', 'experiments/search', search);
  api.add('GET', 'experiments/search', search);

  api.add('POST', 'experiments/delete', async ({ fields }) => {
    await store.deleteExperiment(fields.requiredString('experiment_id'));
    return {};
  });

  api.add('POST', 'experiments/restore', async ({ fields }) => {
    await store.restoreExperiment(fields.requiredString('experiment_id'));
    return {};
  });

  api.add('POST', 'experiments/update', async ({ fields }) => {
    const id = fields.requiredString('experiment_id');
    const newName = fields.requiredString('new_name');
    await store.renameExperiment(id, newName);
    return {};
  });

  api.add('POST', 'experiments/set-experiment-tag', async ({ fields }) => {
    await store.setExperimentTag(fields.requiredString('experiment_id'), fields.requiredString('key'), fields.string('value') ?? '');
    return {};
  });

  api.add('POST', 'experiments/delete-experiment-tag', async ({ fields }) => {
    await store.deleteExperimentTag(fields.requiredString('experiment_id'), fields.requiredString('key'));
    return {};
  });
}
