/**
 * A read-only TrackingStore over an MLflow FileStore folder (`mlruns/`, compat §5). Files are read
 * lazily, cached by their stat stamp (so repeated reads are cheap and MLflow's later changes are
 * always seen) and metric files are streamed. Searches follow MLflow's FileStore: NaN metrics
 * compare as NaN, next_page_token only when more rows remain, metric history in logging order.
 * Every write rejects with PERMISSION_DENIED.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DatasetInput, Experiment, Metric, MetricPoint, MetricWithRunId, Page, Run, RunInfo } from '../../entities';
import { decodeOffsetToken, encodeOffsetToken } from '../../search/pageToken';
import { searchRunsInMemory, type SearchableRun } from '../../search/runEvaluator';
import type {
  BulkIntervalRequest,
  CreateExperimentRequest,
  CreateRunRequest,
  LogBatchRequest,
  MetricHistoryRequest,
  SearchExperimentsRequest,
  SearchRunsRequest,
  TrackingStore,
  UpdateRunRequest,
} from '../trackingStore';
import { ArtifactLocation, artifactLocation, localPathOfUri } from './artifactLocations';
import { ExperimentFiles } from './experimentFiles';
import { searchExperimentsInMemory } from './experimentSearch';
import { CacheStats, FileCache } from './fileCache';
import { FileLoggedModels } from './loggedModelFiles';
import { FileModelRegistry } from './fileModelRegistry';
import { toMap } from './keyValues';
import { MetricFileReader } from './metricFiles';
import { FileMetricHistory } from './metricHistory';
import { RunFiles, RunRecord } from './runFiles';
import { readRunOutputs } from './runInputs';
import { ProblemLog, StoreProblem, readOnlyError, unreadable } from './storeProblems';
import { MetaFileError } from './yamlMeta';

export interface FileTrackingStoreOptions {
  /** Called when a new problem is found (unreadable meta.yaml, malformed metric line...). */
  onProblem?: (problem: StoreProblem) => void;
  /** The registry folder (MLFLOW_REGISTRY_DIR); default `<root>/models`. */
  registryDir?: string;
}

interface SearchableRecord extends SearchableRun {
  record: RunRecord;
}

function toRun(r: RunRecord): Run {
  const data: Run['data'] = {};
  if (r.metrics.length > 0) data.metrics = r.metrics;
  if (r.params.length > 0) data.params = r.params;
  if (r.tags.length > 0) data.tags = r.tags;
  return { info: r.info, data, inputs: r.inputs };
}

function toSearchable(record: RunRecord): SearchableRecord {
  return {
    record,
    info: record.info,
    metrics: new Map(record.metrics.map((m) => [m.key, m.value])),
    params: toMap(record.params),
    tags: toMap(record.tags),
    datasetInputs: (record.inputs.dataset_inputs ?? []).map((d) => ({ dataset: d.dataset, tags: toMap(d.tags ?? []) })),
  };
}

export class FileTrackingStore implements TrackingStore {
  readonly readOnly = true;
  /** Absolute path of the mlruns/ folder. */
  readonly root: string;
  /** MLflow 3.x logged models (`<experiment>/models/<id>/`). */
  readonly loggedModels: FileLoggedModels;
  /** The model registry (`<root>/models/`). */
  readonly registry: FileModelRegistry;
  private readonly cache = new FileCache();
  private readonly problemLog: ProblemLog;
  private readonly metricFiles: MetricFileReader;
  private readonly experiments: ExperimentFiles;
  private readonly runs: RunFiles;
  private readonly histories: FileMetricHistory;

  /** `root` is the mlruns/ folder, as a path or a `file:` URI. Nothing is read until asked. */
  constructor(root: string, options: FileTrackingStoreOptions = {}) {
    this.root = path.resolve(localPathOfUri(root) ?? root);
    this.problemLog = new ProblemLog(options.onProblem);
    this.metricFiles = new MetricFileReader(this.cache);
    this.experiments = new ExperimentFiles(this.root, this.cache, this.problemLog);
    this.runs = new RunFiles(this.cache, this.experiments, this.metricFiles, this.problemLog);
    this.histories = new FileMetricHistory(this.cache, this.runs, this.metricFiles);
    this.loggedModels = new FileLoggedModels(this.cache, this.experiments, this.metricFiles, this.problemLog);
    this.registry = new FileModelRegistry(options.registryDir ?? FileModelRegistry.defaultDir(this.root), this.cache, this.problemLog);
  }

  /** Opens a store after checking that the folder exists. */
  static async open(root: string, options: FileTrackingStoreOptions = {}): Promise<FileTrackingStore> {
    const store = new FileTrackingStore(root, options);
    const st = await fs.promises.stat(store.root).catch(() => undefined);
    if (!st?.isDirectory()) throw new Error(`'${store.root}' is not a folder: cannot open it as an MLflow file store.`);
    return store;
  }

  /** Problems met so far that still stand (files that could not be read), sorted by path. */
  problems(): StoreProblem[] {
    return this.problemLog.list();
  }

  cacheStats(): CacheStats {
    return { ...this.cache.stats };
  }

  async getExperiment(experimentId: string): Promise<Experiment> {
    return this.experiments.get(experimentId);
  }

  /** An active experiment with that name, else a deleted one. */
  async getExperimentByName(name: string): Promise<Experiment | undefined> {
    const all = await this.experiments.list('ALL');
    return all.find((e) => e.name === name && e.lifecycle_stage === 'active') ?? all.find((e) => e.name === name);
  }

