import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SqliteFileDatabase } from '../../src/core/store/db/sqliteFile';
import { EMPTY_STORE_FILE, writeEmptyStoreImage } from '../../src/core/store/emptyStore';
import { describeSchema, diffSchemas, withoutRunlensIndexes } from '../../src/core/store/schemaInspect';
import { loadSqlJs } from '../../src/core/store/sqlJs';
import { readHeaderMarks, RUNLENS_APPLICATION_ID } from '../../src/core/store/storeIdentity';
import { makeTempDir } from '../support/tempDir';

describe('empty store image', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  beforeEach(() => (tmp = makeTempDir()));
  afterEach(() => tmp.cleanup());

  it('starts a new store with the same schema as the DDL, with the Default experiment stamped now', async () => {
    const SQL = await loadSqlJs();
    writeEmptyStoreImage(SQL, path.join(tmp.dir, EMPTY_STORE_FILE));
    const before = Date.now();
    const stores = { image: path.join(tmp.dir, 'image', 'mlflow.db'), ddl: path.join(tmp.dir, 'ddl', 'mlflow.db') };
    for (const [kind, dbPath] of Object.entries(stores)) {
      const db = await SqliteFileDatabase.open({ dbPath, defaultArtifactRoot: 'mlflow-artifacts:', imageDir: kind === 'image' ? tmp.dir : path.join(tmp.dir, 'none') });
      await db.close();
      assert.equal(readHeaderMarks(dbPath)?.applicationId, RUNLENS_APPLICATION_ID);
    }
    const fromImage = new SQL.Database(fs.readFileSync(stores.image));
    const fromDdl = new SQL.Database(fs.readFileSync(stores.ddl));
    assert.deepEqual(diffSchemas(describeSchema(fromDdl), describeSchema(fromImage)), []);
    const fixture = new SQL.Database(fs.readFileSync(path.join(__dirname, '../../../test/fixtures/mlflow-3.5/sqlite/mlflow.db')));
    assert.deepEqual(diffSchemas(describeSchema(fixture), withoutRunlensIndexes(describeSchema(fromImage))), []);
    const [row] = fromImage.exec('SELECT experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time FROM experiments')[0].values;
    assert.deepEqual(row.slice(0, 4), [0, 'Default', 'mlflow-artifacts:/0', 'active']);
    assert.ok(Number(row[4]) >= before && Number(row[4]) <= Date.now() && row[4] === row[5]);
    for (const db of [fromImage, fromDdl, fixture]) db.close();
  });
});
