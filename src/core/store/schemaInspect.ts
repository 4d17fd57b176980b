/**
 * Reads a SQLite database's schema into a normalised, comparable description, so a file we
 * create can be checked against one MLflow created (and a user's file against the schema we
 * expect). Whitespace, keyword case, identifier quoting, the order of table constraints and
 * of clauses inside a column definition, and the names of SQLite's `sqlite_autoindex_*` indexes
 * are ignored; everything else that MLflow/Alembic could observe is kept.
 */
import type { Database, SqlValue } from 'sql.js';

export interface ColumnDescription {
  name: string;
  /** Declared type, upper-cased, whitespace-normalised (`VARCHAR(250)`). */
  type: string;
  notNull: boolean;
  /** Default as SQLite reports it (`'0'`, `'ACTIVE'`), or null. */
  defaultValue: string | null;
  /** 1-based position in the primary key, 0 if not part of it. */
  pk: number;
  /** table_xinfo `hidden`: 0 normal, 2 generated VIRTUAL, 3 generated STORED. */
  hidden: number;
  /** Generation expression of a generated column, normalised; otherwise null. */
  generated: string | null;
  /** Column constraint clauses (NOT NULL, DEFAULT …, GENERATED …), normalised and sorted. */
  clauses: string[];
}

export interface ForeignKeyDescription {
  columns: string[];
  table: string;
  references: (string | null)[];
  onUpdate: string;
  onDelete: string;
  match: string;
}

export interface IndexDescription {
  table: string;
  /** Key columns in order; `<expr>` for an expression, with ` desc` / ` collate X` if set. */
  columns: string[];
  unique: boolean;
  /** WHERE clause of a partial index, normalised; otherwise null. */
  where: string | null;
}

export interface TableDescription {
  columns: ColumnDescription[];
  withoutRowid: boolean;
  strict: boolean;
  /** Table constraints (with their names, if any), normalised and sorted. */
  constraints: string[];
  foreignKeys: ForeignKeyDescription[];
  /** Implicit indexes of PK/UNIQUE constraints, by origin and columns (names ignored). */
  autoIndexes: string[];
}

export interface SchemaDescription {
  tables: Record<string, TableDescription>;
  /** Explicit (CREATE INDEX) indexes by name. */
  indexes: Record<string, IndexDescription>;
  views: Record<string, string>;
  triggers: Record<string, string>;
}

// ── tokenising and normalising SQL text ──────────────────────────────────────────────────────

interface Token {
  kind: 'word' | 'id' | 'str' | 'punct';
  /** Words and identifiers lower-cased and unquoted; strings verbatim; punctuation as is. */
  text: string;
}

function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < sql.length) {
    const c = sql[i];
    if (/\s/.test(c)) { i++; continue; }
    if (sql.startsWith('--', i)) { const e = sql.indexOf('\n', i); i = e < 0 ? sql.length : e; continue; }
    if (sql.startsWith('/*', i)) { const e = sql.indexOf('*/', i + 2); i = e < 0 ? sql.length : e + 2; continue; }
    const close = c === "'" ? "'" : c === '"' ? '"' : c === '`' ? '`' : c === '[' ? ']' : '';
    if (close) {
      let j = i + 1;
      let text = '';
      for (; j < sql.length; j++) {
        if (sql[j] !== close) { text += sql[j]; continue; }
        if (close !== ']' && sql[j + 1] === close) { text += close; j++; continue; }
        break;
      }
      tokens.push(c === "'" ? { kind: 'str', text: sql.slice(i, j + 1) } : { kind: 'id', text: text.toLowerCase() });
      i = j + 1;
      continue;
    }
    const word = /^[A-Za-z0-9_$\u0080-\uffff]+/.exec(sql.slice(i));
    if (word) { tokens.push({ kind: 'word', text: word[0].toLowerCase() }); i += word[0].length; continue; }
    tokens.push({ kind: 'punct', text: c });
    i++;
  }
  return tokens;
}

/** Joins tokens into canonical text: `check (x in ('a', 'b'))`. */
function join(tokens: readonly Token[]): string {
  let out = '';
  tokens.forEach((t, k) => {
    const prev = tokens[k - 1];
    if (k > 0 && prev.text !== '(' && t.text !== ')' && t.text !== ',') out += ' ';
    out += t.text;
  });
  return out;
}

export function normalizeSql(sql: string): string {
  return join(tokenize(sql));
}

const isWord = (t: Token | undefined, ...words: string[]): boolean =>
  t !== undefined && t.kind === 'word' && words.includes(t.text);

/** Splits a token list at top-level commas. */
function splitTopLevel(tokens: readonly Token[]): Token[][] {
  const parts: Token[][] = [[]];
  let depth = 0;
  for (const t of tokens) {
    if (t.text === '(') depth++;
    if (t.text === ')') depth--;
    if (depth === 0 && t.text === ',') parts.push([]);
    else parts[parts.length - 1].push(t);
  }
  return parts.filter((p) => p.length > 0);
}

