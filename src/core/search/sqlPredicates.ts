/**
 * SQL for parsed predicates, independent of PRAGMA case_sensitive_like: LIKE becomes GLOB (always
 * case-sensitive) with GLOB's own metacharacters escaped as character classes, ILIKE becomes
 * `lower(x) LIKE lower(?)` (SQLite's lower() folds ASCII only, as in MLflow on SQLite).
 */
import { NumericComparator, StringPredicate } from './predicates';

export type SqlParam = string | number | null;

export interface SqlFragment {
  sql: string;
  params: SqlParam[];
}

export interface SqlQuery {
  sql: string;
  params: SqlParam[];
}

/** Translates a LIKE pattern (`%`, `_`, no escape) into an equivalent GLOB pattern. */
export function likeToGlob(pattern: string): string {
  let out = '';
  for (const ch of pattern) {
    if (ch === '%') out += '*';
    else if (ch === '_') out += '?';
    else if (ch === '*' || ch === '?' || ch === '[') out += `[${ch}]`;
    else out += ch;
  }
  return out;
}

export function stringPredicateSql(column: string, p: StringPredicate): SqlFragment {
  switch (p.op) {
    case '=':
    case '!=':
      return { sql: `${column} ${p.op} ?`, params: [p.value] };
    case 'LIKE':
      return { sql: `${column} GLOB ?`, params: [likeToGlob(p.value)] };
    case 'ILIKE':
      return { sql: `lower(${column}) LIKE lower(?)`, params: [p.value] };
    case 'IN':
    case 'NOT IN':
      if (p.value.length === 0) return { sql: p.op === 'IN' ? '0' : '1', params: [] };
      return { sql: `${column} ${p.op} (${placeholders(p.value.length)})`, params: [...p.value] };
  }
}

/** Numeric comparison; the value may also be a string (compared under SQLite's column affinity). */
export function numberPredicateSql(column: string, p: { op: NumericComparator; value: number | string }): SqlFragment {
  return { sql: `${column} ${p.op} ?`, params: [p.value] };
}

export function placeholders(n: number): string {
  return new Array(n).fill('?').join(', ');
}

/** Joins fragments with AND (an empty list is true). */
export function andAll(fragments: SqlFragment[]): SqlFragment {
  if (fragments.length === 0) return { sql: '1', params: [] };
  return { sql: fragments.map((f) => f.sql).join(' AND '), params: fragments.flatMap((f) => f.params) };
}

/** Lifecycle stages a view type selects. */
export function lifecycleStages(viewType: 'ACTIVE_ONLY' | 'DELETED_ONLY' | 'ALL'): string {
  if (viewType === 'ACTIVE_ONLY') return "('active')";
  if (viewType === 'DELETED_ONLY') return "('deleted')";
  return "('active', 'deleted')";
}
