import { MlflowError } from './errors';

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

const NAME_CHARS = /^[/\p{L}\p{N}\p{M}_.\- :]*$/u;
const RUN_ID = /^[a-zA-Z0-9][\w-]{0,255}$/;

/** Whether a name is a POSIX path that normalises to itself (compat §2.2). */
function isNormalisedPath(name: string): boolean {
  if (name === '' || name === '.' || name.startsWith('/') || name.startsWith('..') || name.endsWith('/')) return false;
  return !name.includes('//') && !name.includes('/./') && !name.includes('/../') && !name.endsWith('/.') && !name.endsWith('/..');
}

/** Validates a metric, param or tag key; `param` names the request field for the message. */
export function validateName(name: string, param: string): void {
  if (!NAME_CHARS.test(name) || !isNormalisedPath(name)) {
    throw MlflowError.invalidParameter(
      `Invalid value "${name}" for parameter '${param}' supplied: Names may only contain alphanumerics, ` +
        'underscores (_), dashes (-), periods (.), spaces ( ), colon(:) and slashes (/).',
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
    throw MlflowError.invalidParameter(`Invalid value "${runId}" for parameter 'run_id' supplied.`);
  }
}

export function validateExperimentName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || name === '') {
    throw MlflowError.invalidParameter(`Invalid experiment name: '${typeof name === 'string' ? name : String(name)}'`);
  }
  validateLength(name, LIMITS.experimentName, 'name');
}

export function validateArtifactLocation(location: string): void {
  if (location.startsWith('runs:')) {
    throw MlflowError.invalidParameter(`Artifact location cannot be a runs:/ URI. Given: '${location}'`);
  }
  if (location.length > LIMITS.artifactLocation) {
    throw MlflowError.invalidParameter(
      `Invalid artifact path length. The length of the artifact path cannot be greater than ${LIMITS.artifactLocation} characters.`,
    );
  }
  if (/^[a-zA-Z][\w+.-]*:/.test(location)) {
    try {
      const url = new URL(location);
      if (url.hash || location.includes(';')) {
        throw MlflowError.invalidParameter(
          `'artifact_location' URL can't include fragments or params. Given: '${location}'`,
        );
      }
    } catch (e) {
      if (e instanceof MlflowError) throw e;
    }
  }
}
