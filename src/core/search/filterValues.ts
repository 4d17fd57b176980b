/**
 * Turning the written parts of a clause into keys and values the way MLflow does: outer quotes are
 * stripped and nothing is unescaped; `IN (...)` lists are read like Python's `ast.literal_eval`.
 */
import { MlflowError } from '../errors';
import { ValueToken } from './filterLexer';
import { pyIsLower, pyStr } from './pythonRepr';

function isQuotedWith(value: string, quote: string): boolean {
  return value.length >= 2 && value.startsWith(quote) && value.endsWith(quote);
}

/** Removes surrounding backticks, if any. */
export function trimBackticks(value: string): string {
  return isQuotedWith(value, '`') ? value.slice(1, -1) : value;
}

/** Removes surrounding single or double quotes; with `required`, unquoted text is an error. */
export function stripQuotes(value: string, required = false): string {
  if (isQuotedWith(value, "'") || isQuotedWith(value, '"')) return value.slice(1, -1);
  if (required) {
    throw MlflowError.invalidParameter(
      `Parameter value is either not quoted or unidentified quote types used for string value ${value}. ` +
        'Use either single or double quotes.',
    );
  }
  return value;
}

/** A key as MLflow reads it: quotes stripped, then backticks. */
export function unquoteKey(key: string): string {
  return trimBackticks(stripQuotes(key));
}

/** Splits `entity.key` at the first dot; no dot means no entity. */
export function splitIdentifier(identifier: string): { entity?: string; key: string } {
  const dot = identifier.indexOf('.');
  return dot < 0 ? { key: identifier } : { entity: identifier.slice(0, dot), key: identifier.slice(dot + 1) };
}

/** A string value: a quoted string or an identifier-like token, whose quotes are then required. */
export function isStringLike(token: ValueToken): boolean {
  return token.kind === 'string' || token.kind === 'name';
}

const ILL_FORMED = 'While parsing a list in the query, expected a non-empty list of string values, but got ill-formed list.';

/**
 * Reads `('a', "b", ...)` like `ast.literal_eval` followed by MLflow's checks: one string or a
 * tuple of strings; adjacent literals concatenate; Python escapes apply inside the quotes.
 */
export function parseStringList(text: string): string[] {
  const items: Array<string | number> = [];
  let pos = skip(text, 1);
  while (text[pos] !== ')') {
    const item = readListItem(text, pos);
    items.push(item.value);
    pos = skip(text, item.end);
    if (text[pos] === ',') {
      pos = skip(text, pos + 1);
    } else if (text[pos] !== ')') {
      throw MlflowError.invalidParameter(ILL_FORMED);
    }
  }
  if (skip(text, pos + 1) !== text.length) throw MlflowError.invalidParameter(ILL_FORMED);
  if (items.length === 0) {
    throw MlflowError.invalidParameter(
      'While parsing a list in the query, expected a non-empty list of string values, but got empty list',
    );
  }
  if (items.some((v) => typeof v !== 'string')) {
    const shown = items.map((v) => (typeof v === 'string' ? pyStr(v) : String(v)));
    const tuple = '(' + shown.join(', ') + (shown.length === 1 ? ',' : '') + ')';
    throw MlflowError.invalidParameter(
      `While parsing a list in the query, expected string value, punctuation, or whitespace, but got different type in list: ${tuple}`,
    );
  }
  return items as string[];
}

/** MLflow's run-id lists: values with upper-case letters (or no letters) are dropped. */
export function parseLowerCaseList(text: string): string[] {
  return parseStringList(text).filter(pyIsLower);
}

function skip(text: string, pos: number): number {
  while (pos < text.length && /\s/.test(text[pos])) pos++;
  return pos;
}

function readListItem(text: string, pos: number): { value: string | number; end: number } {
  const num = /^-?(\d+\.?\d*(e[+-]?\d+)?|\.\d+(e[+-]?\d+)?)/i.exec(text.slice(pos));
  if (num) return { value: Number(num[0]), end: pos + num[0].length };
  if (text[pos] !== "'" && text[pos] !== '"') throw MlflowError.invalidParameter(ILL_FORMED);
  let value = '';
  let end = pos;
  // Adjacent string literals concatenate: ('a' 'b') is 'ab'.
  while (text[end] === "'" || text[end] === '"') {
    const lit = readPythonString(text, end);
    value += lit.value;
    end = skip(text, lit.end);
  }
  return { value, end };
}

const SIMPLE_ESCAPES: Record<string, string> = {
  '\\': '\\', "'": "'", '"': '"', n: '\n', t: '\t', r: '\r', a: '\x07', b: '\b', f: '\f', v: '\v', '\n': '',
};

/** A Python single-line string literal at pos (quote ' or "), with escapes decoded. */
function readPythonString(text: string, pos: number): { value: string; end: number } {
  const q = text[pos];
  let i = pos + 1;
  let value = '';
  while (i < text.length && text[i] !== q) {
    const c = text[i];
    if (c === '\n') break;
    if (c !== '\\') {
      value += c;
      i++;
      continue;
    }
    const next = text[i + 1] ?? '';
    if (next in SIMPLE_ESCAPES) {
      value += SIMPLE_ESCAPES[next];
      i += 2;
    } else if (next === 'x' && /^[0-9a-f]{2}$/i.test(text.slice(i + 2, i + 4))) {
      value += String.fromCharCode(parseInt(text.slice(i + 2, i + 4), 16));
      i += 4;
    } else if (next === 'u' && /^[0-9a-f]{4}$/i.test(text.slice(i + 2, i + 6))) {
      value += String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16));
      i += 6;
    } else {
      value += c;
      i++;
    }
  }
  if (text[i] !== q) throw MlflowError.invalidParameter(ILL_FORMED);
  return { value, end: i + 1 };
}
