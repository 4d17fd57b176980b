import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { checkHealth, EmbeddedServer, type EmbeddedServerState } from '../../src/core/embedded/embeddedServer';
import { copyFixtureDb } from '../support/mlflowFixture';
import { call } from '../support/mlflowClient';
import { CLI } from '../support/serverProcess';
import { makeTempDir } from '../support/tempDir';

function waitFor(predicate: () => boolean | Promise<boolean>, timeoutMs = 15000): Promise<void> {
  const until = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const tick = async () => {
      if (await predicate()) return resolve();
      if (Date.now() > until) return reject(new Error('condition not met in time'));
      setTimeout(tick, 100);
    };
    void tick();
  });
}

describe('EmbeddedServer (the extension\'s server child process)', function () {
  this.timeout(40000);
  let tmp: ReturnType<typeof makeTempDir>;
  const servers: EmbeddedServer[] = [];
  beforeEach(() => (tmp = makeTempDir()));
  afterEach(async () => {
    for (const s of servers.splice(0)) await s.stop();
    tmp.cleanup();
  });

  function make(states: EmbeddedServerState[] = []): EmbeddedServer {
    const server = new EmbeddedServer({
      cliPath: CLI,
      storeDir: path.join(tmp.dir, '.runlens'),
      restartDelays: [100, 100],
      watchIntervalMs: 200,
      onStateChange: (s) => states.push(s),
    });
    servers.push(server);
    return server;
  }

  it('serves an explicit store URI (an MLflow database, read-only) with its own child each time', async () => {
    const db = copyFixtureDb(tmp.dir);
    const options = { cliPath: CLI, backendStoreUri: `sqlite:///${db}`, artifactsDestination: path.join(tmp.dir, 'mlartifacts') };
    const first = new EmbeddedServer(options);
    const second = new EmbeddedServer(options);
    servers.push(first, second);
    const url = await first.start();
    assert.equal(first.dbPath, undefined);
    const listed = await call(url, 'POST', 'experiments/search', { max_results: 100 });
    assert.ok(listed.body.experiments.length > 1);
    const create = await call(url, 'POST', 'experiments/create', { name: 'nope' });
    assert.equal(create.status, 403);
    // No lock reuse for such stores: a second server is a child of its own.
    assert.notEqual(await second.start(), url);
    assert.equal(second.owned, true);
  });

  it('starts a server on the store and stops it cleanly', async () => {
    const states: EmbeddedServerState[] = [];
    const server = make(states);
    const url = await server.start();
    assert.equal(server.owned, true);
    assert.equal((await call(url, 'GET', 'experiments/get', { experiment_id: '0' })).body.experiment.name, 'Default');
    await server.stop();
    assert.equal(await checkHealth(url), false);
    assert.deepEqual(states, ['starting', 'running', 'stopped']);
  });

  it('reuses the server of another window through the lock file, and takes over when it goes away', async () => {
    const first = make();
    const url = await first.start();
    const second = make();
    assert.equal(await second.start(), url);
    assert.equal(second.owned, false);
    await first.stop();
    await waitFor(() => second.state === 'running' && second.owned);
    assert.equal(await checkHealth(second.url!), true);
  });

  it('restarts a server that dies, keeping acknowledged data', async () => {
    const server = make();
    const url = await server.start();
    await call(url, 'POST', 'experiments/create', { name: 'survives' });
    const pid = (server as unknown as { child: { pid: number } }).child.pid;
    process.kill(pid, 'SIGKILL');
    const childPid = () => (server as unknown as { child?: { pid: number } }).child?.pid;
    await waitFor(() => server.state === 'running' && childPid() !== undefined && childPid() !== pid);
    const res = await call(server.url!, 'GET', 'experiments/get-by-name', { experiment_name: 'survives' });
    assert.equal(res.status, 200);
  });
});

describe('a server started by an editor window', function () {
  this.timeout(30000);

  it('stops when the process that forked it exits', async () => {
    const tmp = makeTempDir();
    try {
      const { spawn } = await import('node:child_process');
      // A stand-in for the extension host: forks the server with an IPC channel, reports its pid, then is killed.
      const script =
        `const {fork}=require('child_process');` +
        `const c=fork(${JSON.stringify(CLI)},['server','--port','0','--backend-store-uri',${JSON.stringify(`sqlite:///${tmp.dir}/mlflow.db`)},'--artifacts-destination',${JSON.stringify(`${tmp.dir}/a`)}],{stdio:['ignore','pipe','inherit','ipc']});` +
        `c.stdout.on('data',d=>{if(/listening/.test(String(d)))process.send(c.pid)});`;
      const parent = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      const serverPid = await new Promise<number>((resolve) => parent.once('message', (pid) => resolve(pid as number)));
      parent.kill('SIGKILL');
      await waitFor(() => {
        try {
          process.kill(serverPid, 0);
          return false;
        } catch {
          return true;
        }
      });
    } finally {
      tmp.cleanup();
    }
  });
});
