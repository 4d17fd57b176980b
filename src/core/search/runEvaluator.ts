/**
 * Run search in memory, for stores that are not SQL (e.g. an mlruns/ folder reader). Same parser
 * and the same semantics as `buildRunSearchQuery`: latest metric values, missing keys never match,
 * run_name matched against the mlflow.runName tag, LIKE case-sensitive, ILIKE ASCII-folding,
 * missing sort keys last, NaN metrics after numbers, then start_time DESC and run_id ASC.
 */
import type { Run, ViewType } from '../entities';
import { compareCodePoints, matchNumber, matchString } from './predicates';
import { RunClause, parseRunFilterComparisons, toRunClauses } from './runFilter';
import { RunOrderBy, parseRunOrderBy } from './runOrderBy';
import { DATASET_CONTEXT_TAG, RUN_NAME_TAG } from './runSearchSql';

export type KeyedValues<T> = ReadonlyMap<string, T> | Readonly<Record<string, T>>;

export interface SearchableRunInfo {
  run_id: string;
  run_name?: string | null;
  experiment_id?: string | null;
  user_id?: string | null;
  status?: string | null;
  start_time?: number | null;
  end_time?: number | null;
  artifact_uri?: string | null;
  lifecycle_stage?: string | null;
}

export interface SearchableDatasetInput {
  dataset: { name: string; digest: string };
  tags?: KeyedValues<string>;
}

/** What the evaluator needs of a run; metrics hold each key's latest value (NaN allowed). */
export interface SearchableRun {
  info: SearchableRunInfo;
  metrics: KeyedValues<number>;
  params: KeyedValues<string>;
  tags: KeyedValues<string | null>;
  datasetInputs?: readonly SearchableDatasetInput[];
}

export interface RunEvaluationOptions {
  /**
   * How a NaN metric compares in filters: 'zero' (default) as MLflow's SQL store does (NaN is
   * stored as 0 with is_nan=1), 'nan' as its FileStore does (only `!=` matches).
   */
  metricNaN?: 'zero' | 'nan';
}

export interface InMemoryRunSearch extends RunEvaluationOptions {
  /** When given, runs whose info.experiment_id is not one of these (compared as integers) are left out. */
  experimentIds?: string[];
  filter?: string;
  viewType?: ViewType;
  orderBy?: string[];
  offset?: number;
  limit?: number;
}

function lookup<T>(values: KeyedValues<T> | undefined, key: string): T | undefined {
  if (!values) return undefined;
  if (values instanceof Map) return values.get(key);
  const record = values as Readonly<Record<string, T>>;
  return Object.prototype.hasOwnProperty.call(record, key) ? record[key] : undefined;
}

function attributeValue(info: SearchableRunInfo, key: string): string | number | null | undefined {
  return (info as unknown as Record<string, string | number | null | undefined>)[key];
}

/** Whether a run satisfies one clause. */
export function runMatchesClause(run: SearchableRun, c: RunClause, options: RunEvaluationOptions = {}): boolean {
  switch (c.entity) {
    case 'metric': {
      let v = lookup(run.metrics, c.key);
      if (v !== undefined && Number.isNaN(v) && options.metricNaN !== 'nan') v = 0;
      if (v !== undefined && Number.isNaN(v)) return c.op === '!=';
      return matchNumber(v, c);
    }
    case 'param':
      return matchString(lookup(run.params, c.key), c);
    case 'tag':
      return matchString(lookup(run.tags, c.key), c);
    case 'numericAttribute':
      return matchNumber(attributeValue(run.info, c.key) as number | null | undefined, c);
    case 'stringAttribute': {
      if (c.key === 'run_name') return matchString(lookup(run.tags, RUN_NAME_TAG), c);
      return matchString(attributeValue(run.info, c.key) as string | null | undefined, c);
    }
    case 'dataset':
      return (run.datasetInputs ?? []).some((input) =>
        matchString(c.key === 'context' ? lookup(input.tags, DATASET_CONTEXT_TAG) : input.dataset[c.key], c),
      );
  }
}

