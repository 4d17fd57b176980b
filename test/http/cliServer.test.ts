import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadSqlJs } from '../../src/core/store/sqlJs';
import { call } from '../support/mlflowClient';
import { exited, runCli, spawnServer } from '../support/serverProcess';
import { makeTempDir } from '../support/tempDir';


describe('runlens server (CLI)', function () {
  this.timeout(30000);
  let tmp: ReturnType<typeof makeTempDir>;
  beforeEach(() => (tmp = makeTempDir()));
  afterEach(() => tmp.cleanup());

  it('defaults to .runlens/mlflow.db in the working folder and saves it on SIGTERM', async () => {
    const server = await spawnServer([], tmp.dir);
    const id = (await call(server.url, 'POST', 'experiments/create', { name: 'kept' })).body.experiment_id;
    assert.equal(id, '1');
    server.child.kill('SIGTERM');
    assert.equal(await exited(server.child), 0);
    const dbPath = path.join(tmp.dir, '.runlens', 'mlflow.db');
    const SQL = await loadSqlJs();
    const db = new SQL.Database(fs.readFileSync(dbPath));
    assert.deepEqual(db.exec('SELECT name FROM experiments ORDER BY experiment_id')[0].values, [['Default'], ['kept']]);
    db.close();
    assert.deepEqual(fs.readdirSync(path.join(tmp.dir, '.runlens')).sort(), ['artifacts', 'mlflow.db'], 'no journal or lock is left behind');
  });

  it('refuses a second server on the same store, naming the running one', async () => {
    const first = await spawnServer([], tmp.dir);
    try {
      const second = await runCli(['server', '--port', '0'], tmp.dir);
      assert.equal(second.code, 1);
      assert.match(second.output, new RegExp(`already in use by another Runlens server \\(pid ${first.child.pid} serving ${first.url.replace(/[.]/g, '\\.')}`));
    } finally {
      first.child.kill('SIGINT');
      assert.equal(await exited(first.child), 0);
    }
  });

  it('takes over the lock of a server that died', async () => {
    const first = await spawnServer([], tmp.dir);
    first.child.kill('SIGKILL');
    await exited(first.child);
    assert.ok(fs.existsSync(path.join(tmp.dir, '.runlens', 'mlflow.db.runlens-lock')), 'the dead server left its lock');
    const second = await spawnServer([], tmp.dir);
    assert.equal((await call(second.url, 'GET', 'experiments/get', { experiment_id: '0' })).status, 200);
    second.child.kill('SIGTERM');
    await exited(second.child);
  });

  it('explains a store it cannot open and exits 1 without touching it', async () => {
    const dbPath = path.join(tmp.dir, 'notes.db');
    fs.writeFileSync(dbPath, 'just some text');
    const res = await runCli(['server', '--port', '0', '--backend-store-uri', `sqlite:///${dbPath}`], tmp.dir);
    assert.equal(res.code, 1);
    assert.match(res.output, /is not a SQLite database; Runlens will not open or overwrite it/);
    assert.equal(fs.readFileSync(dbPath, 'utf8'), 'just some text');
  });

  it('rejects bad flags with usage errors', async () => {
    const port = await runCli(['server', '--port', 'abc'], tmp.dir);
    assert.equal(port.code, 2);
    assert.match(port.output, /--port must be a number/);
    const uri = await runCli(['server', '--backend-store-uri', 'postgresql://x'], tmp.dir);
    assert.equal(uri.code, 2);
    assert.match(uri.output, /unsupported --backend-store-uri/);
  });
});
