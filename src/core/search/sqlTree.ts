/**
 * The token tree MLflow's search parsing walks (compat §3.1): `sqlparse` splits the tokens into
 * statements and groups them into nested lists (identifiers, comparisons, parentheses...). A
 * group's text is the text of its children; helpers mirror the list operations grouping uses.
 */
import type { LexToken } from './sqlLexer';

export type GroupKind =
  | 'Statement'
  | 'Identifier'
  | 'IdentifierList'
  | 'Comparison'
  | 'Operation'
  | 'Parenthesis'
  | 'SquareBrackets'
  | 'Function'
  | 'TypedLiteral'
  | 'Comment'
  | 'Where'
  | 'Case'
  | 'If'
  | 'For'
  | 'Begin'
  | 'Over'
  | 'Assignment'
  | 'Values'
  | 'TokenList';

/** Whether `type` is `parent` or one of its subtypes (`Keyword.Order` is in `Keyword`). */
export function isType(type: string | undefined, parent: string): boolean {
  return type !== undefined && (type === parent || type.startsWith(parent + '.'));
}

export class SqlToken {
  /** A leaf's token type; groups have none. */
  type: string | undefined;
  kind: GroupKind | undefined;
  children: SqlToken[];
  private text: string | undefined;

  constructor(type: string | undefined, value: string | undefined, kind?: GroupKind, children: SqlToken[] = []) {
    this.type = type;
    this.text = value;
    this.kind = kind;
    this.children = children;
  }

  static group(kind: GroupKind, children: SqlToken[]): SqlToken {
    return new SqlToken(undefined, undefined, kind, children);
  }

  get isGroup(): boolean {
    return this.kind !== undefined;
  }

  get value(): string {
    return this.text ?? this.children.map((c) => c.value).join('');
  }

  get isWhitespace(): boolean {
    return isType(this.type, 'Text.Whitespace');
  }

  get isNewline(): boolean {
    return isType(this.type, 'Text.Whitespace.Newline');
  }

  get isKeyword(): boolean {
    return isType(this.type, 'Keyword');
  }

  /** Keywords compare upper-cased, anything else as written. */
  get normalized(): string {
    return this.isKeyword ? this.value.toUpperCase() : this.value;
  }

  /** Exact type match, and with `values` also a value match (case-insensitive for keywords). */
  match(type: string, values?: string | readonly string[] | null): boolean {
    if (this.type !== type) return false;
    if (values === undefined || values === null) return true;
    const list = typeof values === 'string' ? [values] : values;
    const wanted = this.isKeyword ? list.map((v) => v.toUpperCase()) : list;
    return wanted.includes(this.normalized);
  }

  /** Children that grouping may merge (a parenthesis keeps its brackets out). */
  get groupable(): SqlToken[] {
    return this.kind === 'Parenthesis' || this.kind === 'SquareBrackets' ? this.children.slice(1, -1) : this.children;
  }

  /** Index and token of the first child from `start` accepted by `accept`. */
  find(accept: (t: SqlToken) => boolean, start = 0, end = this.children.length): [number, SqlToken] | [undefined, undefined] {
    for (let i = start; i < end; i++) if (accept(this.children[i])) return [i, this.children[i]];
    return [undefined, undefined];
  }

  /** The next child after idx that is not whitespace. */
  next(idx: number | undefined): [number, SqlToken] | [undefined, undefined] {
    if (idx === undefined) return [undefined, undefined];
    return this.find((t) => !t.isWhitespace, idx + 1);
  }

  /** The previous child before idx that is not whitespace. */
  prev(idx: number | undefined): [number, SqlToken] | [undefined, undefined] {
    if (idx === undefined) return [undefined, undefined];
    for (let i = idx - 1; i >= 0; i--) if (!this.children[i].isWhitespace) return [i, this.children[i]];
    return [undefined, undefined];
  }

  /** Replaces children start..end (inclusive) by a group, or appends them to the start group when extending. */
  groupChildren(kind: GroupKind, start: number, end: number, extend = false): SqlToken {
    const first = this.children[start];
    // Extending a plain token list takes any group as its start.
    if (extend && (first.kind === kind || (kind === 'TokenList' && first.isGroup))) {
      first.children.push(...this.children.splice(start + 1, end - start));
      return first;
    }
    const grp = SqlToken.group(kind, this.children.slice(start, end + 1));
    this.children.splice(start, end - start + 1, grp);
    return grp;
  }
}

/** Match rule: a token type and optional values. */
export type Matcher = readonly [string, (string | readonly string[] | null)?];

