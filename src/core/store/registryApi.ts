import type { Page } from '../entities';
import type { FileModelRegistry } from './file';
import type { ModelVersion, RegisteredModel } from './sql/registryRows';
import type { CreateModelVersionRequest } from './sql/registryVersions';
import type { CreateRegisteredModelRequest, SearchModelVersionsRequest, SearchRegisteredModelsRequest } from './sql/registryStore';

type Maybe<T> = T | Promise<T>;

/** What the registry endpoints need from a store (the SQL store's tables fit it as they are). */
export interface RegistryApi {
  models: {
    create(req: CreateRegisteredModelRequest): Promise<RegisteredModel>;
    get(name: string): Maybe<RegisteredModel>;
    update(name: string, description: string): Promise<RegisteredModel>;
    rename(name: string, newName: string): Promise<RegisteredModel>;
    delete(name: string): Promise<void>;
    setTag(name: string, key: string, value: string): Promise<void>;
    deleteTag(name: string, key: string): Promise<void>;
    latestVersions(name: string, stages: string[]): Maybe<ModelVersion[]>;
    search(req: SearchRegisteredModelsRequest): Maybe<Page<RegisteredModel>>;
  };
  versions: {
    create(req: CreateModelVersionRequest): Promise<ModelVersion>;
    get(name: string, version: string): Maybe<ModelVersion>;
    update(name: string, version: string, description: string | undefined): Promise<ModelVersion>;
    transitionStage(name: string, version: string, stage: string, archiveExisting: boolean): Promise<ModelVersion>;
    delete(name: string, version: string): Promise<void>;
    downloadUri(name: string, version: string): Maybe<string>;
    setTag(name: string, version: string, key: string, value: string): Promise<void>;
    deleteTag(name: string, version: string, key: string): Promise<void>;
    search(req: SearchModelVersionsRequest): Maybe<Page<ModelVersion>>;
  };
  aliases: {
    set(name: string, alias: string, version: string): Promise<void>;
    delete(name: string, alias: string): Promise<void>;
    get(name: string, alias: string): Maybe<ModelVersion>;
  };
}

/** The registry of an `mlruns/` file store: reads from its files, every write refused (read-only). */
export function fileRegistryApi(registry: FileModelRegistry): RegistryApi {
  const refuse = (operation: string) => () => registry.rejectWrite(operation);
  return {
    models: {
      create: refuse('create a registered model'),
      get: (name) => registry.getRegisteredModel(name),
      update: refuse('update a registered model'),
      rename: refuse('rename a registered model'),
      delete: refuse('delete a registered model'),
      setTag: refuse('set a registered model tag'),
      deleteTag: refuse('delete a registered model tag'),
      latestVersions: (name, stages) => registry.getLatestVersions(name, stages),
      search: (req) => registry.searchRegisteredModels(req),
    },
    versions: {
      create: refuse('create a model version'),
      get: (name, version) => registry.getModelVersion(name, version),
      update: refuse('update a model version'),
      transitionStage: refuse('transition a model version'),
      delete: refuse('delete a model version'),
      downloadUri: (name, version) => registry.getDownloadUri(name, version),
      setTag: refuse('set a model version tag'),
      deleteTag: refuse('delete a model version tag'),
      search: (req) => registry.searchModelVersions(req),
    },
    aliases: {
      set: refuse('set a registered model alias'),
      delete: refuse('delete a registered model alias'),
      get: (name, alias) => registry.getModelVersionByAlias(name, alias),
    },
  };
}
