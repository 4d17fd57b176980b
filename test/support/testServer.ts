import * as path from 'node:path';
import { startTrackingServer, type RunningServer } from '../../src/core/server/trackingServer';
import { makeTempDir } from './tempDir';

/** A real server on an ephemeral 127.0.0.1 port with a fresh store in a temporary folder. */
export async function startTestServer(): Promise<RunningServer & { dir: string; dispose: () => Promise<void> }> {
  const tmp = makeTempDir();
  const server = await startTrackingServer({
    dbPath: path.join(tmp.dir, 'mlflow.db'),
    artifactsDestination: path.join(tmp.dir, 'artifacts'),
    host: '127.0.0.1',
    port: 0,
  });
  return Object.assign(server, {
    dir: tmp.dir,
    dispose: async () => {
      await server.close();
      tmp.cleanup();
    },
  });
}
