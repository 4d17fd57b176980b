import type { Experiment, KeyValue } from '../../entities';
import { MlflowError } from '../../errors';
import { LIMITS, validateArtifactLocation, validateExperimentName, validateLength, validateName } from '../../validation';
import type { SqlDatabase, SqlReader, SqlSession } from '../db/database';
import { EXPERIMENT_COLUMNS, ExperimentRow, placeholders, toExperiment } from './rows';

/** Experiments and their tags in MLflow's SQL schema. */
export class ExperimentTable {
  constructor(
    private readonly db: SqlDatabase,
    private readonly artifactRoot: string,
  ) {}

  async row(experimentId: string, s: SqlReader = this.db): Promise<ExperimentRow | undefined> {
    if (!/^-?\d+$/.test(experimentId)) return undefined;
    return s.get<ExperimentRow>(`SELECT ${EXPERIMENT_COLUMNS} FROM experiments WHERE experiment_id = ?`, [Number(experimentId)]);
  }

  /** The experiment row, or MLflow's not-found error. */
  async require(experimentId: string, s: SqlReader = this.db): Promise<ExperimentRow> {
    const row = await this.row(experimentId, s);
    if (!row) throw MlflowError.notFound(`No Experiment with id=${experimentId} exists`);
    return row;
  }

  async requireActive(experimentId: string, s: SqlReader = this.db): Promise<ExperimentRow> {
    const row = await this.require(experimentId, s);
    if (row.lifecycle_stage !== 'active') {
      throw MlflowError.invalidParameter(
        `The experiment ${experimentId} must be in the 'active' state. Current state is ${row.lifecycle_stage}.`,
      );
    }
    return row;
  }

  async tags(experimentIds: number[]): Promise<Map<number, KeyValue[]>> {
    const byId = new Map<number, KeyValue[]>();
    if (experimentIds.length === 0) return byId;
    const rows = await this.db.all<{ key: string; value: string | null; experiment_id: number }>(
      `SELECT key, value, experiment_id FROM experiment_tags WHERE experiment_id IN (${placeholders(experimentIds.length)}) ORDER BY rowid`,
      experimentIds,
    );
    for (const r of rows) {
      const list = byId.get(r.experiment_id) ?? [];
      list.push({ key: r.key, value: r.value ?? '' });
      byId.set(r.experiment_id, list);
    }
    return byId;
  }

  async toEntities(rows: ExperimentRow[]): Promise<Experiment[]> {
    const tags = await this.tags(rows.map((r) => r.experiment_id));
    return rows.map((r) => toExperiment(r, tags.get(r.experiment_id) ?? []));
  }

  async get(experimentId: string): Promise<Experiment> {
    return (await this.toEntities([await this.require(experimentId)]))[0];
  }

  async getByName(name: string): Promise<Experiment | undefined> {
    const row = await this.db.get<ExperimentRow>(`SELECT ${EXPERIMENT_COLUMNS} FROM experiments WHERE name = ?`, [name]);
    return row ? (await this.toEntities([row]))[0] : undefined;
  }

  async create(name: string, artifactLocation: string | undefined, tags: KeyValue[]): Promise<string> {
    validateExperimentName(name);
    if (artifactLocation) validateArtifactLocation(artifactLocation);
    for (const tag of tags) validateExperimentTag(tag.key, tag.value);
    return this.db.write(async (w) => {
      if (await w.get('SELECT 1 AS x FROM experiments WHERE name = ?', [name])) {
        throw MlflowError.alreadyExists(`Experiment(name=${name}) already exists.`);
      }
      const next = (await w.get<{ id: number }>('SELECT COALESCE(MAX(experiment_id), -1) + 1 AS id FROM experiments'))!.id;
      const id = Math.max(next, 1);
      const now = Date.now();
      const location = artifactLocation || `${this.artifactRoot}/${id}`;
      await w.run(
        'INSERT INTO experiments (experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time) VALUES (?, ?, ?, ?, ?, ?)',
        [id, name, location, 'active', now, now],
      );
      for (const tag of tags) await upsertExperimentTag(w, id, tag.key, tag.value);
      return String(id);
    });
  }

  async rename(experimentId: string, newName: string): Promise<void> {
    validateExperimentName(newName);
    await this.db.write(async (w) => {
      const row = await this.require(experimentId, w);
      if (row.lifecycle_stage !== 'active') {
        throw new MlflowError('INVALID_STATE', 'Cannot rename a non-active experiment.');
      }
      const clash = await w.get<{ experiment_id: number }>('SELECT experiment_id FROM experiments WHERE name = ?', [newName]);
      if (clash && clash.experiment_id !== row.experiment_id) {
        throw MlflowError.alreadyExists(`Experiment(name=${newName}) already exists.`);
      }
      await w.run('UPDATE experiments SET name = ?, last_update_time = ? WHERE experiment_id = ?', [newName, Date.now(), row.experiment_id]);
    });
  }

  /** Soft-deletes (or restores) an experiment together with all of its runs. */
  async setLifecycle(experimentId: string, stage: 'active' | 'deleted'): Promise<void> {
    await this.db.write(async (w) => {
      const row = await this.require(experimentId, w);
      const now = Date.now();
      await w.run('UPDATE experiments SET lifecycle_stage = ?, last_update_time = ? WHERE experiment_id = ?', [stage, now, row.experiment_id]);
      await w.run('UPDATE runs SET lifecycle_stage = ?, deleted_time = ? WHERE experiment_id = ?', [
        stage,
        stage === 'deleted' ? now : null,
        row.experiment_id,
      ]);
    });
  }

  async setTag(experimentId: string, key: string, value: string): Promise<void> {
    validateExperimentTag(key, value);
    await this.db.write(async (w) => {
      const row = await this.requireActive(experimentId, w);
      await upsertExperimentTag(w, row.experiment_id, key, value);
    });
  }

  async deleteTag(experimentId: string, key: string): Promise<void> {
    await this.db.write(async (w) => {
      const row = await this.requireActive(experimentId, w);
      const changed = await w.run('DELETE FROM experiment_tags WHERE experiment_id = ? AND key = ?', [row.experiment_id, key]);
      if (changed === 0) {
        throw MlflowError.notFound(`No tag with name: ${key} in experiment with id ${experimentId}`);
      }
    });
  }
}

function validateExperimentTag(key: string, value: string): void {
  validateName(key, 'key');
  validateLength(key, LIMITS.experimentTagKey, 'key');
  validateLength(value, LIMITS.experimentTagValue, 'value');
}

async function upsertExperimentTag(w: SqlSession, experimentId: number, key: string, value: string): Promise<void> {
  await w.run(
    'INSERT INTO experiment_tags (key, value, experiment_id) VALUES (?, ?, ?) ON CONFLICT (key, experiment_id) DO UPDATE SET value = excluded.value',
    [key, value, experimentId],
  );
}
