/**
 * Splits a search filter into comparisons the way MLflow reads the SQL tokenizer's tree (compat
 * §3.1): the filter must be one statement; `identifier IN (...)` / `identifier NOT IN (...)` runs
 * are joined into comparisons; every other top-level token except `AND` and whitespace is an
 * invalid clause ("Invalid clause(s) in filter string: ..."). Entity-specific rules (which keys,
 * which values) are applied later by the callers.
 */
import { MlflowError } from '../errors';
import { ValueToken, valueTokenOf } from './filterLexer';
import { pyStr } from './pythonRepr';
import { parseStatements } from './sqlGrouping';
import { SqlToken } from './sqlTree';

/** One `identifier comparator value` clause, every part as written. */
export interface RawComparison {
  /** e.g. `metrics.acc`, `` tags.`mlflow.runName` ``, `run_id`. */
  identifier: string;
  /** As written (`like`, `>=`), except a NOT IN list, which is always `NOT IN`. */
  comparator: string;
  value: ValueToken;
}

/** A comparison MLflow groups but rejects when it is examined (e.g. its left side is no identifier). */
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
  const statements = parseStatements(filter);
  if (statements.length === 0) throw MlflowError.invalidParameter(`Invalid filter '${filter}'. Could not be parsed.`);
  if (statements.length > 1) {
    throw MlflowError.invalidParameter(`Search filter contained multiple expression ${pyStr(filter)}. Provide AND-ed expression list.`);
  }
  const tokens = joinListComparisons(statements[0].children);
  const invalid = tokens.filter((t) => !(t.kind === 'Comparison' || t.isWhitespace || t.match('Keyword', 'AND')));
  if (invalid.length > 0) {
    const listed = invalid.map((t) => (style === 'quoted' ? `'${t.value}'` : t.value)).join(', ');
    throw MlflowError.invalidParameter(`Invalid clause(s) in filter string: ${listed}`);
  }
  return tokens.filter((t) => t.kind === 'Comparison').map(comparisonItem);
}

export function isRejected(item: FilterItem): item is RejectedComparison {
  return 'error' in item;
}

function comparisonItem(comparison: SqlToken): FilterItem {
  const parts = comparison.children.filter((t) => !t.isWhitespace);
  if (parts.length !== 3) return { error: `Invalid comparison clause. Expected 3 tokens found ${parts.length}` };
  if (parts[0].kind !== 'Identifier') return { error: `Invalid comparison clause. Expected 'Identifier' found '${parts[0].value}'` };
  return { identifier: parts[0].value, comparator: parts[1].value, value: valueTokenOf(parts[2]) };
}

/**
 * Whitespace dropped, `identifier IN (...)` and `identifier NOT IN (...)` joined into comparisons.
 * Like MLflow, an identifier followed by anything else moves on by four tokens at once, so the
 * three after it are never examined as the start of a list comparison.
 */
function joinListComparisons(children: readonly SqlToken[]): SqlToken[] {
  const tokens = children.filter((t) => !t.isWhitespace);
  const joined: SqlToken[] = [];
  let i = 0;
  while (i < tokens.length) {
    const first = tokens[i];
    if (tokens.length - i < 3) {
      joined.push(...tokens.slice(i));
      break;
    }
    if (first.kind !== 'Identifier') {
      joined.push(first);
      i++;
      continue;
    }
    const [second, third, fourth] = [tokens[i + 1], tokens[i + 2], tokens[i + 3]];
    if (second.match('Keyword', 'IN') && third.kind === 'Parenthesis') {
      joined.push(SqlToken.group('Comparison', [first, second, third]));
      i += 3;
      continue;
    }
    if (fourth === undefined) {
      joined.push(first, second, third);
      break;
    }
    if (second.match('Keyword', 'NOT') && third.match('Keyword', 'IN') && fourth.kind === 'Parenthesis') {
      joined.push(SqlToken.group('Comparison', [first, new SqlToken('Keyword', 'NOT IN'), fourth]));
    } else {
      joined.push(first, second, third, fourth);
    }
    i += 4;
  }
  return joined;
}
