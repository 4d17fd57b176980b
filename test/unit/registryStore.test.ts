/** The registry store on a SQLite file database directly: SQLite cascades, reopening, MLflow's tables. */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { SqliteFileDatabase } from '../../src/core/store/db/sqliteFile';
import { ModelRegistryStore } from '../../src/core/store/sql/registryStore';
import { makeTempDir } from '../support/tempDir';

describe('ModelRegistryStore', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let dbPath: string;
  let db: SqliteFileDatabase;
  let registry: ModelRegistryStore;

  const open = async () => {
    db = await SqliteFileDatabase.open({ dbPath, defaultArtifactRoot: 'mlflow-artifacts:' });
    registry = new ModelRegistryStore(db);
  };
  const version = (name: string, tags: Array<{ key: string; value: string }> = []) =>
    registry.versions.create({ name, source: 's3://b/m', runId: '', tags, runLink: '', description: '', modelId: '' });
  const count = async (sql: string, params: Array<string | number> = []) => (await db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${sql}`, params))!.n;

  beforeEach(async () => {
    tmp = makeTempDir();
    dbPath = path.join(tmp.dir, 'mlflow.db');
    await open();
  });
  afterEach(async () => {
    await db.close();
    tmp.cleanup();
  });

  it('renames through ON UPDATE CASCADE, including version tags two levels down', async () => {
    await registry.models.create({ name: 'a', tags: [{ key: 't', value: '1' }], description: '' });
    await version('a', [{ key: 'vt', value: 'x' }]);
    await registry.aliases.set('a', 'champ', '1');
    await registry.models.rename('a', 'b');
    assert.equal(await count("model_version_tags WHERE name = 'b' AND version = 1"), 1);
    assert.equal(await count("registered_model_tags WHERE name = 'b'"), 1);
    assert.equal(await count("registered_model_aliases WHERE name = 'b'"), 1);
    assert.equal(await count("model_versions WHERE name = 'a'"), 0);
    assert.equal((await db.get<{ fk: number }>('SELECT COUNT(*) AS fk FROM pragma_foreign_key_check'))!.fk, 0);
  });

  it('stores versions as integers, stages canonical, aliases by integer version', async () => {
    await registry.models.create({ name: 'm', tags: [], description: '' });
    await version('m');
    await registry.versions.transitionStage('m', '1', 'production', false);
    await registry.aliases.set('m', 'x', ' 1 ');
    const mv = (await db.get<{ version: unknown; current_stage: string }>("SELECT version, current_stage FROM model_versions WHERE name = 'm'"))!;
    assert.equal(mv.version, 1);
    assert.equal(mv.current_stage, 'Production');
    assert.equal((await db.get<{ t: string }>("SELECT typeof(version) AS t FROM registered_model_aliases WHERE name = 'm'"))!.t, 'integer');
  });

  it('keeps its writes when the store is closed and reopened', async () => {
    await registry.models.create({ name: 'm', tags: [], description: 'kept' });
    await version('m');
    await registry.versions.delete('m', '1');
    await version('m');
    await db.close();
    await open();
    const model = await registry.models.get('m');
    assert.equal(model.description, 'kept');
    assert.deepEqual(model.latest_versions?.map((v) => v.version), ['2']);
    assert.equal(await count("model_versions WHERE current_stage = 'Deleted_Internal'"), 1);
  });

  it('rolls a failed write back completely', async () => {
    await registry.models.create({ name: 'm', tags: [], description: '' });
    await assert.rejects(
      registry.versions.create({ name: 'm', source: 's3://b/m', runId: '', tags: [], runLink: '', description: '', modelId: 'm-ffffffffffffffffffffffffffffffff' }),
      /Logged model with ID/,
    );
    assert.equal(await count('model_versions'), 0);
  });
});
