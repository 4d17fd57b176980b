/**
 * Runs of an mlruns/ folder (compat §5 "Run meta.yaml"): `<experiment>/<run_id>/` with meta.yaml
 * (integer status, lifecycle_stage, run_name), params/, tags/, metrics/ (latest point per key by
 * (step, timestamp, value)), inputs/ and outputs/. Metrics carry `run_id` (and the dataset of
 * points logged with one), as a FileStore-backed MLflow 3.x server returns them.
 */
import * as path from 'node:path';
import type { KeyValue, Metric, RunInfo, RunInputs, RunStatus } from '../../entities';
import { RUN_STATUSES } from '../../entities';
import { MlflowError } from '../../errors';
import type { ExperimentFiles, ExperimentLocation } from './experimentFiles';
import type { FileCache } from './fileCache';
import { META_FILE, isRunFolderName, listKeyFiles, mapLimit, validateRunId } from './fileLayout';
import { readKeyValues } from './keyValues';
import type { MetricFileReader } from './metricFiles';
import type { MalformedMetricError, MetricFilePoint } from './metricLine';
import { readRunInputs } from './runInputs';
import { ProblemLog, unreadable } from './storeProblems';
import { MetaFileError, int, readMeta, str } from './yamlMeta';

export interface RunLocation {
  runId: string;
  dir: string;
  experiment: ExperimentLocation;
}

/** A metric as a FileStore-backed server sends it (run_id always, dataset when logged with one). */
export interface FileMetric extends Metric {
  dataset_name?: string;
  dataset_digest?: string;
  run_id: string;
}

/** Everything read for one run. */
export interface RunRecord {
  location: RunLocation;
  info: RunInfo;
  params: KeyValue[];
  tags: KeyValue[];
  /** Latest point per key, sorted by key. */
  metrics: FileMetric[];
  /** Metrics left out because their file has a malformed line. */
  unreadableMetrics: MalformedMetricError[];
  inputs: RunInputs;
}

const RUN_NAME_TAG = 'mlflow.runName';

export function toFileMetric(key: string, p: MetricFilePoint, runId: string): FileMetric {
  // Proto field order: key, value, timestamp, step, dataset_name, dataset_digest, model_id, run_id.
  if (p.datasetName === undefined) return { key, value: p.value, timestamp: p.timestamp, step: p.step, run_id: runId };
  return { key, value: p.value, timestamp: p.timestamp, step: p.step, dataset_name: p.datasetName, dataset_digest: p.datasetDigest, run_id: runId };
}

function runStatus(meta: Parameters<typeof int>[0], file: string): RunStatus {
  const code = int(meta, 'status');
  if (code !== undefined) {
    const name = RUN_STATUSES[code - 1];
    if (!name) throw new MetaFileError(file, `unknown run status ${code}`);
    return name;
  }
  const text = str(meta, 'status');
  if (text === undefined) return 'RUNNING';
  if ((RUN_STATUSES as readonly string[]).includes(text)) return text as RunStatus;
  throw new MetaFileError(file, `unknown run status '${text}'`);
}

export class RunFiles {
  /** Last known folder of each run id, checked before use. */
  private readonly known = new Map<string, RunLocation>();

  constructor(
    private readonly cache: FileCache,
    private readonly experiments: ExperimentFiles,
    private readonly metricFiles: MetricFileReader,
    private readonly problems: ProblemLog,
  ) {}

  /** The run folders of an experiment folder. */
  async locations(experiment: ExperimentLocation): Promise<RunLocation[]> {
    const entries = (await this.cache.listDir(experiment.dir)) ?? [];
    return entries
      .filter((e) => e.isDirectory && isRunFolderName(e.name))
      .map((e) => ({ runId: e.name, dir: path.join(experiment.dir, e.name), experiment }));
  }

  /** Finds a run's folder in any experiment, active or deleted; undefined when there is none. */
  async locate(runId: string): Promise<RunLocation | undefined> {
    validateRunId(runId);
    const known = this.known.get(runId);
    if (known && (await this.cache.stat(known.dir))?.isDirectory()) return known;
    this.known.delete(runId);
    for (const experiment of await this.experiments.locations('ALL')) {
      const dir = path.join(experiment.dir, runId);
      if ((await this.cache.stat(dir))?.isDirectory()) {
        const loc = { runId, dir, experiment };
        this.known.set(runId, loc);
        return loc;
      }
    }
    return undefined;
  }

  /** The run's folder or MLflow's FileStore error "Run '<id>' not found". */
  async require(runId: string): Promise<RunLocation> {
    const loc = await this.locate(runId);
    if (!loc) throw MlflowError.notFound(`Run '${runId}' not found`);
    return loc;
  }

