/**
 * Splits a search filter into comparisons (compat §3.1): `clause (AND clause)*`, stray ANDs
 * tolerated. Anything that is not a comparison or AND (OR, NOT, parentheses, IS NULL, comments,
 * `;`...) is reported the way MLflow does: "Invalid clause(s) in filter string: ...".
 * Entity-specific rules (which keys, which values) are applied later by the callers.
 */
import { MlflowError } from '../errors';
import {
  ValueToken,
  findSemicolon,
  isNumberLiteral,
  isWordChar,
  scanComparator,
  scanIdentifier,
  scanQuoted,
  scanUnit,
  scanValue,
  skipSpaces,
} from './filterLexer';
import { pyStr } from './pythonRepr';

/** One `identifier comparator value` clause, every part as written. */
export interface RawComparison {
  /** e.g. `metrics.acc`, `` tags.`mlflow.runName` ``, `run_id`. */
  identifier: string;
  /** As written (`like`, `>=`), except a NOT IN list, which is always `NOT IN`. */
  comparator: string;
  value: ValueToken;
}

/** A comparison MLflow groups but rejects when it is examined (its left side is no identifier). */
export interface RejectedComparison {
  error: string;
}

export type FilterItem = RawComparison | RejectedComparison;

export type InvalidClauseStyle = 'quoted' | 'plain';

/**
 * Parses the filter's structure. `style` is how the invalid-clause message lists tokens: runs quote
 * each one (`'OR'`), the other searches print them bare.
 */
export function splitFilter(filter: string | undefined | null, style: InvalidClauseStyle): FilterItem[] {
  if (!filter) return [];
  const semi = findSemicolon(filter);
  if (semi >= 0 && filter.slice(semi + 1).trim() !== '') {
    throw MlflowError.invalidParameter(
      `Search filter contained multiple expression ${pyStr(filter)}. Provide AND-ed expression list.`,
    );
  }
  const items: FilterItem[] = [];
  const invalid: string[] = [];
  let pos = skipSpaces(filter, 0);
  while (pos < filter.length) {
    if (isAndAt(filter, pos)) {
      pos = skipSpaces(filter, pos + 3);
      continue;
    }
    const step = parseComparisonAt(filter, pos);
    if ('item' in step) items.push(step.item);
    else invalid.push(filter.slice(pos, step.end));
    pos = skipSpaces(filter, step.end);
  }
  if (invalid.length > 0) {
    const listed = style === 'quoted' ? invalid.map((t) => `'${t}'`).join(', ') : invalid.join(', ');
    throw MlflowError.invalidParameter(`Invalid clause(s) in filter string: ${listed}`);
  }
  return items;
}

export function isRejected(item: FilterItem): item is RejectedComparison {
  return 'error' in item;
}

function isAndAt(s: string, pos: number): boolean {
  return /^and$/i.test(s.slice(pos, pos + 3)) && !isWordChar(s[pos + 3]) && s[pos + 3] !== '$' && s[pos + 3] !== '#';
}

type Step = { item: FilterItem; end: number } | { end: number };

/** One comparison at pos, or the end of the invalid token found there. */
function parseComparisonAt(s: string, pos: number): Step {
  const identEnd = scanIdentifier(s, pos);
  if (identEnd < 0) return parseLiteralComparisonAt(s, pos) ?? { end: scanUnit(s, pos) };
  const comparator = scanComparator(s, skipSpaces(s, identEnd));
  if (!comparator) return { end: identEnd };
  const value = scanValue(s, skipSpaces(s, comparator.end));
  if (!value || (comparator.list && value.kind !== 'list')) return { end: identEnd };
  return {
    item: { identifier: s.slice(pos, identEnd), comparator: comparator.text, value },
    end: value.end,
  };
}

/** `'a' = 'b'` or `1 = 1`: grouped as a comparison, rejected later for lacking an identifier. */
function parseLiteralComparisonAt(s: string, pos: number): Step | undefined {
  let leftEnd: number;
  if (s[pos] === "'") {
    leftEnd = scanQuoted(s, pos);
  } else {
    leftEnd = scanUnit(s, pos);
    if (!isNumberLiteral(s.slice(pos, leftEnd))) return undefined;
  }
  if (leftEnd < 0) return undefined;
  const comparator = scanComparator(s, skipSpaces(s, leftEnd));
  if (!comparator || comparator.list) return undefined;
  const value = scanValue(s, skipSpaces(s, comparator.end));
  if (!value) return undefined;
  const left = s.slice(pos, leftEnd);
  return { item: { error: `Invalid comparison clause. Expected 'Identifier' found '${left}'` }, end: value.end };
}
