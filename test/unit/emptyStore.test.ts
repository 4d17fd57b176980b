import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EMPTY_STORE_FILE, newStoreDatabase, writeEmptyStoreImage } from '../../src/core/store/emptyStore';
import { describeSchema, diffSchemas } from '../../src/core/store/schemaInspect';
import { loadSqlJs } from '../../src/core/store/sqlJs';
import { makeTempDir } from '../support/tempDir';

describe('empty store image', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  beforeEach(() => (tmp = makeTempDir()));
  afterEach(() => tmp.cleanup());

  it('gives the same schema as the DDL, with the Default experiment stamped now', async () => {
    const SQL = await loadSqlJs();
    writeEmptyStoreImage(SQL, path.join(tmp.dir, EMPTY_STORE_FILE));
    const fromImage = newStoreDatabase(SQL, 1234, 'mlflow-artifacts:', tmp.dir);
    const fromDdl = newStoreDatabase(SQL, 1234, 'mlflow-artifacts:', path.join(tmp.dir, 'none'));
    assert.deepEqual(diffSchemas(describeSchema(fromDdl), describeSchema(fromImage)), []);
    const fixture = new SQL.Database(fs.readFileSync(path.join(__dirname, '../../../test/fixtures/mlflow-3.5/sqlite/mlflow.db')));
    assert.deepEqual(diffSchemas(describeSchema(fixture), describeSchema(fromImage)), []);
    assert.deepEqual(fromImage.exec('SELECT experiment_id, name, artifact_location, lifecycle_stage, creation_time, last_update_time FROM experiments')[0].values, [
      [0, 'Default', 'mlflow-artifacts:/0', 'active', 1234, 1234],
    ]);
    for (const db of [fromImage, fromDdl, fixture]) db.close();
  });
});
