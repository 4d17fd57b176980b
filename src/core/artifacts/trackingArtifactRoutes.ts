import { MlflowError } from '../errors';
import type { ServerContext } from '../server/serverContext';
import { missingValue, type RequestFields } from '../server/requestFields';
import type { ApiHandler, RawHandler, RouteTable } from '../server/router';
import { validateArtifactPath } from './artifactPath';
import { bodyChunks, fileInfos, requestQuery, requiredQuery, sendDownload, sendEmptyJson, type FileInfoJson } from './artifactHttp';
import type { ArtifactRepository } from './artifactRepository';

/** The largest body /ajax-api/2.0/mlflow/upload-artifact accepts. */
export const UI_UPLOAD_LIMIT_BYTES = 10 * 1024 * 1024;

/** An optional path field, validated (400 `Invalid path`) before anything is looked up, as MLflow does. */
function optionalPath(fields: RequestFields, name: string): string {
  return fields.has(name) ? validateArtifactPath(fields.string(name) ?? '') : '';
}

/** `{root_uri, files}` for one folder level under `rootUri`; file paths are relative to the root. */
async function listUnder(repo: ArtifactRepository, rootUri: string, relativePath: string): Promise<{ root_uri: string; files?: FileInfoJson[] }> {
  const entries = await repo.list(rootUri, relativePath);
  return entries.length > 0 ? { root_uri: rootUri, files: fileInfos(entries, relativePath) } : { root_uri: rootUri };
}

/**
 * Artifact routes of the tracking API and the UI (compat §1.4, §1.7): `artifacts/list`,
 * `logged-models/:model_id/artifacts/directories`, `/get-artifact`,
 * `/model-versions/get-artifact` and `/ajax-api/2.0/mlflow/upload-artifact`.
 */
export function registerTrackingArtifactRoutes(api: RouteTable<ApiHandler>, raw: RouteTable<RawHandler>, ctx: ServerContext, repo: ArtifactRepository): void {
  api.add('GET', 'artifacts/list', async ({ fields }) => {
    const runId = fields.string('run_id') || fields.string('run_uuid');
    if (!runId) throw missingValue('run_id');
    const relativePath = optionalPath(fields, 'path');
    return listUnder(repo, await ctx.locator.runArtifactUri(runId), relativePath);
  });

  api.add('GET', 'logged-models/:model_id/artifacts/directories', async ({ fields, params }) => {
    const relativePath = optionalPath(fields, 'artifact_directory_path');
    return listUnder(repo, await ctx.locator.loggedModelArtifactUri(params.model_id), relativePath);
  });

  raw.add('GET', '/get-artifact', async (req, res) => {
    req.resume();
    const query = requestQuery(req);
    const runId = query.get('run_id') || query.get('run_uuid');
    if (!runId) throw missingValue('run_id');
    const relativePath = validateArtifactPath(requiredQuery(query, 'path'));
    await sendDownload(res, await repo.openRead(await ctx.locator.runArtifactUri(runId), relativePath));
  });

  raw.add('GET', '/model-versions/get-artifact', async (req, res) => {
    req.resume();
    const query = requestQuery(req);
    const name = requiredQuery(query, 'name');
    const version = requiredQuery(query, 'version');
    const relativePath = validateArtifactPath(requiredQuery(query, 'path'));
    await sendDownload(res, await repo.openRead(await ctx.locator.modelVersionArtifactUri(name, version), relativePath));
  });

  raw.add('POST', '/ajax-api/2.0/mlflow/upload-artifact', async (req, res) => {
    const query = requestQuery(req);
    const runUuid = query.get('run_uuid');
    if (!runUuid) throw MlflowError.invalidParameter('Request must specify run_uuid.');
    const requested = query.get('path');
    if (!requested) throw MlflowError.invalidParameter('Request must specify path.');
    const relativePath = validateArtifactPath(requested);
    const tooLarge = () => MlflowError.invalidParameter('Artifact size is too large. Max size is 10MB.');
    const noData = () => MlflowError.invalidParameter('Request must specify data.');
    const declared = req.headers['content-length'];
    if (declared !== undefined && Number(declared) > UI_UPLOAD_LIMIT_BYTES) throw tooLarge();
    if (declared !== undefined && Number(declared) === 0) throw noData();
    const runUri = await ctx.locator.runArtifactUri(runUuid);
    await repo.write(runUri, relativePath, bodyChunks(req), {
      maxBytes: UI_UPLOAD_LIMIT_BYTES,
      tooLarge,
      whenEmpty: noData,
      isComplete: () => req.complete,
    });
    sendEmptyJson(res);
  });
}