  async searchExperiments(req: SearchExperimentsRequest): Promise<Page<Experiment>> {
    const offset = decodeOffsetToken(req.pageToken);
    const sorted = searchExperimentsInMemory(await this.experiments.list(req.viewType), req.filter, req.orderBy);
    const items = sorted.slice(offset, offset + req.maxResults);
    return offset + req.maxResults < sorted.length ? { items, nextPageToken: encodeOffsetToken(offset + req.maxResults) } : { items };
  }

  /** A run with its outputs (3.x); deleted runs too. Unreadable files answer INTERNAL_ERROR. */
  async getRun(runId: string): Promise<Run> {
    const record = await this.runs.readStrict(runId);
    return { ...toRun(record), outputs: await readRunOutputs(this.cache, this.problemLog, record.location.dir) };
  }

  async searchRuns(req: SearchRunsRequest): Promise<Page<Run>> {
    const offset = decodeOffsetToken(req.pageToken);
    const locations = [];
    for (const id of new Set(req.experimentIds)) {
      const experiment = await this.experiments.locate(id);
      if (experiment) locations.push(...(await this.runs.locations(experiment)));
    }
    const inView = (info: RunInfo) =>
      req.viewType === 'ALL' ? true : req.viewType === 'DELETED_ONLY' ? info.lifecycle_stage === 'deleted' : info.lifecycle_stage === 'active';
    const records = await this.runs.readMany(locations, (loc) => this.runs.readLenient(loc, inView));
    const matched = searchRunsInMemory(records.map(toSearchable), {
      filter: req.filter,
      viewType: req.viewType,
      orderBy: req.orderBy,
      metricNaN: 'nan',
      offset,
      limit: req.maxResults + 1,
    });
    const more = matched.length > req.maxResults;
    const items = matched.slice(0, req.maxResults).map((s) => toRun(s.record));
    return more ? { items, nextPageToken: encodeOffsetToken(offset + req.maxResults) } : { items };
  }

  /** Points in logging order (duplicates kept), each with run_id; the whole history without maxResults. */
  getMetricHistory(req: MetricHistoryRequest): Promise<Page<Metric>> {
    return this.histories.history(req);
  }

  getMetricHistoryBulkInterval(req: BulkIntervalRequest): Promise<MetricWithRunId[]> {
    return this.histories.bulkInterval(req);
  }

  /** The run's artifact_uri as stored, with the local folder it names (for artifact routes). */
  async runArtifactLocation(runId: string): Promise<ArtifactLocation> {
    const loc = await this.runs.require(runId);
    let info: RunInfo;
    try {
      info = await this.runs.readInfo(loc);
    } catch (e) {
      if (e instanceof MetaFileError) throw unreadable(`Run '${runId}'`, e.message);
      throw e;
    }
    return artifactLocation(info.artifact_uri, loc.dir, loc.experiment.inTrash);
  }

  /** The experiment's artifact_location as stored, with the local folder it names. */
  async experimentArtifactLocation(experimentId: string): Promise<ArtifactLocation> {
    const experiment = await this.experiments.get(experimentId);
    const loc = (await this.experiments.locate(experimentId))!;
    const location = artifactLocation(experiment.artifact_location ?? '', loc.dir, loc.inTrash);
    return { ...location, conventionalPath: loc.dir };
  }

  createExperiment(_req: CreateExperimentRequest): Promise<string> {
    return Promise.reject(readOnlyError('create experiments'));
  }
  renameExperiment(_experimentId: string, _newName: string): Promise<void> {
    return Promise.reject(readOnlyError('rename experiments'));
  }
  deleteExperiment(_experimentId: string): Promise<void> {
    return Promise.reject(readOnlyError('delete experiments'));
  }
  restoreExperiment(_experimentId: string): Promise<void> {
    return Promise.reject(readOnlyError('restore experiments'));
  }
  setExperimentTag(_experimentId: string, _key: string, _value: string): Promise<void> {
    return Promise.reject(readOnlyError('set experiment tags'));
  }
  deleteExperimentTag(_experimentId: string, _key: string): Promise<void> {
    return Promise.reject(readOnlyError('delete experiment tags'));
  }
  createRun(_req: CreateRunRequest): Promise<Run> {
    return Promise.reject(readOnlyError('create runs'));
  }
  updateRun(_req: UpdateRunRequest): Promise<RunInfo> {
    return Promise.reject(readOnlyError('update runs'));
  }
  deleteRun(_runId: string): Promise<void> {
    return Promise.reject(readOnlyError('delete runs'));
  }
  restoreRun(_runId: string): Promise<void> {
    return Promise.reject(readOnlyError('restore runs'));
  }
  logBatch(_req: LogBatchRequest): Promise<void> {
    return Promise.reject(readOnlyError('log metrics, params or tags'));
  }
  logParam(_runId: string, _key: string, _value: string): Promise<void> {
    return Promise.reject(readOnlyError('log params'));
  }
  logMetric(_runId: string, _metric: MetricPoint): Promise<void> {
    return Promise.reject(readOnlyError('log metrics'));
  }
  setTag(_runId: string, _key: string, _value: string): Promise<void> {
    return Promise.reject(readOnlyError('set run tags'));
  }
  deleteTag(_runId: string, _key: string): Promise<void> {
    return Promise.reject(readOnlyError('delete run tags'));
  }
  logInputs(_runId: string, _datasets: DatasetInput[], _modelIds: string[]): Promise<void> {
    return Promise.reject(readOnlyError('log inputs'));
  }
  /** 3.x runs/outputs (not in TrackingStore, but SqlTrackingStore has it). */
  logOutputs(_runId: string, _models: Array<{ modelId: string; step: number }>): Promise<void> {
    return Promise.reject(readOnlyError('log outputs'));
  }

  /** Drops the caches; the store stays usable (it holds no open files). */
  async close(): Promise<void> {
    this.cache.clear();
    this.metricFiles.clear();
  }
}
