/**
 * One line of a metric file (compat §5): `<timestamp> <value> [<step>]`, 3.x adding
 * ` <dataset_name> <dataset_digest>`; logged-model metric files put the run id after the step
 * (4 or 6 fields). Values are Python float text (`nan`, `inf`, `-inf`, `1e-05`). Unlike MLflow 3.5,
 * the step of a 5-field line is read from its third field.
 */

export interface MetricFilePoint {
  timestamp: number;
  value: number;
  step: number;
  runId?: string;
  datasetName?: string;
  datasetDigest?: string;
}

/** `run` = runs' metrics/ files; `model` = logged models' metrics/ files. */
export type MetricFileFormat = 'run' | 'model';

/** A line that is no metric point; the message says what was found, as MLflow's does. */
export class MalformedMetricError extends Error {
  constructor(
    readonly key: string,
    readonly path: string,
    /** e.g. "line 3" or "the line at byte 1024". */
    readonly location: string,
    detail: string,
  ) {
    super(`Metric '${key}' is malformed; ${detail} (${location} of ${path})`);
    this.name = 'MalformedMetricError';
  }
}

const FLOAT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const INT = /^[+-]?\d+$/;

/** Python's float() of a metric value; undefined where Python would raise. */
export function pyFloat(text: string): number | undefined {
  const t = text.toLowerCase();
  if (FLOAT.test(t)) return Number(t);
  const sign = t.startsWith('-') ? -1 : 1;
  const body = t.replace(/^[+-]/, '');
  if (body === 'inf' || body === 'infinity') return sign * Infinity;
  if (body === 'nan') return NaN;
  return undefined;
}

function pyInt(text: string): number | undefined {
  return INT.test(text) ? Number(text) : undefined;
}

/**
 * Parses one line; returns undefined for a blank line (MLflow would fail on it; it carries no
 * point, so it is skipped) and a string describing the problem for a malformed one.
 */
export function parseMetricLine(line: string, format: MetricFileFormat): MetricFilePoint | string | undefined {
  const stripped = line.trim();
  if (stripped === '') return undefined;
  const parts = stripped.split(' ');
  const n = parts.length;
  const valid = format === 'run' ? n === 2 || n === 3 || n === 5 : n === 4 || n === 6;
  if (!valid) {
    const expected = format === 'run' ? '2, 3, or 5' : '4 or 6';
    return `persisted metric data contained ${n} fields. Expected ${expected} fields.`;
  }
  const timestamp = pyInt(parts[0]);
  if (timestamp === undefined) return `invalid timestamp '${parts[0]}'.`;
  const value = pyFloat(parts[1]);
  if (value === undefined) return `invalid value '${parts[1]}'.`;
  const step = n >= 3 ? pyInt(parts[2]) : 0;
  if (step === undefined) return `invalid step '${parts[2]}'.`;
  const point: MetricFilePoint = { timestamp, value, step };
  if (format === 'model') {
    point.runId = parts[3];
    if (n === 6) {
      point.datasetName = parts[4];
      point.datasetDigest = parts[5];
    }
  } else if (n === 5) {
    point.datasetName = parts[3];
    point.datasetDigest = parts[4];
  }
  return point;
}

/**
 * Whether `a` replaces `b` as the latest point: Python's `max` over (step, timestamp, value)
 * tuples — the first differing element decides, NaN never compares greater, ties keep `b`.
 */
export function isLaterPoint(a: MetricFilePoint, b: MetricFilePoint): boolean {
  if (a.step !== b.step) return a.step > b.step;
  if (a.timestamp !== b.timestamp) return a.timestamp > b.timestamp;
  if (a.value === b.value) return false;
  return a.value > b.value;
}
