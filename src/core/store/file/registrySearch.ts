/**
 * Registered-model and model-version search in memory (compat §3.6, §3.7) with the shared
 * parsers. Prompts (tag `mlflow.prompt.is_prompt = 'true'`) are hidden unless the filter asks for
 * them; deleted versions are never returned. Registered models may also be ordered by
 * `creation_timestamp`, which MLflow's FileStore accepts.
 */
import type { KeyValue } from '../../entities';
import { MlflowError } from '../../errors';
import { parseModelVersionFilter, parseModelVersionOrderBy, type ModelVersionClause } from '../../search/modelVersionSearch';
import { parseOrderByElement } from '../../search/orderByParser';
import { compareCodePoints, matchNumber, matchString } from '../../search/predicates';
import { pyList } from '../../search/pythonRepr';
import { parseRegisteredModelFilter, parseRegisteredModelOrderBy, type RegisteredModelClause } from '../../search/registeredModelSearch';
import { IS_PROMPT_TAG, STAGE_DELETED_INTERNAL, type ModelVersionRow, type RegisteredModelRow } from '../sql/registryRows';

export interface SearchableRegisteredModel {
  row: RegisteredModelRow;
  tags: readonly KeyValue[];
}

export interface SearchableModelVersion {
  row: ModelVersionRow;
  tags: readonly KeyValue[];
  /** The registered model's tags (a prompt's versions are hidden with it). */
  modelTags: readonly KeyValue[];
}

type Key = number | string | null;

function tag(tags: readonly KeyValue[], key: string): string | undefined {
  return tags.find((t) => t.key === key)?.value;
}

function isPrompt(...tagLists: ReadonlyArray<readonly KeyValue[]>): boolean {
  return tagLists.some((tags) => tag(tags, IS_PROMPT_TAG) === 'true');
}

/** Null/missing values go last; numbers and strings compare naturally. */
function compareKeys(x: Key, y: Key, ascending: boolean): number {
  if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1;
  const cmp = typeof x === 'number' && typeof y === 'number' ? x - y : compareCodePoints(String(x), String(y));
  return ascending ? cmp : -cmp;
}

function modelMatches(m: SearchableRegisteredModel, c: RegisteredModelClause): boolean {
  return c.entity === 'attribute' ? matchString(m.row.name, c) : matchString(tag(m.tags, c.key), c);
}

/** Ordering: name / timestamp / last_updated_timestamp / creation_timestamp, then `name ASC`. */
function registeredModelOrder(orderBy: readonly string[] | undefined): Array<{ key: (m: SearchableRegisteredModel) => Key; ascending: boolean; column: string }> {
  const out: Array<{ key: (m: SearchableRegisteredModel) => Key; ascending: boolean; column: string }> = [];
  for (const element of orderBy ?? []) {
    const { identifier, ascending } = parseOrderByElement(element);
    const column = identifier.trim() === 'creation_timestamp' ? 'creation_time' : parseRegisteredModelOrderBy([element])[0].column;
    if (out.some((o) => o.column === column)) {
      throw MlflowError.invalidParameter(`\`order_by\` contains duplicate fields: ${pyList(orderBy ?? [])}`);
    }
    const key =
      column === 'name' ? (m: SearchableRegisteredModel) => m.row.name : column === 'creation_time' ? (m: SearchableRegisteredModel) => m.row.creation_time : (m: SearchableRegisteredModel) => m.row.last_updated_time;
    out.push({ key, ascending, column });
  }
  if (!out.some((o) => o.column === 'name')) out.push({ key: (m) => m.row.name, ascending: true, column: 'name' });
  return out;
}

export function searchRegisteredModelsInMemory<T extends SearchableRegisteredModel>(models: readonly T[], filter?: string, orderBy?: string[]): T[] {
  const { clauses, queryingPrompts } = parseRegisteredModelFilter(filter);
  const order = registeredModelOrder(orderBy);
  const kept = queryingPrompts ? clauses : clauses.filter((c) => !(c.entity === 'tag' && c.key === IS_PROMPT_TAG));
  const matched = models.filter((m) => (queryingPrompts || !isPrompt(m.tags)) && kept.every((c) => modelMatches(m, c)));
  return matched.sort((a, b) => {
    for (const o of order) {
      const cmp = compareKeys(o.key(a), o.key(b), o.ascending);
      if (cmp !== 0) return cmp;
    }
    return 0;
  });
}

function versionMatches(v: SearchableModelVersion, c: ModelVersionClause): boolean {
  switch (c.entity) {
    case 'tag':
      return matchString(tag(v.tags, c.key), c);
    case 'numericAttribute': {
      const value = typeof c.value === 'number' ? c.value : Number(c.value);
      return !Number.isNaN(value) && matchNumber(v.row.version, { op: c.op, value });
    }
    case 'stringAttribute': {
      const field = c.key === 'source_path' ? v.row.source : c.key === 'run_id' ? v.row.run_id : v.row.name;
      return matchString(field, c);
    }
  }
}

const VERSION_KEYS: Record<string, (v: SearchableModelVersion) => Key> = {
  name: (v) => v.row.name,
  version_number: (v) => v.row.version,
  creation_timestamp: (v) => v.row.creation_time,
  last_updated_timestamp: (v) => v.row.last_updated_time,
};

export function searchModelVersionsInMemory<T extends SearchableModelVersion>(versions: readonly T[], filter?: string, orderBy?: string[]): T[] {
  const { clauses, queryingPrompts } = parseModelVersionFilter(filter);
  const order = parseModelVersionOrderBy(orderBy);
  const kept = queryingPrompts ? clauses : clauses.filter((c) => !(c.entity === 'tag' && c.key === IS_PROMPT_TAG));
  const matched = versions.filter(
    (v) =>
      v.row.current_stage !== STAGE_DELETED_INTERNAL &&
      (queryingPrompts || !isPrompt(v.modelTags, v.tags)) &&
      kept.every((c) => versionMatches(v, c)),
  );
  return matched.sort((a, b) => {
    for (const o of order) {
      const cmp = compareKeys(VERSION_KEYS[o.key](a), VERSION_KEYS[o.key](b), o.ascending);
      if (cmp !== 0) return cmp;
    }
    return 0;
  });
}
