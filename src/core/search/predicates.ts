/**
 * The comparison part of a parsed clause, shared by every search, and how it matches a value in
 * memory. Semantics follow MLflow's SQL store on SQLite: `=`/`!=` exact, LIKE case-sensitive,
 * ILIKE folding ASCII letters only (SQLite's lower()), `%`/`_` wildcards, no escape character,
 * whole-value match; a missing value never matches.
 */

export type NumericComparator = '=' | '!=' | '<' | '<=' | '>' | '>=';
export type StringComparator = '=' | '!=' | 'LIKE' | 'ILIKE';
export type ListComparator = 'IN' | 'NOT IN';

export type NumberPredicate = { op: NumericComparator; value: number };
export type StringPredicate = { op: StringComparator; value: string } | { op: ListComparator; value: string[] };

export const NUMERIC_COMPARATORS: readonly NumericComparator[] = ['=', '!=', '<', '<=', '>', '>='];
export const STRING_COMPARATORS: readonly StringComparator[] = ['=', '!=', 'LIKE', 'ILIKE'];

export function isNumericComparator(op: string): op is NumericComparator {
  return (NUMERIC_COMPARATORS as readonly string[]).includes(op);
}

export function isStringComparator(op: string): op is StringComparator {
  return (STRING_COMPARATORS as readonly string[]).includes(op);
}

export function matchNumber(lhs: number | null | undefined, p: NumberPredicate): boolean {
  if (lhs === null || lhs === undefined) return false;
  switch (p.op) {
    case '=':
      return lhs === p.value;
    case '!=':
      return lhs !== p.value;
    case '<':
      return lhs < p.value;
    case '<=':
      return lhs <= p.value;
    case '>':
      return lhs > p.value;
    case '>=':
      return lhs >= p.value;
  }
}

export function matchString(lhs: string | null | undefined, p: StringPredicate): boolean {
  if (lhs === null || lhs === undefined) return false;
  switch (p.op) {
    case '=':
      return lhs === p.value;
    case '!=':
      return lhs !== p.value;
    case 'LIKE':
      return likeRegExp(p.value).test(lhs);
    case 'ILIKE':
      return likeRegExp(asciiLower(p.value)).test(asciiLower(lhs));
    case 'IN':
      return p.value.includes(lhs);
    case 'NOT IN':
      return !p.value.includes(lhs);
  }
}

/** Lower-cases A-Z only, like SQLite's built-in lower(). */
export function asciiLower(s: string): string {
  return s.replace(/[A-Z]+/g, (m) => m.toLowerCase());
}

const likeCache = new Map<string, RegExp>();

/** A whole-string, case-sensitive RegExp for a LIKE pattern (`%` any run, `_` one character). */
export function likeRegExp(pattern: string): RegExp {
  let re = likeCache.get(pattern);
  if (!re) {
    let src = '';
    for (const ch of pattern) {
      if (ch === '%') src += '[\\s\\S]*';
      else if (ch === '_') src += '[\\s\\S]';
      else src += ch.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
    }
    re = new RegExp(`^${src}$`, 'u');
    if (likeCache.size > 500) likeCache.clear();
    likeCache.set(pattern, re);
  }
  return re;
}

/** Compares strings by Unicode code point (SQLite's BINARY collation on UTF-8). */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates (astral characters) sort above U+E000..U+FFFF in code point order.
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1;
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
}
