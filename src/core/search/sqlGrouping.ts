/**
 * Grouping of a statement's tokens into nested lists, pass by pass in sqlparse's order (compat
 * §3.1). MLflow reads filters from the result: a comparison is a `Comparison` group at the top
 * level, anything else there except `AND` and whitespace is an invalid clause.
 */
import { tokenize } from './sqlLexer';
import { GroupKind, Matcher, SqlToken, imt, isType, splitStatements } from './sqlTree';

const NUMERICAL = ['Literal.Number', 'Literal.Number.Integer', 'Literal.Number.Float'];
const STRINGS = ['Literal.String', 'Literal.String.Single', 'Literal.String.Symbol'];
const NAMES = ['Name', 'Name.Placeholder'];
const VALUE_TYPES = [...NUMERICAL, ...STRINGS, ...NAMES];

type Pick = (t: SqlToken) => boolean;
type Valid = (t: SqlToken | undefined) => boolean;
type Post = (list: SqlToken, pidx: number, tidx: number, nidx: number | undefined) => [number, number];

/** Parses text into statements, each grouped. */
export function parseStatements(text: string): SqlToken[] {
  return splitStatements(tokenize(text)).map((tokens) => {
    const statement = SqlToken.group('Statement', tokens);
    for (const pass of PASSES) pass(statement);
    return statement;
  });
}

/** Applies f to every nested group (except the excluded kinds) bottom-up, then to the list. */
function recursive(f: (list: SqlToken) => void, exclude: readonly GroupKind[] = []): (list: SqlToken) => void {
  const wrapped = (list: SqlToken): void => {
    for (const child of list.children) if (child.isGroup && !exclude.includes(child.kind!)) wrapped(child);
    f(list);
  };
  return wrapped;
}

/** Groups open ... close pairs (parentheses, brackets, CASE ... END). */
function groupMatching(list: SqlToken, kind: GroupKind, open: Matcher, close: Matcher): void {
  const opens: number[] = [];
  let offset = 0;
  for (const [idx, token] of [...list.children].entries()) {
    const tidx = idx - offset;
    if (token.isWhitespace) continue;
    if (token.isGroup && token.kind !== kind) {
      groupMatching(token, kind, open, close);
      continue;
    }
    if (token.match(...open)) {
      opens.push(tidx);
    } else if (token.match(...close)) {
      const openIdx = opens.pop();
      if (openIdx === undefined) continue;
      list.groupChildren(kind, openIdx, tidx);
      offset += tidx - openIdx;
    }
  }
}

/** Groups tokens joined by a middle token (`a . b`, `x < y`), left to right, into `kind`. */
function groupJoined(list: SqlToken, kind: GroupKind, match: Pick, validPrev: Valid, validNext: Valid, post: Post, extend = true, recurse = true): void {
  let offset = 0;
  let pidx: number | undefined;
  let prev: SqlToken | undefined;
  for (const [idx, token] of [...list.children].entries()) {
    const tidx = idx - offset;
    if (tidx < 0 || token.isWhitespace) continue;
    if (recurse && token.isGroup && token.kind !== kind) groupJoined(token, kind, match, validPrev, validNext, post, extend);
    if (match(token)) {
      const [nidx, next] = list.next(tidx);
      if (prev && pidx !== undefined && validPrev(prev) && validNext(next)) {
        const [from, to] = post(list, pidx, tidx, nidx);
        const grp = list.groupChildren(kind, from, to, extend);
        offset += to - from;
        pidx = from;
        prev = grp;
        continue;
      }
    }
    pidx = tidx;
    prev = token;
  }
}

const joinBoth: Post = (_l, pidx, _t, nidx) => [pidx, nidx ?? pidx];

/** Calls step for each child accepted by pick, continuing after the index step returns. */
function eachMatch(list: SqlToken, pick: Pick, step: (tidx: number, token: SqlToken) => number): void {
  let [tidx, token] = list.find(pick);
  while (token && tidx !== undefined) {
    const at = step(tidx, token);
    [tidx, token] = list.find(pick, at + 1);
  }
}

const groupComments = recursive((list) => {
  eachMatch(
    list,
    (t) => isType(t.type, 'Comment'),
    (tidx) => {
      const [eidx] = list.find((t) => !(isType(t.type, 'Comment') || t.isNewline), tidx);
      if (eidx !== undefined) list.groupChildren('Comment', tidx, eidx - 1);
      return tidx;
    },
  );
}, ['Comment']);

const groupOver = recursive((list) => {
  eachMatch(
    list,
    (t) => t.match('Keyword', 'OVER'),
    (tidx) => {
      const [nidx, next] = list.next(tidx);
      if (nidx !== undefined && imt(next, { kinds: ['Parenthesis'], within: 'Name' })) list.groupChildren('Over', tidx, nidx);
      return tidx;
    },
  );
}, ['Over']);

