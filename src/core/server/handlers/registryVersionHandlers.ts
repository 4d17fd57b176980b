import type { RegistryApi } from '../../store/registryApi';
import type { ApiHandler, RouteTable } from '../router';
import { registryTagsOf, searchBody } from './registryFields';
import { modelVersionsMaxResults } from './maxResults';

/** model-versions/* endpoints (compat §1.5). */
export function registerModelVersionRoutes(api: RouteTable<ApiHandler>, registry: RegistryApi): void {
  const { versions } = registry;

  api.add('POST', 'model-versions/create', async ({ fields }) => {
    const name = fields.requiredString('name');
    const source = fields.requiredString('source');
    return {
      model_version: await versions.create({
        name,
        source,
        runId: fields.string('run_id') ?? '',
        tags: registryTagsOf(fields),
        runLink: fields.string('run_link') ?? '',
        description: fields.string('description') ?? '',
        modelId: fields.string('model_id') ?? '',
      }),
    };
  });

  api.add('GET', 'model-versions/get', async ({ fields }) => {
    const name = fields.requiredString('name');
    return { model_version: await versions.get(name, fields.requiredString('version')) };
  });

  api.add('PATCH', 'model-versions/update', async ({ fields }) => {
    const name = fields.requiredString('name');
    const version = fields.requiredString('version');
    return { model_version: await versions.update(name, version, fields.string('description')) };
  });

  api.add('POST', 'model-versions/transition-stage', async ({ fields }) => {
    const name = fields.requiredString('name');
    const version = fields.requiredString('version');
    const stage = fields.requiredString('stage');
    const archive = fields.bool('archive_existing_versions') ?? false;
    return { model_version: await versions.transitionStage(name, version, stage, archive) };
  });

  api.add('DELETE', 'model-versions/delete', async ({ fields }) => {
    const name = fields.requiredString('name');
    await versions.delete(name, fields.requiredString('version'));
    return {};
  });

  api.add('GET', 'model-versions/search', async ({ fields }) =>
    searchBody(
      'model_versions',
      await versions.search({
        filter: fields.string('filter'),
        maxResults: modelVersionsMaxResults(fields),
        orderBy: fields.stringList('order_by'),
        pageToken: fields.string('page_token'),
      }),
    ),
  );

  // MLflow declares no required fields here: a missing name or version fails the store's checks.
  api.add('GET', 'model-versions/get-download-uri', async ({ fields }) => ({
    artifact_uri: await versions.downloadUri(fields.string('name') ?? '', fields.string('version') ?? ''),
  }));

  api.add('POST', 'model-versions/set-tag', async ({ fields }) => {
    const name = fields.requiredString('name');
    const version = fields.requiredString('version');
    const key = fields.requiredString('key');
    await versions.setTag(name, version, key, fields.string('value') ?? '');
    return {};
  });

  api.add('DELETE', 'model-versions/delete-tag', async ({ fields }) => {
    const name = fields.requiredString('name');
    const version = fields.requiredString('version');
    await versions.deleteTag(name, version, fields.requiredString('key'));
    return {};
  });
}
