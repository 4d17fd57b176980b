import type { DatasetInput, Experiment, KeyValue, Metric, MetricPoint, MetricWithRunId, Run, RunInfo, RunStatus, ViewType } from '../entities';
import { apiErrorFrom, MlflowApiError } from './apiError';
import { HttpTransport, type BodySource, type RawResponse, type StreamResponse, type TransportOptions } from './httpTransport';
import { mlflowConnectionFromEnv, type Environment } from './mlflowEnvironment';
import { LoggedModelApi } from './loggedModelApi';
import { RegistryApi } from './registryApi';
import { toQuery, type Query } from './query';

export { MlflowApiError } from './apiError';
export { toQuery, type Query } from './query';

export interface Page<T> {
  items: T[];
  nextPageToken?: string;
}

export interface FileInfo {
  path: string;
  is_dir: boolean;
  file_size?: number;
}

/** An artifact path as URL path segments, each percent-encoded (spaces, unicode, `#`, `?`). */
export function encodeArtifactPath(path: string): string {
  return path.split('/').filter(Boolean).map(encodeURIComponent).join('/');
}

/** Doubles the server sent as "NaN"/"Infinity" strings, back to numbers. */
export function reviveMetric<T extends { value: number | string }>(m: T): T & { value: number } {
  return { ...m, value: typeof m.value === 'string' ? Number(m.value) : m.value };
}

/**
 * A typed client of MLflow's REST API (tracking and artifacts), usable against Runlens' embedded
 * server and any MLflow tracking server.
 */
export class MlflowClient {
  readonly transport: HttpTransport;
  /** Model registry endpoints (registered models, versions, aliases, stages). */
  readonly registry: RegistryApi;
  /** MLflow 3.x logged models. */
  readonly loggedModels: LoggedModelApi;

  constructor(options: TransportOptions) {
    this.transport = new HttpTransport(options);
    this.registry = new RegistryApi(this);
    this.loggedModels = new LoggedModelApi(this);
  }

  /** A client configured from MLflow's environment variables (see mlflowEnvironment.ts). */
  static fromEnvironment(env: Environment = process.env, trackingUri?: string, extra: Partial<TransportOptions> = {}): MlflowClient {
    const { options } = mlflowConnectionFromEnv(env, trackingUri ?? env.MLFLOW_TRACKING_URI);
    return new MlflowClient({ ...options, ...extra });
  }

  get baseUrl(): string {
    return this.transport.baseUrl;
  }

  /** Calls a JSON endpoint under /api/2.0/mlflow/; GET bodies go to the query string. */
  async call<T>(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', route: string, payload: Query | object = {}, idempotent?: boolean, retries?: number): Promise<T> {
    const isGet = method === 'GET';
    const path = `/api/2.0/mlflow/${route}${isGet ? toQuery(payload as Query) : ''}`;
    const body = isGet ? undefined : Buffer.from(JSON.stringify(payload));
    const res = await this.transport.send(method, path, body, body ? { 'Content-Type': 'application/json' } : {}, idempotent ?? isGet, retries);
    return this.parseJson<T>(res, method, path);
  }

  /** The JSON of a 2xx answer, or the MlflowApiError it stands for. */
  parseJson<T>(res: RawResponse, method: string, path: string): T {
    const text = res.body.toString('utf8');
    if (res.status >= 200 && res.status < 300) {
      try {
        return (text ? JSON.parse(text) : {}) as T;
      } catch {
        // fall through: a 2xx that is not JSON is an error too
      }
    }
    throw this.errorFor(res.status, res.headers, text, method, path);
  }

  errorFor(status: number, headers: RawResponse['headers'], text: string, method: string, path: string): MlflowApiError {
    const t = this.transport;
    return apiErrorFrom(status, headers, text, { method, path: path.split('?')[0], baseUrl: t.baseUrl, authKind: t.authKind, redact: (x) => t.redact(x) });
  }

  /**
   * Checks once, without retries, that the server answers the tracking API with these
   * credentials (a search of one experiment): throws the TransportError or MlflowApiError that
   * explains why not.
   */
  async probe(): Promise<void> {
    await this.call('POST', 'experiments/search', { max_results: 1 }, true, 0);
  }

  // Experiments

  async searchExperiments(opts: { filter?: string; orderBy?: string[]; viewType?: ViewType; maxResults?: number; pageToken?: string } = {}): Promise<Page<Experiment>> {
    const res = await this.call<{ experiments?: Experiment[]; next_page_token?: string }>('POST', 'experiments/search', {
      filter: opts.filter,
      order_by: opts.orderBy,
      view_type: opts.viewType ?? 'ACTIVE_ONLY',
      max_results: opts.maxResults ?? 1000,
      page_token: opts.pageToken,
    }, true);
    return { items: res.experiments ?? [], nextPageToken: res.next_page_token };
  }

