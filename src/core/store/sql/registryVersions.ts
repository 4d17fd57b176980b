import type { KeyValue, Page } from '../../entities';
import { MlflowError } from '../../errors';
import { buildModelVersionSearchQuery } from '../../search/modelVersionSearch';
import { atOffset, pageOfKeys } from './paging';
import type { SqlDatabase, SqlReader, SqlSession } from '../db/database';
import { recordModelVersionOnLoggedModel } from './registryModelVersionsTag';
import { RegistryReader, versionKey } from './registryReader';
import {
  ACTIVE_STAGES,
  IS_PROMPT_TAG,
  ModelVersion,
  ModelVersionRow,
  STAGE_ARCHIVED,
  STAGE_DELETED_INTERNAL,
  STAGE_NONE,
} from './registryRows';
import { resolveStorageLocation, validateModelVersionSource } from './registrySources';
import { canonicalStage, dedupeTags, parseVersion, validateModelName, validateModelVersionTag, validateTagKey } from './registryValidation';

export interface CreateModelVersionRequest {
  name: string;
  source: string;
  /** "" when the request had none (MLflow stores what the request carried). */
  runId: string;
  tags: KeyValue[];
  runLink: string;
  description: string;
  modelId: string;
}

export interface SearchModelVersionsRequest {
  filter?: string;
  maxResults: number;
  orderBy: string[];
  pageToken?: string;
}

/** Model versions: numbering, stages, soft delete, tags (tables model_versions, model_version_tags). */
export class ModelVersionTable {
  constructor(
    private readonly db: SqlDatabase,
    private readonly reader: RegistryReader,
  ) {}

  async create(req: CreateModelVersionRequest): Promise<ModelVersion> {
    const isPrompt = req.tags.some((t) => t.key === IS_PROMPT_TAG);
    await validateModelVersionSource(this.db, req.source, req.runId, req.modelId, isPrompt);
    validateModelName(req.name);
    for (const tag of req.tags) validateModelVersionTag(tag.key, tag.value);
    const resolved = await resolveStorageLocation(this.db, req.source, req.runId);
    const version = await this.db.write(async (w) => {
      await this.reader.requireModel(req.name, w);
      const now = Date.now();
      await w.run('UPDATE registered_models SET last_updated_time = ? WHERE name = ?', [now, req.name]);
      // Deleted versions keep their rows, so numbers are never reused.
      const next = (await w.get<{ v: number }>('SELECT COALESCE(MAX(version), 0) + 1 AS v FROM model_versions WHERE name = ?', [req.name]))!.v;
      await w.run(
        `INSERT INTO model_versions (name, version, creation_time, last_updated_time, description, user_id, current_stage,
           source, run_id, status, status_message, run_link, storage_location)
         VALUES (?, ?, ?, ?, ?, NULL, ?, ?, ?, 'READY', NULL, ?, ?)`,
        [req.name, next, now, now, req.description, STAGE_NONE, req.source, resolved.runId, req.runLink, resolved.storageLocation],
      );
      for (const tag of dedupeTags(req.tags)) await upsertVersionTag(w, req.name, next, tag.key, tag.value);
      if (!isPrompt && req.modelId) await recordModelVersionOnLoggedModel(w, req.modelId, req.name, next);
      return next;
    });
    return this.reader.version(await this.reader.requireVersion(req.name, version));
  }

  async get(name: string, version: string): Promise<ModelVersion> {
    return this.reader.version(await this.require(name, version));
  }

  /** Sets the description; without one it becomes NULL (and is then left out of answers). */
  async update(name: string, version: string, description: string | undefined): Promise<ModelVersion> {
    const row = await this.db.write(async (w) => {
      const current = await this.require(name, version, w);
      await w.run('UPDATE model_versions SET description = ?, last_updated_time = ? WHERE name = ? AND version = ?', [
        description ?? null,
        Date.now(),
        current.name,
        current.version,
      ]);
      return current;
    });
    return this.reader.version(await this.reader.requireVersion(row.name, row.version));
  }

