/**
 * MLflow 3.x logged models of a file store: `<experiment>/models/<model_id>/` with meta.yaml
 * (integer status: 1 PENDING, 2 READY, 3 UPLOAD_FAILED; `lifecycle_stage: deleted` once deleted),
 * params/, tags/ and metrics/ (lines `<timestamp> <value> <step> <run_id> [<dataset_name>
 * <dataset_digest>]`), answered in the wire shape of ../sql/loggedModels.ts.
 */
import * as path from 'node:path';
import type { Page } from '../../entities';
import { MlflowError } from '../../errors';
import { LOGGED_MODEL_STATUSES, type LoggedModelOrder } from '../../search/loggedModelSearch';
import { decodeOffsetToken, encodeOffsetToken } from '../../search/pageToken';
import type { LoggedModel } from '../sql/loggedModels';
import type { ExperimentFiles, ExperimentLocation } from './experimentFiles';
import type { FileCache } from './fileCache';
import { META_FILE, MODELS_FOLDER, isValidEntityId, listKeyFiles, mapLimit } from './fileLayout';
import { readKeyValues } from './keyValues';
import { DatasetFilter, ModelMetricPoint, SearchableLoggedModel, loggedModelComparator, parseLoggedModelFilter } from './loggedModelFilter';
import type { MetricFileReader } from './metricFiles';
import { MalformedMetricError } from './metricLine';
import { ProblemLog, readOnlyError, unreadable } from './storeProblems';
import { MetaFileError, int, readMeta, str } from './yamlMeta';

export interface SearchLoggedModelsRequest {
  experimentIds: string[];
  filter?: string;
  datasets?: DatasetFilter;
  orderBy?: LoggedModelOrder[];
  maxResults: number;
  pageToken?: string;
}

interface ModelRecord extends SearchableLoggedModel {
  deleted: boolean;
  dir: string;
  /** Metric files left out because of a malformed line. */
  errors: MalformedMetricError[];
}

function statusName(meta: Parameters<typeof int>[0]): string {
  const code = int(meta, 'status');
  if (code !== undefined) return LOGGED_MODEL_STATUSES[code] ?? LOGGED_MODEL_STATUSES[0];
  const text = str(meta, 'status');
  if (text === undefined) return LOGGED_MODEL_STATUSES[0];
  return text.startsWith('LOGGED_MODEL_') ? text : `LOGGED_MODEL_${text}`;
}

export class FileLoggedModels {
  constructor(
    private readonly cache: FileCache,
    private readonly experiments: ExperimentFiles,
    private readonly metricFiles: MetricFileReader,
    private readonly problems: ProblemLog,
  ) {}

  /** One logged model (not deleted); unreadable files answer INTERNAL_ERROR. */
  async get(modelId: string): Promise<LoggedModel> {
    const record = await this.require(modelId);
    if (record.errors.length > 0) throw new MlflowError('INTERNAL_ERROR', record.errors[0].message);
    return record.model;
  }

  /** The stored artifact location of a logged model (`<experiment artifact_location>/models/<id>/artifacts`). */
  async artifactLocation(modelId: string): Promise<{ uri: string; dir: string }> {
    const record = await this.require(modelId);
    return { uri: record.model.info.artifact_uri, dir: path.join(record.dir, 'artifacts') };
  }

  async search(req: SearchLoggedModelsRequest): Promise<Page<LoggedModel>> {
    const offset = decodeOffsetToken(req.pageToken);
    const matches = parseLoggedModelFilter(req.filter, req.datasets ?? []);
    const compare = loggedModelComparator(req.orderBy);
    const records: ModelRecord[] = [];
    for (const id of new Set(req.experimentIds)) {
      const experiment = await this.experiments.locate(id);
      if (!experiment) continue;
      const folders = await this.modelFolders(experiment);
      const read = await mapLimit(folders, 16, (dir) => this.readLenient(dir, experiment));
      for (const r of read) if (r && !r.deleted) records.push(r);
    }
    const sorted = records.filter(matches).sort(compare);
    const page = sorted.slice(offset, offset + req.maxResults).map((r) => r.model);
    return offset + req.maxResults < sorted.length ? { items: page, nextPageToken: encodeOffsetToken(offset + req.maxResults) } : { items: page };
  }

  create(): Promise<LoggedModel> {
    return Promise.reject(readOnlyError('create logged models'));
  }
  finalize(_modelId: string, _status: string): Promise<LoggedModel> {
    return Promise.reject(readOnlyError('finalize logged models'));
  }
  delete(_modelId: string): Promise<void> {
    return Promise.reject(readOnlyError('delete logged models'));
  }
  setTags(_modelId: string, _tags: unknown[]): Promise<void> {
    return Promise.reject(readOnlyError('set logged model tags'));
  }
  deleteTag(_modelId: string, _key: string): Promise<void> {
    return Promise.reject(readOnlyError('delete logged model tags'));
  }
  logParams(_modelId: string, _params: unknown[]): Promise<void> {
    return Promise.reject(readOnlyError('log logged model params'));
  }