  async getExperiment(experimentId: string): Promise<Experiment> {
    return (await this.call<{ experiment: Experiment }>('GET', 'experiments/get', { experiment_id: experimentId })).experiment;
  }

  /** The experiment with this name (active or deleted), or undefined. */
  async getExperimentByName(name: string): Promise<Experiment | undefined> {
    try {
      return (await this.call<{ experiment: Experiment }>('GET', 'experiments/get-by-name', { experiment_name: name })).experiment;
    } catch (e) {
      if (e instanceof MlflowApiError && e.errorCode === 'RESOURCE_DOES_NOT_EXIST') return undefined;
      throw e;
    }
  }

  async createExperiment(name: string, tags: KeyValue[] = [], artifactLocation?: string): Promise<string> {
    return (await this.call<{ experiment_id: string }>('POST', 'experiments/create', { name, tags, artifact_location: artifactLocation })).experiment_id;
  }

  async renameExperiment(experimentId: string, newName: string): Promise<void> {
    await this.call('POST', 'experiments/update', { experiment_id: experimentId, new_name: newName });
  }

  async deleteExperiment(experimentId: string): Promise<void> {
    await this.call('POST', 'experiments/delete', { experiment_id: experimentId });
  }

  async restoreExperiment(experimentId: string): Promise<void> {
    await this.call('POST', 'experiments/restore', { experiment_id: experimentId });
  }

  async setExperimentTag(experimentId: string, key: string, value: string): Promise<void> {
    await this.call('POST', 'experiments/set-experiment-tag', { experiment_id: experimentId, key, value });
  }

  // Runs

  async createRun(experimentId: string, opts: { runName?: string; startTime?: number; tags?: KeyValue[]; userId?: string } = {}): Promise<Run> {
    return (
      await this.call<{ run: Run }>('POST', 'runs/create', {
        experiment_id: experimentId,
        run_name: opts.runName,
        start_time: opts.startTime ?? Date.now(),
        tags: opts.tags ?? [],
        user_id: opts.userId,
      })
    ).run;
  }

  async getRun(runId: string): Promise<Run> {
    const { run } = await this.call<{ run: Run }>('GET', 'runs/get', { run_id: runId });
    if (run.data.metrics) run.data.metrics = run.data.metrics.map(reviveMetric);
    return run;
  }

  async searchRuns(opts: { experimentIds: string[]; filter?: string; orderBy?: string[]; viewType?: ViewType; maxResults?: number; pageToken?: string }): Promise<Page<Run>> {
    const res = await this.call<{ runs?: Run[]; next_page_token?: string }>('POST', 'runs/search', {
      experiment_ids: opts.experimentIds,
      filter: opts.filter,
      order_by: opts.orderBy,
      run_view_type: opts.viewType ?? 'ACTIVE_ONLY',
      max_results: opts.maxResults ?? 1000,
      page_token: opts.pageToken,
    }, true);
    const runs = (res.runs ?? []).map((r) => (r.data.metrics ? { ...r, data: { ...r.data, metrics: r.data.metrics.map(reviveMetric) } } : r));
    return { items: runs, nextPageToken: res.next_page_token };
  }

  async updateRun(runId: string, update: { status?: RunStatus; endTime?: number; runName?: string }): Promise<RunInfo> {
    return (await this.call<{ run_info: RunInfo }>('POST', 'runs/update', { run_id: runId, status: update.status, end_time: update.endTime, run_name: update.runName })).run_info;
  }

  async deleteRun(runId: string): Promise<void> {
    await this.call('POST', 'runs/delete', { run_id: runId });
  }

  async restoreRun(runId: string): Promise<void> {
    await this.call('POST', 'runs/restore', { run_id: runId });
  }

  async setTag(runId: string, key: string, value: string): Promise<void> {
    await this.call('POST', 'runs/set-tag', { run_id: runId, key, value });
  }

  async logBatch(runId: string, batch: { metrics?: MetricPoint[]; params?: KeyValue[]; tags?: KeyValue[] }): Promise<void> {
    const metrics = (batch.metrics ?? []).map((m) => ({ ...m, value: Number.isFinite(m.value) ? m.value : String(m.value) }));
    await this.call('POST', 'runs/log-batch', { run_id: runId, metrics, params: batch.params ?? [], tags: batch.tags ?? [] });
  }

  /** Logs dataset inputs and (3.x) logged models used as inputs. */
  async logInputs(runId: string, datasets: DatasetInput[], modelIds: string[] = []): Promise<void> {
    const models = modelIds.length > 0 ? { models: modelIds.map((model_id) => ({ model_id })) } : {};
    await this.call('POST', 'runs/log-inputs', { run_id: runId, datasets, ...models });
  }

  /** Links logged models to a run as its outputs (3.x). */
  async logOutputs(runId: string, models: Array<{ model_id: string; step: number }>): Promise<void> {
    await this.call('POST', 'runs/outputs', { run_id: runId, models });
  }

