import type { Environment } from '../../core/client/mlflowEnvironment';
import type { ConnectionManager } from '../connections/connectionManager';
import type { CopyEndpoint } from './copyStoreCommand';

/** The connections as stores `runlens copy` can read or write, remote ones with their credentials. */
export async function copyEndpoints(connections: ConnectionManager): Promise<CopyEndpoint[]> {
  const endpoints: CopyEndpoint[] = [];
  for (const c of connections.list()) {
    if (c.kind !== 'remote') {
      endpoints.push({ label: c.label, uri: c.uri });
      continue;
    }
    const env: Environment = {};
    const secret = c.auth === 'none' ? undefined : await connections.secret(c.id);
    if (c.auth === 'basic') Object.assign(env, { MLFLOW_TRACKING_USERNAME: c.username, MLFLOW_TRACKING_PASSWORD: secret });
    if (c.auth === 'bearer') env.MLFLOW_TRACKING_TOKEN = secret;
    if (c.caFile) env.MLFLOW_TRACKING_SERVER_CERT_PATH = c.caFile;
    if (c.insecure) env.MLFLOW_TRACKING_INSECURE_TLS = 'true';
    endpoints.push({ label: c.label, uri: c.uri, env });
  }
  return endpoints;
}
