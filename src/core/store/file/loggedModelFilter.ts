/**
 * Logged-model search in memory, with the rules of ../../search/loggedModelSearch.ts (which builds
 * SQL): attributes name, model_id, model_type, status, source_run_id, creation_timestamp
 * (creation_time), last_updated_timestamp; metrics.<k> (any point, restricted to the requested
 * datasets), params.<k>, tags.<k>; order by those attributes or a metric's latest value, then
 * `creation_timestamp DESC, model_id ASC`.
 */
import type { LoggedModel } from '../sql/loggedModels';
import { MlflowError } from '../../errors';
import { isRejected, splitFilter } from '../../search/filterParser';
import { isNumberLiteral } from '../../search/filterLexer';
import { isStringLike, splitIdentifier, stripQuotes, unquoteKey } from '../../search/filterValues';
import type { LoggedModelOrder } from '../../search/loggedModelSearch';
import { compareCodePoints, isNumericComparator, isStringComparator, matchNumber, matchString } from '../../search/predicates';

export interface ModelMetricPoint {
  key: string;
  value: number;
  timestamp: number;
  step: number;
  dataset_name?: string;
  dataset_digest?: string;
}

/** What the search needs of a model: its wire form and every metric point. */
export interface SearchableLoggedModel {
  model: LoggedModel;
  points: readonly ModelMetricPoint[];
}

export type DatasetFilter = Array<{ dataset_name: string; dataset_digest?: string }>;

type Predicate = (m: SearchableLoggedModel) => boolean;
type Entity = 'attribute' | 'metric' | 'param' | 'tag';

const STRING_ATTRIBUTES = ['name', 'model_id', 'model_type', 'source_run_id'] as const;
const NUMERIC_ATTRIBUTES: Record<string, 'creation_timestamp_ms' | 'last_updated_timestamp_ms'> = {
  creation_timestamp: 'creation_timestamp_ms',
  creation_time: 'creation_timestamp_ms',
  last_updated_timestamp: 'last_updated_timestamp_ms',
};

function entityOf(identifier: string): { entity: Entity; key: string } {
  const { entity, key } = splitIdentifier(identifier);
  const k = unquoteKey(key);
  if (entity === undefined || entity === 'attribute' || entity === 'attributes') return { entity: 'attribute', key: k };
  if (entity === 'metric' || entity === 'metrics') return { entity: 'metric', key: k };
  if (entity === 'param' || entity === 'params') return { entity: 'param', key: k };
  if (entity === 'tag' || entity === 'tags') return { entity: 'tag', key: k };
  throw MlflowError.invalidParameter(`Invalid entity type '${entity}'. Valid values are ['attributes', 'metrics', 'params', 'tags']`);
}

function inDatasets(p: ModelMetricPoint, datasets: DatasetFilter): boolean {
  if (datasets.length === 0) return true;
  return datasets.some((d) => p.dataset_name === d.dataset_name && (!d.dataset_digest || p.dataset_digest === d.dataset_digest));
}

function lookup(list: ReadonlyArray<{ key: string; value: string }> | undefined, key: string): string | undefined {
  return list?.find((kv) => kv.key === key)?.value;
}

function clause(identifier: string, comparator: string, text: string, stringLike: boolean, datasets: DatasetFilter): Predicate {
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
    return (m) => m.points.some((pt) => pt.key === key && inDatasets(pt, datasets) && matchNumber(pt.value, p));
  }
  if (entity === 'param') {
    const p = string();
    return (m) => matchString(lookup(m.model.data.params, key), p);
  }
  if (entity === 'tag') {
    const p = string();
    return (m) => matchString(lookup(m.model.info.tags, key), p);
  }
  if (key in NUMERIC_ATTRIBUTES) {
    const p = numeric();
    return (m) => matchNumber(m.model.info[NUMERIC_ATTRIBUTES[key]], p);
  }
  if (key === 'status') {
    const p = string();
    if (p.op !== '=' && p.op !== '!=') throw MlflowError.invalidParameter(`Invalid comparator '${comparator}' for attribute 'status'`);
    const wanted = p.value.startsWith('LOGGED_MODEL_') ? p.value : `LOGGED_MODEL_${p.value}`;
    return (m) => (m.model.info.status === wanted) === (p.op === '=');
  }
  if ((STRING_ATTRIBUTES as readonly string[]).includes(key)) {
    const p = string();
    const attr = key as (typeof STRING_ATTRIBUTES)[number];
    return (m) => matchString(m.model.info[attr], p);
  }
  throw MlflowError.invalidParameter(`Invalid attribute key '${key}' specified.`);
}

/** The filter as one predicate; throws MlflowError on a bad filter. */
export function parseLoggedModelFilter(filter: string | undefined, datasets: DatasetFilter = []): Predicate {
  const predicates: Predicate[] = [];
  for (const item of splitFilter(filter, 'plain')) {
    if (isRejected(item)) throw MlflowError.invalidParameter(item.error);
    predicates.push(clause(item.identifier, item.comparator, item.value.text, isStringLike(item.value), datasets));
  }
  return (m) => predicates.every((p) => p(m));
}

type SortValue = number | string | undefined;

function latestMetric(m: SearchableLoggedModel, o: LoggedModelOrder, key: string): number | undefined {
  let best: ModelMetricPoint | undefined;
  for (const p of m.points) {
    if (p.key !== key || (o.dataset_name && p.dataset_name !== o.dataset_name) || (o.dataset_digest && p.dataset_digest !== o.dataset_digest)) continue;
    if (!best || p.step > best.step || (p.step === best.step && p.timestamp > best.timestamp)) best = p;
  }
  return best?.value;
}

/** A comparator for the requested order plus MLflow's tie-breakers; throws on an unknown field. */
export function loggedModelComparator(orderBy: readonly LoggedModelOrder[] = []): (a: SearchableLoggedModel, b: SearchableLoggedModel) => number {
  const keys = orderBy.map((o) => {
    const { entity, key } = entityOf(o.field_name);
    let get: (m: SearchableLoggedModel) => SortValue;
    if (entity === 'metric') get = (m) => latestMetric(m, o, key);
    else if (entity === 'attribute' && key in NUMERIC_ATTRIBUTES) get = (m) => m.model.info[NUMERIC_ATTRIBUTES[key]];
    else if (entity === 'attribute' && (STRING_ATTRIBUTES as readonly string[]).includes(key)) {
      get = (m) => m.model.info[key as (typeof STRING_ATTRIBUTES)[number]];
    } else throw MlflowError.invalidParameter(`Invalid order by field name: ${o.field_name}`);
    return { get, ascending: o.ascending !== false };
  });
  keys.push({ get: (m) => m.model.info.creation_timestamp_ms, ascending: false }, { get: (m) => m.model.info.model_id, ascending: true });
  return (a, b) => {
    for (const k of keys) {
      const x = k.get(a);
      const y = k.get(b);
      if (x === undefined || y === undefined) {
        if (x !== y) return x === undefined ? 1 : -1;
        continue;
      }
      const cmp = typeof x === 'number' && typeof y === 'number' ? (x < y ? -1 : x > y ? 1 : 0) : compareCodePoints(String(x), String(y));
      if (cmp !== 0) return k.ascending ? cmp : -cmp;
    }
    return 0;
  };
}
