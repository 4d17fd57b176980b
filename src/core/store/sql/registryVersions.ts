import type { KeyValue, Page } from '../../entities';
import { MlflowError } from '../../errors';
import { buildModelVersionSearchQuery } from '../../search/modelVersionSearch';
import { decodeOffsetToken } from '../../search/pageToken';
import { pageOfKeys } from './paging';
import type { DurableDatabase, SqlWriter } from '../durableDatabase';
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
    private readonly db: DurableDatabase,
    private readonly reader: RegistryReader,
  ) {}

  async create(req: CreateModelVersionRequest): Promise<ModelVersion> {
    const isPrompt = req.tags.some((t) => t.key === IS_PROMPT_TAG);
    validateModelVersionSource(this.db, req.source, req.runId, req.modelId, isPrompt);
    validateModelName(req.name);
    for (const tag of req.tags) validateModelVersionTag(tag.key, tag.value);
    const resolved = resolveStorageLocation(this.db, req.source, req.runId);
    const version = await this.db.write((w) => {
      this.reader.requireModel(req.name);
      const now = Date.now();
      w.run('UPDATE registered_models SET last_updated_time = ? WHERE name = ?', [now, req.name]);
      // Deleted versions keep their rows, so numbers are never reused.
      const next = w.get<{ v: number }>('SELECT COALESCE(MAX(version), 0) + 1 AS v FROM model_versions WHERE name = ?', [req.name])!.v;
      w.run(
        `INSERT INTO model_versions (name, version, creation_time, last_updated_time, description, user_id, current_stage,
           source, run_id, status, status_message, run_link, storage_location)
         VALUES (?, ?, ?, ?, ?, NULL, ?, ?, ?, 'READY', NULL, ?, ?)`,
        [req.name, next, now, now, req.description, STAGE_NONE, req.source, resolved.runId, req.runLink, resolved.storageLocation],
      );
      for (const tag of dedupeTags(req.tags)) upsertVersionTag(w, req.name, next, tag.key, tag.value);
      if (!isPrompt && req.modelId) recordModelVersionOnLoggedModel(w, req.modelId, req.name, next);
      return next;
    });
    return this.reader.version(this.reader.requireVersion(req.name, version));
  }

  get(name: string, version: string): ModelVersion {
    return this.reader.version(this.require(name, version));
  }

  /** Sets the description; without one it becomes NULL (and is then left out of answers). */
  async update(name: string, version: string, description: string | undefined): Promise<ModelVersion> {
    const row = await this.db.write((w) => {
      const current = this.require(name, version);
      w.run('UPDATE model_versions SET description = ?, last_updated_time = ? WHERE name = ? AND version = ?', [
        description ?? null,
        Date.now(),
        current.name,
        current.version,
      ]);
      return current;
    });
    return this.reader.version(this.reader.requireVersion(row.name, row.version));
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
    const row = await this.db.write((w) => {
      validateModelName(name);
      const number = parseVersion(version);
      const now = Date.now();
      if (archiveExisting) {
        w.run('UPDATE model_versions SET current_stage = ?, last_updated_time = ? WHERE name = ? AND version != ? AND current_stage = ?', [
          STAGE_ARCHIVED,
          now,
          name,
          number,
          canonical,
        ]);
      }
      const current = this.reader.requireVersion(name, number, version);
      w.run('UPDATE model_versions SET current_stage = ?, last_updated_time = ? WHERE name = ? AND version = ?', [
        canonical,
        now,
        name,
        current.version,
      ]);
      w.run('UPDATE registered_models SET last_updated_time = ? WHERE name = ?', [now, name]);
      return current;
    });
    return this.reader.version(this.reader.requireVersion(row.name, row.version));
  }

  /**
   * Soft delete, as MLflow's SQL store: the row stays (so its number is never reused) with stage
   * Deleted_Internal and redacted fields; its tags stay too. Unlike MLflow over REST, the aliases
   * pointing at it are removed.
   */
  async delete(name: string, version: string): Promise<void> {
    await this.db.write((w) => {
      const current = this.require(name, version);
      const now = Date.now();
      w.run('UPDATE registered_models SET last_updated_time = ? WHERE name = ?', [now, current.name]);
      w.run('DELETE FROM registered_model_aliases WHERE name = ? AND version = ?', [current.name, current.version]);
      w.run(
        `UPDATE model_versions SET current_stage = ?, last_updated_time = ?, description = NULL, user_id = NULL,
           source = 'REDACTED-SOURCE-PATH', run_id = 'REDACTED-RUN-ID', run_link = 'REDACTED-RUN-LINK', status_message = NULL
         WHERE name = ? AND version = ?`,
        [STAGE_DELETED_INTERNAL, now, current.name, current.version],
      );
    });
  }

  /** storage_location when set, else source. */
  downloadUri(name: string, version: string): string {
    const row = this.require(name, version);
    return row.storage_location || row.source || '';
  }

  async setTag(name: string, version: string, key: string, value: string): Promise<void> {
    validateModelName(name);
    const number = parseVersion(version);
    validateModelVersionTag(key, value);
    await this.db.write((w) => {
      this.reader.requireVersion(name, number, version);
      upsertVersionTag(w, name, number, key, value);
    });
  }

  /** Deleting a tag that is not there is a no-op (SQL store). */
  async deleteTag(name: string, version: string, key: string): Promise<void> {
    validateModelName(name);
    const number = parseVersion(version);
    validateTagKey(key);
    await this.db.write((w) => {
      this.reader.requireVersion(name, number, version);
      w.run('DELETE FROM model_version_tags WHERE name = ? AND version = ? AND key = ?', [name, number, key]);
    });
  }

  search(req: SearchModelVersionsRequest): Page<ModelVersion> {
    if (req.maxResults < 1) {
      throw MlflowError.invalidParameter(`Invalid value for max_results. It must be a positive integer, but got ${req.maxResults}`);
    }
    const offset = decodeOffsetToken(req.pageToken);
    const { sql, params } = buildModelVersionSearchQuery({ filter: req.filter, orderBy: req.orderBy, offset, limit: req.maxResults + 1 });
    const keys = this.db.rows(sql, params) as Array<[string, number]>;
    return pageOfKeys(keys, req.maxResults, offset, (page) => {
      const rows = new Map(this.reader.versionRows([...new Set(page.map(([n]) => n))]).map((r) => [versionKey(r.name, r.version), r]));
      return this.reader.versions(
        page.map(([n, v]) => rows.get(versionKey(n, v))!),
        false,
      );
    });
  }

  private require(name: string, version: string): ModelVersionRow {
    validateModelName(name);
    return this.reader.requireVersion(name, parseVersion(version), version);
  }
}

export function upsertVersionTag(w: SqlWriter, name: string, version: number, key: string, value: string): void {
  w.run(
    `INSERT INTO model_version_tags (key, value, name, version) VALUES (?, ?, ?, ?)
     ON CONFLICT (key, name, version) DO UPDATE SET value = excluded.value`,
    [key, value, name, version],
  );
}
