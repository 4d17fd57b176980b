/**
 * Logged-model search in memory, with the rules of ../../search/loggedModelSearch.ts (which builds
 * SQL): attributes name, model_id, model_type, status, source_run_id, creation_timestamp
 * (creation_time), last_updated_timestamp; metrics.<k> (any point, restricted to the requested
 * datasets), params.<k>, tags.<k>; order by those attributes or a metric's latest value, then
 * `creation_timestamp DESC, model_id ASC`.
 */
import type { LoggedModel } from '../sql/loggedModels';
import { MlflowError } from '../../errors';
import {
  LOGGED_MODEL_NUMERIC_ATTRIBUTES,
  LOGGED_MODEL_STRING_ATTRIBUTES,
  loggedModelEntityOf,
  parseLoggedModelFilter as parseClauses,
  type LoggedModelClause,
  type LoggedModelStringAttribute,
} from '../../search/loggedModelFilter';
import type { LoggedModelOrder } from '../../search/loggedModelSearch';
import { compareCodePoints, matchNumber, matchString } from '../../search/predicates';

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

function inDatasets(p: ModelMetricPoint, datasets: DatasetFilter): boolean {
  if (datasets.length === 0) return true;
  return datasets.some((d) => p.dataset_name === d.dataset_name && (!d.dataset_digest || p.dataset_digest === d.dataset_digest));
}

function lookup(list: ReadonlyArray<{ key: string; value: string }> | undefined, key: string): string | undefined {
  return list?.find((kv) => kv.key === key)?.value;
}

function predicate(c: LoggedModelClause, datasets: DatasetFilter): Predicate {
  switch (c.entity) {
    case 'metric':
      return (m) => m.points.some((pt) => pt.key === c.key && inDatasets(pt, datasets) && matchNumber(pt.value, c));
    case 'param':
      return (m) => matchString(lookup(m.model.data.params, c.key), c);
    case 'tag':
      return (m) => matchString(lookup(m.model.info.tags, c.key), c);
    case 'numericAttribute':
      return (m) => matchNumber(m.model.info[c.field], c);
    case 'status':
      return (m) => (m.model.info.status === c.value) === (c.op === '=');
    case 'stringAttribute':
      return (m) => matchString(m.model.info[c.key], c);
  }
}

/** The filter as one predicate; throws MlflowError on a bad filter. */
export function parseLoggedModelFilter(filter: string | undefined, datasets: DatasetFilter = []): Predicate {
  const predicates = parseClauses(filter).map((c) => predicate(c, datasets));
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
    const { entity, key } = loggedModelEntityOf(o.field_name);
    let get: (m: SearchableLoggedModel) => SortValue;
    if (entity === 'metric') get = (m) => latestMetric(m, o, key);
    else if (entity === 'attribute' && key in LOGGED_MODEL_NUMERIC_ATTRIBUTES) get = (m) => m.model.info[LOGGED_MODEL_NUMERIC_ATTRIBUTES[key]];
    else if (entity === 'attribute' && (LOGGED_MODEL_STRING_ATTRIBUTES as readonly string[]).includes(key)) {
      get = (m) => m.model.info[key as LoggedModelStringAttribute];
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
