/**
 * Logged-model search filters (MLflow 3.x `logged-models/search`), parsed once into typed clauses
 * that the SQL builder and the in-memory evaluator both apply: attributes name, model_id,
 * model_type, status, source_run_id, creation_timestamp (creation_time), last_updated_timestamp;
 * metrics.<k>, params.<k>, tags.<k>; AND-joined.
 */
import { MlflowError } from '../errors';
import { isNumberLiteral } from './filterLexer';
import { isRejected, splitFilter } from './filterParser';
import { isStringLike, splitIdentifier, stripQuotes, unquoteKey } from './filterValues';
import { isNumericComparator, isStringComparator, type NumberPredicate, type StringComparator } from './predicates';

export const LOGGED_MODEL_STATUSES = ['LOGGED_MODEL_STATUS_UNSPECIFIED', 'LOGGED_MODEL_PENDING', 'LOGGED_MODEL_READY', 'LOGGED_MODEL_UPLOAD_FAILED'];
export const LOGGED_MODEL_STRING_ATTRIBUTES = ['name', 'model_id', 'model_type', 'source_run_id'] as const;
export type LoggedModelStringAttribute = (typeof LOGGED_MODEL_STRING_ATTRIBUTES)[number];
/** Numeric attributes and the logged_models column / wire field each names. */
export const LOGGED_MODEL_NUMERIC_ATTRIBUTES: Record<string, 'creation_timestamp_ms' | 'last_updated_timestamp_ms'> = {
  creation_timestamp: 'creation_timestamp_ms',
  creation_time: 'creation_timestamp_ms',
  last_updated_timestamp: 'last_updated_timestamp_ms',
};

export type LoggedModelEntity = 'attribute' | 'metric' | 'param' | 'tag';

export type LoggedModelClause =
  | ({ entity: 'metric'; key: string } & NumberPredicate)
  | { entity: 'param' | 'tag'; key: string; op: StringComparator; value: string }
  | ({ entity: 'numericAttribute'; field: 'creation_timestamp_ms' | 'last_updated_timestamp_ms' } & NumberPredicate)
  | { entity: 'status'; op: '=' | '!='; value: string }
  | { entity: 'stringAttribute'; key: LoggedModelStringAttribute; op: StringComparator; value: string };

/** `metrics.x` → metric x; no prefix or `attributes.` → attribute. */
export function loggedModelEntityOf(identifier: string): { entity: LoggedModelEntity; key: string } {
  const { entity, key } = splitIdentifier(identifier);
  const k = unquoteKey(key);
  if (entity === undefined || entity === 'attribute' || entity === 'attributes') return { entity: 'attribute', key: k };
  if (entity === 'metric' || entity === 'metrics') return { entity: 'metric', key: k };
  if (entity === 'param' || entity === 'params') return { entity: 'param', key: k };
  if (entity === 'tag' || entity === 'tags') return { entity: 'tag', key: k };
  throw MlflowError.invalidParameter(`Invalid entity type '${entity}'. Valid values are ['attributes', 'metrics', 'params', 'tags']`);
}

function toClause(identifier: string, comparator: string, text: string, stringLike: boolean): LoggedModelClause {
  const { entity, key } = loggedModelEntityOf(identifier);
  const op = comparator.toUpperCase();
  const numeric = (): NumberPredicate => {
    if (!isNumericComparator(op)) throw MlflowError.invalidParameter(`Invalid comparator '${comparator}' for numeric '${identifier}'`);
    if (stringLike || !isNumberLiteral(text)) throw MlflowError.invalidParameter(`Expected numeric value type for '${identifier}', got ${text}`);
    return { op, value: Number(text) };
  };
  const string = (): { op: StringComparator; value: string } => {
    if (!isStringComparator(op)) throw MlflowError.invalidParameter(`Invalid comparator '${comparator}' for '${identifier}'`);
    if (!stringLike) throw MlflowError.invalidParameter(`Expected a quoted string value for '${identifier}', got ${text}`);
    return { op, value: stripQuotes(text, true) };
  };
  if (entity === 'metric') return { entity, key, ...numeric() };
  if (entity === 'param' || entity === 'tag') return { entity, key, ...string() };
  if (key in LOGGED_MODEL_NUMERIC_ATTRIBUTES) return { entity: 'numericAttribute', field: LOGGED_MODEL_NUMERIC_ATTRIBUTES[key], ...numeric() };
  if (key === 'status') {
    const p = string();
    if (p.op !== '=' && p.op !== '!=') throw MlflowError.invalidParameter(`Invalid comparator '${comparator}' for attribute 'status'`);
    return { entity: 'status', op: p.op, value: p.value.startsWith('LOGGED_MODEL_') ? p.value : `LOGGED_MODEL_${p.value}` };
  }
  if ((LOGGED_MODEL_STRING_ATTRIBUTES as readonly string[]).includes(key)) {
    return { entity: 'stringAttribute', key: key as LoggedModelStringAttribute, ...string() };
  }
  throw MlflowError.invalidParameter(`Invalid attribute key '${key}' specified.`);
}

/** The filter's clauses; throws MlflowError (400) on a bad filter. */
export function parseLoggedModelFilter(filter: string | undefined): LoggedModelClause[] {
  const clauses: LoggedModelClause[] = [];
  for (const item of splitFilter(filter, 'plain')) {
    if (isRejected(item)) throw MlflowError.invalidParameter(item.error);
    clauses.push(toClause(item.identifier, item.comparator, item.value.text, isStringLike(item.value)));
  }
  return clauses;
}
