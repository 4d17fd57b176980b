/**
 * Logged-model search (MLflow 3.x `logged-models/search`): filters on attributes (name, model_id,
 * model_type, status, source_run_id, creation_timestamp, last_updated_timestamp), metrics.<k>,
 * params.<k> and tags.<k>, AND-joined; ordering by those attributes or a metric.
 */
import { MlflowError } from '../errors';
import { isRejected, splitFilter } from './filterParser';
import { isStringLike, splitIdentifier, stripQuotes, unquoteKey } from './filterValues';
import { isNumericComparator, isStringComparator } from './predicates';
import { andAll, numberPredicateSql, SqlFragment, SqlQuery, stringPredicateSql } from './sqlPredicates';
import { isNumberLiteral } from './filterLexer';

const STRING_ATTRIBUTES: Record<string, string> = {
  name: 'm.name',
  model_id: 'm.model_id',
  model_type: 'm.model_type',
  source_run_id: 'm.source_run_id',
};
const NUMERIC_ATTRIBUTES: Record<string, string> = {
  creation_timestamp: 'm.creation_timestamp_ms',
  creation_time: 'm.creation_timestamp_ms',
  last_updated_timestamp: 'm.last_updated_timestamp_ms',
};
export const LOGGED_MODEL_STATUSES = ['LOGGED_MODEL_STATUS_UNSPECIFIED', 'LOGGED_MODEL_PENDING', 'LOGGED_MODEL_READY', 'LOGGED_MODEL_UPLOAD_FAILED'];

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

function entityOf(identifier: string): { entity: 'attribute' | 'metric' | 'param' | 'tag'; key: string } {
  const { entity, key } = splitIdentifier(identifier);
  if (entity === undefined) return { entity: 'attribute', key: unquoteKey(key) };
  switch (entity) {
    case 'attribute':
    case 'attributes':
      return { entity: 'attribute', key: unquoteKey(key) };
    case 'metric':
    case 'metrics':
      return { entity: 'metric', key: unquoteKey(key) };
    case 'param':
    case 'params':
      return { entity: 'param', key: unquoteKey(key) };
    case 'tag':
    case 'tags':
      return { entity: 'tag', key: unquoteKey(key) };
    default:
      throw MlflowError.invalidParameter(`Invalid entity type '${entity}'. Valid values are ['attributes', 'metrics', 'params', 'tags']`);
  }
}

function clauseSql(identifier: string, comparator: string, text: string, stringLike: boolean, datasetSql: SqlFragment): SqlFragment {
  const { entity, key } = entityOf(identifier);
  const op = comparator.toUpperCase();
  const numeric = () => {
    if (!isNumericComparator(op)) throw MlflowError.invalidParameter(`Invalid comparator '${comparator}' for numeric '${identifier}'`);
    if (stringLike || !isNumberLiteral(text)) throw MlflowError.invalidParameter(`Expected numeric value type for '${identifier}', got ${text}`);
    return { op, value: Number(text) };
  };
  const string = () => {
    if (!isStringComparator(op)) throw MlflowError.invalidParameter(`Invalid comparator '${comparator}' for '${identifier}'`);
    if (!stringLike) throw MlflowError.invalidParameter(`Expected a quoted string value for '${identifier}', got ${text}`);
    return { op, value: stripQuotes(text, true) };
  };
  if (entity === 'metric') {
    const p = numeric();
    const inner = numberPredicateSql('mm.metric_value', p);
    return {
      sql: `EXISTS (SELECT 1 FROM logged_model_metrics mm WHERE mm.model_id = m.model_id AND mm.metric_name = ? AND ${datasetSql.sql} AND ${inner.sql})`,
      params: [key, ...datasetSql.params, ...inner.params],
    };
  }
  if (entity === 'param' || entity === 'tag') {
    const [table, k, v] = entity === 'param' ? ['logged_model_params', 'param_key', 'param_value'] : ['logged_model_tags', 'tag_key', 'tag_value'];
    const inner = stringPredicateSql(`x.${v}`, string());
    return { sql: `EXISTS (SELECT 1 FROM ${table} x WHERE x.model_id = m.model_id AND x.${k} = ? AND ${inner.sql})`, params: [key, ...inner.params] };
  }
  if (key in NUMERIC_ATTRIBUTES) return numberPredicateSql(NUMERIC_ATTRIBUTES[key], numeric());
  if (key === 'status') {
    const p = string();
    const index = LOGGED_MODEL_STATUSES.indexOf(p.value);
    if (p.op === '=' || p.op === '!=') return { sql: `m.status ${p.op} ?`, params: [index] };
    throw MlflowError.invalidParameter(`Invalid comparator '${comparator}' for attribute 'status'`);
  }
  if (key in STRING_ATTRIBUTES) return stringPredicateSql(STRING_ATTRIBUTES[key], string());
  throw MlflowError.invalidParameter(`Invalid attribute key '${key}' specified.`);
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
  for (const item of splitFilter(opts.filter, 'plain')) {
    if (isRejected(item)) throw MlflowError.invalidParameter(item.error);
    where.push(clauseSql(item.identifier, item.comparator, item.value.text, isStringLike(item.value), datasetSql));
  }
  const order: string[] = [];
  const orderParams: Array<string | number> = [];
  for (const o of opts.orderBy ?? []) {
    const dir = o.ascending === false ? 'DESC' : 'ASC';
    const { entity, key } = entityOf(o.field_name);
    if (entity === 'metric') {
      const sub = `(SELECT mm.metric_value FROM logged_model_metrics mm WHERE mm.model_id = m.model_id AND mm.metric_name = ?${o.dataset_name ? ' AND mm.dataset_name = ?' : ''}${o.dataset_digest ? ' AND mm.dataset_digest = ?' : ''} ORDER BY mm.metric_step DESC, mm.metric_timestamp_ms DESC LIMIT 1)`;
      order.push(`${sub} IS NULL`, `${sub} ${dir}`);
      const p = [key, ...(o.dataset_name ? [o.dataset_name] : []), ...(o.dataset_digest ? [o.dataset_digest] : [])];
      orderParams.push(...p, ...p);
    } else if (entity === 'attribute' && (key in STRING_ATTRIBUTES || key in NUMERIC_ATTRIBUTES)) {
      order.push(`${STRING_ATTRIBUTES[key] ?? NUMERIC_ATTRIBUTES[key]} ${dir}`);
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