/** The tokens between the first '(' and its matching ')', and the index after it. */
function parenGroup(tokens: readonly Token[], from = 0): { inner: Token[]; end: number } | undefined {
  const start = tokens.findIndex((t, k) => k >= from && t.text === '(');
  if (start < 0) return undefined;
  let depth = 0;
  for (let k = start; k < tokens.length; k++) {
    if (tokens[k].text === '(') depth++;
    if (tokens[k].text === ')' && --depth === 0) return { inner: tokens.slice(start + 1, k), end: k + 1 };
  }
  return undefined;
}

const CLAUSE_START = ['constraint', 'primary', 'not', 'null', 'unique', 'check', 'default', 'collate', 'references', 'generated', 'as'];

interface ColumnDef {
  clauses: Token[][];
  generated: string | null;
}

/** Splits a column definition (after its name) into its type and constraint clauses. */
function splitColumnDef(rest: readonly Token[]): ColumnDef {
  const clauses: Token[][] = [];
  let current: Token[] | undefined;
  let depth = 0;
  let glued = 0; // tokens that continue the current clause regardless (after CONSTRAINT <name>)
  rest.forEach((t, k) => {
    const prev = rest[k - 1];
    const starts = depth === 0 && glued === 0 && isWord(t, ...CLAUSE_START)
      && !(t.text === 'null' && isWord(prev, 'not', 'default'))
      && !(t.text === 'as' && isWord(prev, 'always'));
    if (starts) { current = []; clauses.push(current); if (t.text === 'constraint') glued = 3; }
    if (glued > 0) glued--;
    if (t.text === '(') depth++;
    if (t.text === ')') depth--;
    current?.push(t);
  });
  const gen = clauses.find((c) => isWord(c[0], 'generated', 'as'));
  const asAt = gen ? gen.findIndex((t) => isWord(t, 'as')) : -1;
  const expr = gen && asAt >= 0 ? parenGroup(gen, asAt) : undefined;
  return { clauses, generated: expr ? join(expr.inner) : null };
}

/** Column clauses by column name, and the table constraints, parsed from CREATE TABLE text. */
function parseCreateTable(sql: string): { columns: Map<string, ColumnDef>; constraints: string[] } {
  const columns = new Map<string, ColumnDef>();
  const constraints: string[] = [];
  const body = parenGroup(tokenize(sql));
  for (const item of body ? splitTopLevel(body.inner) : []) {
    if (isWord(item[0], 'constraint', 'primary', 'unique', 'check', 'foreign')) constraints.push(join(item));
    else columns.set(item[0].text, splitColumnDef(item.slice(1)));
  }
  return { columns, constraints: constraints.sort() };
}

// ── reading the database ─────────────────────────────────────────────────────────────────────

type Row = Record<string, SqlValue>;

function rows(db: Database, sql: string, params: SqlValue[] = []): Row[] {
  const stmt = db.prepare(sql);
  try {
    stmt.bind(params);
    const out: Row[] = [];
    while (stmt.step()) out.push(stmt.getAsObject());
    return out;
  } finally {
    stmt.free();
  }
}

const str = (v: SqlValue): string => (v === null ? '' : String(v));
const normType = (t: string): string =>
  t.toUpperCase().replace(/\s+/g, ' ').replace(/\s*([(),])\s*/g, '$1').replace(/,/g, ', ').trim();

function indexColumns(db: Database, index: string): string[] {
  return rows(db, 'SELECT * FROM pragma_index_xinfo(?) WHERE key = 1 ORDER BY seqno', [index]).map((r) => {
    let c = r.name === null ? '<expr>' : str(r.name).toLowerCase();
    if (r.desc) c += ' desc';
    if (r.coll !== null && str(r.coll).toUpperCase() !== 'BINARY') c += ` collate ${str(r.coll).toLowerCase()}`;
    return c;
  });
}

