import { MlflowError } from '../../errors';
import type { DurableDatabase } from '../durableDatabase';
import type { RegistryReader } from './registryReader';
import type { ModelVersion } from './registryRows';
import { parseVersion, validateAliasName, validateAliasNotReserved, validateModelName } from './registryValidation';

/** Registered-model aliases (table registered_model_aliases), compat §2.8. */
export class AliasTable {
  constructor(
    private readonly db: DurableDatabase,
    private readonly reader: RegistryReader,
  ) {}

  /** Points the alias at a version (moving it if it exists); the version must exist. */
  async set(name: string, alias: string, version: string): Promise<void> {
    validateModelName(name);
    validateAliasName(alias);
    validateAliasNotReserved(alias);
    const number = parseVersion(version);
    await this.db.write((w) => {
      this.reader.requireVersion(name, number, version);
      w.run(
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
    await this.db.write((w) => {
      this.reader.requireModel(name);
      w.run('DELETE FROM registered_model_aliases WHERE name = ? AND alias = ?', [name, alias]);
    });
  }

  /**
   * The version an alias points at. `latest` (any case, MLflow 3.x) is the first entry of the
   * model's latest versions per stage, as MLflow resolves it.
   */
  get(name: string, alias: string): ModelVersion {
    validateModelName(name);
    validateAliasName(alias);
    if (alias.toLowerCase() === 'latest') {
      const latest = this.reader.latestVersions(name);
      if (latest.length === 0) throw MlflowError.notFound(`Latest version not found for model ${name}.`);
      return latest[0];
    }
    this.reader.requireModel(name);
    const row = this.db.get<{ version: number }>('SELECT version FROM registered_model_aliases WHERE name = ? AND alias = ?', [name, alias]);
    if (!row) throw MlflowError.invalidParameter(`Registered model alias ${alias} not found.`);
    return this.reader.version(this.reader.requireVersion(name, row.version));
  }
}
