/**
 * Registered-model search (compat §3.6): filter on `name` and tags, order by name or last update
 * time (`timestamp` is an alias), prompts hidden unless asked for; SQL over registered_models and
 * registered_model_tags.
 */
import { MlflowError } from '../errors';
import { parseOrderByElement } from './orderByParser';
import { OrderByRules, duplicateOrderByError } from './runOrderBy';
import { StringComparator, isStringComparator } from './predicates';
import {
  IS_PROMPT_TAG,
  RegistryComparison,
  excludePromptsSql,
  isQueryingPrompts,
  parseRegistryFilterComparisons,
  tagExistsSql,
} from './registryFilter';
import { SqlFragment, SqlQuery, andAll, stringPredicateSql } from './sqlPredicates';

export type RegisteredModelClause =
  | { entity: 'attribute'; key: 'name'; op: StringComparator; value: string }
  | { entity: 'tag'; key: string; op: StringComparator; value: string };

export interface RegisteredModelFilter {
  clauses: RegisteredModelClause[];
  /** False unless the filter asks for prompts; then prompts are excluded and prompt-tag clauses dropped. */
  queryingPrompts: boolean;
}

export interface RegisteredModelOrderBy {
  column: 'name' | 'last_updated_time';
  ascending: boolean;
}

export interface RegisteredModelSearchQueryOptions {
  filter?: string;
  orderBy?: string[];
  offset: number;
  limit: number;
}

const ORDER_KEYS = ['timestamp', 'last_updated_timestamp', 'name'];

export function parseRegisteredModelFilterComparisons(filter: string | undefined | null): RegistryComparison[] {
  return parseRegistryFilterComparisons(filter, { attributeKeys: ['name'] });
}

export function parseRegisteredModelFilter(filter: string | undefined | null): RegisteredModelFilter {
  return toRegisteredModelFilter(parseRegisteredModelFilterComparisons(filter));
}

/** Checks the comparators of parsed comparisons and builds the typed filter. */
export function toRegisteredModelFilter(comparisons: RegistryComparison[]): RegisteredModelFilter {
  const clauses = comparisons.map((c): RegisteredModelClause => {
    const op = c.comparator;
    if (!isStringComparator(op)) {
      throw MlflowError.invalidParameter(c.type === 'tag' ? `Invalid comparator for tag: ${op}` : `Invalid comparator for attribute: ${op}`);
    }
    return c.type === 'tag'
      ? { entity: 'tag', key: c.key, op, value: c.value as string }
      : { entity: 'attribute', key: 'name', op, value: c.value as string };
  });
  return { clauses, queryingPrompts: isQueryingPrompts(comparisons) };
}

/** Effective ordering (SQL store rules): name / timestamp / last_updated_timestamp, then `name ASC`. */
export function parseRegisteredModelOrderBy(orderBy?: readonly string[] | null, rules: OrderByRules = {}): RegisteredModelOrderBy[] {
  const result: RegisteredModelOrderBy[] = [];
  for (const element of orderBy ?? []) {
    const { identifier, ascending } = parseOrderByElement(element);
    const key = identifier.trim();
    if (!ORDER_KEYS.includes(key)) {
      throw MlflowError.invalidParameter(`Invalid order by key '${key}' specified. Valid keys are '{'name', 'timestamp'}'`);
    }
    const column = key === 'name' ? 'name' : 'last_updated_time';
    if (rules.rejectDuplicates && result.some((o) => o.column === column)) throw duplicateOrderByError(orderBy ?? []);
    result.push({ column, ascending });
  }
  if (!result.some((o) => o.column === 'name')) result.push({ column: 'name', ascending: true });
  return result;
}

function clauseSql(c: RegisteredModelClause): SqlFragment {
  if (c.entity === 'attribute') return stringPredicateSql('rm.name', c);
  return tagExistsSql('registered_model_tags', 't.name = rm.name', c.key, c);
}

/** Builds `SELECT rm.name FROM registered_models rm ... LIMIT ? OFFSET ?`; throws MlflowError on bad input. */
export function buildRegisteredModelSearchQuery(opts: RegisteredModelSearchQueryOptions): SqlQuery {
  // MLflow's SQL store: filter parse, order_by, then the filter's comparators.
  const comparisons = parseRegisteredModelFilterComparisons(opts.filter);
  const order = parseRegisteredModelOrderBy(opts.orderBy, { rejectDuplicates: true });
  const { clauses, queryingPrompts } = toRegisteredModelFilter(comparisons);
  const kept = queryingPrompts ? clauses : clauses.filter((c) => !(c.entity === 'tag' && c.key === IS_PROMPT_TAG));
  const fragments = kept.map(clauseSql);
  if (!queryingPrompts) fragments.push(excludePromptsSql('registered_model_tags', 'rm.name'));
  const where = andAll(fragments);
  const orderSql = order.map((o) => `rm.${o.column} ${o.ascending ? 'ASC' : 'DESC'}`).join(', ');
  return {
    sql: `SELECT rm.name FROM registered_models rm WHERE ${where.sql} ORDER BY ${orderSql} LIMIT ? OFFSET ?`,
    params: [...where.params, opts.limit, Math.max(0, opts.offset)],
  };
}
