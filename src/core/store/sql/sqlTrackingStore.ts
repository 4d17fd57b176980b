import type { DatasetInput, Experiment, Metric, MetricPoint, MetricWithRunId, Page, Run, RunInfo } from '../../entities';
import { MlflowError } from '../../errors';
import { decodeOffsetToken } from '../../search/pageToken';
import { atOffset, fullPageOfKeys, pageOfKeys } from './paging';
import { buildExperimentSearchQuery } from '../../search/experimentSearchSql';
import { buildRunSearchQuery } from '../../search/runSearchSql';
import type { SqlDatabase } from '../db/database';
import { SqliteFileDatabase } from '../db/sqliteFile';
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
import { ExperimentTable } from './experiments';
import { LoggedModelTable } from './loggedModels';
import { MetricHistoryReader } from './metricHistory';
import { keepSummaries, restoreSummaries } from './summaryCache';
import { RunDataWriter } from './runData';
import { RunReader } from './runReader';
import { RunTable } from './runs';
import { EXPERIMENT_COLUMNS, ExperimentRow, placeholders } from './rows';

export interface SqlTrackingStoreOptions {
  dbPath: string;
  /** Prefix of new experiments' artifact locations, e.g. "mlflow-artifacts:". */
  defaultArtifactRoot: string;
  log?: (message: string) => void;
  /** Also write a store Runlens did not create (see SqliteFileOptions.readWrite). */
  readWrite?: boolean;
}

/** The tracking store on a database in MLflow's schema (db/database.ts). */
export class SqlTrackingStore implements TrackingStore {
  private readonly experiments: ExperimentTable;
  private readonly reader: RunReader;
  private readonly runTable: RunTable;
  private readonly data: RunDataWriter;
  private readonly histories: MetricHistoryReader;
  /** Logged models (MLflow 3.x), kept beside the runs they come from. */
  readonly loggedModels: LoggedModelTable;

  private constructor(readonly db: SqlDatabase, defaultArtifactRoot: string) {
    this.experiments = new ExperimentTable(db, defaultArtifactRoot);
    this.reader = new RunReader(db);
    this.runTable = new RunTable(db, this.experiments, this.reader);
    this.histories = new MetricHistoryReader(db);
    restoreSummaries(db, this.histories.summaries);
    this.data = new RunDataWriter(db, this.reader, this.histories.summaries);
    this.loggedModels = new LoggedModelTable(db, this.experiments);
  }

  /** Opens a store for writing (a store Runlens did not create only with readWrite). */
  static async open(options: SqlTrackingStoreOptions): Promise<SqlTrackingStore> {
    const db = await SqliteFileDatabase.open(options);
    return new SqlTrackingStore(db, options.defaultArtifactRoot);
  }

  /** The tracking store on an opened database (read-write or read-only). */
  static on(db: SqlDatabase, defaultArtifactRoot: string): SqlTrackingStore {
    return new SqlTrackingStore(db, defaultArtifactRoot);
  }

  /** Writes are refused with PERMISSION_DENIED (a store opened read-only). */
  get readOnly(): boolean {
    return this.db.readOnly;
  }

  createExperiment(req: CreateExperimentRequest): Promise<string> {
    return this.experiments.create(req.name, req.artifactLocation, req.tags ?? []);
  }

  async getExperiment(experimentId: string): Promise<Experiment> {
    return this.experiments.get(experimentId);
  }

  async getExperimentByName(name: string): Promise<Experiment | undefined> {
    return this.experiments.getByName(name);
  }

  async searchExperiments(req: SearchExperimentsRequest): Promise<Page<Experiment>> {
    const offset = decodeOffsetToken(req.pageToken);
    const { sql, params } = buildExperimentSearchQuery({
      filter: req.filter,
      viewType: req.viewType,
      orderBy: req.orderBy,
      offset,
      limit: req.maxResults + 1,
    });
    const ids = (await this.db.all<Record<string, number>>(sql, params)).map(firstColumn);
    return pageOfKeys(ids, req.maxResults, offset, async (pageIds) => {
      const rows = pageIds.length
        ? await this.db.all<ExperimentRow>(`SELECT ${EXPERIMENT_COLUMNS} FROM experiments WHERE experiment_id IN (${placeholders(pageIds.length)})`, pageIds)
        : [];
      const byId = new Map(rows.map((r) => [r.experiment_id, r]));
      return this.experiments.toEntities(pageIds.map((id) => byId.get(id)!));
    });
  }

