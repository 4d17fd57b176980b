/**
 * Metric histories of file-store runs: pages in file (logging) order, duplicates kept, as MLflow's
 * FileStore returns them (compat §3.4), and get-history-bulk-interval's step sampling (the same
 * algorithm as ../sql/metricHistory.ts, whose request checks are reused).
 *
 * Page tokens are MLflow's `{"offset": N}` plus the byte offset where the next page starts and
 * the file's inode: while the file is the same (MLflow only appends) the next page is read from
 * there, so reading a long history page by page stays linear; otherwise N points are skipped.
 */
import * as path from 'node:path';
import type { MetricWithRunId, Page } from '../../entities';
import { MlflowError } from '../../errors';
import { decodeOffsetToken } from '../../search/pageToken';
import { arraySteps, sampleSteps } from '../stepSampling';
import type { BulkIntervalRequest, MetricHistoryRequest } from '../trackingStore';
import type { FileCache } from './fileCache';
import { keyFilePath } from './fileLayout';
import { byteBefore } from './lineScanner';
import type { MetricFileReader } from './metricFiles';
import { MalformedMetricError } from './metricLine';
import { FileMetric, RunFiles, RunLocation, toFileMetric } from './runFiles';
import { unreadable } from './storeProblems';
import { MetaFileError } from './yamlMeta';

interface HistoryCursor {
  offset: number;
  pos?: number;
  ino?: string;
}

function encodeCursor(c: Required<HistoryCursor>): string {
  return Buffer.from(`{"offset": ${c.offset}, "pos": ${c.pos}, "ino": "${c.ino}"}`, 'utf8').toString('base64');
}

function decodeCursor(token: string | undefined): HistoryCursor {
  const offset = decodeOffsetToken(token);
  if (!token) return { offset };
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { pos?: unknown; ino?: unknown };
    if (typeof parsed.pos === 'number' && Number.isSafeInteger(parsed.pos) && parsed.pos >= 0 && typeof parsed.ino === 'string') {
      return { offset, pos: parsed.pos, ino: parsed.ino };
    }
  } catch {
    // An MLflow token carries only the offset.
  }
  return { offset };
}

function asMlflowError(e: unknown): unknown {
  return e instanceof MalformedMetricError ? new MlflowError('INTERNAL_ERROR', e.message) : e;
}

export class FileMetricHistory {
  constructor(
    private readonly cache: FileCache,
    private readonly runs: RunFiles,
    private readonly metricFiles: MetricFileReader,
  ) {}

  /** A run's metric file path, after checking the run and its meta.yaml. */
  private async metricFile(runId: string, key: string): Promise<{ loc: RunLocation; file: string }> {
    const loc = await this.runs.require(runId);
    try {
      await this.runs.readInfo(loc);
    } catch (e) {
      if (e instanceof MetaFileError) throw unreadable(`Run '${runId}'`, e.message);
      throw e;
    }
    return { loc, file: keyFilePath(path.join(loc.dir, 'metrics'), key, 'metric') };
  }

  async history(req: MetricHistoryRequest): Promise<Page<FileMetric>> {
    if (req.maxResults !== undefined && req.maxResults < 1) {
      throw MlflowError.invalidParameter(`Invalid value ${req.maxResults} for parameter 'max_results' supplied. It must be a positive integer`);
    }
    const cursor = decodeCursor(req.pageToken);
    const { file } = await this.metricFile(req.runId, req.metricKey);
    const st = await this.cache.stat(file);
    if (!st?.isFile()) return { items: [] };
    let startOffset: number | undefined;
    if (cursor.pos !== undefined && cursor.ino === String(st.ino) && BigInt(cursor.pos) <= st.size && (await byteBefore(file, cursor.pos)) === 10) {
      startOffset = cursor.pos;
    }
    let page;
    try {
      page = await this.metricFiles.page(file, req.metricKey, 'run', { skip: cursor.offset, startOffset, limit: req.maxResults });
    } catch (e) {
      throw asMlflowError(e);
    }
    const items = page.points.map((p) => toFileMetric(req.metricKey, p, req.runId));
    if (page.nextOffset === undefined) return { items };
    return { items, nextPageToken: encodeCursor({ offset: cursor.offset + items.length, pos: page.nextOffset, ino: String(st.ino) }) };
  }

  /**
   * MLflow's bulk-interval sampling: the union of evenly spaced steps across the runs (plus each
   * run's first and last step in range), then every point of each run at those steps, ordered by
   * (step, timestamp). Unknown runs answer RESOURCE_DOES_NOT_EXIST, as MLflow's handler does.
   */
  async bulkInterval(req: BulkIntervalRequest): Promise<MetricWithRunId[]> {
    const runIds = req.runIds;
    try {
      const files: string[] = [];
      for (const id of runIds) files.push((await this.metricFile(id, req.metricKey)).file);
      const perRun = await Promise.all(files.map((f) => this.metricFiles.steps(f, req.metricKey, 'run')));
      const all = new Set<number>();
      for (const r of perRun) for (const s of r.steps) all.add(s);
      if (all.size === 0) return [];
      const bounds = perRun.filter((r) => r.min !== undefined && r.max !== undefined).map((r) => ({ min: r.min!, max: r.max! }));
      const range = req.startStep !== undefined && req.endStep !== undefined ? { start: req.startStep, end: req.endStep } : undefined;
      const chosen = new Set(sampleSteps(arraySteps([...all].sort((a, b) => a - b)), bounds, req.maxResults, range));
      const result: MetricWithRunId[] = [];
      for (let i = 0; i < runIds.length; i++) {
        const points = await this.metricFiles.pointsAtSteps(files[i], req.metricKey, 'run', chosen);
        points.sort((a, b) => a.step - b.step || a.timestamp - b.timestamp);
        for (const p of points) result.push({ key: req.metricKey, value: p.value, timestamp: p.timestamp, step: p.step, run_id: runIds[i] });
      }
      return result;
    } catch (e) {
      throw asMlflowError(e);
    }
  }
}
