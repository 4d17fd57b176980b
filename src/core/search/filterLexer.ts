/**
 * Character-level scanning for MLflow's search grammar (compat §3.1). MLflow tokenizes with the
 * `sqlparse` library; these scanners reproduce the parts of its lexer that decide whether a
 * filter is accepted: quoted strings, identifiers with dotted keys, comparators and number literals.
 */

const WORD = /[\p{L}\p{N}_]/u;
const LETTER = /\p{L}/u;
/** Characters sqlparse's number rules refuse to see right after a number. */
const NUMBER_STOP = /[_A-Za-z\u00C0-\u00FF]/;

export function isWordChar(ch: string | undefined): boolean {
  return ch !== undefined && WORD.test(ch);
}

export function isSpace(ch: string | undefined): boolean {
  return ch !== undefined && /\s/u.test(ch);
}

export function skipSpaces(s: string, pos: number): number {
  while (pos < s.length && isSpace(s[pos])) pos++;
  return pos;
}

/** End (exclusive) of a run of word characters plus `$`/`#` starting at pos. */
function wordEnd(s: string, pos: number, allowDollar: boolean): number {
  let end = pos;
  while (end < s.length && (isWordChar(s[end]) || (allowDollar && (s[end] === '$' || s[end] === '#')))) end++;
  return end;
}

/**
 * End of the quoted token opening at pos (`'`, `"` or backtick), or -1 when unterminated.
 * A doubled quote and (for ' and ") a backslash escape stay inside the token, as in sqlparse.
 */
export function scanQuoted(s: string, pos: number): number {
  const q = s[pos];
  let i = pos + 1;
  while (i < s.length) {
    const c = s[i];
    if (c === q) {
      if (s[i + 1] === q) {
        i += 2;
        continue;
      }
      return i + 1;
    }
    if (c === '\\' && q !== '`' && (s[i + 1] === q || s[i + 1] === '\\')) {
      i += 2;
      continue;
    }
    i++;
  }
  return -1;
}

/** End of the parenthesised group opening at pos (quotes respected), or -1 when unbalanced. */
export function scanParenthesis(s: string, pos: number): number {
  let depth = 0;
  let i = pos;
  while (i < s.length) {
    const c = s[i];
    if (c === "'" || c === '"' || c === '`') {
      const end = scanQuoted(s, i);
      if (end < 0) return -1;
      i = end;
      continue;
    }
    if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i + 1;
    i++;
  }
  return -1;
}

/** Whether text is a number literal sqlparse types as Integer or Float (hex excluded). */
export function isNumberLiteral(text: string): boolean {
  return /^-?\d+(\.\d+)?e-?\d+$/i.test(text) || /^-?(\d+\.\d*|\.\d+)$/.test(text) || /^-?\d+$/.test(text);
}

/** Words sqlparse lexes as keywords: they end an identifier or make a clause invalid. */
const KEYWORDS = new Set([
  'AND', 'OR', 'NOT', 'IN', 'IS', 'NULL', 'TRUE', 'FALSE', 'LIKE', 'ILIKE', 'RLIKE', 'REGEXP',
  'BETWEEN', 'SELECT', 'FROM', 'WHERE', 'CASE', 'WHEN', 'THEN', 'ELSE', 'END', 'AS', 'ON', 'JOIN',
  'UNION', 'EXISTS', 'ALL', 'ANY', 'VALUES', 'USING', 'NULLS', 'FIRST', 'LAST', 'ASC', 'DESC',
  'LIMIT', 'OFFSET', 'HAVING', 'DISTINCT', 'ESCAPE',
]);

export function isKeyword(word: string): boolean {
  return KEYWORDS.has(word.toUpperCase());
}

/** After a dot, these keywords win over a name (sqlparse lexes them first). */
const KEYWORD_AFTER_DOT = /^(CASE|IN|VALUES|USING|FROM|AS)(?![\p{L}\p{N}_])/iu;

/**
 * Scans an identifier `[entity "."] key` at pos: segments joined by dots without spaces; the first
 * is a word (not a number, not a keyword unless a dot follows), `"..."` or backtick-quoted; later
 * ones are a word, `"..."`, `'...'` or backtick-quoted. Returns the end, or -1 if none starts here.
 */
export function scanIdentifier(s: string, pos: number): number {
  let end: number;
  const c = s[pos];
  if (c === '"' || c === '`') {
    end = scanQuoted(s, pos);
    if (end < 0) return -1;
  } else if (isWordChar(c)) {
    end = wordEnd(s, pos, true);
    const word = s.slice(pos, end);
    if (isNumberLiteral(word)) return -1;
    if (s[end] !== '.' && isKeyword(word)) return -1;
  } else {
    return -1;
  }
  while (s[end] === '.') {
    const segEnd = scanKeySegment(s, end + 1);
    if (segEnd < 0) break;
    end = segEnd;
  }
  return end;
}