/**
 * sqlparse's instance/match/type test: `kinds` are group kinds, `m` match rules, `exact` token
 * types compared exactly (a tuple in sqlparse), `within` types compared with subtypes.
 */
export function imt(t: SqlToken | undefined, opts: { kinds?: readonly GroupKind[]; m?: readonly Matcher[]; exact?: readonly string[]; within?: string }): boolean {
  if (!t) return false;
  if (opts.kinds && t.kind !== undefined && opts.kinds.includes(t.kind)) return true;
  if (opts.m && opts.m.some(([type, values]) => t.match(type, values))) return true;
  if (opts.exact && t.type !== undefined && opts.exact.includes(t.type)) return true;
  if (opts.within !== undefined && isType(t.type, opts.within)) return true;
  return false;
}

/**
 * Splits the token stream into statements the way sqlparse does: at a `;` outside parentheses and
 * BEGIN ... END blocks; spaces and `--` comments right after it stay with the statement it ends.
 * A trailing statement of whitespace only is dropped.
 */
export function splitStatements(tokens: readonly LexToken[]): SqlToken[][] {
  const statements: SqlToken[][] = [];
  let s = freshSplitState();
  for (const tok of tokens) {
    if (s.consumeWs && tok.type !== 'Text.Whitespace' && tok.type !== 'Comment.Single') {
      statements.push(s.tokens);
      s = freshSplitState();
    }
    s.level += splitLevelChange(s, tok);
    s.tokens.push(new SqlToken(tok.type, tok.value));
    if (tok.type === 'Punctuation' && tok.value === ';') {
      if (s.seenBegin) s.beginDepth = Math.max(0, s.beginDepth - 1);
      s.seenBegin = false;
      if (s.level <= 0 && s.beginDepth === 0) s.consumeWs = true;
    } else if (tok.type === 'Keyword' && tok.value.split(/\s+/)[0] === 'GO') {
      s.consumeWs = true;
    } else if (
      !['Text.Whitespace', 'Text.Whitespace.Newline', 'Comment.Single', 'Comment.Multiline'].includes(tok.type) &&
      !(tok.type === 'Keyword' && tok.value.toUpperCase() === 'BEGIN')
    ) {
      s.seenBegin = false;
    }
  }
  if (s.tokens.length > 0 && !s.tokens.every((t) => t.isWhitespace)) statements.push(s.tokens);
  return statements;
}

interface SplitState {
  tokens: SqlToken[];
  level: number;
  consumeWs: boolean;
  inDeclare: boolean;
  inCase: boolean;
  isCreate: boolean;
  beginDepth: number;
  seenBegin: boolean;
}

function freshSplitState(): SplitState {
  return { tokens: [], level: 0, consumeWs: false, inDeclare: false, inCase: false, isCreate: false, beginDepth: 0, seenBegin: false };
}

/** How a token changes the nesting level that keeps `;` from splitting. */
function splitLevelChange(s: SplitState, tok: LexToken): number {
  if (tok.type === 'Punctuation' && tok.value === '(') return 1;
  if (tok.type === 'Punctuation' && tok.value === ')') return -1;
  if (!isType(tok.type, 'Keyword')) return 0;
  const word = tok.value.toUpperCase();
  if (tok.type === 'Keyword.DDL' && word.startsWith('CREATE')) {
    s.isCreate = true;
    return 0;
  }
  if (word === 'DECLARE' && s.isCreate && s.beginDepth === 0) {
    s.inDeclare = true;
    return 1;
  }
  if (word === 'BEGIN') {
    s.beginDepth++;
    s.seenBegin = true;
    return s.isCreate ? 1 : 0;
  }
  if (s.seenBegin && tok.type === 'Keyword' && ['TRANSACTION', 'WORK', 'TRAN', 'DISTRIBUTED', 'DEFERRED', 'IMMEDIATE', 'EXCLUSIVE'].includes(word)) {
    s.beginDepth = Math.max(0, s.beginDepth - 1);
    s.seenBegin = false;
    return 0;
  }
  if (word === 'END') {
    if (!s.inCase) s.beginDepth = Math.max(0, s.beginDepth - 1);
    else s.inCase = false;
    return -1;
  }
  if (['IF', 'FOR', 'WHILE', 'CASE'].includes(word) && s.isCreate && s.beginDepth > 0) {
    if (word === 'CASE') s.inCase = true;
    return 1;
  }
  if (['END IF', 'END FOR', 'END WHILE'].includes(word)) return -1;
  return 0;
}

