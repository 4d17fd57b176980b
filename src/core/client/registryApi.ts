import type { KeyValue, Page } from '../entities';
import type { StreamResponse } from './httpTransport';
import type { MlflowClient } from './mlflowClient';
import { toQuery } from './query';

/** A registered model as the registry API returns it (compat §1.3, §1.5). */
export interface RegisteredModel {
  name: string;
  creation_timestamp?: number;
  last_updated_timestamp?: number;
  description?: string;
  tags?: KeyValue[];
  aliases?: Array<{ alias: string; version: string }>;
  latest_versions?: ModelVersion[];
}

export interface ModelVersion {
  name: string;
  version: string;
  creation_timestamp?: number;
  last_updated_timestamp?: number;
  current_stage?: string;
  description?: string;
  source?: string;
  run_id?: string;
  run_link?: string;
  status?: string;
  status_message?: string;
  user_id?: string;
  tags?: KeyValue[];
  aliases?: string[];
  model_id?: string;
}

export interface CreateModelVersion {
  name: string;
  source: string;
  runId?: string;
  runLink?: string;
  description?: string;
  tags?: KeyValue[];
  modelId?: string;
}

/** Quotes a value for a search filter (`name = '...'`); double quotes when the value has a single quote. */
export function filterString(value: string): string {
  return value.includes("'") && !value.includes('"') ? `"${value}"` : `'${value.replace(/'/g, "\\'")}'`;
}

/** The model registry endpoints (`registered-models/*`, `model-versions/*`). */
export class RegistryApi {
  constructor(private readonly client: MlflowClient) {}

  async searchRegisteredModels(opts: { filter?: string; maxResults?: number; pageToken?: string } = {}): Promise<Page<RegisteredModel>> {
    const res = await this.client.call<{ registered_models?: RegisteredModel[]; next_page_token?: string }>('GET', 'registered-models/search', {
      filter: opts.filter,
      max_results: opts.maxResults ?? 1000,
      page_token: opts.pageToken,
    });
    return { items: res.registered_models ?? [], nextPageToken: res.next_page_token };
  }

  /** Every registered model, all pages. */
  async allRegisteredModels(): Promise<RegisteredModel[]> {
    const all: RegisteredModel[] = [];
    let pageToken: string | undefined;
    do {
      const page = await this.searchRegisteredModels({ pageToken });
      all.push(...page.items);
      pageToken = page.nextPageToken;
    } while (pageToken);
    return all;
  }

  async getRegisteredModel(name: string): Promise<RegisteredModel> {
    return (await this.client.call<{ registered_model: RegisteredModel }>('GET', 'registered-models/get', { name })).registered_model;
  }

  async createRegisteredModel(name: string, opts: { description?: string; tags?: KeyValue[] } = {}): Promise<RegisteredModel> {
    return (
      await this.client.call<{ registered_model: RegisteredModel }>('POST', 'registered-models/create', { name, description: opts.description, tags: opts.tags ?? [] })
    ).registered_model;
  }

  async updateRegisteredModel(name: string, description: string): Promise<void> {
    await this.client.call('PATCH', 'registered-models/update', { name, description });
  }

  async setRegisteredModelTag(name: string, key: string, value: string): Promise<void> {
    await this.client.call('POST', 'registered-models/set-tag', { name, key, value });
  }

  async setAlias(name: string, alias: string, version: string): Promise<void> {
    await this.client.call('POST', 'registered-models/alias', { name, alias, version });
  }

  async searchModelVersions(opts: { filter?: string; maxResults?: number; pageToken?: string } = {}): Promise<Page<ModelVersion>> {
    const res = await this.client.call<{ model_versions?: ModelVersion[]; next_page_token?: string }>('GET', 'model-versions/search', {
      filter: opts.filter,
      max_results: opts.maxResults ?? 10000,
      page_token: opts.pageToken,
    });
    return { items: res.model_versions ?? [], nextPageToken: res.next_page_token };
  }

  /** Every (not deleted) version of a registered model, ascending by version number. */
  async allVersions(name: string): Promise<ModelVersion[]> {
    const all: ModelVersion[] = [];
    let pageToken: string | undefined;
    do {
      const page = await this.searchModelVersions({ filter: `name = ${filterString(name)}`, pageToken });
      all.push(...page.items.filter((v) => v.name === name));
      pageToken = page.nextPageToken;
    } while (pageToken);
    return all.sort((a, b) => Number(a.version) - Number(b.version));
  }

  async getModelVersion(name: string, version: string): Promise<ModelVersion> {
    return (await this.client.call<{ model_version: ModelVersion }>('GET', 'model-versions/get', { name, version })).model_version;
  }

  async createModelVersion(req: CreateModelVersion): Promise<ModelVersion> {
    return (
      await this.client.call<{ model_version: ModelVersion }>('POST', 'model-versions/create', {
        name: req.name,
        source: req.source,
        run_id: req.runId,
        run_link: req.runLink,
        description: req.description,
        tags: req.tags ?? [],
        model_id: req.modelId,
      })
    ).model_version;
  }

  async updateModelVersion(name: string, version: string, description: string): Promise<void> {
    await this.client.call('PATCH', 'model-versions/update', { name, version, description });
  }

  async transitionStage(name: string, version: string, stage: string): Promise<void> {
    await this.client.call('POST', 'model-versions/transition-stage', { name, version, stage, archive_existing_versions: false });
  }

  async setModelVersionTag(name: string, version: string, key: string, value: string): Promise<void> {
    await this.client.call('POST', 'model-versions/set-tag', { name, version, key, value });
  }

  /** Opens one file of a model version's artifacts (`/model-versions/get-artifact`). */
  async openVersionArtifact(name: string, version: string, path: string): Promise<StreamResponse> {
    return this.client.openDownload(`/model-versions/get-artifact${toQuery({ name, version, path })}`, path);
  }
}
