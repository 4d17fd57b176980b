/** The search layer: MLflow's filter / order_by grammar, SQL builders, page tokens, in-memory run search. */
export { encodeOffsetToken, decodeOffsetToken } from './pageToken';
export type { NumberPredicate, StringPredicate, NumericComparator, StringComparator, ListComparator } from './predicates';
export type { SqlParam, SqlQuery } from './sqlPredicates';

export {
  parseRunFilter,
  parseRunFilterComparisons,
  toRunClauses,
  type RunClause,
  type RunComparison,
  type RunEntityType,
} from './runFilter';
export { parseRunOrderBy, type RunOrderBy } from './runOrderBy';
export { buildRunSearchQuery, type RunSearchQueryOptions } from './runSearchSql';
export {
  searchRunsInMemory,
  runMatchesClauses,
  compareRuns,
  searchableRunFromEntity,
  type SearchableRun,
  type InMemoryRunSearch,
} from './runEvaluator';

export {
  parseExperimentFilter,
  parseExperimentOrderBy,
  type ExperimentClause,
  type ExperimentOrderBy,
} from './experimentFilter';
export { buildExperimentSearchQuery, type ExperimentSearchQueryOptions } from './experimentSearchSql';

export {
  parseRegisteredModelFilter,
  parseRegisteredModelOrderBy,
  buildRegisteredModelSearchQuery,
  type RegisteredModelClause,
  type RegisteredModelOrderBy,
} from './registeredModelSearch';
export {
  parseModelVersionFilter,
  parseModelVersionOrderBy,
  buildModelVersionSearchQuery,
  type ModelVersionClause,
  type ModelVersionOrderBy,
} from './modelVersionSearch';
