/**
 * Run `order_by` (compat §3.2): each element parsed, aliases resolved, datasets rejected, then the
 * tie-breakers appended: `start_time DESC` (unless already ordered by start time) and `run_id ASC`.
 * MLflow's SQL store also rejects a field named twice, as an internal error (HTTP 500); its file
 * store accepts it.
 */
import { MlflowError } from '../errors';
import { parseOrderByElement } from './orderByParser';
import { pyList } from './pythonRepr';
import { ORDERABLE_RUN_ATTRIBUTES, parseRunIdentifier, translateRunKeyAlias } from './runFilter';

export type RunOrderEntity = 'metric' | 'param' | 'tag' | 'attribute';

export interface RunOrderBy {
  entity: RunOrderEntity;
  /** Attribute keys are canonical: run_id, run_name, status, user_id, artifact_uri, start_time, end_time. */
  key: string;
  ascending: boolean;
}

export interface OrderByRules {
  /** Reject a field named twice (MLflow's SQL stores), checked as each element is read. */
  rejectDuplicates?: boolean;
}

/** The SQL stores' answer to a field named twice in order_by: no error code, so HTTP 500. */
export function duplicateOrderByError(orderBy: readonly string[]): MlflowError {
  return new MlflowError('INTERNAL_ERROR', `\`order_by\` contains duplicate fields: ${pyList(orderBy)}`);
}

/** The effective ordering for a run search, tie-breakers included. */
export function parseRunOrderBy(orderBy?: readonly string[] | null, rules: OrderByRules = {}): RunOrderBy[] {
  const result: RunOrderBy[] = [];
  const seen = new Set<string>();
  for (const element of orderBy ?? []) {
    const { identifier, ascending } = parseOrderByElement(element);
    const parsed = parseRunIdentifier(identifier, ORDERABLE_RUN_ATTRIBUTES);
    if (parsed.type === 'dataset') {
      throw MlflowError.invalidParameter(`Invalid identifier type '${parsed.type}'`);
    }
    const entity: RunOrderEntity = parsed.type === 'parameter' ? 'param' : parsed.type;
    const key = entity === 'attribute' ? translateRunKeyAlias(parsed.key) : parsed.key;
    const field = `${entity}\u0000${key}`;
    if (rules.rejectDuplicates && seen.has(field)) throw duplicateOrderByError(orderBy ?? []);
    seen.add(field);
    result.push({ entity, key, ascending });
  }
  if (!seen.has('attribute\u0000start_time')) result.push({ entity: 'attribute', key: 'start_time', ascending: false });
  result.push({ entity: 'attribute', key: 'run_id', ascending: true });
  return result;
}
