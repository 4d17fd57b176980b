/**
 * Experiment search filter and order_by (compat §3.5), as MLflow's SQL store checks them.
 * Entities: none/`attribute` (name, creation_time, last_update_time) and `tag`/`tags`.
 * Comparators are matched as typed (the SQL store does not upper-case them): `name like ...`
 * is rejected, `name LIKE ...` accepted.
 */
import { MlflowError } from '../errors';
import { ValueToken } from './filterLexer';
import { isRejected, splitFilter } from './filterParser';
import { isStringLike, splitIdentifier, stripQuotes, unquoteKey } from './filterValues';
import { parseOrderByElement } from './orderByParser';
import { NumberPredicate, StringComparator, isNumericComparator, isStringComparator } from './predicates';
import { pySet } from './pythonRepr';

export interface ExperimentComparison {
  type: 'attribute' | 'tag';
  key: string;
  comparator: string;
  value: string;
}

export type ExperimentClause =
  | { entity: 'stringAttribute'; key: 'name'; op: StringComparator; value: string }
  | ({ entity: 'numericAttribute'; key: 'creation_time' | 'last_update_time' } & NumberPredicate)
  | { entity: 'tag'; key: string; op: StringComparator; value: string };

export type ExperimentOrderKey = 'name' | 'experiment_id' | 'creation_time' | 'last_update_time';

export interface ExperimentOrderBy {
  key: ExperimentOrderKey;
  ascending: boolean;
}

const ENTITY_TYPES = "('attribute', 'tag', 'tags')";
const SEARCH_KEYS = ['name', 'creation_time', 'last_update_time'];
const ORDER_KEYS: readonly ExperimentOrderKey[] = ['name', 'experiment_id', 'creation_time', 'last_update_time'];
const NUMERIC_KEYS = ['creation_time', 'last_update_time'];
const STRING_ATTRIBUTE_COMPARATORS = ['!=', '=', 'LIKE', 'ILIKE', 'IN', 'NOT IN'];

/**
 * `[attribute.|tag.|tags.]key` (MLflow's SearchExperimentsUtils identifier rule, also used for
 * model-version order_by); attribute keys must be in `validAttributes`.
 */
export function parseAttributeOrTagIdentifier(identifier: string, validAttributes: readonly string[]): { type: 'attribute' | 'tag'; key: string } {
  const parts = splitIdentifier(identifier);
  let type: 'attribute' | 'tag' = 'attribute';
  if (parts.entity !== undefined) {
    if (!['attribute', 'tag', 'tags'].includes(parts.entity)) {
      throw MlflowError.invalidParameter(`Invalid entity type '${parts.entity}'. Valid entity types are ${ENTITY_TYPES}`);
    }
    type = parts.entity === 'attribute' ? 'attribute' : 'tag';
  }
  const key = unquoteKey(parts.key);
  if (type === 'attribute' && !validAttributes.includes(key)) {
    throw MlflowError.invalidParameter(`Invalid attribute key '${key}' specified. Valid keys are '${pySet(validAttributes)}'`);
  }
  return { type, key };
}

function experimentValue(type: 'attribute' | 'tag', key: string, token: ValueToken): string {
  if (type === 'tag') {
    if (isStringLike(token)) return stripQuotes(token.text, true);
    throw MlflowError.invalidParameter(`Expected a quoted string value for tag (e.g. 'my-value'). Got value ${token.text}`);
  }
  if (NUMERIC_KEYS.includes(key)) {
    if (token.kind === 'number') return token.text;
    throw MlflowError.invalidParameter(`Expected numeric value type for numeric attribute: ${key}. Found ${token.text}`);
  }
  if (isStringLike(token)) return stripQuotes(token.text, true);
  if (token.kind === 'list') {
    throw MlflowError.invalidParameter("Only the 'run_id' attribute supports comparison with a list of quoted string values.");
  }
  throw MlflowError.invalidParameter(`Expected a quoted string value for attributes. Got value ${token.text}`);
}

export function parseExperimentFilterComparisons(filter: string | undefined | null): ExperimentComparison[] {
  return splitFilter(filter, 'plain').map((item) => {
    if (isRejected(item)) throw MlflowError.invalidParameter(item.error);
    const { type, key } = parseAttributeOrTagIdentifier(item.identifier, SEARCH_KEYS);
    return { type, key, comparator: item.comparator, value: experimentValue(type, key, item.value) };
  });
}

export function toExperimentClauses(comparisons: ExperimentComparison[]): ExperimentClause[] {
  return comparisons.map((c) => {
    const op = c.comparator;
    if (c.type === 'tag') {
      if (!isStringComparator(op)) throw MlflowError.invalidParameter(`Invalid comparator for tag: ${op}`);
      return { entity: 'tag', key: c.key, op, value: c.value };
    }
    if (NUMERIC_KEYS.includes(c.key)) {
      if (!isNumericComparator(op)) {
        throw MlflowError.invalidParameter(`Invalid comparator '${op}' not one of '${pySet(STRING_ATTRIBUTE_COMPARATORS)}`);
      }
      return { entity: 'numericAttribute', key: c.key as 'creation_time' | 'last_update_time', op, value: Number(c.value) };
    }
    if (!STRING_ATTRIBUTE_COMPARATORS.includes(op)) {
      throw MlflowError.invalidParameter(`Invalid comparator '${op}' not one of '${pySet(STRING_ATTRIBUTE_COMPARATORS)}'`);
    }
    if (!isStringComparator(op)) throw MlflowError.invalidParameter(`Invalid comparator for string attribute: ${op}`);
    return { entity: 'stringAttribute', key: 'name', op, value: c.value };
  });
}

export function parseExperimentFilter(filter: string | undefined | null): ExperimentClause[] {
  return toExperimentClauses(parseExperimentFilterComparisons(filter));
}

/** Effective ordering: default `creation_time DESC, experiment_id ASC`; `experiment_id DESC` appended when absent. */
export function parseExperimentOrderBy(orderBy?: readonly string[] | null): ExperimentOrderBy[] {
  if (!orderBy || orderBy.length === 0) {
    return [
      { key: 'creation_time', ascending: false },
      { key: 'experiment_id', ascending: true },
    ];
  }
  const result = orderBy.map((element): ExperimentOrderBy => {
    const { identifier, ascending } = parseOrderByElement(element);
    const { type, key } = parseAttributeOrTagIdentifier(identifier.trim(), ORDER_KEYS);
    if (type !== 'attribute') throw MlflowError.invalidParameter(`Invalid order_by entity: ${type}`);
    return { key: key as ExperimentOrderKey, ascending };
  });
  if (!result.some((o) => o.key === 'experiment_id')) result.push({ key: 'experiment_id', ascending: false });
  return result;
}
