/**
 * SQL for `experiments/search` (compat §3.5) over experiments / experiment_tags. Ordering is plain
 * SQLite ordering, as in MLflow's SQL store (a NULL creation_time sorts first ascending, last
 * descending).
 */
import type { ViewType } from '../entities';
import { ExperimentClause, parseExperimentFilterComparisons, parseExperimentOrderBy, toExperimentClauses } from './experimentFilter';
import { SqlFragment, SqlQuery, andAll, lifecycleStages, numberPredicateSql, stringPredicateSql } from './sqlPredicates';

export interface ExperimentSearchQueryOptions {
  filter?: string;
  viewType: ViewType;
  orderBy?: string[];
  offset: number;
  limit: number;
}

function experimentClauseSql(c: ExperimentClause): SqlFragment {
  switch (c.entity) {
    case 'stringAttribute':
      return stringPredicateSql(`e.${c.key}`, c);
    case 'numericAttribute':
      return numberPredicateSql(`e.${c.key}`, c);
    case 'tag': {
      const pred = stringPredicateSql('t.value', c);
      return {
        sql: `EXISTS (SELECT 1 FROM experiment_tags t WHERE t.experiment_id = e.experiment_id AND t.key = ? AND ${pred.sql})`,
        params: [c.key, ...pred.params],
      };
    }
  }
}

/** Builds `SELECT e.experiment_id FROM experiments e ... LIMIT ? OFFSET ?`; throws MlflowError on bad input. */
export function buildExperimentSearchQuery(opts: ExperimentSearchQueryOptions): SqlQuery {
  // MLflow's order of checks: filter parse, comparators, then order_by.
  const clauses = toExperimentClauses(parseExperimentFilterComparisons(opts.filter));
  const order = parseExperimentOrderBy(opts.orderBy);
  const where = andAll([{ sql: `e.lifecycle_stage IN ${lifecycleStages(opts.viewType)}`, params: [] }, ...clauses.map(experimentClauseSql)]);
  const orderSql = order.map((o) => `e.${o.key} ${o.ascending ? 'ASC' : 'DESC'}`).join(', ');
  return {
    sql: `SELECT e.experiment_id FROM experiments e WHERE ${where.sql} ORDER BY ${orderSql} LIMIT ? OFFSET ?`,
    params: [...where.params, opts.limit, Math.max(0, opts.offset)],
  };
}