export function runMatchesClauses(run: SearchableRun, clauses: readonly RunClause[], options: RunEvaluationOptions = {}): boolean {
  return clauses.every((c) => runMatchesClause(run, c, options));
}

/** 0 = has a value, 1 = NaN (metrics only), 2 = missing; with the value to compare. */
function sortKey(run: SearchableRun, o: RunOrderBy): { rank: number; value?: number | string } {
  let v: string | number | null | undefined;
  if (o.entity === 'metric') {
    v = lookup(run.metrics, o.key);
    if (v === undefined) return { rank: 2 };
    if (Number.isNaN(v)) return { rank: 1 };
  } else if (o.entity === 'param') v = lookup(run.params, o.key);
  else if (o.entity === 'tag') v = lookup(run.tags, o.key);
  else v = attributeValue(run.info, o.key);
  return v === null || v === undefined ? { rank: o.entity === 'metric' ? 2 : 1 } : { rank: 0, value: v };
}

function compareValues(a: number | string, b: number | string): number {
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'number') return -1; // SQLite sorts numbers before text
  if (typeof b === 'number') return 1;
  return compareCodePoints(a, b);
}

/** Compares two runs under an effective ordering (as returned by parseRunOrderBy). */
export function compareRuns(a: SearchableRun, b: SearchableRun, order: readonly RunOrderBy[]): number {
  for (const o of order) {
    const ka = sortKey(a, o);
    const kb = sortKey(b, o);
    if (ka.rank !== kb.rank) return ka.rank - kb.rank;
    if (ka.rank !== 0) continue;
    const cmp = compareValues(ka.value!, kb.value!);
    if (cmp !== 0) return o.ascending ? cmp : -cmp;
  }
  return 0;
}

function inScope(run: SearchableRun, ids: Set<number> | undefined, viewType: ViewType): boolean {
  if (ids && !ids.has(Number(run.info.experiment_id))) return false;
  const stage = run.info.lifecycle_stage ?? 'active';
  if (viewType === 'ACTIVE_ONLY') return stage === 'active';
  if (viewType === 'DELETED_ONLY') return stage === 'deleted';
  return stage === 'active' || stage === 'deleted';
}

/** Filters, sorts and pages runs like `runs/search`; throws MlflowError on a bad filter or order_by. */
export function searchRunsInMemory<T extends SearchableRun>(runs: readonly T[], opts: InMemoryRunSearch = {}): T[] {
  const comparisons = parseRunFilterComparisons(opts.filter);
  const order = parseRunOrderBy(opts.orderBy);
  const clauses = toRunClauses(comparisons);
  const ids = opts.experimentIds
    ? new Set(opts.experimentIds.filter((id) => /^\s*[+-]?\d+\s*$/.test(id)).map(Number))
    : undefined;
  const viewType = opts.viewType ?? 'ACTIVE_ONLY';
  const matched = runs.filter((r) => inScope(r, ids, viewType) && runMatchesClauses(r, clauses, opts));
  matched.sort((a, b) => compareRuns(a, b, order));
  const offset = Math.max(0, opts.offset ?? 0);
  return matched.slice(offset, opts.limit === undefined ? undefined : offset + opts.limit);
}

/** Adapts a REST-shaped Run (latest metrics in data.metrics) to the evaluator's input. */
export function searchableRunFromEntity(run: Run): SearchableRun {
  return {
    info: run.info,
    metrics: new Map((run.data.metrics ?? []).map((m) => [m.key, m.value])),
    params: new Map((run.data.params ?? []).map((p) => [p.key, p.value])),
    tags: new Map((run.data.tags ?? []).map((t) => [t.key, t.value])),
    datasetInputs: (run.inputs.dataset_inputs ?? []).map((d) => ({
      dataset: { name: d.dataset.name, digest: d.dataset.digest },
      tags: new Map((d.tags ?? []).map((t) => [t.key, t.value])),
    })),
  };
}
