import type { DatasetInput, Experiment, KeyValue, Metric, MetricPoint, MetricWithRunId, Run, RunInfo, RunStatus, ViewType } from '../entities';
import { HttpTransport, type TransportOptions } from './httpTransport';

/** An error answered by an MLflow server, with its HTTP status and MLflow error code. */
export class MlflowApiError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
  ) {
    super(message);
    this.name = 'MlflowApiError';
  }
}

export interface Page<T> {
  items: T[];
  nextPageToken?: string;
}

export interface FileInfo {
  path: string;
  is_dir: boolean;
  file_size?: number;
}

type Query = Record<string, string | number | boolean | undefined | Array<string | number>>;

function toQuery(query: Query): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) params.append(key, String(item));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** Doubles the server sent as "NaN"/"Infinity" strings, back to numbers. */
function reviveMetric<T extends { value: number | string }>(m: T): T & { value: number } {
  return { ...m, value: typeof m.value === 'string' ? Number(m.value) : m.value };
}

/**
 * A typed client of MLflow's REST API (tracking and artifacts), usable against Runlens' embedded
 * server and any MLflow tracking server.
 */
export class MlflowClient {
  readonly transport: HttpTransport;

  constructor(options: TransportOptions) {
    this.transport = new HttpTransport(options);
  }

  get baseUrl(): string {
    return this.transport.baseUrl;
  }

  /** Calls a JSON endpoint under /api/2.0/mlflow/; GET bodies go to the query string. */
  async call<T>(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', route: string, payload: Query | object = {}, idempotent?: boolean): Promise<T> {
    const isGet = method === 'GET';
    const path = `/api/2.0/mlflow/${route}${isGet ? toQuery(payload as Query) : ''}`;
    const body = isGet ? undefined : Buffer.from(JSON.stringify(payload));
    const res = await this.transport.send(method, path, body, body ? { 'Content-Type': 'application/json' } : {}, idempotent ?? isGet);
    const text = res.body.toString('utf8');
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : {};
    } catch {
      json = undefined;
    }
    if (res.status >= 200 && res.status < 300 && json !== undefined) return json as T;
    const error = json as { error_code?: string; message?: string } | undefined;
    if (error?.error_code) throw new MlflowApiError(res.status, error.error_code, error.message ?? '');
    throw new MlflowApiError(res.status, res.status === 404 ? 'ENDPOINT_NOT_FOUND' : 'INTERNAL_ERROR', explainNonJson(res.status, text));
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

  async logInputs(runId: string, datasets: DatasetInput[]): Promise<void> {
    await this.call('POST', 'runs/log-inputs', { run_id: runId, datasets });
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

  /** Downloads one artifact of a run through the server (proxied artifacts). */
  async downloadArtifact(runId: string, path: string): Promise<Buffer> {
    const res = await this.transport.send('GET', `/get-artifact${toQuery({ run_id: runId, path })}`);
    if (res.status !== 200) {
      const text = res.body.toString('utf8');
      let message = text;
      try {
        message = (JSON.parse(text) as { message?: string }).message ?? text;
      } catch {
        // keep the text
      }
      throw new MlflowApiError(res.status, 'RESOURCE_DOES_NOT_EXIST', message || `Artifact ${path} could not be downloaded (HTTP ${res.status}).`);
    }
    return res.body;
  }

  close(): void {
    this.transport.close();
  }
}

function explainNonJson(status: number, text: string): string {
  const snippet = text.slice(0, 200).trim();
  if (status === 403 && /DNS rebinding/i.test(text)) {
    return 'The server refused the Host header (MLflow 3.x DNS-rebinding protection). Start it with --allowed-hosts including this host name.';
  }
  if (status === 403 && /Cross-origin/i.test(text)) return 'The server refused a cross-origin request.';
  if (status === 401) return 'The server requires authentication (401). Check the username and password or token.';
  return `HTTP ${status}${snippet ? `: ${snippet}` : ''}`;
}
