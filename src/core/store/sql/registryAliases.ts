import { MlflowError } from '../../errors';
import type { SqlDatabase } from '../db/database';
import type { RegistryReader } from './registryReader';
import type { ModelVersion } from './registryRows';
import { parseVersion, validateAliasName, validateAliasNotReserved, validateModelName } from './registryValidation';

/** Registered-model aliases (table registered_model_aliases), compat §2.8. */
export class AliasTable {
  constructor(
    private readonly db: SqlDatabase,
    private readonly reader: RegistryReader,
  ) {}

  /** Points the alias at a version (moving it if it exists); the version must exist. */
  async set(name: string, alias: string, version: string): Promise<void> {
    validateModelName(name);
    validateAliasName(alias);
    validateAliasNotReserved(alias);
    const number = parseVersion(version);
    await this.db.write(async (w) => {
      await this.reader.requireVersion(name, number, version, w);
      await w.run(
        `INSERT INTO registered_model_aliases (alias, version, name) VALUES (?, ?, ?)
         ON CONFLICT (name, alias) DO UPDATE SET version = excluded.version`,
        [alias, number, name],
      );
    });
  }

  /** Deleting an alias that is not there is a no-op; the model must exist. */
  async delete(name: string, alias: string): Promise<void> {
    validateModelName(name);
    validateAliasName(alias);
    await this.db.write(async (w) => {
      await this.reader.requireModel(name, w);
      await w.run('DELETE FROM registered_model_aliases WHERE name = ? AND alias = ?', [name, alias]);
    });
  }

  /**
   * The version an alias points at. `latest` (any case, MLflow 3.x) is the first entry of the
   * model's latest versions per stage, as MLflow resolves it.
   */
  async get(name: string, alias: string): Promise<ModelVersion> {
    validateModelName(name);
    validateAliasName(alias);
    if (alias.toLowerCase() === 'latest') {
      const latest = await this.reader.latestVersions(name);
      if (latest.length === 0) throw MlflowError.notFound(`Latest version not found for model ${name}.`);
      return latest[0];
    }
    await this.reader.requireModel(name);
    const row = await this.db.get<{ version: number }>('SELECT version FROM registered_model_aliases WHERE name = ? AND alias = ?', [name, alias]);
    if (!row) throw MlflowError.invalidParameter(`Registered model alias ${alias} not found.`);
    return this.reader.version(await this.reader.requireVersion(name, row.version));
  }
}