  async transitionStage(name: string, version: string, stage: string, archiveExisting: boolean): Promise<ModelVersion> {
    const canonical = canonicalStage(stage);
    if (archiveExisting && !(ACTIVE_STAGES as readonly string[]).includes(canonical)) {
      // MLflow raises this without an error code (a 500 that clients retry); it is bad input, so 400.
      throw new MlflowError(
        'INVALID_PARAMETER_VALUE',
        `Model version transition cannot archive existing model versions because '${stage}' is not an Active stage. ` +
          `Valid stages are ['${ACTIVE_STAGES.join("', '")}']`,
      );
    }
    const row = await this.db.write(async (w) => {
      validateModelName(name);
      const number = parseVersion(version);
      const now = Date.now();
      if (archiveExisting) {
        await w.run('UPDATE model_versions SET current_stage = ?, last_updated_time = ? WHERE name = ? AND version != ? AND current_stage = ?', [
          STAGE_ARCHIVED,
          now,
          name,
          number,
          canonical,
        ]);
      }
      const current = await this.reader.requireVersion(name, number, version, w);
      await w.run('UPDATE model_versions SET current_stage = ?, last_updated_time = ? WHERE name = ? AND version = ?', [
        canonical,
        now,
        name,
        current.version,
      ]);
      await w.run('UPDATE registered_models SET last_updated_time = ? WHERE name = ?', [now, name]);
      return current;
    });
    return this.reader.version(await this.reader.requireVersion(row.name, row.version));
  }

  /**
   * Soft delete, as MLflow's SQL store: the row stays (so its number is never reused) with stage
   * Deleted_Internal and redacted fields; its tags stay too. Unlike MLflow over REST, the aliases
   * pointing at it are removed.
   */
  async delete(name: string, version: string): Promise<void> {
    await this.db.write(async (w) => {
      const current = await this.require(name, version, w);
      const now = Date.now();
      await w.run('UPDATE registered_models SET last_updated_time = ? WHERE name = ?', [now, current.name]);
      await w.run('DELETE FROM registered_model_aliases WHERE name = ? AND version = ?', [current.name, current.version]);
      await w.run(
        `UPDATE model_versions SET current_stage = ?, last_updated_time = ?, description = NULL, user_id = NULL,
           source = 'REDACTED-SOURCE-PATH', run_id = 'REDACTED-RUN-ID', run_link = 'REDACTED-RUN-LINK', status_message = NULL
         WHERE name = ? AND version = ?`,
        [STAGE_DELETED_INTERNAL, now, current.name, current.version],
      );
    });
  }

  /** storage_location when set, else source. */
  async downloadUri(name: string, version: string): Promise<string> {
    const row = await this.require(name, version);
    return row.storage_location || row.source || '';
  }

  async setTag(name: string, version: string, key: string, value: string): Promise<void> {
    validateModelName(name);
    const number = parseVersion(version);
    validateModelVersionTag(key, value);
    await this.db.write(async (w) => {
      await this.reader.requireVersion(name, number, version, w);
      await upsertVersionTag(w, name, number, key, value);
    });
  }

  /** Deleting a tag that is not there is a no-op (SQL store). */
  async deleteTag(name: string, version: string, key: string): Promise<void> {
    validateModelName(name);
    const number = parseVersion(version);
    validateTagKey(key);
    await this.db.write(async (w) => {
      await this.reader.requireVersion(name, number, version, w);
      await w.run('DELETE FROM model_version_tags WHERE name = ? AND version = ? AND key = ?', [name, number, key]);
    });
  }

  async search(req: SearchModelVersionsRequest): Promise<Page<ModelVersion>> {
    if (req.maxResults < 1) {
      throw MlflowError.invalidParameter(`Invalid value for max_results. It must be a positive integer, but got ${req.maxResults}`);
    }
    const built = buildModelVersionSearchQuery({ filter: req.filter, orderBy: req.orderBy, offset: 0, limit: req.maxResults + 1 });
    const { query, offset } = atOffset(built, req.pageToken);
    const keys = await this.db.all<{ name: string; version: number }>(query.sql, query.params);
    return pageOfKeys(keys, req.maxResults, offset, async (page) => {
      const rows = new Map((await this.reader.versionRows([...new Set(page.map((k) => k.name))])).map((r) => [versionKey(r.name, r.version), r]));
      return this.reader.versions(
        page.map((k) => rows.get(versionKey(k.name, k.version))!),
        false,
      );
    });
  }

  private async require(name: string, version: string, s: SqlReader = this.db): Promise<ModelVersionRow> {
    validateModelName(name);
    return this.reader.requireVersion(name, parseVersion(version), version, s);
  }
}

export async function upsertVersionTag(w: SqlSession, name: string, version: number, key: string, value: string): Promise<void> {
  await w.run(
    `INSERT INTO model_version_tags (key, value, name, version) VALUES (?, ?, ?, ?)
     ON CONFLICT (key, name, version) DO UPDATE SET value = excluded.value`,
    [key, value, name, version],
  );
}
