import type { Database, SqlJsStatic } from 'sql.js';
import { SCHEMA_STATEMENTS } from './schema';

/**
 * Older MLflow schema revisions lack tables and columns that the store modules read (2.x has no
 * logged_models*, no inputs.step; before 2.4 no datasets/inputs/input_tags; before 2.3 no
 * registered_model_aliases; before 2.9 no model_versions.storage_location; early 2.0 no
 * experiments.creation_time ...).
 *
 * A store opened read-only lives only in memory and is never written back, so instead of teaching
 * every query (readers, search filters, artifact resolution) which revision has what, the schema
 * is detected once per load (sqlite_master and PRAGMA table_info) and the in-memory copy is
 * completed to the revision we read: each missing table is created empty, each missing column is
 * added (NULL, or its schema default such as inputs.step = 0). Queries then find no inputs, no
 * aliases, no logged models — what those revisions mean — instead of failing on SQL errors.
 * Nothing here ever reaches the file.
 */

interface ReferenceColumn {
  name: string;
  type: string;
  defaultValue: string | null;
}

interface ReferenceTable {
  name: string;
  create: string;
  columns: ReferenceColumn[];
}

let reference: ReferenceTable[] | undefined;

function tableColumns(db: Database, table: string): ReferenceColumn[] {
  const result = db.exec('SELECT name, type, dflt_value FROM pragma_table_info(?) ORDER BY cid', [table]);
  return (result[0]?.values ?? []).map(([name, type, dflt]) => ({
    name: String(name),
    type: String(type ?? ''),
    defaultValue: dflt === null ? null : String(dflt),
  }));
}

/** The tables of the revision Runlens reads and writes, from its own DDL (computed once). */
function referenceTables(SQL: SqlJsStatic): ReferenceTable[] {
  if (reference) return reference;
  const db = new SQL.Database();
  try {
    const tables: ReferenceTable[] = [];
    for (const statement of SCHEMA_STATEMENTS) {
      db.run(statement);
      const match = /^\s*CREATE\s+TABLE\s+"?(\w+)"?/i.exec(statement);
      if (match) tables.push({ name: match[1], create: statement, columns: [] });
    }
    for (const table of tables) table.columns = tableColumns(db, table.name);
    reference = tables;
    return tables;
  } finally {
    db.close();
  }
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * Adds, in memory, the tables and columns of our revision that `db` lacks. Returns what was added
 * ("table" or "table.column"), empty for a database at our revision or newer.
 */
export function completeSchema(SQL: SqlJsStatic, db: Database): string[] {
  const present = new Set(
    (db.exec("SELECT lower(name) FROM sqlite_master WHERE type = 'table'")[0]?.values ?? []).map((r) => String(r[0])),
  );
  const added: string[] = [];
  for (const table of referenceTables(SQL)) {
    if (!present.has(table.name.toLowerCase())) {
      db.run(table.create);
      added.push(table.name);
      continue;
    }
    const existing = new Set(tableColumns(db, table.name).map((c) => c.name.toLowerCase()));
    for (const column of table.columns) {
      if (existing.has(column.name.toLowerCase())) continue;
      const dflt = column.defaultValue === null ? '' : ` DEFAULT ${column.defaultValue}`;
      db.run(`ALTER TABLE ${quote(table.name)} ADD COLUMN ${quote(column.name)} ${column.type}${dflt}`);
      added.push(`${table.name}.${column.name}`);
    }
  }
  return added;
}

/** A short account of what a revision lacks, for the log. */
export function describeCompletion(added: readonly string[]): string {
  if (added.length === 0) return '';
  const shown = added.slice(0, 8).join(', ');
  return added.length > 8 ? `${shown} and ${added.length - 8} more` : shown;
}
