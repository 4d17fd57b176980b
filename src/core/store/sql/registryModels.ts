import type { KeyValue, Page } from '../../entities';
import { MlflowError } from '../../errors';
import { atOffset, pageOfKeys } from './paging';
import { buildRegisteredModelSearchQuery } from '../../search/registeredModelSearch';
import type { SqlDatabase, SqlReader, SqlSession } from '../db/database';
import type { RegistryReader } from './registryReader';
import { IS_PROMPT_TAG, ModelVersion, REGISTERED_MODEL_COLUMNS, RegisteredModel, RegisteredModelRow } from './registryRows';
import { canonicalStage, dedupeTags, validateModelName, validateRegisteredModelTag, validateTagKey } from './registryValidation';

export interface CreateRegisteredModelRequest {
  name: string;
  tags: KeyValue[];
  description: string;
}

export interface SearchRegisteredModelsRequest {
  filter?: string;
  maxResults: number;
  orderBy: string[];
  pageToken?: string;
}

/** Registered models, their tags, rename and delete (tables registered_models, registered_model_tags). */
export class RegisteredModelTable {
  constructor(
    private readonly db: SqlDatabase,
    private readonly reader: RegistryReader,
  ) {}

  async create(req: CreateRegisteredModelRequest): Promise<RegisteredModel> {
    validateModelName(req.name);
    for (const tag of req.tags) validateRegisteredModelTag(tag.key, tag.value);
    await this.db.write(async (w) => {
      const existing = await this.reader.modelRow(req.name, w);
      if (existing) throw alreadyExists(req.name, await this.isPrompt(req.name, w), req.tags.some((t) => t.key === IS_PROMPT_TAG));
      const now = Date.now();
      await w.run('INSERT INTO registered_models (name, creation_time, last_updated_time, description) VALUES (?, ?, ?, ?)', [
        req.name,
        now,
        now,
        req.description,
      ]);
      for (const tag of dedupeTags(req.tags)) await upsertModelTag(w, req.name, tag.key, tag.value);
    });
    return this.reader.model(req.name);
  }

  async get(name: string): Promise<RegisteredModel> {
    validateModelName(name);
    return this.reader.model(name);
  }

  /** Sets the description ("" clears it, as an update without one does in MLflow). */
  async update(name: string, description: string): Promise<RegisteredModel> {
    validateModelName(name);
    await this.db.write(async (w) => {
      await this.reader.requireModel(name, w);
      await w.run('UPDATE registered_models SET description = ?, last_updated_time = ? WHERE name = ?', [description, Date.now(), name]);
    });
    return this.reader.model(name);
  }

  /**
   * Renames a model. The foreign keys' ON UPDATE CASCADE carries the new name to the versions
   * (and from them to the version tags), the model tags and the aliases.
   */
  async rename(name: string, newName: string): Promise<RegisteredModel> {
    validateModelName(newName, 'new_name');
    await this.db.write(async (w) => {
      validateModelName(name);
      await this.reader.requireModel(name, w);
      if (newName !== name && (await this.reader.modelRow(newName, w))) {
        throw MlflowError.alreadyExists(`Registered Model (name=${newName}) already exists.`);
      }
      const now = Date.now();
      await w.run('UPDATE registered_models SET name = ?, last_updated_time = ? WHERE name = ?', [newName, now, name]);
      await w.run('UPDATE model_versions SET last_updated_time = ? WHERE name = ?', [now, newName]);
    });
    return this.reader.model(newName);
  }

  /** Deletes the model with all its versions, tags and aliases (a hard delete, as in MLflow). */
  async delete(name: string): Promise<void> {
    validateModelName(name);
    await this.db.write(async (w) => {
      await this.reader.requireModel(name, w);
      await w.run('DELETE FROM model_version_tags WHERE name = ?', [name]);
      await w.run('DELETE FROM registered_model_aliases WHERE name = ?', [name]);
      await w.run('DELETE FROM model_versions WHERE name = ?', [name]);
      await w.run('DELETE FROM registered_model_tags WHERE name = ?', [name]);
      await w.run('DELETE FROM registered_models WHERE name = ?', [name]);
    });
  }

  async setTag(name: string, key: string, value: string): Promise<void> {
    validateModelName(name);
    validateRegisteredModelTag(key, value);
    await this.db.write(async (w) => {
      await this.reader.requireModel(name, w);
      await upsertModelTag(w, name, key, value);
    });
  }

  /** Deleting a tag that is not there is a no-op (SQL store). */
  async deleteTag(name: string, key: string): Promise<void> {
    validateModelName(name);
    validateTagKey(key);
    await this.db.write(async (w) => {
      await this.reader.requireModel(name, w);
      await w.run('DELETE FROM registered_model_tags WHERE name = ? AND key = ?', [name, key]);
    });
  }

  /** The latest version of each requested stage (all stages when none are given). */
  async latestVersions(name: string, stages: string[]): Promise<ModelVersion[]> {
    validateModelName(name);
    const wanted = new Set(stages.map(canonicalStage));
    const latest = await this.reader.latestVersions(name);
    return wanted.size === 0 ? latest : latest.filter((v) => wanted.has(v.current_stage ?? ''));
  }

  async search(req: SearchRegisteredModelsRequest): Promise<Page<RegisteredModel>> {
    const built = buildRegisteredModelSearchQuery({ filter: req.filter, orderBy: req.orderBy, offset: 0, limit: req.maxResults + 1 });
    const { query, offset } = atOffset(built, req.pageToken);
    const names = (await this.db.all<{ name: string }>(query.sql, query.params)).map((r) => r.name);
    return pageOfKeys(names, req.maxResults, offset, async (page) => {
      const rows: RegisteredModelRow[] = [];
      for (const n of page) {
        rows.push((await this.db.get<RegisteredModelRow>(`SELECT ${REGISTERED_MODEL_COLUMNS} FROM registered_models WHERE name = ?`, [n]))!);
      }
      return this.reader.models(rows);
    });
  }

  private async isPrompt(name: string, s: SqlReader = this.db): Promise<boolean> {
    return !!(await s.get('SELECT 1 AS x FROM registered_model_tags WHERE name = ? AND key = ?', [name, IS_PROMPT_TAG]));
  }
}

async function upsertModelTag(w: SqlSession, name: string, key: string, value: string): Promise<void> {
  await w.run(
    'INSERT INTO registered_model_tags (key, value, name) VALUES (?, ?, ?) ON CONFLICT (key, name) DO UPDATE SET value = excluded.value',
    [key, value, name],
  );
}

/** MLflow's message for a taken name; models and prompts share one namespace. */
function alreadyExists(name: string, existingIsPrompt: boolean, newIsPrompt: boolean): MlflowError {
  const existing = existingIsPrompt ? 'Prompt' : 'Registered Model';
  const wanted = newIsPrompt ? 'Prompt' : 'Registered Model';
  if (existing !== wanted) {
    return MlflowError.alreadyExists(
      `Tried to create a ${wanted.toLowerCase()} with name '${name}', but the name is already taken by a ` +
        `${existing.toLowerCase()}. MLflow does not allow creating a model and a prompt with the same name.`,
    );
  }
  return MlflowError.alreadyExists(`${wanted} (name=${name}) already exists.`);
}
