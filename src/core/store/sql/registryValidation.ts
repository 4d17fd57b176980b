import { MlflowError } from '../../errors';
import { validateLength, validateName } from '../../validation';
import { ALL_STAGES, STAGE_ARCHIVED, STAGE_NONE, STAGE_PRODUCTION, STAGE_STAGING } from './registryRows';

/** Input rules of the model registry (compat §2.1, §2.2, §2.8), with MLflow 3.x's messages. */

export const REGISTRY_TAG_KEY_LIMIT = 250;
/** 3.x limit (2.x had 5000). */
export const REGISTRY_TAG_VALUE_LIMIT = 100000;
export const ALIAS_LIMIT = 255;
const PROMPT_TEXT_TAG = 'mlflow.prompt.text';

const ALIAS_CHARS = /^[\p{L}\p{N}_-]*$/u;
const VERSION_ALIAS = /^[vV]\d+$/;
/** What Python's int() accepts from a string. */
const PY_INT = /^\s*[+-]?\d+(?:_\d+)*\s*$/;

const CANONICAL_STAGES: Record<string, string> = {
  none: STAGE_NONE,
  staging: STAGE_STAGING,
  production: STAGE_PRODUCTION,
  archived: STAGE_ARCHIVED,
};

export function missingValueMessage(field: string): string {
  return `Missing value for required parameter '${field}'.`;
}

/** Registered model names only need to be non-empty in MLflow's SQL store. */
export function validateModelName(name: string, field = 'name'): void {
  if (name === '') throw MlflowError.invalidParameter(missingValueMessage(field));
}

/** A model version number from a request ("1", " 2", "+3"), or MLflow's error. */
export function parseVersion(version: string): number {
  if (!PY_INT.test(version)) {
    throw MlflowError.invalidParameter(`Parameter 'version' must be an integer, got '${version}'.`);
  }
  return Number(version.replace(/_/g, '').trim());
}

export function validateTagKey(key: string): void {
  validateName(key, 'key');
}

export function validateRegisteredModelTag(key: string, value: string): void {
  validateTagKey(key);
  validateLength(key, REGISTRY_TAG_KEY_LIMIT, 'key');
  validateLength(value, REGISTRY_TAG_VALUE_LIMIT, 'value');
}

export function validateModelVersionTag(key: string, value: string): void {
  validateTagKey(key);
  validateLength(key, REGISTRY_TAG_KEY_LIMIT, 'key');
  if (key === PROMPT_TEXT_TAG && [...value].length > REGISTRY_TAG_VALUE_LIMIT) {
    throw MlflowError.invalidParameter(`Prompt text exceeds max length of ${REGISTRY_TAG_VALUE_LIMIT} characters.`);
  }
  validateLength(value, REGISTRY_TAG_VALUE_LIMIT, 'value');
}

/** Characters and length of an alias (what every alias endpoint checks). */
export function validateAliasName(alias: string): void {
  if (alias === '') throw MlflowError.invalidParameter('Registered model alias name cannot be empty.');
  if (!ALIAS_CHARS.test(alias)) {
    throw MlflowError.invalidParameter(
      `Invalid alias name: '${alias}'. Names may only contain alphanumerics, underscores (_), and dashes (-).`,
    );
  }
  validateLength(alias, ALIAS_LIMIT, 'Registered model alias name');
}

/** Names that cannot be set as aliases: `latest` (any case) and `v<digits>`. */
export function validateAliasNotReserved(alias: string): void {
  if (alias.toLowerCase() === 'latest') {
    throw MlflowError.invalidParameter("'latest' alias name (case insensitive) is reserved.");
  }
  if (VERSION_ALIAS.test(alias)) throw MlflowError.invalidParameter(`Version alias name '${alias}' is reserved.`);
}

/** The canonical spelling of a stage (case-insensitive input), or MLflow's error. */
export function canonicalStage(stage: string): string {
  const canonical = CANONICAL_STAGES[stage.toLowerCase()];
  if (!canonical) {
    throw MlflowError.invalidParameter(`Invalid Model Version stage: ${stage}. Value must be one of ${ALL_STAGES.join(', ')}.`);
  }
  return canonical;
}

/** Tags deduplicated by key, the last value winning (as MLflow builds its dict). */
export function dedupeTags(tags: ReadonlyArray<{ key: string; value: string }>): Array<{ key: string; value: string }> {
  const map = new Map<string, string>();
  for (const t of tags) map.set(t.key, t.value);
  return [...map].map(([key, value]) => ({ key, value }));
}
