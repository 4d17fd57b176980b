/**
 * The model registry of an mlruns/ folder, read-only, with one method per registry read endpoint
 * and answers in the wire shapes of ../sql/registryRows.ts (as MLflow 3.5's server emits them:
 * no model_id on versions — see `getModelVersionDetails` for what only the files know).
 */
import * as path from 'node:path';
import type { Page } from '../../entities';
import { MlflowError } from '../../errors';
import { decodeOffsetToken, encodeOffsetToken } from '../../search/pageToken';
import type { SearchModelVersionsRequest, SearchRegisteredModelsRequest } from '../sql/registryStore';
import { latestPerStage, toModelVersion, toRegisteredModel, type ModelVersion, type RegisteredModel } from '../sql/registryRows';
import { canonicalStage, parseVersion, validateAliasName, validateModelName } from '../sql/registryValidation';
import type { FileCache } from './fileCache';
import { MODELS_FOLDER } from './fileLayout';
import { ModelVersionRecord, RegisteredModelRecord, RegistryFiles } from './registryFiles';
import { searchModelVersionsInMemory, searchRegisteredModelsInMemory } from './registrySearch';
import { ProblemLog, readOnlyError, unreadable } from './storeProblems';
import { MetaFileError } from './yamlMeta';

export type { SearchModelVersionsRequest, SearchRegisteredModelsRequest } from '../sql/registryStore';

/** What the files say about a version beyond its wire form. */
export interface ModelVersionDetails {
  modelVersion: ModelVersion;
  /** 3.x: the logged model it was created from (absent when none). */
  modelId?: string;
  /** Where the version's files are (`storage_location`), as stored. */
  storageLocation?: string;
}

function page<T>(items: readonly T[], offset: number, maxResults: number): Page<T> {
  const slice = items.slice(offset, offset + maxResults);
  return offset + maxResults < items.length ? { items: slice, nextPageToken: encodeOffsetToken(offset + maxResults) } : { items: slice };
}

export class FileModelRegistry {
  readonly readOnly = true;
  private readonly files: RegistryFiles;

  /** `registryDir` is `<mlruns>/models` unless MLFLOW_REGISTRY_DIR pointed elsewhere. */
  constructor(
    readonly registryDir: string,
    cache: FileCache,
    private readonly problems: ProblemLog,
  ) {
    this.files = new RegistryFiles(registryDir, cache, problems);
  }

  static defaultDir(root: string): string {
    return path.join(root, MODELS_FOLDER);
  }

  async getRegisteredModel(name: string): Promise<RegisteredModel> {
    validateModelName(name);
    const model = await this.requireModel(name);
    return this.toWire(model, await this.files.readVersions(model));
  }

  async searchRegisteredModels(req: SearchRegisteredModelsRequest): Promise<Page<RegisteredModel>> {
    if (req.maxResults < 1) throw MlflowError.invalidParameter(`Invalid value for max_results. It must be a positive integer, but got ${req.maxResults}`);
    const offset = decodeOffsetToken(req.pageToken);
    const models = await this.allModels();
    const sorted = searchRegisteredModelsInMemory(models, req.filter, req.orderBy);
    const result = page(sorted, offset, req.maxResults);
    const items = await Promise.all(result.items.map(async (m) => this.toWire(m, await this.files.readVersions(m))));
    return { ...result, items };
  }

  async getModelVersion(name: string, version: string): Promise<ModelVersion> {
    return (await this.getModelVersionDetails(name, version)).modelVersion;
  }

  /** The version with what only the files keep (model_id, storage_location). */
  async getModelVersionDetails(name: string, version: string): Promise<ModelVersionDetails> {
    validateModelName(name);
    const model = await this.requireModel(name);
    const record = await this.requireVersion(model, parseVersion(version), version);
    const details: ModelVersionDetails = { modelVersion: this.versionToWire(model, record, true) };
    if (record.modelId) details.modelId = record.modelId;
    if (record.row.storage_location) details.storageLocation = record.row.storage_location;
    return details;
  }

  async searchModelVersions(req: SearchModelVersionsRequest): Promise<Page<ModelVersion>> {
    if (req.maxResults < 1) throw MlflowError.invalidParameter(`Invalid value for max_results. It must be a positive integer, but got ${req.maxResults}`);
    const offset = decodeOffsetToken(req.pageToken);
    const all = [];
    for (const model of await this.allModels()) {
      for (const v of await this.files.readVersions(model)) all.push({ ...v, model, modelTags: model.tags });
    }
    const sorted = searchModelVersionsInMemory(all, req.filter, req.orderBy);
    const result = page(sorted, offset, req.maxResults);
    return { ...result, items: result.items.map((v) => this.versionToWire(v.model, v, false)) };
  }

