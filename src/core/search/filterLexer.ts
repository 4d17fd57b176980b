/**
 * What MLflow's search parsing reads from a comparison's right-hand side (compat §3.1): the kind
 * of token the SQL tokenizer made of it and its text.
 */
import type { SqlToken } from './sqlTree';

/** What a value token is, in the tokenizer's terms. */
export type ValueKind =
  | 'string' // '...'  (a single-quoted string literal)
  | 'name' // "...", `...` or a bare word (an identifier)
  | 'number' // an integer or float literal (not hex)
  | 'list' // ( ... )
  | 'other'; // anything else: hex numbers, keywords, operations, ...

export interface ValueToken {
  kind: ValueKind;
  text: string;
}

/** The value token of a grouped comparison's third part. */
export function valueTokenOf(token: SqlToken): ValueToken {
  const text = token.value;
  if (token.type === 'Literal.String.Single') return { kind: 'string', text };
  if (token.type === 'Literal.Number.Integer' || token.type === 'Literal.Number.Float') return { kind: 'number', text };
  if (token.kind === 'Identifier') return { kind: 'name', text };
  if (token.kind === 'Parenthesis') return { kind: 'list', text };
  return { kind: 'other', text };
}

/** Whether text is a number literal the tokenizer types as an integer or float (hex excluded). */
export function isNumberLiteral(text: string): boolean {
  return /^-?\d+(\.\d+)?e-?\d+$/i.test(text) || /^-?(\d+\.\d*|\.\d+)$/.test(text) || /^-?\d+$/.test(text);
}
