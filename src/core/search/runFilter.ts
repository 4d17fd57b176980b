/**
 * Run search filters (compat §3.1): entity prefixes, attribute keys, value types and the
 * comparators each entity allows, with MLflow's error messages. Two stages, as in MLflow:
 * `parseRunFilterComparisons` reads the filter (comparators kept as typed, values as text), and
 * `toRunClauses` checks comparators and produces the typed clauses the SQL builder and the
 * in-memory evaluator use.
 */
import { MlflowError } from '../errors';
import { ValueToken } from './filterLexer';
import { isRejected, splitFilter } from './filterParser';
import { isStringLike, parseLowerCaseList, splitIdentifier, stripQuotes, trimBackticks, unquoteKey } from './filterValues';
import { NumberPredicate, StringComparator, StringPredicate } from './predicates';
import { pyList, pySet } from './pythonRepr';

export type RunEntityType = 'metric' | 'parameter' | 'tag' | 'attribute' | 'dataset';

/** A parsed clause in MLflow's own shape: `{type, key, comparator, value}`. */
export interface RunComparison {
  type: RunEntityType;
  key: string;
  /** As typed (`like`, `>=`); `NOT IN` for NOT IN lists. */
  comparator: string;
  /** Number literals stay text; lists are the quoted strings of `IN (...)`. */
  value: string | string[];
}

export type StringRunAttribute = 'run_id' | 'run_name' | 'status' | 'user_id' | 'artifact_uri';
export type NumericRunAttribute = 'start_time' | 'end_time';
export type DatasetKey = 'name' | 'digest' | 'context';

/** A validated run clause; aliases are resolved (`created` → start_time, `run name` → run_name). */
export type RunClause =
  | ({ entity: 'metric'; key: string } & NumberPredicate)
  | { entity: 'param' | 'tag'; key: string; op: StringComparator; value: string }
  | ({ entity: 'numericAttribute'; key: NumericRunAttribute } & NumberPredicate)
  | ({ entity: 'stringAttribute'; key: StringRunAttribute } & StringPredicate)
  | ({ entity: 'dataset'; key: DatasetKey } & StringPredicate);

const IDENTIFIERS: readonly RunEntityType[] = ['metric', 'parameter', 'tag', 'attribute', 'dataset'];
const ENTITY_ALIASES: Record<string, RunEntityType> = {
  metric: 'metric', metrics: 'metric',
  parameter: 'parameter', parameters: 'parameter', param: 'parameter', params: 'parameter',
  tag: 'tag', tags: 'tag',
  attribute: 'attribute', attributes: 'attribute', attr: 'attribute', run: 'attribute',
  dataset: 'dataset', datasets: 'dataset',
};

export const NUMERIC_RUN_ATTRIBUTES: readonly string[] = ['start_time', 'end_time', 'created', 'Created'];
export const SEARCHABLE_RUN_ATTRIBUTES: readonly string[] = [
  'run_id', 'run_name', 'status', 'user_id', 'artifact_uri', 'start_time', 'end_time',
  'created', 'Created', 'run name', 'Run name', 'Run Name',
];
export const ORDERABLE_RUN_ATTRIBUTES: readonly string[] = [
  'run_id', 'run_name', 'status', 'user_id', 'artifact_uri', 'start_time', 'end_time', 'created', 'Created',
];
export const DATASET_KEYS: readonly DatasetKey[] = ['name', 'digest', 'context'];

const METRIC_COMPARATORS = ['>', '>=', '!=', '=', '<', '<='];
const PARAM_COMPARATORS = ['!=', '=', 'LIKE', 'ILIKE'];
const STRING_ATTRIBUTE_COMPARATORS = ['!=', '=', 'LIKE', 'ILIKE', 'IN', 'NOT IN'];

/** `created`/`Created` → start_time, the `run name` spellings → run_name. */
export function translateRunKeyAlias(key: string): string {
  if (key === 'created' || key === 'Created') return 'start_time';
  if (key === 'run name' || key === 'Run name' || key === 'Run Name') return 'run_name';
  return key;
}

/** Resolves an entity prefix (backticks allowed, lower-case only). */
export function runEntityType(entity: string): RunEntityType {
  const name = trimBackticks(entity);
  const type = Object.prototype.hasOwnProperty.call(ENTITY_ALIASES, name) ? ENTITY_ALIASES[name] : undefined;
  if (!type) {
    throw MlflowError.invalidParameter(`Invalid entity type '${name}'. Valid values are ${pyList(IDENTIFIERS)}`);
  }
  return type;
}

/** Reads `[entity.]key` of a run filter or order_by; attribute keys must be in `validAttributes`. */
export function parseRunIdentifier(identifier: string, validAttributes: readonly string[]): { type: RunEntityType; key: string } {
  const parts = splitIdentifier(identifier);
  const type = parts.entity === undefined ? 'attribute' : runEntityType(parts.entity);
  const key = unquoteKey(parts.key);
  if (type === 'attribute' && !validAttributes.includes(key)) {
    throw MlflowError.invalidParameter(`Invalid attribute key '${key}' specified. Valid keys are '${pySet(validAttributes)}'`);
  }
  if (type === 'dataset' && !(DATASET_KEYS as readonly string[]).includes(key)) {
    throw MlflowError.invalidParameter(`Invalid dataset key '${key}' specified. Valid keys are '${pySet(DATASET_KEYS)}'`);
  }
  return { type, key };
}

