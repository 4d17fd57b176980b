import type { KeyValue } from '../../entities';
import { MlflowError } from '../../errors';
import type { SqlDatabase, SqlReader } from '../db/database';
import { placeholders } from './rows';
import {
  MODEL_VERSION_COLUMNS,
  ModelVersion,
  ModelVersionRow,
  REGISTERED_MODEL_COLUMNS,
  RegisteredModel,
  RegisteredModelAlias,
  RegisteredModelRow,
  STAGE_DELETED_INTERNAL,
  chunks,
  groupBy,
  latestPerStage,
  toModelVersion,
  toRegisteredModel,
} from './registryRows';

interface AliasRow {
  name: string;
  alias: string;
  version: number;
}

/** Reads registered models and versions, with their tags, aliases and latest versions. */
export class RegistryReader {
  constructor(private readonly db: SqlDatabase) {}

  async modelRow(name: string, s: SqlReader = this.db): Promise<RegisteredModelRow | undefined> {
    return s.get<RegisteredModelRow>(`SELECT ${REGISTERED_MODEL_COLUMNS} FROM registered_models WHERE name = ?`, [name]);
  }

  async requireModel(name: string, s: SqlReader = this.db): Promise<RegisteredModelRow> {
    const row = await this.modelRow(name, s);
    if (!row) throw MlflowError.notFound(`Registered Model with name=${name} not found`);
    return row;
  }

  /** A version that is not deleted; `requested` is the version as the client wrote it (for the message). */
  async requireVersion(name: string, version: number, requested: string = String(version), s: SqlReader = this.db): Promise<ModelVersionRow> {
    const row = await s.get<ModelVersionRow>(
      `SELECT ${MODEL_VERSION_COLUMNS} FROM model_versions WHERE name = ? AND version = ? AND current_stage != ?`,
      [name, version, STAGE_DELETED_INTERNAL],
    );
    if (!row) throw MlflowError.notFound(`Model Version (name=${name}, version=${requested}) not found`);
    return row;
  }

  /** All versions of the models (deleted ones included), ascending by version. */
  versionRows(names: readonly string[]): Promise<ModelVersionRow[]> {
    return this.byNames<ModelVersionRow>(`SELECT ${MODEL_VERSION_COLUMNS} FROM model_versions WHERE name IN`, names, 'ORDER BY name, version');
  }

  async modelTags(names: readonly string[]): Promise<Map<string, KeyValue[]>> {
    const rows = await this.byNames<{ name: string; key: string; value: string | null }>(
      'SELECT name, key, value FROM registered_model_tags WHERE name IN',
      names,
      'ORDER BY rowid',
    );
    return mapValues(groupBy(rows, (r) => r.name), (list) => list.map((r) => ({ key: r.key, value: r.value ?? '' })));
  }

  /** Version tags keyed by `name\u0000version`. */
  async versionTags(names: readonly string[]): Promise<Map<string, KeyValue[]>> {
    const rows = await this.byNames<{ name: string; version: number; key: string; value: string | null }>(
      'SELECT name, version, key, value FROM model_version_tags WHERE name IN',
      names,
      'ORDER BY rowid',
    );
    return mapValues(groupBy(rows, (r) => versionKey(r.name, r.version)), (list) => list.map((r) => ({ key: r.key, value: r.value ?? '' })));
  }

  async aliases(names: readonly string[]): Promise<Map<string, AliasRow[]>> {
    const rows = await this.byNames<AliasRow>('SELECT name, alias, version FROM registered_model_aliases WHERE name IN', names, 'ORDER BY name, alias');
    return groupBy(rows, (r) => r.name);
  }

  /** Versions in the wire form; aliases are filled in only when asked (MLflow's searches leave them out). */
  async versions(rows: readonly ModelVersionRow[], withAliases: boolean): Promise<ModelVersion[]> {
    const names = unique(rows.map((r) => r.name));
    const tags = await this.versionTags(names);
    const aliases = withAliases ? await this.aliases(names) : new Map<string, AliasRow[]>();
    return rows.map((r) => toModelVersion(r, tags.get(versionKey(r.name, r.version)) ?? [], aliasesOf(aliases.get(r.name), r.version)));
  }

  async version(row: ModelVersionRow): Promise<ModelVersion> {
    return (await this.versions([row], true))[0];
  }

  /** Registered models in the wire form, each with its latest version per stage (without aliases). */
  async models(rows: readonly RegisteredModelRow[]): Promise<RegisteredModel[]> {
    const names = rows.map((r) => r.name);
    const versionsByModel = groupBy(await this.versionRows(names), (r) => r.name);
    const latestRows = rows.flatMap((r) => latestPerStage(versionsByModel.get(r.name) ?? []));
    const latest = groupBy(await this.versions(latestRows, false), (v) => v.name);
    const tags = await this.modelTags(names);
    const aliases = await this.aliases(names);
    return rows.map((r) =>
      toRegisteredModel(
        r,
        latest.get(r.name) ?? [],
        tags.get(r.name) ?? [],
        (aliases.get(r.name) ?? []).map((a): RegisteredModelAlias => ({ alias: a.alias, version: String(a.version) })),
      ),
    );
  }

  async model(name: string): Promise<RegisteredModel> {
    return (await this.models([await this.requireModel(name)]))[0];
  }

  /** The latest version of each stage (wire form, with aliases), in MLflow's order. */
  async latestVersions(name: string): Promise<ModelVersion[]> {
    await this.requireModel(name);
    return this.versions(latestPerStage(await this.versionRows([name])), true);
  }

  private async byNames<T>(select: string, names: readonly string[], order: string): Promise<T[]> {
    const out: T[] = [];
    for (const chunk of chunks(unique(names))) {
      out.push(...(await this.db.all<T>(`${select} (${placeholders(chunk.length)}) ${order}`, chunk)));
    }
    return out;
  }
}

export function versionKey(name: string, version: number): string {
  return `${name}\u0000${version}`;
}

function aliasesOf(rows: AliasRow[] | undefined, version: number): string[] {
  return (rows ?? []).filter((a) => a.version === version).map((a) => a.alias);
}

function unique<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}

function mapValues<K, A, B>(map: Map<K, A>, fn: (a: A) => B): Map<K, B> {
  const out = new Map<K, B>();
  for (const [k, v] of map) out.set(k, fn(v));
  return out;
}
