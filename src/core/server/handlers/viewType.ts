import { ViewType, VIEW_TYPES } from '../../entities';
import type { RequestFields } from '../requestFields';

const VIEW_TYPE_NUMBERS: Record<number, ViewType> = { 1: 'ACTIVE_ONLY', 2: 'DELETED_ONLY', 3: 'ALL' };

export function readViewType(fields: RequestFields, name: string): ViewType {
  return fields.enumValue(name, VIEW_TYPES, VIEW_TYPE_NUMBERS) ?? 'ACTIVE_ONLY';
}