function describeTable(db: Database, name: string, sql: string): TableDescription {
  const parsed = parseCreateTable(sql);
  const info = rows(db, 'SELECT * FROM pragma_table_list WHERE schema = ? AND name = ?', ['main', name])[0] ?? {};
  const columns = rows(db, 'SELECT * FROM pragma_table_xinfo(?) ORDER BY cid', [name]).map((r): ColumnDescription => {
    const def = parsed.columns.get(str(r.name).toLowerCase());
    return {
      name: str(r.name),
      type: normType(str(r.type)),
      notNull: r.notnull === 1,
      defaultValue: r.dflt_value === null ? null : str(r.dflt_value),
      pk: Number(r.pk),
      hidden: Number(r.hidden),
      generated: def?.generated ?? null,
      clauses: (def?.clauses ?? []).map(join).sort(),
    };
  });
  const fks = new Map<number, ForeignKeyDescription>();
  for (const r of rows(db, 'SELECT * FROM pragma_foreign_key_list(?) ORDER BY id, seq', [name])) {
    const id = Number(r.id);
    const fk = fks.get(id) ?? { columns: [], table: str(r.table).toLowerCase(), references: [], onUpdate: str(r.on_update), onDelete: str(r.on_delete), match: str(r.match) };
    fk.columns.push(str(r.from).toLowerCase());
    fk.references.push(r.to === null ? null : str(r.to).toLowerCase());
    fks.set(id, fk);
  }
  const autoIndexes = rows(db, "SELECT * FROM pragma_index_list(?) WHERE origin <> 'c'", [name])
    .map((r) => `${str(r.origin)}${r.unique ? ' unique' : ''} (${indexColumns(db, str(r.name)).join(', ')})`)
    .sort();
  return {
    columns,
    withoutRowid: info.wr === 1,
    strict: info.strict === 1,
    constraints: parsed.constraints,
    foreignKeys: [...fks.values()].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
    autoIndexes,
  };
}

/** A normalised description of the schema of `db` (main database), for comparison. */
export function describeSchema(db: Database): SchemaDescription {
  const desc: SchemaDescription = { tables: {}, indexes: {}, views: {}, triggers: {} };
  const objects = rows(db, "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY type, name");
  for (const o of objects) {
    const name = str(o.name);
    const sql = str(o.sql);
    if (o.type === 'table') desc.tables[name] = describeTable(db, name, sql);
    else if (o.type === 'view') desc.views[name] = normalizeSql(sql);
    else if (o.type === 'trigger') desc.triggers[name] = normalizeSql(sql);
    else if (o.type === 'index') {
      const unique = rows(db, 'SELECT "unique" AS u FROM pragma_index_list(?) WHERE name = ?', [str(o.tbl_name), name])[0]?.u === 1;
      const tokens = tokenize(sql);
      const cols = parenGroup(tokens);
      const whereAt = cols ? tokens.findIndex((t, k) => k >= cols.end && isWord(t, 'where')) : -1;
      desc.indexes[name] = {
        table: str(o.tbl_name).toLowerCase(),
        columns: indexColumns(db, name),
        unique,
        where: whereAt >= 0 ? join(tokens.slice(whereAt + 1)) : null,
      };
    }
  }
  return desc;
}

/** Human-readable differences between two descriptions (empty when they are equal). */
export function diffSchemas(expected: SchemaDescription, actual: SchemaDescription): string[] {
  const out: string[] = [];
  for (const kind of ['tables', 'indexes', 'views', 'triggers'] as const) {
    const e: Record<string, unknown> = expected[kind];
    const a: Record<string, unknown> = actual[kind];
    for (const name of Object.keys(e)) if (!(name in a)) out.push(`${kind}: missing ${name}`);
    for (const name of Object.keys(a)) if (!(name in e)) out.push(`${kind}: unexpected ${name}`);
    for (const name of Object.keys(e)) {
      if (!(name in a)) continue;
      const ev = e[name];
      const av = a[name];
      if (typeof ev !== 'object' || ev === null || typeof av !== 'object' || av === null) {
        if (ev !== av) out.push(`${kind}: ${name}: expected ${JSON.stringify(ev)}, found ${JSON.stringify(av)}`);
        continue;
      }
      const ef = ev as Record<string, unknown>;
      const af = av as Record<string, unknown>;
      for (const field of Object.keys(ef)) {
        const es = JSON.stringify(ef[field]);
        const as = JSON.stringify(af[field]);
        if (es !== as) out.push(`${kind}: ${name}.${field}: expected ${es}, found ${as}`);
      }
    }
  }
  return out;
}

/** `alembic_version.version_num`, or undefined if the table or its row is missing. */
export function readSchemaRevision(db: Database): string | undefined {
  const exists = rows(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'");
  if (exists.length === 0) return undefined;
  const row = rows(db, 'SELECT version_num FROM alembic_version LIMIT 1')[0];
  return row && typeof row.version_num === 'string' ? row.version_num : undefined;
}

/** Prefix of the indexes Runlens adds to MLflow's schema (schema.ts RUNLENS_INDEX_STATEMENTS). */
export const RUNLENS_INDEX_PREFIX = 'runlens_';

/** The description without Runlens's own indexes: what MLflow's schema has. */
export function withoutRunlensIndexes(desc: SchemaDescription): SchemaDescription {
  const indexes = Object.fromEntries(Object.entries(desc.indexes).filter(([name]) => !name.startsWith(RUNLENS_INDEX_PREFIX)));
  return { ...desc, indexes };
}
