import { MlflowError } from './errors';
import { pyFloat, pyJsonDumps, pyStr } from './search/pythonRepr';

/** Length limits in characters (compat §2.1). */
export const LIMITS = {
  key: 250,
  paramValue: 6000,
  tagValue: 8000,
  experimentName: 500,
  experimentTagKey: 250,
  experimentTagValue: 5000,
  artifactLocation: 2048,
  batchMetrics: 1000,
  batchParams: 100,
  batchTags: 100,
  batchTotal: 1000,
  datasetName: 500,
  datasetDigest: 36,
  datasetSource: 65535,
  datasetSchema: 1048575,
  datasetProfile: 16777215,
  inputTagKey: 255,
  inputTagValue: 500,
} as const;

/** Python's `^[/\w.\- :]*$`: word characters are letters, digits and `_`; `$` also matches before a final newline. */
const NAME_CHARS = /^[/\p{L}\p{N}_.\- :]*\n?$/u;
const RUN_ID = /^[a-zA-Z0-9][\w-]{0,255}$/;

const BAD_CHARACTERS =
  'Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), colon(:) and slashes (/).';

/** MLflow's "Invalid value <json> for parameter '<path>' supplied[: <message>]". */
export function invalidValueMessage(path: string, value: unknown, message?: string): string {
  return `Invalid value ${pyJsonDumps(value)} for parameter '${path}' supplied${message ? `: ${message}` : '.'}`;
}

/** Python's posixpath.normpath. */
export function posixNormpath(path: string): string {
  if (path === '') return '.';
  const initial = path.startsWith('//') && !path.startsWith('///') ? '//' : path.startsWith('/') ? '/' : '';
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part !== '..' || (!initial && parts.length === 0) || (parts.length > 0 && parts[parts.length - 1] === '..')) parts.push(part);
    else if (parts.length > 0) parts.pop();
  }
  return initial + parts.join('/') || '.';
}

/** Whether a name, read as a path, would resolve to another name (compat §2.2). */
function pathNotUnique(name: string): boolean {
  const norm = posixNormpath(name);
  return norm !== name || norm === '.' || norm.startsWith('..') || norm.startsWith('/');
}

/** Validates a metric, param or tag key; `param` names the request field for the message. */
export function validateName(name: string, param: string): void {
  if (!NAME_CHARS.test(name)) throw MlflowError.invalidParameter(invalidValueMessage(param, name, BAD_CHARACTERS));
  if (pathNotUnique(name)) {
    throw MlflowError.invalidParameter(
      invalidValueMessage(
        param,
        name,
        'Names may be treated as files in certain cases, and must not resolve to other names when treated as such. ' +
          `This name would resolve to ${pyStr(posixNormpath(name))}`,
      ),
    );
  }
}

export function validateLength(value: string, limit: number, what: string): void {
  if ([...value].length > limit) {
    throw MlflowError.invalidParameter(`'${what}' exceeds the maximum length of ${limit} characters`);
  }
}

/** Truncates an over-long param or tag value to its limit, as MLflow does by default. */
export function truncateValue(value: string, limit: number): string {
  if (value.length <= limit) return value;
  const chars = [...value];
  return chars.length <= limit ? value : chars.slice(0, limit).join('');
}

export function validateRunId(runId: string): void {
  if (!RUN_ID.test(runId)) {
    throw MlflowError.invalidParameter(invalidValueMessage('run_id', runId));
  }
}

export function validateExperimentName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || name === '') {
    throw MlflowError.invalidParameter(`Invalid experiment name: '${typeof name === 'string' ? name : String(name)}'`);
  }
  validateLength(name, LIMITS.experimentName, 'name');
}

/** The SQL store's only check of an experiment's artifact location (runs:/ URIs are accepted). */
export function validateArtifactLocation(location: string): void {
  if (location.length > LIMITS.artifactLocation) {
    throw MlflowError.invalidParameter(
      `Invalid artifact path length. The length of the artifact path cannot be greater than ${LIMITS.artifactLocation} characters. ` +
        'To configure this limit, please set the MLFLOW_ARTIFACT_LOCATION_MAX_LENGTH environment variable.',
    );
  }
}

/** A JSON path joined as MLflow does: `name`, or `metrics[0].name`. */
function joinPath(prefix: string, field: string): string {
  return prefix ? `${prefix}.${field}` : field;
}

/**
 * MLflow's checks of one metric, in its order: name, timestamp (non-negative), then the key's
 * length. `prefix` is `metrics[i]` in a batch, empty for a single metric.
 */
export function validateMetricPoint(m: { key: string; value: number; timestamp: number }, prefix: string): void {
  validateName(m.key, joinPath(prefix, 'name'));
  if (m.timestamp < 0) {
    throw MlflowError.invalidParameter(
      invalidValueMessage(
        joinPath(prefix, 'timestamp'),
        m.timestamp,
        `metric '${m.key}' (value=${pyFloat(m.value)}). Timestamp must be a nonnegative long (64-bit integer) `,
      ),
    );
  }
  validateLength(m.key, LIMITS.key, 'Metric name');
}

/** MLflow's checks of a param key: name, then length (as "Param key"). `prefix` is `params[i]` in a batch. */
export function validateParamKey(key: string, prefix: string): void {
  validateName(key, joinPath(prefix, 'key'));
  validateLength(key, LIMITS.key, 'Param key');
}

/** MLflow's checks of a run tag key: name, then length (named by its path). `prefix` is `tags[i]` in a batch. */
export function validateTagKey(key: string, prefix: string): void {
  validateName(key, joinPath(prefix, 'key'));
  validateLength(key, LIMITS.key, joinPath(prefix, 'key'));
}
