import { MlflowError } from '../errors';
import type { ServerContext } from '../server/serverContext';
import { missingValue, type RequestFields } from '../server/requestFields';
import type { ApiHandler, RawHandler, RouteTable } from '../server/router';
import { validateArtifactPath } from './artifactPath';
import { bodyChunks, fileInfos, requestQuery, requiredQuery, sendDownload, sendEmptyJson, type FileInfoJson } from './artifactHttp';
import type { ArtifactRepository } from './artifactRepository';
import { resolveModelSourceUri } from './modelSource';

/** The largest body /ajax-api/2.0/mlflow/upload-artifact accepts. */
export const UI_UPLOAD_LIMIT_BYTES = 10 * 1024 * 1024;

interface RunLocation {
  run_uuid: string;
  artifact_uri: string | null;
}

function requireRunLocation(ctx: ServerContext, runId: string): { runId: string; uri: string } {
  const row = ctx.db.get<RunLocation>('SELECT run_uuid, artifact_uri FROM runs WHERE run_uuid = ?', [runId]);
  if (!row) throw MlflowError.notFound(`Run with id=${runId} not found`);
  return { runId: row.run_uuid, uri: row.artifact_uri ?? '' };
}

function requireLoggedModelLocation(ctx: ServerContext, modelId: string): string {
  const row = ctx.db.get<{ artifact_location: string; lifecycle_stage: string | null }>(
    'SELECT artifact_location, lifecycle_stage FROM logged_models WHERE model_id = ?',
    [modelId],
  );
  if (!row || row.lifecycle_stage === 'deleted') throw MlflowError.notFound(`Logged model with ID '${modelId}' not found.`);
  return row.artifact_location;
}

/** Where a registered model version's files are: its storage_location, else its source, resolved. */
function modelVersionLocation(ctx: ServerContext, name: string, version: string): string {
  const row = /^\d+$/.test(version)
    ? ctx.db.get<{ source: string | null; storage_location: string | null }>(
        "SELECT source, storage_location FROM model_versions WHERE name = ? AND version = ? AND COALESCE(current_stage, '') != 'Deleted_Internal'",
        [name, Number(version)],
      )
    : undefined;
  if (!row) throw MlflowError.notFound(`Model Version (name=${name}, version=${version}) not found`);
  return resolveModelSourceUri(ctx.db, row.storage_location || row.source || '');
}

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
    return listUnder(repo, requireRunLocation(ctx, runId).uri, relativePath);
  });

  api.add('GET', 'logged-models/:model_id/artifacts/directories', async ({ fields, params }) => {
    const relativePath = optionalPath(fields, 'artifact_directory_path');
    return listUnder(repo, requireLoggedModelLocation(ctx, params.model_id), relativePath);
  });

  raw.add('GET', '/get-artifact', async (req, res) => {
    req.resume();
    const query = requestQuery(req);
    const runId = query.get('run_id') || query.get('run_uuid');
    if (!runId) throw missingValue('run_id');
    const relativePath = validateArtifactPath(requiredQuery(query, 'path'));
    await sendDownload(res, await repo.openRead(requireRunLocation(ctx, runId).uri, relativePath));
  });

  raw.add('GET', '/model-versions/get-artifact', async (req, res) => {
    req.resume();
    const query = requestQuery(req);
    const name = requiredQuery(query, 'name');
    const version = requiredQuery(query, 'version');
    const relativePath = validateArtifactPath(requiredQuery(query, 'path'));
    await sendDownload(res, await repo.openRead(modelVersionLocation(ctx, name, version), relativePath));
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
    const run = requireRunLocation(ctx, runUuid);
    await repo.write(run.uri, relativePath, bodyChunks(req), {
      maxBytes: UI_UPLOAD_LIMIT_BYTES,
      tooLarge,
      whenEmpty: noData,
      isComplete: () => req.complete,
    });
    sendEmptyJson(res);
  });
}
