/**
 * One `order_by` element (compat §3.2), read as MLflow does: the clause must tokenize to a single
 * identifier (which may carry `ASC`/`DESC`), or be the builtin word `timestamp` with an optional
 * direction; the text is then split like a shell line into the key and at most one direction.
 */
import { MlflowError } from '../errors';
import { shlexSplit } from './shlexSplit';
import { parseStatements } from './sqlGrouping';

export interface OrderByElement {
  /** The key as written, surrounding whitespace removed, e.g. `metrics.acc` or `` params.`a b` ``. */
  identifier: string;
  ascending: boolean;
}

function unparseable(orderBy: string): MlflowError {
  return MlflowError.invalidParameter(`Invalid order_by clause '${orderBy}'. Could not be parsed.`);
}

/** The clause's key text (with its direction, if any) as the tokenizer groups it. */
function clauseText(orderBy: string): string {
  const statements = parseStatements(orderBy);
  if (statements.length !== 1) throw unparseable(orderBy);
  const tokens = statements[0].children;
  const isTimestamp = tokens[0].match('Name.Builtin', 'timestamp');
  if (tokens.length === 1 && tokens[0].kind === 'Identifier') return tokens[0].value;
  if (tokens.length === 1 && isTimestamp) return 'timestamp';
  const last = tokens[tokens.length - 1];
  if (isTimestamp && tokens.slice(1, -1).every((t) => t.isWhitespace) && last.type === 'Keyword.Order') return `timestamp ${last.value}`;
  throw unparseable(orderBy);
}

export function parseOrderByElement(orderBy: string): OrderByElement {
  let key = clauseText(orderBy);
  let ascending = true;
  const words = shlexSplit(key.replace(/`/g, '"'));
  if (words.length > 2) throw unparseable(orderBy);
  if (words.length === 2) {
    const direction = words[1].toLowerCase();
    if (direction !== 'asc' && direction !== 'desc') {
      throw MlflowError.invalidParameter(`Invalid ordering key in order_by clause '${orderBy}'.`);
    }
    ascending = direction === 'asc';
    key = words[0];
  }
  return { identifier: pyStrip(key), ascending };
}

/** Python's str.strip(): Unicode whitespace removed at both ends. */
function pyStrip(s: string): string {
  return s.replace(/^[\s\x1c-\x1f\x85]+|[\s\x1c-\x1f\x85]+$/gu, '');
}