  /** One page of a metric's history (always sends max_results, as MLflow's client does). */
  async getMetricHistory(runId: string, key: string, maxResults = 25000, pageToken?: string): Promise<Page<Metric>> {
    const res = await this.call<{ metrics?: Metric[]; next_page_token?: string }>('GET', 'metrics/get-history', {
      run_id: runId,
      metric_key: key,
      max_results: maxResults,
      page_token: pageToken,
    });
    return { items: (res.metrics ?? []).map(reviveMetric), nextPageToken: res.next_page_token };
  }

  /** Step-sampled histories of several runs, for charts. */
  async getMetricHistoryBulkInterval(runIds: string[], key: string, maxResults = 2500, range?: { startStep: number; endStep: number }): Promise<MetricWithRunId[]> {
    const res = await this.call<{ metrics?: MetricWithRunId[] }>('GET', 'metrics/get-history-bulk-interval', {
      run_ids: runIds,
      metric_key: key,
      max_results: maxResults,
      start_step: range?.startStep,
      end_step: range?.endStep,
    });
    return (res.metrics ?? []).map(reviveMetric);
  }

  // Artifacts

  /** One level of a run's artifact tree; paths in the answer are relative to the run's root. */
  async listArtifacts(runId: string, path?: string): Promise<{ rootUri: string; files: FileInfo[] }> {
    const res = await this.call<{ root_uri?: string; files?: FileInfo[] }>('GET', 'artifacts/list', { run_id: runId, path });
    return { rootUri: res.root_uri ?? '', files: res.files ?? [] };
  }

  /**
   * Uploads one file to the server's proxied artifact store (`PUT /api/2.0/mlflow-artifacts/artifacts/<path>`),
   * `path` being relative to its artifacts destination (what follows `mlflow-artifacts:/`).
   * The body is streamed and re-opened for each retry.
   */
  async uploadProxiedArtifact(path: string, body: BodySource): Promise<void> {
    const route = `/api/2.0/mlflow-artifacts/artifacts/${encodeArtifactPath(path)}`;
    const res = await this.transport.request('PUT', route, { body, headers: { 'Content-Type': 'application/octet-stream' }, idempotent: true });
    const text = await this.readText(res, 'PUT', route);
    if (res.status < 200 || res.status >= 300) throw this.errorFor(res.status, res.headers, text, 'PUT', route);
  }

  /** Downloads one artifact of a run through the server (proxied artifacts). */
  async downloadArtifact(runId: string, path: string): Promise<Buffer> {
    const route = `/get-artifact${toQuery({ run_id: runId, path })}`;
    const res = await this.transport.send('GET', route);
    if (res.status !== 200) throw this.artifactError(res.status, res.headers, res.body.toString('utf8'), route, path);
    return res.body;
  }

  /** Opens one artifact of a run for streaming (`/get-artifact`); the caller consumes or destroys the stream. */
  async openArtifact(runId: string, path: string): Promise<StreamResponse> {
    return this.openDownload(`/get-artifact${toQuery({ run_id: runId, path })}`, path);
  }

  /** Opens one file of the server's proxied artifact store (`GET /api/2.0/mlflow-artifacts/artifacts/<path>`). */
  async openProxiedArtifact(path: string): Promise<StreamResponse> {
    return this.openDownload(`/api/2.0/mlflow-artifacts/artifacts/${encodeArtifactPath(path)}`, path);
  }

  /** GETs a download route and returns its body as a stream once it answered 200; other answers become errors. */
  async openDownload(route: string, artifactPath: string): Promise<StreamResponse> {
    const res = await this.transport.request('GET', route);
    if (res.status === 200) return res;
    throw this.artifactError(res.status, res.headers, await this.readText(res, 'GET', route), route, artifactPath);
  }

  private async readText(res: StreamResponse, method: string, route: string): Promise<string> {
    const chunks: Buffer[] = [];
    try {
      for await (const c of res.stream) chunks.push(c as Buffer);
    } catch (e) {
      throw this.transport.streamFailure(method, route, e);
    }
    return Buffer.concat(chunks).toString('utf8');
  }

  private artifactError(status: number, headers: RawResponse['headers'], text: string, route: string, artifactPath: string): MlflowApiError {
    const error = this.errorFor(status, headers, text, 'GET', route);
    if (status === 401 || status === 403 || error.errorCode === 'ENDPOINT_NOT_FOUND') return error;
    // MLflow answers a missing artifact with 500 INTERNAL_ERROR (compat §1.6): report it as missing.
    return new MlflowApiError(status, 'RESOURCE_DOES_NOT_EXIST', error.message || `Artifact ${artifactPath} could not be downloaded (HTTP ${status}).`);
  }

  close(): void {
    this.transport.close();
  }
}