  /** The latest version of each requested stage (all stages when none are given). */
  async getLatestVersions(name: string, stages: string[] = []): Promise<ModelVersion[]> {
    validateModelName(name);
    const wanted = new Set(stages.map(canonicalStage));
    const latest = await this.latest(await this.requireModel(name));
    return wanted.size === 0 ? latest : latest.filter((v) => wanted.has(v.current_stage ?? ''));
  }

  /** The version an alias points at; `latest` (any case) is the first of the latest versions. */
  async getModelVersionByAlias(name: string, alias: string): Promise<ModelVersion> {
    validateModelName(name);
    validateAliasName(alias);
    const model = await this.requireModel(name);
    if (alias.toLowerCase() === 'latest') {
      const latest = await this.latest(model);
      if (latest.length === 0) throw MlflowError.notFound(`Latest version not found for model ${name}.`);
      return latest[0];
    }
    const found = model.aliases.find((a) => a.alias === alias);
    if (!found) throw MlflowError.invalidParameter(`Registered model alias ${alias} not found.`);
    return this.versionToWire(model, await this.requireVersion(model, found.version, String(found.version)), true);
  }

  /** storage_location when set, else source. */
  async getDownloadUri(name: string, version: string): Promise<string> {
    validateModelName(name);
    const model = await this.requireModel(name);
    const row = (await this.requireVersion(model, parseVersion(version), version)).row;
    return row.storage_location || row.source || '';
  }

  /** What every registry write answers. */
  rejectWrite(operation: string): Promise<never> {
    return Promise.reject(readOnlyError(operation));
  }

  private async latest(model: RegisteredModelRecord): Promise<ModelVersion[]> {
    const versions = await this.files.readVersions(model);
    const byVersion = new Map(versions.map((v) => [v.row.version, v]));
    return latestPerStage(versions.map((v) => v.row)).map((row) => this.versionToWire(model, byVersion.get(row.version)!, true));
  }

  private async allModels(): Promise<RegisteredModelRecord[]> {
    const out: RegisteredModelRecord[] = [];
    for (const folder of await this.files.modelFolders()) {
      try {
        out.push(await this.files.readModel(path.join(this.registryDir, folder)));
      } catch (e) {
        if (!(e instanceof MetaFileError)) throw e;
        this.problems.report({ path: e.path, entity: 'registered model', message: e.message });
      }
    }
    return out;
  }

  private async requireModel(name: string): Promise<RegisteredModelRecord> {
    const dir = await this.files.locate(name);
    if (!dir) throw MlflowError.notFound(`Registered Model with name=${name} not found`);
    try {
      return await this.files.readModel(dir);
    } catch (e) {
      if (!(e instanceof MetaFileError)) throw e;
      this.problems.report({ path: e.path, entity: 'registered model', message: e.message });
      throw unreadable(`Registered model '${name}'`, e.message);
    }
  }

  private async requireVersion(model: RegisteredModelRecord, version: number, requested: string): Promise<ModelVersionRecord> {
    let record: ModelVersionRecord | undefined;
    try {
      record = await this.files.readVersion(model, version);
    } catch (e) {
      if (!(e instanceof MetaFileError)) throw e;
      this.problems.report({ path: e.path, entity: 'model version', message: e.message });
      throw unreadable(`Model version ${model.row.name}/${version}`, e.message);
    }
    if (!record || record.row.current_stage === 'Deleted_Internal') {
      throw MlflowError.notFound(`Model Version (name=${model.row.name}, version=${requested}) not found`);
    }
    return record;
  }

  private versionToWire(model: RegisteredModelRecord, v: ModelVersionRecord, withAliases: boolean): ModelVersion {
    const aliases = withAliases ? model.aliases.filter((a) => a.version === v.row.version).map((a) => a.alias) : [];
    return toModelVersion(v.row, v.tags, aliases);
  }

  private toWire(model: RegisteredModelRecord, versions: ModelVersionRecord[]): RegisteredModel {
    const byVersion = new Map(versions.map((v) => [v.row.version, v]));
    const latest = latestPerStage(versions.map((v) => v.row)).map((row) => this.versionToWire(model, byVersion.get(row.version)!, false));
    return toRegisteredModel(
      model.row,
      latest,
      model.tags,
      model.aliases.map((a) => ({ alias: a.alias, version: String(a.version) })),
    );
  }
}