/** One key segment right after a dot (pos is the character after the dot); -1 if none. */
function scanKeySegment(s: string, pos: number): number {
  const c = s[pos];
  if (c === '"' || c === '`' || c === "'") return scanQuoted(s, pos);
  if (c === undefined || !isWordChar(c)) return -1;
  if (KEYWORD_AFTER_DOT.test(s.slice(pos, pos + 7))) return -1;
  if (LETTER.test(c)) return wordEnd(s, pos, false);
  if (/\d/.test(c)) {
    // ".12" (or ".1" not followed by a letter) lexes as a float literal, which ends the identifier.
    if (/\d/.test(s[pos + 1] ?? '') || !NUMBER_STOP.test(s[pos + 1] ?? '')) return -1;
  }
  return wordEnd(s, pos, true);
}

export interface ComparatorMatch {
  /** The comparator as written (`like`, `NOT  LIKE`, `>=`), or `NOT IN` for a NOT IN list. */
  text: string;
  end: number;
  /** True for IN / NOT IN, which must be followed by a parenthesised list. */
  list: boolean;
}

/** Scans a comparator at pos: a run of `<>=!~`, [NOT] LIKE/ILIKE/RLIKE/REGEXP, or [NOT] IN `(`. */
export function scanComparator(s: string, pos: number): ComparatorMatch | undefined {
  const rest = s.slice(pos);
  let m = /^[<>=~!]+/.exec(rest);
  if (m) return { text: m[0], end: pos + m[0].length, list: false };
  m = /^(NOT\s+)?(LIKE|ILIKE|RLIKE|REGEXP)(?![\p{L}\p{N}_$#])/iu.exec(rest);
  if (m) return { text: m[0], end: pos + m[0].length, list: false };
  m = /^IN(?![\p{L}\p{N}_$#])\s*(?=\()/iu.exec(rest);
  if (m) return { text: m[0].slice(0, 2), end: pos + m[0].length, list: true };
  m = /^NOT\s+IN(?![\p{L}\p{N}_$#])\s*(?=\()/iu.exec(rest);
  if (m) return { text: 'NOT IN', end: pos + m[0].length, list: true };
  return undefined;
}

/** What a value token is, in sqlparse's terms. */
export type ValueKind =
  | 'string' // '...'  (String.Single)
  | 'symbol' // "..."  (an Identifier)
  | 'name' // `...` or a bare identifier-like word (an Identifier)
  | 'number' // Integer or Float literal
  | 'list' // ( ... )
  | 'other'; // anything else: hex, operators, ...

export interface ValueToken {
  kind: ValueKind;
  text: string;
  end: number;
}

/** Scans a value at pos; undefined when no value can start here (end of input, keyword, `)`...). */
export function scanValue(s: string, pos: number): ValueToken | undefined {
  const c = s[pos];
  if (c === undefined) return undefined;
  if (c === "'" || c === '"' || c === '`') {
    const end = scanQuoted(s, pos);
    if (end < 0) return undefined;
    return { kind: c === "'" ? 'string' : c === '"' ? 'symbol' : 'name', text: s.slice(pos, end), end };
  }
  if (c === '(') {
    const end = scanParenthesis(s, pos);
    return end < 0 ? undefined : { kind: 'list', text: s.slice(pos, end), end };
  }
  let end = pos;
  while (end < s.length && !/[\s'"`(),;]/u.test(s[end]) && !s.startsWith('--', end) && !s.startsWith('/*', end)) end++;
  if (end === pos) return undefined;
  const text = s.slice(pos, end);
  if (isNumberLiteral(text)) return { kind: 'number', text, end };
  if (isKeyword(text)) return undefined;
  const identEnd = scanIdentifier(text, 0);
  return { kind: identEnd === text.length ? 'name' : 'other', text, end };
}

/** The next lexical unit at pos (used to name invalid clauses). pos must not be whitespace. */
export function scanUnit(s: string, pos: number): number {
  const c = s[pos];
  if (c === "'" || c === '"' || c === '`') {
    const end = scanQuoted(s, pos);
    return end < 0 ? s.length : end;
  }
  if (c === '(') {
    const end = scanParenthesis(s, pos);
    return end < 0 ? s.length : end;
  }
  if (s.startsWith('--', pos) || s.startsWith('# ', pos)) {
    const nl = s.slice(pos).search(/\r\n|\r|\n/);
    return nl < 0 ? s.length : pos + nl;
  }
  if (s.startsWith('/*', pos)) {
    const close = s.indexOf('*/', pos + 2);
    return close < 0 ? s.length : close + 2;
  }
  if (isWordChar(c)) return wordEnd(s, pos, true);
  const m = /^([<>=~!]+|[+/@#%^&|-]+)/.exec(s.slice(pos));
  return m ? pos + m[0].length : pos + c.length;
}

/** Position of the first top-level `;` (outside quotes and comments), or -1. */
export function findSemicolon(s: string): number {
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (c === ';') return i;
    if (c === "'" || c === '"' || c === '`' || s.startsWith('--', i) || s.startsWith('/*', i)) {
      i = scanUnit(s, i);
      continue;
    }
    i++;
  }
  return -1;
}
