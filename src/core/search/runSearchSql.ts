/**
 * SQL for `runs/search` against MLflow's tables (compat §3.1-3.3, §4.3). Filters become EXISTS
 * sub-selects keyed by (key, run_uuid), so the primary keys and run_uuid indexes serve them; sort
 * keys are LEFT JOINs on the same keys (at most one row per run). Runs lacking a sort key come
 * last in both directions; for metrics NaN (is_nan=1) comes after numbers and before missing.
 */
import type { ViewType } from '../entities';
import { StringPredicate } from './predicates';
import { RunClause, parseRunFilterComparisons, toRunClauses } from './runFilter';
import { RunOrderBy, parseRunOrderBy } from './runOrderBy';
import {
  SqlFragment,
  SqlParam,
  SqlQuery,
  andAll,
  lifecycleStages,
  numberPredicateSql,
  placeholders,
  stringPredicateSql,
} from './sqlPredicates';

export interface RunSearchQueryOptions {
  experimentIds: string[];
  filter?: string;
  viewType: ViewType;
  orderBy?: string[];
  offset: number;
  limit: number;
}

/** runs columns behind the attribute names used in filters and order_by. */
export const RUN_ATTRIBUTE_COLUMNS: Record<string, string> = {
  run_id: 'run_uuid',
  run_name: 'name',
  status: 'status',
  user_id: 'user_id',
  artifact_uri: 'artifact_uri',
  start_time: 'start_time',
  end_time: 'end_time',
};

export const RUN_NAME_TAG = 'mlflow.runName';
export const DATASET_CONTEXT_TAG = 'mlflow.data.context';

const ENTITY_TABLES = { metric: 'latest_metrics', param: 'params', tag: 'tags' } as const;

/** Builds `SELECT r.run_uuid FROM runs r ... LIMIT ? OFFSET ?`; throws MlflowError on a bad filter or order_by. */
export function buildRunSearchQuery(opts: RunSearchQueryOptions): SqlQuery {
  // MLflow's order of checks: filter parse, order_by, then comparators.
  const comparisons = parseRunFilterComparisons(opts.filter);
  const order = parseRunOrderBy(opts.orderBy, { rejectDuplicates: true });
  const clauses = toRunClauses(comparisons);

  const joins: string[] = [];
  const joinParams: SqlParam[] = [];
  const orderTerms: string[] = [];
  order.forEach((o, i) => orderTermsFor(o, i, joins, joinParams, orderTerms));

  const where = andAll([experimentScope(opts.experimentIds), { sql: `r.lifecycle_stage IN ${lifecycleStages(opts.viewType)}`, params: [] }, ...clauses.map(runClauseSql)]);
  const sql =
    `SELECT r.run_uuid FROM runs r${joins.map((j) => ' ' + j).join('')}` +
    ` WHERE ${where.sql} ORDER BY ${orderTerms.join(', ')} LIMIT ? OFFSET ?`;
  return { sql, params: [...joinParams, ...where.params, opts.limit, Math.max(0, opts.offset)] };
}

/** Experiment ids that are not integers match nothing. */
function experimentScope(ids: string[]): SqlFragment {
  const numeric = ids
    .filter((id) => /^\s*[+-]?\d+\s*$/.test(id))
    .map((id) => Number(id))
    .filter((n) => Number.isSafeInteger(n));
  if (numeric.length === 0) return { sql: '0', params: [] };
  return { sql: `r.experiment_id IN (${placeholders(numeric.length)})`, params: numeric };
}

function orderTermsFor(o: RunOrderBy, i: number, joins: string[], joinParams: SqlParam[], terms: string[]): void {
  const dir = o.ascending ? 'ASC' : 'DESC';
  if (o.entity === 'attribute') {
    const column = `r.${RUN_ATTRIBUTE_COLUMNS[o.key]}`;
    if (o.key !== 'run_id') terms.push(`${column} IS NULL`);
    terms.push(`${column} ${dir}`);
    return;
  }
  const alias = `o${i}`;
  joins.push(`LEFT JOIN ${ENTITY_TABLES[o.entity]} ${alias} ON ${alias}.run_uuid = r.run_uuid AND ${alias}.key = ?`);
  joinParams.push(o.key);
  terms.push(
    o.entity === 'metric'
      ? `CASE WHEN ${alias}.is_nan = 1 THEN 1 WHEN ${alias}.value IS NULL THEN 2 ELSE 0 END`
      : `${alias}.value IS NULL`,
  );
  terms.push(`${alias}.value ${dir}`);
}

/** EXISTS over a key/value table of the run. */
function keyValueExists(table: string, key: string, predicate: SqlFragment): SqlFragment {
  return {
    sql: `EXISTS (SELECT 1 FROM ${table} x WHERE x.run_uuid = r.run_uuid AND x.key = ? AND ${predicate.sql})`,
    params: [key, ...predicate.params],
  };
}

function datasetExists(key: string, p: StringPredicate): SqlFragment {
  const base =
    'EXISTS (SELECT 1 FROM inputs i JOIN datasets d ON d.dataset_uuid = i.source_id' +
    (key === 'context' ? ' JOIN input_tags it ON it.input_uuid = i.input_uuid' : '') +
    " WHERE i.destination_type = 'RUN' AND i.destination_id = r.run_uuid AND i.source_type = 'DATASET'";
  if (key === 'context') {
    const pred = stringPredicateSql('it.value', p);
    return { sql: `${base} AND it.name = ? AND ${pred.sql})`, params: [DATASET_CONTEXT_TAG, ...pred.params] };
  }
  const pred = stringPredicateSql(`d.${key}`, p);
  return { sql: `${base} AND ${pred.sql})`, params: pred.params };
}

export function runClauseSql(c: RunClause): SqlFragment {
  switch (c.entity) {
    case 'metric':
      return keyValueExists('latest_metrics', c.key, numberPredicateSql('x.value', c));
    case 'param':
      return keyValueExists('params', c.key, stringPredicateSql('x.value', c));
    case 'tag':
      return keyValueExists('tags', c.key, stringPredicateSql('x.value', c));
    case 'numericAttribute':
      return numberPredicateSql(`r.${RUN_ATTRIBUTE_COLUMNS[c.key]}`, c);
    case 'stringAttribute':
      // run_name is matched against the mlflow.runName tag, as MLflow's SQL store does.
      if (c.key === 'run_name') return keyValueExists('tags', RUN_NAME_TAG, stringPredicateSql('x.value', c));
      return stringPredicateSql(`r.${RUN_ATTRIBUTE_COLUMNS[c.key]}`, c);
    case 'dataset':
      return datasetExists(c.key, c);
  }
}
