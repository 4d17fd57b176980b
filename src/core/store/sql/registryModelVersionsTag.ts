import { MlflowError } from '../../errors';
import type { SqlSession } from '../db/database';

/**
 * The logged model's `mlflow.modelVersions` tag: a JSON list of `{"name", "version"}` (integer
 * versions) naming the registry versions created from it, written as Python's json.dumps does.
 */

export const MODEL_VERSIONS_TAG = 'mlflow.modelVersions';

/** Python's json.dumps with its defaults: ", " and ": " separators, non-ASCII escaped. */
export function pythonJsonDumps(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (value === true) return 'true';
  if (value === false) return 'false';
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'NaN';
    if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
    return String(value);
  }
  if (typeof value === 'string') return pythonJsonString(value);
  if (Array.isArray(value)) return `[${value.map(pythonJsonDumps).join(', ')}]`;
  const entries = Object.entries(value as Record<string, unknown>);
  return `{${entries.map(([k, v]) => `${pythonJsonString(k)}: ${pythonJsonDumps(v)}`).join(', ')}}`;
}

const SHORT_ESCAPES: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f' };

function pythonJsonString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    const code = s.charCodeAt(i);
    if (SHORT_ESCAPES[ch]) out += SHORT_ESCAPES[ch];
    else if (code < 0x20 || code > 0x7e) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

function isSameEntry(item: unknown, name: string, version: number): boolean {
  if (item === null || typeof item !== 'object' || Array.isArray(item)) return false;
  const keys = Object.keys(item);
  const entry = item as Record<string, unknown>;
  return keys.length === 2 && entry.name === name && typeof entry.version === 'number' && entry.version === version;
}

/**
 * Appends `{"name": name, "version": version}` to the logged model's tag, as MLflow's server does
 * after creating a version with a `model_id`. (Like MLflow, when an equal entry is already there
 * the tag is rewritten holding just that entry.) The logged model must exist.
 */
export async function recordModelVersionOnLoggedModel(w: SqlSession, modelId: string, name: string, version: number): Promise<void> {
  const model = await w.get<{ experiment_id: number; lifecycle_stage: string | null }>(
    'SELECT experiment_id, lifecycle_stage FROM logged_models WHERE model_id = ?',
    [modelId],
  );
  if (!model || model.lifecycle_stage === 'deleted') throw MlflowError.notFound(`Logged model with ID '${modelId}' not found.`);
  const entry = { name, version };
  let entries: unknown[] = [entry];
  const existing = await w.get<{ tag_value: string }>('SELECT tag_value FROM logged_model_tags WHERE model_id = ? AND tag_key = ?', [
    modelId,
    MODEL_VERSIONS_TAG,
  ]);
  if (existing?.tag_value) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(existing.tag_value);
    } catch {
      parsed = undefined;
    }
    if (Array.isArray(parsed) && !parsed.some((item) => isSameEntry(item, name, version))) entries = [...parsed, entry];
  }
  await w.run(
    `INSERT INTO logged_model_tags (model_id, experiment_id, tag_key, tag_value) VALUES (?, ?, ?, ?)
     ON CONFLICT (model_id, tag_key) DO UPDATE SET tag_value = excluded.tag_value`,
    [modelId, model.experiment_id, MODEL_VERSIONS_TAG, pythonJsonDumps(entries)],
  );
}
