/**
 * The model registry folder (compat §5 "Registry FileStore"): `models/<name>/meta.yaml`, tags/,
 * aliases/<alias> (file content = version; the `aliases:` map in meta.yaml is informational), and
 * `version-<n>/meta.yaml` with tags/. Records use the row shapes of ../sql/registryRows.ts so the
 * same wire conversion applies.
 */
import * as path from 'node:path';
import type { KeyValue } from '../../entities';
import { compareCodePoints } from '../../search/predicates';
import type { ModelVersionRow, RegisteredModelRow } from '../sql/registryRows';
import type { FileCache } from './fileCache';
import { META_FILE, isSafeSegment } from './fileLayout';
import { readKeyValues } from './keyValues';
import type { ProblemLog } from './storeProblems';
import { MetaFileError, int, readMeta, str } from './yamlMeta';

export interface AliasRecord {
  alias: string;
  version: number;
}

export interface RegisteredModelRecord {
  dir: string;
  row: RegisteredModelRow;
  tags: KeyValue[];
  /** Sorted by alias name. */
  aliases: AliasRecord[];
}

export interface ModelVersionRecord {
  row: ModelVersionRow;
  tags: KeyValue[];
  /** 3.x: the logged model the version was created from (kept only in meta.yaml). */
  modelId?: string;
}

const VERSION_FOLDER = /^version-(\d+)$/;

export class RegistryFiles {
  constructor(
    readonly dir: string,
    private readonly cache: FileCache,
    private readonly problems: ProblemLog,
  ) {}

  /** Folder names of registered models. */
  async modelFolders(): Promise<string[]> {
    return ((await this.cache.listDir(this.dir)) ?? []).filter((e) => e.isDirectory && !e.name.startsWith('.')).map((e) => e.name);
  }

  /** The model folder for a name, or undefined when there is none. */
  async locate(name: string): Promise<string | undefined> {
    if (!isSafeSegment(name)) return undefined;
    const dir = path.join(this.dir, name);
    return (await this.cache.stat(path.join(dir, META_FILE)))?.isFile() ? dir : undefined;
  }

  /** Reads a registered model folder; throws MetaFileError when its meta.yaml is unusable. */
  async readModel(dir: string): Promise<RegisteredModelRecord> {
    const file = path.join(dir, META_FILE);
    const meta = await readMeta(this.cache, file);
    if (!meta) throw new MetaFileError(file, 'the file is missing');
    const row: RegisteredModelRow = {
      name: str(meta, 'name') ?? path.basename(dir),
      creation_time: int(meta, 'creation_timestamp') ?? null,
      last_updated_time: int(meta, 'last_updated_timestamp') ?? null,
      description: str(meta, 'description') ?? null,
    };
    const tags = await readKeyValues(this.cache, path.join(dir, 'tags'));
    const aliases: AliasRecord[] = [];
    for (const kv of await readKeyValues(this.cache, path.join(dir, 'aliases'))) {
      const text = kv.value.trim();
      if (/^\d+$/.test(text)) aliases.push({ alias: kv.key, version: Number(text) });
      else this.problems.report({ path: path.join(dir, 'aliases', kv.key), entity: 'registered model', message: `alias '${kv.key}' does not hold a version number` });
    }
    this.problems.resolved(file);
    return { dir, row, tags, aliases: aliases.sort((a, b) => compareCodePoints(a.alias, b.alias)) };
  }

  /** All versions of a model (deleted ones included), ascending; unreadable ones are reported and left out. */
  async readVersions(model: RegisteredModelRecord): Promise<ModelVersionRecord[]> {
    const out: ModelVersionRecord[] = [];
    for (const e of (await this.cache.listDir(model.dir)) ?? []) {
      const m = VERSION_FOLDER.exec(e.name);
      if (!m || !e.isDirectory) continue;
      try {
        const record = await this.readVersion(model, Number(m[1]));
        if (record) out.push(record);
      } catch (err) {
        if (!(err instanceof MetaFileError)) throw err;
        this.problems.report({ path: err.path, entity: 'model version', message: err.message });
      }
    }
    return out.sort((a, b) => a.row.version - b.row.version);
  }

  /** One version folder; undefined when absent; throws MetaFileError when unusable. */
  async readVersion(model: RegisteredModelRecord, version: number): Promise<ModelVersionRecord | undefined> {
    const dir = path.join(model.dir, `version-${version}`);
    const file = path.join(dir, META_FILE);
    const meta = await readMeta(this.cache, file);
    if (!meta) return undefined;
    const row: ModelVersionRow = {
      name: model.row.name,
      version: int(meta, 'version') ?? version,
      creation_time: int(meta, 'creation_timestamp') ?? null,
      last_updated_time: int(meta, 'last_updated_timestamp') ?? null,
      description: str(meta, 'description') ?? null,
      user_id: str(meta, 'user_id') ?? null,
      current_stage: str(meta, 'current_stage') ?? 'None',
      source: str(meta, 'source') ?? null,
      run_id: str(meta, 'run_id') ?? null,
      status: str(meta, 'status') ?? null,
      status_message: str(meta, 'status_message') ?? null,
      run_link: str(meta, 'run_link') ?? null,
      storage_location: str(meta, 'storage_location') ?? null,
    };
    const tags = await readKeyValues(this.cache, path.join(dir, 'tags'));
    this.problems.resolved(file);
    const modelId = str(meta, 'model_id');
    return modelId ? { row, tags, modelId } : { row, tags };
  }
}
