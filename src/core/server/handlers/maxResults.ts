/**
 * `max_results` of the search endpoints, checked where and how MLflow checks it: the request
 * schema caps it (message naming the value as sent and its JSON type), the store rejects values
 * below 1 with its own wording (compat §3.3, §3.5–§3.7).
 */
import { MlflowError } from '../../errors';
import { invalidValueMessage } from '../../validation';
import { pythonType, type RequestFields } from '../requestFields';

/** The request schema's cap: "Invalid value <sent> for parameter 'max_results' supplied:  Hint: ...". */
function checkCap(fields: RequestFields, value: number, cap: number): void {
  if (value > cap) {
    const sent = fields.raw('max_results');
    throw MlflowError.invalidParameter(
      `${invalidValueMessage('max_results', sent, ` Hint: Value was of type '${pythonType(sent)}'.`)} ` +
        'See the API docs for more information about request parameters.',
    );
  }
}

function requirePositive(value: number): void {
  if (value < 1) throw MlflowError.invalidParameter(`Invalid value ${value} for parameter 'max_results' supplied. It must be a positive integer`);
}

/** runs/search: default 1000, at most 50000, at least 1. */
export function runsMaxResults(fields: RequestFields): number {
  const value = fields.int('max_results') ?? 1000;
  checkCap(fields, value, 50000);
  requirePositive(value);
  return value;
}

/** experiments/search: no default (absent reads as 0, which is rejected), 1..50000. */
export function experimentsMaxResults(fields: RequestFields): number {
  const value = fields.int('max_results') ?? 0;
  requirePositive(value);
  if (value > 50000) throw MlflowError.invalidParameter(`Invalid value ${value} for parameter 'max_results' supplied. It must be at most 50000`);
  return value;
}

/** registered-models/search: default 100, at most 1000. */
export function registeredModelsMaxResults(fields: RequestFields): number {
  const value = fields.int('max_results') ?? 100;
  checkCap(fields, value, 1000);
  requirePositive(value);
  return value;
}

/** model-versions/search: default 200000, at most 200000, at least 1. */
export function modelVersionsMaxResults(fields: RequestFields): number {
  const value = fields.int('max_results') ?? 200000;
  checkCap(fields, value, 200000);
  if (value < 1) throw MlflowError.invalidParameter(`Invalid value for max_results. It must be a positive integer, but got ${value}`);
  return value;
}
