/**
 * Logged-model search (MLflow 3.x `logged-models/search`): filters on attributes (name, model_id,
 * model_type, status, source_run_id, creation_timestamp, last_updated_timestamp), metrics.<k>,
 * params.<k> and tags.<k>, AND-joined; ordering by those attributes or a metric.
 */
import { MlflowError } from '../errors';
import {
  LOGGED_MODEL_NUMERIC_ATTRIBUTES,
  LOGGED_MODEL_STATUSES,
  loggedModelEntityOf,
  parseLoggedModelFilter,
  type LoggedModelClause,
  type LoggedModelStringAttribute,
} from './loggedModelFilter';
import { andAll, numberPredicateSql, SqlFragment, SqlQuery, stringPredicateSql } from './sqlPredicates';

export { LOGGED_MODEL_STATUSES } from './loggedModelFilter';

export interface LoggedModelOrder {
  field_name: string;
  ascending?: boolean;
  dataset_name?: string;
  dataset_digest?: string;
}

export interface LoggedModelSearchOptions {
  experimentIds: string[];
  filter?: string;
  datasets?: Array<{ dataset_name: string; dataset_digest?: string }>;
  orderBy?: LoggedModelOrder[];
  offset: number;
  limit: number;
}

const STRING_COLUMNS: Record<LoggedModelStringAttribute, string> = {
  name: 'm.name',
  model_id: 'm.model_id',
  model_type: 'm.model_type',
  source_run_id: 'm.source_run_id',
};

function clauseSql(c: LoggedModelClause, datasetSql: SqlFragment): SqlFragment {
  switch (c.entity) {
    case 'metric': {
      const inner = numberPredicateSql('mm.metric_value', c);
      return {
        sql: `EXISTS (SELECT 1 FROM logged_model_metrics mm WHERE mm.model_id = m.model_id AND mm.metric_name = ? AND ${datasetSql.sql} AND ${inner.sql})`,
        params: [c.key, ...datasetSql.params, ...inner.params],
      };
    }
    case 'param':
    case 'tag': {
      const [table, k, v] = c.entity === 'param' ? ['logged_model_params', 'param_key', 'param_value'] : ['logged_model_tags', 'tag_key', 'tag_value'];
      const inner = stringPredicateSql(`x.${v}`, c);
      return { sql: `EXISTS (SELECT 1 FROM ${table} x WHERE x.model_id = m.model_id AND x.${k} = ? AND ${inner.sql})`, params: [c.key, ...inner.params] };
    }
    case 'numericAttribute':
      return numberPredicateSql(`m.${c.field}`, c);
    case 'status':
      return { sql: `m.status ${c.op} ?`, params: [LOGGED_MODEL_STATUSES.indexOf(c.value)] };
    case 'stringAttribute':
      return stringPredicateSql(STRING_COLUMNS[c.key], c);
  }
}

/** `SELECT m.model_id FROM logged_models m ...` for one page of a search. */
export function buildLoggedModelSearchQuery(opts: LoggedModelSearchOptions): SqlQuery {
  const datasets = opts.datasets ?? [];
  const datasetSql: SqlFragment =
    datasets.length === 0
      ? { sql: '1', params: [] }
      : {
          sql: `(${datasets.map((d) => (d.dataset_digest ? '(mm.dataset_name = ? AND mm.dataset_digest = ?)' : 'mm.dataset_name = ?')).join(' OR ')})`,
          params: datasets.flatMap((d) => (d.dataset_digest ? [d.dataset_name, d.dataset_digest] : [d.dataset_name])),
        };
  const ids = opts.experimentIds.filter((id) => /^\d+$/.test(id)).map(Number);
  const where: SqlFragment[] = [
    { sql: `m.experiment_id IN (${ids.map(() => '?').join(', ') || 'NULL'})`, params: ids },
    { sql: "m.lifecycle_stage = 'active'", params: [] },
  ];
  for (const clause of parseLoggedModelFilter(opts.filter)) where.push(clauseSql(clause, datasetSql));
  const order: string[] = [];
  const orderParams: Array<string | number> = [];
  for (const o of opts.orderBy ?? []) {
    const dir = o.ascending === false ? 'DESC' : 'ASC';
    const { entity, key } = loggedModelEntityOf(o.field_name);
    if (entity === 'metric') {
      const sub = `(SELECT mm.metric_value FROM logged_model_metrics mm WHERE mm.model_id = m.model_id AND mm.metric_name = ?${o.dataset_name ? ' AND mm.dataset_name = ?' : ''}${o.dataset_digest ? ' AND mm.dataset_digest = ?' : ''} ORDER BY mm.metric_step DESC, mm.metric_timestamp_ms DESC LIMIT 1)`;
      order.push(`${sub} IS NULL`, `${sub} ${dir}`);
      const p = [key, ...(o.dataset_name ? [o.dataset_name] : []), ...(o.dataset_digest ? [o.dataset_digest] : [])];
      orderParams.push(...p, ...p);
    } else if (entity === 'attribute' && key in STRING_COLUMNS) {
      order.push(`${STRING_COLUMNS[key as LoggedModelStringAttribute]} ${dir}`);
    } else if (entity === 'attribute' && key in LOGGED_MODEL_NUMERIC_ATTRIBUTES) {
      order.push(`m.${LOGGED_MODEL_NUMERIC_ATTRIBUTES[key]} ${dir}`);
    } else {
      throw MlflowError.invalidParameter(`Invalid order by field name: ${o.field_name}`);
    }
  }
  order.push('m.creation_timestamp_ms DESC', 'm.model_id ASC');
  const filter = andAll(where);
  return {
    sql: `SELECT m.model_id FROM logged_models m WHERE ${filter.sql} ORDER BY ${order.join(', ')} LIMIT ? OFFSET ?`,
    params: [...filter.params, ...orderParams, opts.limit, opts.offset],
  };
}
