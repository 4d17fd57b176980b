import type { RegistryApi } from '../../store/registryApi';
import type { ApiHandler, RouteTable } from '../router';
import { registryTagsOf, searchBody } from './registryFields';
import { registeredModelsMaxResults } from './maxResults';

/** registered-models/* endpoints, aliases included (compat §1.5). */
export function registerRegisteredModelRoutes(api: RouteTable<ApiHandler>, registry: RegistryApi): void {
  const { models, aliases } = registry;

  api.add('POST', 'registered-models/create', async ({ fields }) => ({
    registered_model: await models.create({
      name: fields.requiredString('name'),
      tags: registryTagsOf(fields),
      description: fields.string('description') ?? '',
    }),
  }));

  api.add('GET', 'registered-models/get', async ({ fields }) => ({ registered_model: await models.get(fields.requiredString('name')) }));

  api.add('POST', 'registered-models/rename', async ({ fields }) => {
    const name = fields.requiredString('name');
    const newName = fields.requiredString('new_name');
    return { registered_model: await models.rename(name, newName) };
  });

  api.add('PATCH', 'registered-models/update', async ({ fields }) => ({
    registered_model: await models.update(fields.requiredString('name'), fields.string('description') ?? ''),
  }));

  api.add('DELETE', 'registered-models/delete', async ({ fields }) => {
    await models.delete(fields.requiredString('name'));
    return {};
  });

  api.add('GET', 'registered-models/search', async ({ fields }) =>
    searchBody(
      'registered_models',
      await models.search({
        filter: fields.string('filter'),
        maxResults: registeredModelsMaxResults(fields),
        orderBy: fields.stringList('order_by'),
        pageToken: fields.string('page_token'),
      }),
    ),
  );

  const latestVersions: ApiHandler = async ({ fields }) => {
    const versions = await models.latestVersions(fields.requiredString('name'), fields.stringList('stages'));
    return versions.length > 0 ? { model_versions: versions } : {};
  };
  api.add('POST', 'registered-models/get-latest-versions', latestVersions);
  api.add('GET', 'registered-models/get-latest-versions', latestVersions);

  api.add('POST', 'registered-models/set-tag', async ({ fields }) => {
    const name = fields.requiredString('name');
    const key = fields.requiredString('key');
    await models.setTag(name, key, fields.string('value') ?? '');
    return {};
  });

  api.add('DELETE', 'registered-models/delete-tag', async ({ fields }) => {
    const name = fields.requiredString('name');
    await models.deleteTag(name, fields.requiredString('key'));
    return {};
  });

  api.add('POST', 'registered-models/alias', async ({ fields }) => {
    const name = fields.requiredString('name');
    const alias = fields.requiredString('alias');
    await aliases.set(name, alias, fields.requiredString('version'));
    return {};
  });

  api.add('DELETE', 'registered-models/alias', async ({ fields }) => {
    const name = fields.requiredString('name');
    await aliases.delete(name, fields.requiredString('alias'));
    return {};
  });

  api.add('GET', 'registered-models/alias', async ({ fields }) => {
    const name = fields.requiredString('name');
    return { model_version: await aliases.get(name, fields.requiredString('alias')) };
  });
}