  renameExperiment(experimentId: string, newName: string): Promise<void> {
    return this.experiments.rename(experimentId, newName);
  }

  deleteExperiment(experimentId: string): Promise<void> {
    return this.experiments.setLifecycle(experimentId, 'deleted');
  }

  restoreExperiment(experimentId: string): Promise<void> {
    return this.experiments.setLifecycle(experimentId, 'active');
  }

  setExperimentTag(experimentId: string, key: string, value: string): Promise<void> {
    return this.experiments.setTag(experimentId, key, value);
  }

  deleteExperimentTag(experimentId: string, key: string): Promise<void> {
    return this.experiments.deleteTag(experimentId, key);
  }

  createRun(req: CreateRunRequest): Promise<Run> {
    return this.runTable.create(req);
  }

  async getRun(runId: string): Promise<Run> {
    return this.reader.get(runId);
  }

  updateRun(req: UpdateRunRequest): Promise<RunInfo> {
    return this.runTable.update(req);
  }

  deleteRun(runId: string): Promise<void> {
    return this.runTable.setLifecycle(runId, 'deleted');
  }

  restoreRun(runId: string): Promise<void> {
    return this.runTable.setLifecycle(runId, 'active');
  }

  async searchRuns(req: SearchRunsRequest): Promise<Page<Run>> {
    const built = buildRunSearchQuery({
      experimentIds: req.experimentIds,
      filter: req.filter,
      viewType: req.viewType,
      orderBy: req.orderBy,
      offset: 0,
      limit: req.maxResults,
    });
    const { query, offset } = atOffset(built, req.pageToken);
    const ids = (await this.db.all<Record<string, string>>(query.sql, query.params)).map(firstColumn);
    return fullPageOfKeys(ids, req.maxResults, offset, (pageIds) => this.reader.runs(pageIds));
  }

  logBatch(req: LogBatchRequest): Promise<void> {
    return this.data.logBatch(req);
  }

  logParam(runId: string, key: string, value: string): Promise<void> {
    return this.data.logParam(runId, key, value);
  }

  logMetric(runId: string, metric: MetricPoint): Promise<void> {
    return this.data.logMetric(runId, metric);
  }

  setTag(runId: string, key: string, value: string): Promise<void> {
    return this.runTable.setTag(runId, key, value);
  }

  deleteTag(runId: string, key: string): Promise<void> {
    return this.runTable.deleteTag(runId, key);
  }

  logOutputs(runId: string, models: Array<{ modelId: string; step: number }>): Promise<void> {
    return this.data.logOutputs(runId, models);
  }

  logInputs(runId: string, datasets: DatasetInput[], modelIds: string[]): Promise<void> {
    return this.data.logInputs(runId, datasets, modelIds);
  }

  async getMetricHistory(req: MetricHistoryRequest): Promise<Page<Metric>> {
    await this.reader.require(req.runId);
    if (req.maxResults !== undefined && req.maxResults < 1) {
      throw MlflowError.invalidParameter(`Invalid value ${req.maxResults} for parameter 'max_results' supplied. It must be a positive integer`);
    }
    return this.histories.history(req);
  }

  async getMetricHistoryBulkInterval(req: BulkIntervalRequest): Promise<MetricWithRunId[]> {
    return this.histories.bulkInterval(req);
  }

  /** Purging deleted runs removed their histories. */
  forgetRuns(runIds: string[]): void {
    for (const runId of runIds) this.histories.summaries.forget(runId);
  }

  async close(): Promise<void> {
    await this.db.close();
    keepSummaries(this.db, this.histories.summaries);
  }
}

/** The first column of a row read as an object (queries that select one key column). */
function firstColumn<T>(row: Record<string, T>): T {
  for (const key in row) return row[key];
  throw new Error('A query returned a row without columns.');
}
