/**
 * One `order_by` element: `<identifier> [ASC|DESC]` (compat §3.2). The identifier is scanned like
 * a filter identifier; any whitespace may separate the direction; leading or trailing whitespace,
 * a third token, `NULLS LAST` or a comparison make it unparseable, an unknown word in direction
 * position is an "Invalid ordering key".
 */
import { MlflowError } from '../errors';
import { isKeyword, isSpace, isWordChar, scanIdentifier } from './filterLexer';

export interface OrderByElement {
  /** The identifier as written, e.g. `metrics.acc` or `` params.`a b` ``. */
  identifier: string;
  ascending: boolean;
}

function unparseable(orderBy: string): MlflowError {
  return MlflowError.invalidParameter(`Invalid order_by clause '${orderBy}'. Could not be parsed.`);
}

export function parseOrderByElement(orderBy: string): OrderByElement {
  const identEnd = scanIdentifier(orderBy, 0);
  if (identEnd <= 0) throw unparseable(orderBy);
  const identifier = orderBy.slice(0, identEnd);
  // sqlparse types `timestamp` as a builtin and only the exact lower-case spelling is special-cased.
  if (/^timestamp$/i.test(identifier) && identifier !== 'timestamp') throw unparseable(orderBy);
  if (identEnd === orderBy.length) return { identifier, ascending: true };

  let pos = identEnd;
  while (pos < orderBy.length && isSpace(orderBy[pos])) pos++;
  if (pos === identEnd || pos === orderBy.length) throw unparseable(orderBy);
  let end = pos;
  while (end < orderBy.length && (isWordChar(orderBy[end]) || orderBy[end] === '$' || orderBy[end] === '#')) end++;
  if (end === pos || end !== orderBy.length) throw unparseable(orderBy);
  const direction = orderBy.slice(pos, end).toLowerCase();
  if (direction === 'asc' || direction === 'desc') return { identifier, ascending: direction === 'asc' };
  if (isKeyword(direction)) throw unparseable(orderBy);
  throw MlflowError.invalidParameter(`Invalid ordering key in order_by clause '${orderBy}'.`);
}
