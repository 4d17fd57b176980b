/**
 * Reading metric files as streams: the latest point and count of a file (kept per file and brought
 * up to date by reading only what MLflow appended since), pages of points from a byte offset, and
 * the step scans behind get-history-bulk-interval.
 */
import type { FileCache } from './fileCache';
import { stampOf } from './fileCache';
import { readBytes, scanLines } from './lineScanner';
import { MalformedMetricError, MetricFileFormat, MetricFilePoint, isLaterPoint, parseMetricLine } from './metricLine';

export interface MetricSummary {
  /** The latest point by (step, timestamp, value); undefined for a file without points. */
  latest?: MetricFilePoint;
  count: number;
  /** Set when a line is malformed: the metric is then unreadable. */
  error?: MalformedMetricError;
}

interface SummaryState {
  ino: bigint;
  stamp: string;
  /** Complete lines were scanned up to here. */
  completeEnd: number;
  /** The bytes just before completeEnd, to tell an append (MLflow's only change) from a rewrite. */
  fingerprint: Buffer;
  lines: number;
  latest?: MetricFilePoint;
  count: number;
  error?: MalformedMetricError;
  result: MetricSummary;
}

export interface PageRequest {
  /** Points to skip from the start of the file (ignored when `startOffset` is given). */
  skip: number;
  /** Byte offset of a line start to read from. */
  startOffset?: number;
  /** Points to return; all when undefined. */
  limit?: number;
}

export interface PageResult {
  points: MetricFilePoint[];
  /** When more points follow: the byte offset where the next page starts. */
  nextOffset?: number;
}

const MAX_SUMMARIES = 50_000;
const FINGERPRINT_BYTES = 64;

export class MetricFileReader {
  private readonly summaries = new Map<string, SummaryState>();

  constructor(private readonly cache: FileCache) {}

  /** Latest point and count; undefined when the file does not exist. */
  async summary(path: string, key: string, format: MetricFileFormat): Promise<MetricSummary | undefined> {
    const st = await this.cache.stat(path);
    if (!st || !st.isFile()) {
      this.summaries.delete(path);
      return undefined;
    }
    const stamp = stampOf(st);
    const previous = this.summaries.get(path);
    if (previous && previous.stamp === stamp) return previous.result;
    let state: SummaryState;
    const appended =
      previous &&
      previous.ino === st.ino &&
      st.size >= BigInt(previous.completeEnd) &&
      (await readBytes(path, previous.completeEnd - previous.fingerprint.length, previous.fingerprint.length))?.equals(previous.fingerprint);
    if (previous && appended) state = { ...previous, stamp };
    else state = { ino: st.ino, stamp, completeEnd: 0, fingerprint: Buffer.alloc(0), lines: 0, count: 0, result: { count: 0 } };
    const scannedFrom = state.completeEnd;
    let tail: string | undefined;
    if (!state.error) {
      const scanned = await scanLines(path, state.completeEnd, (line, end) => {
        state.lines++;
        const parsed = parseMetricLine(line, format);
        state.completeEnd = end;
        if (parsed === undefined) return true;
        if (typeof parsed === 'string') {
          state.error = new MalformedMetricError(key, path, `line ${state.lines}`, parsed);
          return false;
        }
        state.count++;
        if (!state.latest || isLaterPoint(parsed, state.latest)) state.latest = parsed;
        return true;
      });
      if (!scanned) return undefined;
      tail = scanned.stopped ? undefined : scanned.tail;
    }
    if (state.completeEnd !== scannedFrom) {
      const length = Math.min(FINGERPRINT_BYTES, state.completeEnd);
      state.fingerprint = (await readBytes(path, state.completeEnd - length, length)) ?? Buffer.alloc(0);
    }
    state.result = withTail(state, tail, format);
    this.summaries.delete(path);
    this.summaries.set(path, state);
    if (this.summaries.size > MAX_SUMMARIES) this.summaries.delete(this.summaries.keys().next().value!);
    return state.result;
  }

