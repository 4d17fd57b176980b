import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { call } from '../support/mlflowClient';
import { exited, runCli, spawnServer } from '../support/serverProcess';
import { makeTempDir } from '../support/tempDir';


describe('runlens gc', function () {
  this.timeout(30000);
  let tmp: ReturnType<typeof makeTempDir>;
  beforeEach(() => (tmp = makeTempDir()));
  afterEach(() => tmp.cleanup());

  it('purges deleted runs and experiments with their artifacts, keeping active ones', async () => {
    const server = await spawnServer([], tmp.dir);
    const mk = async (exp: string) => (await call(server.url, 'POST', 'runs/create', { experiment_id: exp })).body.run.info.run_id as string;
    const exp = (await call(server.url, 'POST', 'experiments/create', { name: 'doomed' })).body.experiment_id as string;
    const keep = await mk('0');
    const drop = await mk('0');
    const inDoomed = await mk(exp);
    const artifacts = path.join(tmp.dir, '.runlens', 'artifacts');
    for (const [e, r] of [['0', keep], ['0', drop], [exp, inDoomed]]) {
      fs.mkdirSync(path.join(artifacts, e, r, 'artifacts'), { recursive: true });
      fs.writeFileSync(path.join(artifacts, e, r, 'artifacts', 'model.txt'), 'x');
    }
    await call(server.url, 'POST', 'runs/delete', { run_id: drop });
    await call(server.url, 'POST', 'experiments/delete', { experiment_id: exp });
    server.child.kill('SIGTERM');
    await exited(server.child);

    const gc = await runCli(['gc'], tmp.dir);
    assert.equal(gc.code, 0, gc.output);
    assert.match(gc.output, /Purged 2 run\(s\) and 1 experiment\(s\)/);
    assert.equal(fs.existsSync(path.join(artifacts, '0', drop)), false);
    assert.equal(fs.existsSync(path.join(artifacts, exp)), false);
    assert.equal(fs.existsSync(path.join(artifacts, '0', keep, 'artifacts', 'model.txt')), true);

    const again = await spawnServer([], tmp.dir);
    try {
      assert.equal((await call(again.url, 'GET', 'runs/get', { run_id: keep })).status, 200);
      assert.equal((await call(again.url, 'GET', 'runs/get', { run_id: drop })).status, 404);
      assert.equal((await call(again.url, 'GET', 'experiments/get', { experiment_id: exp })).status, 404);
      const recreated = await call(again.url, 'POST', 'experiments/create', { name: 'doomed' });
      assert.equal(recreated.status, 200, 'the purged name is free again');
    } finally {
      again.child.kill('SIGTERM');
      await exited(again.child);
    }
  });

  it('refuses to purge an active run and while a server holds the store', async () => {
    const server = await spawnServer([], tmp.dir);
    const run = (await call(server.url, 'POST', 'runs/create', { experiment_id: '0' })).body.run.info.run_id;
    const busy = await runCli(['gc'], tmp.dir);
    assert.equal(busy.code, 1);
    assert.match(busy.output, /already in use by another Runlens server/);
    server.child.kill('SIGTERM');
    await exited(server.child);
    const active = await runCli(['gc', '--run-ids', run], tmp.dir);
    assert.equal(active.code, 1);
    assert.match(active.output, /not in the deleted lifecycle stage/);
  });
});
