import type { IncomingMessage } from 'node:http';
import { MlflowError } from '../errors';
import { sendJson } from '../server/httpServer';
import { missingValue } from '../server/requestFields';
import type { RawHandler, RouteTable } from '../server/router';
import { validateArtifactPath } from './artifactPath';
import { bodyChunks, fileInfos, rawPathAfter, readJsonBody, requestQuery, sendDownload } from './artifactHttp';
import type { ArtifactRepository } from './artifactRepository';

/** Both mounts of MLflow's artifacts service (compat §1.6). */
export const PROXIED_ARTIFACT_PREFIXES = ['/api/2.0/mlflow-artifacts/', '/ajax-api/2.0/mlflow-artifacts/'];
/** Paths of these routes are relative to the artifacts destination: the root `mlflow-artifacts:` URI. */
const DESTINATION_URI = 'mlflow-artifacts:';
const MULTIPART_ACTIONS = ['create', 'complete', 'abort'];

/** The `<path>` of `<routePrefix><path>` as sent by the client; an empty path names no artifact. */
function artifactPathOf(req: IncomingMessage, routePrefix: string, params: Record<string, string>): string {
  const requested = rawPathAfter(req, routePrefix) ?? params.path ?? '';
  if (requested === '') throw new MlflowError('ENDPOINT_NOT_FOUND', `No API endpoint is served at ${req.method} ${routePrefix}.`);
  return requested;
}

/**
 * The proxied artifact service under /api/2.0/mlflow-artifacts/ and /ajax-api/2.0/mlflow-artifacts/:
 * streamed download and upload, listing, delete, and multipart upload (not supported for a local
 * destination: 501, after which MLflow 3.x clients fall back to a plain PUT).
 */
export function registerProxiedArtifactRoutes(raw: RouteTable<RawHandler>, repo: ArtifactRepository): void {
  for (const prefix of PROXIED_ARTIFACT_PREFIXES) {
    const artifacts = `${prefix}artifacts/`;

    raw.add('GET', `${prefix}artifacts`, async (req, res) => {
      req.resume();
      const requested = requestQuery(req).get('path') ?? '';
      const entries = await repo.list(DESTINATION_URI, requested);
      sendJson(res, 200, entries.length > 0 ? { files: fileInfos(entries) } : {});
    });

    raw.add('GET', `${artifacts}*path`, async (req, res, params) => {
      req.resume();
      const download = await repo.openRead(DESTINATION_URI, artifactPathOf(req, artifacts, params));
      await sendDownload(res, download);
    });

    raw.add('PUT', `${artifacts}*path`, async (req, res, params) => {
      await repo.write(DESTINATION_URI, artifactPathOf(req, artifacts, params), bodyChunks(req), { isComplete: () => req.complete });
      sendJson(res, 200, {});
    });

    raw.add('DELETE', `${artifacts}*path`, async (req, res, params) => {
      req.resume();
      await repo.remove(DESTINATION_URI, artifactPathOf(req, artifacts, params));
      sendJson(res, 200, {});
    });

    for (const action of MULTIPART_ACTIONS) {
      const route = `${prefix}mpu/${action}/`;
      raw.add('POST', `${route}*path`, async (req, _res, params) => {
        validateArtifactPath(artifactPathOf(req, route, params));
        const body = await readJsonBody(req);
        if (typeof body.path !== 'string' || body.path === '') throw missingValue('path');
        if (action === 'complete' && (body.parts === undefined || body.parts === null)) throw missingValue('parts');
        throw new MlflowError('NOT_IMPLEMENTED', 'Multipart upload is not supported for the current artifact repository');
      });
    }
  }
}