  /** RunInfo from meta.yaml (`read` completes an empty run_name from the mlflow.runName tag). */
  async readInfo(loc: RunLocation): Promise<RunInfo> {
    const file = path.join(loc.dir, META_FILE);
    const meta = await readMeta(this.cache, file);
    if (!meta) throw new MetaFileError(file, 'the file is missing');
    const runId = str(meta, 'run_id') || str(meta, 'run_uuid') || loc.runId;
    if (runId !== loc.runId) throw new MetaFileError(file, `run_id '${runId}' does not match its folder '${loc.runId}'`);
    const experimentId = str(meta, 'experiment_id');
    if (experimentId !== loc.experiment.id) {
      throw new MetaFileError(file, `experiment_id '${experimentId ?? ''}' does not match its experiment folder '${loc.experiment.id}'; the run is ignored`);
    }
    const info: RunInfo = {
      run_id: runId,
      run_uuid: runId,
      run_name: str(meta, 'run_name') ?? '',
      experiment_id: experimentId,
      user_id: str(meta, 'user_id') ?? '',
      status: runStatus(meta, file),
      start_time: int(meta, 'start_time') ?? 0,
      artifact_uri: str(meta, 'artifact_uri') ?? '',
      lifecycle_stage: str(meta, 'lifecycle_stage') === 'deleted' ? 'deleted' : 'active',
    };
    const end = int(meta, 'end_time');
    if (end !== undefined) info.end_time = end;
    this.problems.resolved(file);
    return info;
  }

  /**
   * Reads a whole run; throws MetaFileError when its meta.yaml is unusable. With `wanted`, runs
   * whose info it rejects are not read further (undefined).
   */
  async read(loc: RunLocation): Promise<RunRecord>;
  async read(loc: RunLocation, wanted: (info: RunInfo) => boolean): Promise<RunRecord | undefined>;
  async read(loc: RunLocation, wanted?: (info: RunInfo) => boolean): Promise<RunRecord | undefined> {
    const info = await this.readInfo(loc);
    if (wanted && !wanted(info)) return undefined;
    const tags = await readKeyValues(this.cache, path.join(loc.dir, 'tags'));
    if (!info.run_name) info.run_name = tags.find((t) => t.key === RUN_NAME_TAG)?.value ?? '';
    const params = await readKeyValues(this.cache, path.join(loc.dir, 'params'));
    const metrics: FileMetric[] = [];
    const unreadableMetrics: MalformedMetricError[] = [];
    const metricsDir = path.join(loc.dir, 'metrics');
    for (const key of await listKeyFiles(this.cache, metricsDir)) {
      const file = path.join(metricsDir, ...key.split('/'));
      const summary = await this.metricFiles.summary(file, key, 'run');
      if (summary?.error) {
        unreadableMetrics.push(summary.error);
        this.problems.report({ path: file, entity: 'metric', message: summary.error.message });
      } else {
        this.problems.resolved(file);
        if (summary?.latest) metrics.push(toFileMetric(key, summary.latest, info.run_id));
      }
    }
    const inputs = await readRunInputs(this.cache, this.problems, loc.experiment.dir, loc.dir);
    return { location: loc, info, params, tags, metrics, unreadableMetrics, inputs };
  }

  /** Reads a run for a direct request: an unusable meta.yaml or metric answers INTERNAL_ERROR. */
  async readStrict(runId: string): Promise<RunRecord> {
    const loc = await this.require(runId);
    let record: RunRecord;
    try {
      record = await this.read(loc);
    } catch (e) {
      if (!(e instanceof MetaFileError)) throw e;
      this.problems.report({ path: e.path, entity: 'run', message: e.message });
      throw unreadable(`Run '${runId}'`, e.message);
    }
    if (record.unreadableMetrics.length > 0) throw new MlflowError('INTERNAL_ERROR', record.unreadableMetrics[0].message);
    return record;
  }

  /** Reads the runs of the given folders; unreadable runs are reported and left out. */
  async readMany(locations: readonly RunLocation[], read: (loc: RunLocation) => Promise<RunRecord | undefined>): Promise<RunRecord[]> {
    const records = await mapLimit(locations, 16, read);
    return records.filter((r): r is RunRecord => r !== undefined);
  }

  /** `read`, reporting an unusable meta.yaml instead of throwing (for listings and searches). */
  async readLenient(loc: RunLocation, wanted: (info: RunInfo) => boolean = () => true): Promise<RunRecord | undefined> {
    try {
      const record = await this.read(loc, wanted);
      if (record) this.known.set(record.info.run_id, loc);
      return record;
    } catch (e) {
      if (!(e instanceof MetaFileError)) throw e;
      // A folder without meta.yaml that does not look like a run is not worth a warning.
      if (!/^[0-9a-f]{32}$/.test(loc.runId) && !(await this.cache.stat(path.join(loc.dir, META_FILE)))) return undefined;
      this.problems.report({ path: e.path, entity: 'run', message: e.message });
      return undefined;
    }
  }
}