const groupFunctions = recursive((list) => {
  const words = list.children.map((t) => t.value);
  const hasCreate = words.some((w) => w.toUpperCase() === 'CREATE');
  const hasTable = words.some((w) => w.toUpperCase() === 'TABLE');
  if (hasCreate && hasTable && !words.includes('AS')) return;
  eachMatch(
    list,
    (t) => isType(t.type, 'Name'),
    (tidx) => {
      const [nidx, next] = list.next(tidx);
      if (nidx !== undefined && next?.kind === 'Parenthesis') {
        const [overIdx, over] = list.next(nidx);
        list.groupChildren('Function', tidx, over?.kind === 'Over' && overIdx !== undefined ? overIdx : nidx);
      }
      return tidx;
    },
  );
}, ['Function']);

const WHERE_CLOSE: Matcher = ['Keyword', ['ORDER BY', 'GROUP BY', 'LIMIT', 'UNION', 'UNION ALL', 'EXCEPT', 'INTERSECT', 'HAVING', 'RETURNING', 'INTO']];

const groupWhere = recursive((list) => {
  eachMatch(
    list,
    (t) => t.match('Keyword', 'WHERE'),
    (tidx) => {
      const [closeIdx] = list.find((t) => t.match(...WHERE_CLOSE), tidx + 1);
      const groupable = list.groupable;
      const endIdx = closeIdx === undefined ? list.children.indexOf(groupable[groupable.length - 1]) : closeIdx - 1;
      list.groupChildren('Where', tidx, endIdx);
      return tidx;
    },
  );
}, ['Where']);

function groupPeriod(list: SqlToken): void {
  groupJoined(
    list,
    'Identifier',
    (t) => t.match('Punctuation', '.') || t.match('Operator', '->') || t.match('Operator', '->>'),
    (t) => imt(t, { kinds: ['SquareBrackets', 'Identifier'], exact: ['Name', 'Literal.String.Symbol'] }),
    () => true,
    (l, pidx, tidx, nidx) => {
      const next = nidx === undefined ? undefined : l.children[nidx];
      const ok = imt(next, { kinds: ['SquareBrackets', 'Function'], exact: ['Name', 'Literal.String.Symbol', 'Wildcard', 'Literal.String.Single'] });
      return ok && nidx !== undefined ? [pidx, nidx] : [pidx, tidx];
    },
  );
}

function groupArrays(list: SqlToken): void {
  groupJoined(
    list,
    'Identifier',
    (t) => t.kind === 'SquareBrackets',
    (t) => imt(t, { kinds: ['SquareBrackets', 'Identifier', 'Function'], exact: ['Name', 'Literal.String.Symbol'] }),
    () => true,
    (_l, pidx, tidx) => [pidx, tidx],
    true,
    false,
  );
}

const groupIdentifier = recursive((list) => {
  eachMatch(
    list,
    (t) => t.type === 'Literal.String.Symbol' || t.type === 'Name',
    (tidx) => {
      list.groupChildren('Identifier', tidx, tidx);
      return tidx;
    },
  );
}, ['Identifier']);

const groupOrder = recursive((list) => {
  eachMatch(
    list,
    (t) => isType(t.type, 'Keyword.Order'),
    (tidx) => {
      const [pidx, prev] = list.prev(tidx);
      if (pidx !== undefined && imt(prev, { kinds: ['Identifier'], within: 'Literal.Number' })) {
        list.groupChildren('Identifier', pidx, tidx);
        return pidx;
      }
      return tidx;
    },
  );
}, ['Identifier']);

function groupTypecasts(list: SqlToken): void {
  const valid: Valid = (t) => t !== undefined;
  groupJoined(list, 'Identifier', (t) => t.match('Punctuation', '::'), valid, valid, joinBoth);
}

function groupTzcasts(list: SqlToken): void {
  groupJoined(
    list,
    'Identifier',
    (t) => t.type === 'Keyword.TZCast',
    (t) => t !== undefined,
    (t) => t !== undefined && (t.isWhitespace || t.match('Keyword', 'AS') || t.match('Literal.String.Single')),
    joinBoth,
  );
}

const TYPED_LITERAL_OPEN: Matcher[] = [['Name.Builtin'], ['Keyword', 'TIMESTAMP']];
const TYPED_LITERAL_EXTEND: Matcher = ['Keyword', ['DAY', 'HOUR', 'MINUTE', 'MONTH', 'SECOND', 'YEAR']];

function groupTypedLiteral(list: SqlToken): void {
  const validPrev: Valid = (t) => t !== undefined;
  const post: Post = (_l, _p, tidx, nidx) => [tidx, nidx ?? tidx];
  groupJoined(list, 'TypedLiteral', (t) => imt(t, { m: TYPED_LITERAL_OPEN }), validPrev, (t) => t !== undefined && t.match('Literal.String.Single'), post, false);
  groupJoined(list, 'TypedLiteral', (t) => t.kind === 'TypedLiteral', validPrev, (t) => t !== undefined && t.match(...TYPED_LITERAL_EXTEND), post, true);
}

