import type { DatasetInput, Experiment, KeyValue, MetricPoint, MetricWithRunId, Page, Run, RunInfo, RunStatus, ViewType, Metric } from '../entities';

export interface CreateExperimentRequest {
  name: string;
  artifactLocation?: string;
  tags?: KeyValue[];
}

export interface CreateRunRequest {
  experimentId: string;
  userId?: string;
  runName?: string;
  startTime?: number;
  tags?: KeyValue[];
}

export interface UpdateRunRequest {
  runId: string;
  status?: RunStatus;
  endTime?: number;
  runName?: string;
}

export interface LogBatchRequest {
  runId: string;
  metrics: MetricPoint[];
  params: KeyValue[];
  tags: KeyValue[];
}

export interface SearchRunsRequest {
  experimentIds: string[];
  filter?: string;
  viewType: ViewType;
  maxResults: number;
  orderBy?: string[];
  pageToken?: string;
}

export interface SearchExperimentsRequest {
  filter?: string;
  viewType: ViewType;
  maxResults: number;
  orderBy?: string[];
  pageToken?: string;
}

export interface MetricHistoryRequest {
  runId: string;
  metricKey: string;
  maxResults?: number;
  pageToken?: string;
}

export interface BulkIntervalRequest {
  runIds: string[];
  metricKey: string;
  startStep?: number;
  endStep?: number;
  maxResults: number;
}

/** What the REST server needs from a tracking store, whatever kind of store it is. */
export interface TrackingStore {
  readonly readOnly: boolean;

  createExperiment(req: CreateExperimentRequest): Promise<string>;
  getExperiment(experimentId: string): Promise<Experiment>;
  getExperimentByName(name: string): Promise<Experiment | undefined>;
  searchExperiments(req: SearchExperimentsRequest): Promise<Page<Experiment>>;
  renameExperiment(experimentId: string, newName: string): Promise<void>;
  deleteExperiment(experimentId: string): Promise<void>;
  restoreExperiment(experimentId: string): Promise<void>;
  setExperimentTag(experimentId: string, key: string, value: string): Promise<void>;
  deleteExperimentTag(experimentId: string, key: string): Promise<void>;

  createRun(req: CreateRunRequest): Promise<Run>;
  getRun(runId: string): Promise<Run>;
  updateRun(req: UpdateRunRequest): Promise<RunInfo>;
  deleteRun(runId: string): Promise<void>;
  restoreRun(runId: string): Promise<void>;
  searchRuns(req: SearchRunsRequest): Promise<Page<Run>>;
  logBatch(req: LogBatchRequest): Promise<void>;
  logParam(runId: string, key: string, value: string): Promise<void>;
  logMetric(runId: string, metric: MetricPoint): Promise<void>;
  setTag(runId: string, key: string, value: string): Promise<void>;
  deleteTag(runId: string, key: string): Promise<void>;
  logInputs(runId: string, datasets: DatasetInput[], modelIds: string[]): Promise<void>;

  getMetricHistory(req: MetricHistoryRequest): Promise<Page<Metric>>;
  getMetricHistoryBulkInterval(req: BulkIntervalRequest): Promise<MetricWithRunId[]>;

  close(): Promise<void>;
}
