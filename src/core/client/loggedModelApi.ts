import type { KeyValue, Page } from '../entities';
import type { StreamResponse } from './httpTransport';
import type { FileInfo, MlflowClient } from './mlflowClient';
import { toQuery } from './query';

/** A logged model (MLflow 3.x) as the REST API returns it. */
export interface LoggedModel {
  info: {
    model_id: string;
    experiment_id: string;
    name: string;
    creation_timestamp_ms?: number;
    last_updated_timestamp_ms?: number;
    artifact_uri: string;
    status?: string;
    status_message?: string;
    model_type?: string;
    source_run_id?: string;
    tags?: KeyValue[];
  };
  data?: {
    params?: KeyValue[];
    metrics?: Array<{ key: string; value: number | string; timestamp: number; step: number; run_id?: string; dataset_name?: string; dataset_digest?: string; model_id?: string }>;
  };
}

export interface CreateLoggedModel {
  experimentId: string;
  name?: string;
  modelType?: string;
  sourceRunId?: string;
  params?: KeyValue[];
  tags?: KeyValue[];
}

/** MLflow 3.x logged-models/* endpoints. */
export class LoggedModelApi {
  constructor(private readonly client: MlflowClient) {}

  async search(experimentIds: string[], pageToken?: string): Promise<Page<LoggedModel>> {
    const res = await this.client.call<{ models?: LoggedModel[]; next_page_token?: string }>(
      'POST',
      'logged-models/search',
      { experiment_ids: experimentIds, max_results: 100, page_token: pageToken },
      true,
    );
    return { items: res.models ?? [], nextPageToken: res.next_page_token };
  }

  /** Every logged model of the experiments, or [] from a server without logged models (2.x). */
  async all(experimentIds: string[]): Promise<LoggedModel[]> {
    const all: LoggedModel[] = [];
    let pageToken: string | undefined;
    try {
      do {
        const page = await this.search(experimentIds, pageToken);
        all.push(...page.items);
        pageToken = page.nextPageToken;
      } while (pageToken);
    } catch (e) {
      if ((e as { status?: number }).status === 404 && all.length === 0) return [];
      throw e;
    }
    return all;
  }

  async get(modelId: string): Promise<LoggedModel> {
    return (await this.client.call<{ model: LoggedModel }>('GET', `logged-models/${encodeURIComponent(modelId)}`)).model;
  }

  async create(req: CreateLoggedModel): Promise<LoggedModel> {
    return (
      await this.client.call<{ model: LoggedModel }>('POST', 'logged-models', {
        experiment_id: req.experimentId,
        name: req.name,
        model_type: req.modelType,
        source_run_id: req.sourceRunId,
        params: req.params ?? [],
        tags: req.tags ?? [],
      })
    ).model;
  }

  /** Sets the status (`LOGGED_MODEL_READY`, `LOGGED_MODEL_UPLOAD_FAILED`, …) of a logged model. */
  async finalize(modelId: string, status: string): Promise<void> {
    await this.client.call('PATCH', `logged-models/${encodeURIComponent(modelId)}`, { model_id: modelId, status });
  }

  async setTags(modelId: string, tags: KeyValue[]): Promise<void> {
    await this.client.call('PATCH', `logged-models/${encodeURIComponent(modelId)}/tags`, { model_id: modelId, tags });
  }

  /** One level of a logged model's artifacts; paths are relative to the model's artifact root. */
  async listArtifacts(modelId: string, path?: string): Promise<FileInfo[]> {
    const res = await this.client.call<{ files?: FileInfo[] }>('GET', `logged-models/${encodeURIComponent(modelId)}/artifacts/directories`, {
      artifact_directory_path: path,
    });
    return res.files ?? [];
  }

  /** Opens one artifact file of a logged model (MLflow 3's `/ajax-api/2.0/mlflow/logged-models/<id>/artifacts/files`). */
  async openArtifact(modelId: string, path: string): Promise<StreamResponse> {
    return this.client.openDownload(`/ajax-api/2.0/mlflow/logged-models/${encodeURIComponent(modelId)}/artifacts/files${toQuery({ artifact_file_path: path })}`, path);
  }
}
