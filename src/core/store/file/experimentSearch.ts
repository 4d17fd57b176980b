/**
 * Experiment search in memory (compat §3.5) with the shared parser: name / creation_time /
 * last_update_time / tags filters, order by name, experiment_id, creation_time,
 * last_update_time (default `creation_time DESC, experiment_id ASC`); experiments lacking a sort
 * value go last in both directions, as in MLflow's FileStore.
 */
import type { Experiment } from '../../entities';
import { ExperimentClause, ExperimentOrderBy, parseExperimentFilter, parseExperimentOrderBy } from '../../search/experimentFilter';
import { compareCodePoints, matchNumber, matchString } from '../../search/predicates';

function tagValue(experiment: Experiment, key: string): string | undefined {
  return experiment.tags?.find((t) => t.key === key)?.value;
}

export function experimentMatches(experiment: Experiment, clause: ExperimentClause): boolean {
  switch (clause.entity) {
    case 'stringAttribute':
      return matchString(experiment.name, clause);
    case 'numericAttribute':
      return matchNumber(experiment[clause.key], clause);
    case 'tag':
      return matchString(tagValue(experiment, clause.key), clause);
  }
}

/** Experiment ids compare as integers when both are digits (the 18-digit ids exceed 2^53). */
function compareIds(a: string, b: string): number {
  if (/^\d+$/.test(a) && /^\d+$/.test(b)) {
    const x = BigInt(a);
    const y = BigInt(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return compareCodePoints(a, b);
}

function compareBy(a: Experiment, b: Experiment, o: ExperimentOrderBy): number {
  const x = a[o.key];
  const y = b[o.key];
  if (x === undefined || y === undefined) return x === y ? 0 : x === undefined ? 1 : -1;
  let cmp: number;
  if (o.key === 'experiment_id') cmp = compareIds(String(x), String(y));
  else if (typeof x === 'number' && typeof y === 'number') cmp = x - y;
  else cmp = compareCodePoints(String(x), String(y));
  return o.ascending ? cmp : -cmp;
}

/** Filters and sorts experiments; throws MlflowError on a bad filter or order_by. */
export function searchExperimentsInMemory(experiments: readonly Experiment[], filter?: string, orderBy?: string[]): Experiment[] {
  const clauses = parseExperimentFilter(filter);
  const order = parseExperimentOrderBy(orderBy);
  const matched = experiments.filter((e) => clauses.every((c) => experimentMatches(e, c)));
  return matched.sort((a, b) => {
    for (const o of order) {
      const cmp = compareBy(a, b, o);
      if (cmp !== 0) return cmp;
    }
    return 0;
  });
}