  private async modelFolders(experiment: ExperimentLocation): Promise<string[]> {
    const dir = path.join(experiment.dir, MODELS_FOLDER);
    return ((await this.cache.listDir(dir)) ?? []).filter((e) => e.isDirectory && !e.name.startsWith('.')).map((e) => path.join(dir, e.name));
  }

  private async require(modelId: string): Promise<ModelRecord> {
    const notFound = () => MlflowError.notFound(`Logged model with ID '${modelId}' not found.`);
    if (!isValidEntityId(modelId)) throw notFound();
    for (const experiment of await this.experiments.locations('ALL')) {
      const dir = path.join(experiment.dir, MODELS_FOLDER, modelId);
      if (!(await this.cache.stat(dir))?.isDirectory()) continue;
      let record: ModelRecord;
      try {
        record = await this.read(dir, experiment);
      } catch (e) {
        if (!(e instanceof MetaFileError)) throw e;
        this.problems.report({ path: e.path, entity: 'logged model', message: e.message });
        throw unreadable(`Logged model '${modelId}'`, e.message);
      }
      if (record.deleted) throw notFound();
      return record;
    }
    throw notFound();
  }

  private async readLenient(dir: string, experiment: ExperimentLocation): Promise<ModelRecord | undefined> {
    try {
      return await this.read(dir, experiment);
    } catch (e) {
      if (!(e instanceof MetaFileError)) throw e;
      this.problems.report({ path: e.path, entity: 'logged model', message: e.message });
      return undefined;
    }
  }

  private async read(dir: string, experiment: ExperimentLocation): Promise<ModelRecord> {
    const file = path.join(dir, META_FILE);
    const meta = await readMeta(this.cache, file);
    if (!meta) throw new MetaFileError(file, 'the file is missing');
    const folder = path.basename(dir);
    const modelId = str(meta, 'model_id') ?? folder;
    if (modelId !== folder) throw new MetaFileError(file, `model_id '${modelId}' does not match its folder '${folder}'`);
    const created = int(meta, 'creation_timestamp') ?? 0;
    const info: LoggedModel['info'] = {
      model_id: modelId,
      experiment_id: str(meta, 'experiment_id') ?? experiment.id,
      name: str(meta, 'name') ?? '',
      creation_timestamp_ms: created,
      last_updated_timestamp_ms: int(meta, 'last_updated_timestamp') ?? created,
      artifact_uri: str(meta, 'artifact_location') ?? '',
      status: statusName(meta),
      model_type: str(meta, 'model_type') ?? '',
    };
    const sourceRunId = str(meta, 'source_run_id');
    if (sourceRunId) info.source_run_id = sourceRunId;
    const statusMessage = str(meta, 'status_message');
    if (statusMessage) info.status_message = statusMessage;
    const tags = await readKeyValues(this.cache, path.join(dir, 'tags'));
    if (tags.length > 0) info.tags = tags;
    const data: LoggedModel['data'] = {};
    const params = await readKeyValues(this.cache, path.join(dir, 'params'));
    if (params.length > 0) data.params = params;
    const { points, wire, errors } = await this.readMetrics(dir, modelId);
    if (wire.length > 0) data.metrics = wire;
    this.problems.resolved(file);
    return { model: { info, data }, points, deleted: str(meta, 'lifecycle_stage') === 'deleted', dir, errors };
  }

  private async readMetrics(dir: string, modelId: string): Promise<{ points: ModelMetricPoint[]; wire: object[]; errors: MalformedMetricError[] }> {
    const metricsDir = path.join(dir, 'metrics');
    const points: ModelMetricPoint[] = [];
    const wire: object[] = [];
    const errors: MalformedMetricError[] = [];
    for (const key of await listKeyFiles(this.cache, metricsDir)) {
      const file = path.join(metricsDir, ...key.split('/'));
      let filePoints;
      try {
        filePoints = (await this.cache.memo(file, 'model-metrics', () => this.metricFiles.all(file, key, 'model'))) ?? [];
        this.problems.resolved(file);
      } catch (e) {
        if (!(e instanceof MalformedMetricError)) throw e;
        errors.push(e);
        this.problems.report({ path: file, entity: 'metric', message: e.message });
        continue;
      }
      for (const p of filePoints) {
        const point: ModelMetricPoint = { key, value: p.value, timestamp: p.timestamp, step: p.step };
        if (p.datasetName !== undefined) point.dataset_name = p.datasetName;
        if (p.datasetDigest !== undefined) point.dataset_digest = p.datasetDigest;
        points.push(point);
        wire.push({ ...point, model_id: modelId, run_id: p.runId });
      }
    }
    return { points, wire, errors };
  }
}
