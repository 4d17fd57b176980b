/**
 * Model-version search (compat §3.7): attributes name, run_id (also `IN`), source_path (= source),
 * version_number (numeric) and tags; deleted (`Deleted_Internal`) versions never returned; prompts
 * hidden unless asked for; default order `last_updated_timestamp DESC, name ASC, version DESC`.
 */
import { MlflowError } from '../errors';
import { parseAttributeOrTagIdentifier } from './experimentFilter';
import { parseOrderByElement } from './orderByParser';
import { OrderByRules, duplicateOrderByError } from './runOrderBy';
import { NumericComparator, StringComparator, StringPredicate, isNumericComparator } from './predicates';
import { pySet } from './pythonRepr';
import {
  IS_PROMPT_TAG,
  RegistryComparison,
  excludePromptsSql,
  isQueryingPrompts,
  parseRegistryFilterComparisons,
  tagExistsSql,
} from './registryFilter';
import { stringPredicate } from './runFilter';
import { SqlFragment, SqlQuery, andAll, numberPredicateSql, stringPredicateSql } from './sqlPredicates';

export type ModelVersionClause =
  | ({ entity: 'stringAttribute'; key: 'name' | 'run_id' | 'source_path' } & StringPredicate)
  /** A quoted value stays a string; SQLite then compares it under the column's integer affinity. */
  | { entity: 'numericAttribute'; key: 'version_number'; op: NumericComparator; value: number | string }
  | { entity: 'tag'; key: string; op: StringComparator; value: string };

export interface ModelVersionFilter {
  clauses: ModelVersionClause[];
  queryingPrompts: boolean;
}

export type ModelVersionOrderKey = 'name' | 'version_number' | 'creation_timestamp' | 'last_updated_timestamp';

export interface ModelVersionOrderBy {
  key: ModelVersionOrderKey;
  ascending: boolean;
}

export interface ModelVersionSearchQueryOptions {
  filter?: string;
  orderBy?: string[];
  offset: number;
  limit: number;
}

const SEARCH_KEYS = ['name', 'version_number', 'run_id', 'source_path'];
const NUMERIC_KEYS = ['version_number', 'creation_timestamp', 'last_updated_timestamp'];
const ORDER_KEYS: readonly ModelVersionOrderKey[] = ['name', 'version_number', 'creation_timestamp', 'last_updated_timestamp'];
const STRING_COMPARATORS = ['!=', '=', 'LIKE', 'ILIKE', 'IN'];
const COLUMNS: Record<string, string> = {
  name: 'name',
  run_id: 'run_id',
  source_path: 'source',
  version_number: 'version',
  creation_timestamp: 'creation_time',
  last_updated_timestamp: 'last_updated_time',
};

export function parseModelVersionFilterComparisons(filter: string | undefined | null): RegistryComparison[] {
  return parseRegistryFilterComparisons(filter, { attributeKeys: SEARCH_KEYS, numericKeys: NUMERIC_KEYS });
}

function toClause(c: RegistryComparison): ModelVersionClause {
  const op = c.comparator;
  if (c.type === 'tag') {
    if (!['=', '!=', 'LIKE', 'ILIKE'].includes(op)) throw MlflowError.invalidParameter(`Invalid comparator for tag: ${op}`);
    return { entity: 'tag', key: c.key, op: op as StringComparator, value: c.value as string };
  }
  if (c.key === 'version_number') {
    if (!isNumericComparator(op)) throw MlflowError.invalidParameter(`Invalid comparator for attribute ${c.key}: ${op}`);
    return { entity: 'numericAttribute', key: 'version_number', op, value: c.value as number | string };
  }
  if (!STRING_COMPARATORS.includes(op) || (op === 'IN' && c.key !== 'run_id')) {
    throw MlflowError.invalidParameter(`Invalid comparator for attribute: ${op}`);
  }
  const value = typeof c.value === 'number' ? String(c.value) : c.value;
  return { entity: 'stringAttribute', key: c.key as 'name' | 'run_id' | 'source_path', ...stringPredicate(op, value) };
}

export function parseModelVersionFilter(filter: string | undefined | null): ModelVersionFilter {
  return toModelVersionFilter(parseModelVersionFilterComparisons(filter));
}

/** Checks the comparators of parsed comparisons and builds the typed filter. */
export function toModelVersionFilter(comparisons: RegistryComparison[]): ModelVersionFilter {
  return { clauses: comparisons.map(toClause), queryingPrompts: isQueryingPrompts(comparisons) };
}

/** Effective ordering, default `last_updated_timestamp DESC, name ASC, version_number DESC`, tie-breakers appended. */
export function parseModelVersionOrderBy(orderBy?: readonly string[] | null, rules: OrderByRules = {}): ModelVersionOrderBy[] {
  const elements = orderBy && orderBy.length > 0 ? orderBy : ['last_updated_timestamp DESC', 'name ASC', 'version_number DESC'];
  const result: ModelVersionOrderBy[] = [];
  for (const element of elements) {
    const { identifier, ascending } = parseOrderByElement(element);
    const { key } = parseAttributeOrTagIdentifier(identifier.trim(), ORDER_KEYS);
    if (!(ORDER_KEYS as readonly string[]).includes(key)) {
      throw MlflowError.invalidParameter(`Invalid order by key '${key}' specified. Valid keys are ${pySet(ORDER_KEYS)}`);
    }
    if (rules.rejectDuplicates && result.some((o) => o.key === key)) throw duplicateOrderByError(elements);
    result.push({ key: key as ModelVersionOrderKey, ascending });
  }
  if (!result.some((o) => o.key === 'name')) result.push({ key: 'name', ascending: true });
  if (!result.some((o) => o.key === 'version_number')) result.push({ key: 'version_number', ascending: false });
  return result;
}

function clauseSql(c: ModelVersionClause): SqlFragment {
  if (c.entity === 'tag') return tagExistsSql('model_version_tags', 't.name = mv.name AND t.version = mv.version', c.key, c);
  if (c.entity === 'numericAttribute') return numberPredicateSql('mv.version', c);
  return stringPredicateSql(`mv.${COLUMNS[c.key]}`, c);
}

/** Builds `SELECT mv.name, mv.version FROM model_versions mv ... LIMIT ? OFFSET ?`; throws MlflowError on bad input. */
export function buildModelVersionSearchQuery(opts: ModelVersionSearchQueryOptions): SqlQuery {
  // MLflow's SQL store: filter parse, order_by, then the filter's comparators.
  const comparisons = parseModelVersionFilterComparisons(opts.filter);
  const order = parseModelVersionOrderBy(opts.orderBy, { rejectDuplicates: true });
  const { clauses, queryingPrompts } = toModelVersionFilter(comparisons);
  const kept = queryingPrompts ? clauses : clauses.filter((c) => !(c.entity === 'tag' && c.key === IS_PROMPT_TAG));
  const fragments: SqlFragment[] = [{ sql: "mv.current_stage != 'Deleted_Internal'", params: [] }, ...kept.map(clauseSql)];
  if (!queryingPrompts) fragments.push(excludePromptsSql('model_version_tags', 'mv.name'));
  const where = andAll(fragments);
  const orderSql = order.map((o) => `mv.${COLUMNS[o.key]} ${o.ascending ? 'ASC' : 'DESC'}`).join(', ');
  return {
    sql: `SELECT mv.name, mv.version FROM model_versions mv WHERE ${where.sql} ORDER BY ${orderSql} LIMIT ? OFFSET ?`,
    params: [...where.params, opts.limit, Math.max(0, opts.offset)],
  };
}
