/**
 * The tokenizer MLflow's search parsing sees (compat §3.1): MLflow hands filters and order_by
 * clauses to the `sqlparse` library, whose lexer tries an ordered list of case-insensitive rules at
 * each position; the first rule that matches makes the token, and a character no rule matches is
 * an error token. Word classes follow Python's Unicode rules (`\w` is letters, digits, `_`).
 *
 * These rules and word lists reproduce the behaviour of sqlparse (BSD-3-Clause, Andi Albrecht and
 * contributors), the library MLflow tokenizes with, so that filters split exactly as MLflow splits them.
 */
import { keywordType } from './sqlKeywords';

export interface LexToken {
  /** Dotted token type, e.g. `Name`, `Keyword.Order`, `Literal.Number.Integer`. */
  type: string;
  value: string;
}

const W = '[\\p{L}\\p{N}_]';
const NOT_W = '(?![\\p{L}\\p{N}_])';
/** Python's str.isspace() characters. */
const S = '[\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]';
const D = '\\p{Nd}';
const LETTER = '[A-ZÀ-Ü]';
/** Python's `.`: anything but a newline. */
const ANY = '[^\\n]';
const KEYWORD = 'keyword';

const RULES: Array<[string, string]> = [
  [`(?:--|# )\\+${ANY}*?(?:\\r\\n|\\r|\\n|$)`, 'Comment.Single.Hint'],
  ['/\\*\\+[\\s\\S]*?\\*/', 'Comment.Multiline.Hint'],
  [`(?:--|# )${ANY}*?(?:\\r\\n|\\r|\\n|$)`, 'Comment.Single'],
  ['/\\*[\\s\\S]*?\\*/', 'Comment.Multiline'],
  ['\\r\\n|\\r|\\n', 'Text.Whitespace.Newline'],
  [S, 'Text.Whitespace'],
  [':=', 'Assignment'],
  ['::', 'Punctuation'],
  ['\\*', 'Wildcard'],
  ['`(?:``|[^`])*`', 'Name'],
  ['´(?:´´|[^´])*´', 'Name'],
  [`((?<![\\p{L}\\p{N}_"$])\\$(?:[_A-ZÀ-Ü]${W}*)?\\$)[\\s\\S]*?\\1`, 'Literal'],
  ['\\?', 'Name.Placeholder'],
  [`%(?:\\(${W}+\\))?s`, 'Name.Placeholder'],
  [`(?<!${W})[$:?]${W}+`, 'Name.Placeholder'],
  [`\\\\${W}+`, 'Command'],
  [`(?:CASE|IN|VALUES|USING|FROM|AS)${NOT_W}`, 'Keyword'],
  [`(?:@|##|#)${LETTER}${W}+`, 'Name'],
  [`${LETTER}${W}*(?=${S}*\\.)`, 'Name'],
  [`(?<=\\.)${LETTER}${W}*`, 'Name'],
  [`${LETTER}${W}*(?=\\()`, 'Name'],
  [`-?0x[${D}A-F]+`, 'Literal.Number.Hexadecimal'],
  [`-?${D}+(?:\\.${D}+)?E-?${D}+`, 'Literal.Number.Float'],
  [`(?![_A-ZÀ-Ü])-?(?:${D}+(?:\\.${D}*)|\\.${D}+)(?![_A-ZÀ-Ü])`, 'Literal.Number.Float'],
  [`(?![_A-ZÀ-Ü])-?${D}+(?![_A-ZÀ-Ü])`, 'Literal.Number.Integer'],
  ["'(?:''|\\\\'|[^'])*'", 'Literal.String.Single'],
  ['"(?:""|\\\\"|[^"])*"', 'Literal.String.Symbol'],
  [`(?:""|"${ANY}*?[^\\\\]")`, 'Literal.String.Symbol'],
  ['(?<![\\p{L}\\p{N}_\\])])(?:\\[[^\\]\\[]+\\])', 'Name'],
  [`(?:(?:LEFT${S}+|RIGHT${S}+|FULL${S}+)?(?:INNER${S}+|OUTER${S}+|STRAIGHT${S}+)?|(?:CROSS${S}+|NATURAL${S}+)?)?JOIN${NOT_W}`, 'Keyword'],
  [`END(?:${S}+IF|${S}+LOOP|${S}+WHILE)?${NOT_W}`, 'Keyword'],
  [`IF${S}+(?:NOT${S}+)?EXISTS${NOT_W}`, 'Keyword'],
  [`NOT${S}+NULL${NOT_W}`, 'Keyword'],
  [`(?:ASC|DESC)(?:${S}+NULLS${S}+(?:FIRST|LAST))?${NOT_W}`, 'Keyword.Order'],
  [`NULLS${S}+(?:FIRST|LAST)${NOT_W}`, 'Keyword.Order'],
  [`UNION${S}+ALL${NOT_W}`, 'Keyword'],
  [`CREATE(?:${S}+OR${S}+REPLACE)?${NOT_W}`, 'Keyword.DDL'],
  [`DOUBLE${S}+PRECISION${NOT_W}`, 'Name.Builtin'],
  [`GROUP${S}+BY${NOT_W}`, 'Keyword'],
  [`ORDER${S}+BY${NOT_W}`, 'Keyword'],
  [`PRIMARY${S}+KEY${NOT_W}`, 'Keyword'],
  [`HANDLER${S}+FOR${NOT_W}`, 'Keyword'],
  [`GO(?:${S}${D}+)${NOT_W}`, 'Keyword'],
  [`(?:LATERAL${S}+VIEW${S}+)(?:EXPLODE|INLINE|PARSE_URL_TUPLE|POSEXPLODE|STACK)${NOT_W}`, 'Keyword'],
  [`(?:AT|WITH')${S}+TIME${S}+ZONE${S}+'[^']+'`, 'Keyword.TZCast'],
  [`(?:NOT${S}+)?(?:LIKE|ILIKE|RLIKE)${NOT_W}`, 'Operator.Comparison'],
  [`(?:NOT${S}+)?REGEXP(?:${S}+BINARY)?${NOT_W}`, 'Operator.Comparison'],
  [`${W}[$#\\p{L}\\p{N}_]*`, KEYWORD],
  ['[;:()\\[\\],.]', 'Punctuation'],
  ['->>?|#>>?|@>|<@|\\?\\|?|\\?&|-|#-', 'Operator'],
  ['[<>=~!]+', 'Operator.Comparison'],
  ['[+/@#%^&|^-]+', 'Operator'],
];

const COMPILED = RULES.map(([source, type]) => ({ re: new RegExp(source, 'iuy'), type }));

/** Splits text into typed tokens, exactly covering it. */
export function tokenize(text: string): LexToken[] {
  const tokens: LexToken[] = [];
  let pos = 0;
  while (pos < text.length) {
    let matched = false;
    for (const rule of COMPILED) {
      rule.re.lastIndex = pos;
      const m = rule.re.exec(text);
      if (!m || m[0].length === 0) continue;
      const type = rule.type === KEYWORD ? (keywordType(m[0]) ?? 'Name') : rule.type;
      tokens.push({ type, value: m[0] });
      pos += m[0].length;
      matched = true;
      break;
    }
    if (!matched) {
      const ch = String.fromCodePoint(text.codePointAt(pos)!);
      tokens.push({ type: 'Error', value: ch });
      pos += ch.length;
    }
  }
  return tokens;
}
