import type { SqlDatabase } from '../db/database';
import { AliasTable } from './registryAliases';
import { RegisteredModelTable } from './registryModels';
import { RegistryReader } from './registryReader';
import { ModelVersionTable } from './registryVersions';

export type { CreateRegisteredModelRequest, SearchRegisteredModelsRequest } from './registryModels';
export type { CreateModelVersionRequest, SearchModelVersionsRequest } from './registryVersions';
export type { ModelVersion, RegisteredModel, RegisteredModelAlias } from './registryRows';

/** The model registry on MLflow's SQL schema: registered models, versions and aliases. */
export class ModelRegistryStore {
  readonly reader: RegistryReader;
  readonly models: RegisteredModelTable;
  readonly versions: ModelVersionTable;
  readonly aliases: AliasTable;

  constructor(readonly db: SqlDatabase) {
    this.reader = new RegistryReader(db);
    this.models = new RegisteredModelTable(db, this.reader);
    this.versions = new ModelVersionTable(db, this.reader);
    this.aliases = new AliasTable(db, this.reader);
  }
}