function groupOperator(list: SqlToken): void {
  const valid: Valid = (t) =>
    imt(t, { kinds: ['SquareBrackets', 'Parenthesis', 'Function', 'Identifier', 'Operation', 'TypedLiteral'], exact: VALUE_TYPES }) ||
    (t !== undefined && t.match('Keyword', ['CURRENT_DATE', 'CURRENT_TIME', 'CURRENT_TIMESTAMP']));
  const post: Post = (l, pidx, tidx, nidx) => {
    l.children[tidx].type = 'Operator';
    return [pidx, nidx ?? tidx];
  };
  groupJoined(list, 'Operation', (t) => t.type === 'Operator' || t.type === 'Wildcard', valid, valid, post, false);
}

function groupComparison(list: SqlToken): void {
  const valid: Valid = (t) =>
    imt(t, { kinds: ['Parenthesis', 'Function', 'Identifier', 'Operation', 'TypedLiteral'], exact: VALUE_TYPES }) ||
    (t !== undefined && t.isKeyword && t.normalized === 'NULL');
  groupJoined(list, 'Comparison', (t) => t.type === 'Operator.Comparison', valid, valid, joinBoth, false);
}

function groupAs(list: SqlToken): void {
  groupJoined(
    list,
    'Identifier',
    (t) => t.isKeyword && t.normalized === 'AS',
    (t) => t !== undefined && (t.normalized === 'NULL' || !t.isKeyword),
    (t) => t !== undefined && !imt(t, { exact: ['Keyword.DML', 'Keyword.DDL', 'Keyword.CTE'] }),
    joinBoth,
  );
}

const groupAliased = recursive((list) => {
  eachMatch(
    list,
    (t) => imt(t, { kinds: ['Parenthesis', 'Function', 'Case', 'Identifier', 'Operation', 'Comparison'], within: 'Literal.Number' }),
    (tidx) => {
      const [nidx, next] = list.next(tidx);
      if (nidx !== undefined && next?.kind === 'Identifier') list.groupChildren('Identifier', tidx, nidx, true);
      return tidx;
    },
  );
});

function groupAssignment(list: SqlToken): void {
  const valid: Valid = (t) => t !== undefined && t.type !== 'Keyword';
  groupJoined(list, 'Assignment', (t) => t.match('Assignment', ':='), valid, valid, (l, pidx, tidx, nidx) => {
    const [semi] = l.find((t) => t.match('Punctuation', ';'), (nidx ?? tidx) + 1);
    return [pidx, semi ?? nidx ?? tidx];
  });
}

const alignComments = recursive((list) => {
  eachMatch(
    list,
    (t) => t.kind === 'Comment',
    (tidx) => {
      const [pidx, prev] = list.prev(tidx);
      if (pidx !== undefined && prev?.isGroup) {
        list.groupChildren('TokenList', pidx, tidx, true);
        return pidx;
      }
      return tidx;
    },
  );
});

function groupIdentifierList(list: SqlToken): void {
  const valid: Valid = (t) =>
    imt(t, {
      kinds: ['Function', 'Case', 'Identifier', 'Comparison', 'IdentifierList', 'Operation'],
      m: [['Keyword', ['null', 'role']]],
      exact: [...VALUE_TYPES, 'Keyword', 'Comment', 'Wildcard'],
    });
  groupJoined(list, 'IdentifierList', (t) => t.match('Punctuation', ','), valid, valid, joinBoth);
}

function groupValues(list: SqlToken): void {
  let [tidx, token] = list.find((t) => t.match('Keyword', 'VALUES'));
  const start = tidx;
  let end = -1;
  while (token && tidx !== undefined) {
    if (token.kind === 'Parenthesis') end = tidx;
    [tidx, token] = list.next(tidx);
  }
  if (start !== undefined && end !== -1) list.groupChildren('Values', start, end, true);
}

const PASSES: Array<(list: SqlToken) => void> = [
  groupComments,
  (l) => groupMatching(l, 'SquareBrackets', ['Punctuation', '['], ['Punctuation', ']']),
  (l) => groupMatching(l, 'Parenthesis', ['Punctuation', '('], ['Punctuation', ')']),
  (l) => groupMatching(l, 'Case', ['Keyword', 'CASE'], ['Keyword', 'END']),
  (l) => groupMatching(l, 'If', ['Keyword', 'IF'], ['Keyword', 'END IF']),
  (l) => groupMatching(l, 'For', ['Keyword', ['FOR', 'FOREACH']], ['Keyword', 'END LOOP']),
  (l) => groupMatching(l, 'Begin', ['Keyword', 'BEGIN'], ['Keyword', 'END']),
  groupOver,
  groupFunctions,
  groupWhere,
  groupPeriod,
  groupArrays,
  groupIdentifier,
  groupOrder,
  groupTypecasts,
  groupTzcasts,
  groupTypedLiteral,
  groupOperator,
  groupComparison,
  groupAs,
  groupAliased,
  groupAssignment,
  alignComments,
  groupIdentifierList,
  groupValues,
];