function runValue(type: RunEntityType, key: string, token: ValueToken): string | string[] {
  const text = token.text;
  switch (type) {
    case 'metric':
      if (token.kind === 'number') return text;
      throw MlflowError.invalidParameter(`Expected numeric value type for metric. Found ${text}`);
    case 'parameter':
    case 'tag':
      if (isStringLike(token)) return stripQuotes(text, true);
      throw MlflowError.invalidParameter(`Expected a quoted string value for ${type} (e.g. 'my-value'). Got value ${text}`);
    case 'attribute':
      if (NUMERIC_RUN_ATTRIBUTES.includes(key)) {
        if (token.kind === 'number') return text;
        throw MlflowError.invalidParameter(`Expected numeric value type for numeric attribute: ${key}. Found ${text}`);
      }
      if (isStringLike(token)) return stripQuotes(text, true);
      if (token.kind === 'list') {
        if (key !== 'run_id') {
          throw MlflowError.invalidParameter("Only the 'run_id' attribute supports comparison with a list of quoted string values.");
        }
        return parseLowerCaseList(text);
      }
      throw MlflowError.invalidParameter(`Expected a quoted string value for attributes. Got value ${text}`);
    case 'dataset':
      if (isStringLike(token)) return stripQuotes(text, true);
      if (token.kind === 'list') return parseLowerCaseList(text);
      throw MlflowError.invalidParameter(`Expected a quoted string value for dataset attributes. Got value ${text}`);
  }
}

/** Parses a run filter into MLflow-shaped comparisons (no comparator checks yet). */
export function parseRunFilterComparisons(filter: string | undefined | null): RunComparison[] {
  return splitFilter(filter, 'quoted').map((item) => {
    if (isRejected(item)) throw MlflowError.invalidParameter(item.error);
    const { type, key } = parseRunIdentifier(item.identifier, SEARCHABLE_RUN_ATTRIBUTES);
    return { type, key, comparator: item.comparator, value: runValue(type, key, item.value) };
  });
}

function comparatorError(op: string, allowed: string[], closingQuote: boolean): MlflowError {
  return MlflowError.invalidParameter(`Invalid comparator '${op}' not one of '${pySet(allowed)}${closingQuote ? "'" : ''}`);
}

/** Checks comparators (upper-cased, as MLflow matches them) and builds typed clauses. */
export function toRunClauses(comparisons: RunComparison[]): RunClause[] {
  return comparisons.map((c) => {
    const op = c.comparator.toUpperCase();
    const key = translateRunKeyAlias(c.key);
    switch (c.type) {
      case 'metric':
        if (!METRIC_COMPARATORS.includes(op)) throw comparatorError(op, METRIC_COMPARATORS, false);
        return { entity: 'metric', key: c.key, op, value: Number(c.value) } as RunClause;
      case 'parameter':
      case 'tag':
        if (!PARAM_COMPARATORS.includes(op)) throw comparatorError(op, PARAM_COMPARATORS, c.type === 'parameter');
        return { entity: c.type === 'parameter' ? 'param' : 'tag', key: c.key, op, value: c.value } as RunClause;
      case 'attribute':
        if (NUMERIC_RUN_ATTRIBUTES.includes(c.key)) {
          if (!METRIC_COMPARATORS.includes(op)) throw comparatorError(op, STRING_ATTRIBUTE_COMPARATORS, false);
          return { entity: 'numericAttribute', key, op, value: Number(c.value) } as RunClause;
        }
        if (!STRING_ATTRIBUTE_COMPARATORS.includes(op)) throw comparatorError(op, STRING_ATTRIBUTE_COMPARATORS, true);
        return { entity: 'stringAttribute', key, ...stringPredicate(op, c.value) } as RunClause;
      case 'dataset':
        if (!STRING_ATTRIBUTE_COMPARATORS.includes(op)) throw comparatorError(op, STRING_ATTRIBUTE_COMPARATORS, false);
        return { entity: 'dataset', key, ...stringPredicate(op, c.value) } as RunClause;
    }
  });
}

/** Pairs a comparator with its value; a list only goes with IN / NOT IN and vice versa. */
export function stringPredicate(op: string, value: string | string[]): StringPredicate {
  const isList = op === 'IN' || op === 'NOT IN';
  if (isList !== Array.isArray(value)) {
    throw MlflowError.invalidParameter(
      isList
        ? `Invalid value for comparator '${op}': expected a list of quoted string values.`
        : `Invalid comparator '${op}' for a list of values. Use IN or NOT IN.`,
    );
  }
  return { op, value } as StringPredicate;
}

/** Parses and validates a run filter into typed clauses (empty filter → no clauses). */
export function parseRunFilter(filter: string | undefined | null): RunClause[] {
  return toRunClauses(parseRunFilterComparisons(filter));
}
