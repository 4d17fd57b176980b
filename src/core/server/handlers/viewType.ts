import { ViewType, VIEW_TYPES } from '../../entities';
import { MlflowError } from '../../errors';
import type { RequestFields } from '../requestFields';

const VIEW_TYPE_NUMBERS: Record<number, ViewType> = { 1: 'ACTIVE_ONLY', 2: 'DELETED_ONLY', 3: 'ALL' };

export function readViewType(fields: RequestFields, name: string): ViewType {
  return fields.enumValue(name, VIEW_TYPES, VIEW_TYPE_NUMBERS) ?? 'ACTIVE_ONLY';
}

/** max_results within [1, max], defaulting when absent. */
export function readMaxResults(fields: RequestFields, fallback: number, max: number): number {
  const value = fields.int('max_results') ?? fallback;
  if (value < 1 || value > max) {
    throw MlflowError.invalidParameter(
      `Invalid value ${value} for parameter 'max_results' supplied. It must be at least 1 and at most ${max}.`,
    );
  }
  return value;
}