  /** One page of points in file order; throws MalformedMetricError on a bad line in the page. */
  async page(path: string, key: string, format: MetricFileFormat, req: PageRequest): Promise<PageResult> {
    const points: MetricFilePoint[] = [];
    const start = req.startOffset ?? 0;
    let toSkip = req.startOffset === undefined ? req.skip : 0;
    let lineNo = 0;
    let lastEnd = start;
    let nextOffset: number | undefined;
    const accept = (parsed: MetricFilePoint | string | undefined, where: string): boolean => {
      if (parsed === undefined) return true;
      if (typeof parsed === 'string') throw new MalformedMetricError(key, path, where, parsed);
      if (toSkip > 0) {
        toSkip--;
        return true;
      }
      if (req.limit !== undefined && points.length >= req.limit) {
        nextOffset = lastEnd;
        return false;
      }
      points.push(parsed);
      return true;
    };
    const scanned = await scanLines(path, start, (line, end) => {
      lineNo++;
      const where = req.startOffset === undefined ? `line ${lineNo}` : `the line at byte ${lastEnd}`;
      const keepGoing = accept(parseMetricLine(line, format), where);
      if (keepGoing) lastEnd = end;
      return keepGoing;
    });
    if (scanned?.tail !== undefined && nextOffset === undefined) {
      const parsed = parseMetricLine(scanned.tail, format);
      // A malformed unterminated last line is a line still being written: left for the next read.
      if (typeof parsed !== 'string') accept(parsed, 'the last line');
    }
    return nextOffset === undefined ? { points } : { points, nextOffset };
  }

  /** Every point (file order); throws MalformedMetricError on a bad line. */
  async all(path: string, key: string, format: MetricFileFormat): Promise<MetricFilePoint[]> {
    return (await this.page(path, key, format, { skip: 0 })).points;
  }

  /** The distinct steps of a file, with its smallest and largest. */
  async steps(path: string, key: string, format: MetricFileFormat): Promise<{ steps: Set<number>; min?: number; max?: number }> {
    const steps = new Set<number>();
    let min: number | undefined;
    let max: number | undefined;
    await this.forEachPoint(path, key, format, (p) => {
      steps.add(p.step);
      if (min === undefined || p.step < min) min = p.step;
      if (max === undefined || p.step > max) max = p.step;
    });
    return { steps, min, max };
  }

  /** The points whose step is in `steps`, in file order. */
  async pointsAtSteps(path: string, key: string, format: MetricFileFormat, steps: ReadonlySet<number>): Promise<MetricFilePoint[]> {
    const out: MetricFilePoint[] = [];
    await this.forEachPoint(path, key, format, (p) => {
      if (steps.has(p.step)) out.push(p);
    });
    return out;
  }

  clear(): void {
    this.summaries.clear();
  }

  private async forEachPoint(path: string, key: string, format: MetricFileFormat, fn: (p: MetricFilePoint) => void): Promise<void> {
    let lineNo = 0;
    const scanned = await scanLines(path, 0, (line) => {
      lineNo++;
      const parsed = parseMetricLine(line, format);
      if (typeof parsed === 'string') throw new MalformedMetricError(key, path, `line ${lineNo}`, parsed);
      if (parsed) fn(parsed);
    });
    if (scanned?.tail !== undefined) {
      const parsed = parseMetricLine(scanned.tail, format);
      if (parsed && typeof parsed !== 'string') fn(parsed);
    }
  }
}

function withTail(state: SummaryState, tail: string | undefined, format: MetricFileFormat): MetricSummary {
  if (state.error) return { count: state.count, error: state.error, ...(state.latest ? { latest: state.latest } : {}) };
  let { latest, count } = state;
  const parsed = tail === undefined ? undefined : parseMetricLine(tail, format);
  if (parsed && typeof parsed !== 'string') {
    count++;
    if (!latest || isLaterPoint(parsed, latest)) latest = parsed;
  }
  return latest ? { latest, count } : { count };
}
