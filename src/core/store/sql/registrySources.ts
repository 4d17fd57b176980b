import * as path from 'node:path';
import { MlflowError } from '../../errors';
import type { SqlReader } from '../db/database';
import { resolveModelSourceUri } from './modelSource';

/**
 * Checks on a model version's `source` (compat §1.5), as MLflow's create-model-version handler
 * makes them, and the storage location resolved from it at creation.
 */

interface UriParts {
  scheme: string;
  netloc: string;
  path: string;
}

/** Python's urllib.parse.urlparse, reduced to scheme, netloc and path (params, query, fragment cut). */
export function urlParts(uri: string): UriParts {
  let rest = uri;
  let scheme = '';
  const colon = rest.indexOf(':');
  if (colon > 0 && /^[A-Za-z][A-Za-z0-9+.-]*$/.test(rest.slice(0, colon))) {
    scheme = rest.slice(0, colon).toLowerCase();
    rest = rest.slice(colon + 1);
  }
  let netloc = '';
  if (rest.startsWith('//')) {
    const end = rest.slice(2).search(/[/?#]/);
    netloc = end < 0 ? rest.slice(2) : rest.slice(2, 2 + end);
    rest = end < 0 ? '' : rest.slice(2 + end);
  }
  const cut = rest.search(/[?#]/);
  let p = cut < 0 ? rest : rest.slice(0, cut);
  const semicolon = p.indexOf(';', p.lastIndexOf('/') + 1);
  if (semicolon >= 0) p = p.slice(0, semicolon);
  return { scheme, netloc, path: p };
}

/** MLflow's is_local_uri for registry sources: no scheme, `file:`, or (on Windows) a drive letter. */
export function isLocalUri(uri: string): boolean {
  const { scheme } = urlParts(uri);
  if (scheme === '' || scheme === 'file') return true;
  return process.platform === 'win32' && scheme.length === 1;
}

/** Python's urllib.parse.unquote_plus. */
function unquotePlus(text: string): string {
  return text.replace(/\+/g, ' ').replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
    const bytes = Buffer.from(run.replace(/%/g, ''), 'hex');
    return new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  });
}

/** pathlib's resolve() without symlinks: absolute against the working directory, `.`/`..` folded. */
function resolvePosix(p: string): string {
  return path.posix.resolve(process.cwd().split(path.sep).join('/'), p);
}

/** Rejects remote sources that hide relative references (`..`, `/./`, NUL, relative paths). */
export function validateNoRelativeReferences(source: string): void {
  const fail = () =>
    MlflowError.invalidParameter(
      `Invalid model version source: '${source}'. If supplying a source as an http, https, local file path, ftp, ` +
        'objectstore, or mlflow-artifacts uri, an absolute path must be provided without relative path references present. ' +
        'Please provide an absolute path.',
    );
  let decoded = source;
  for (let next = unquotePlus(decoded); next !== decoded; next = unquotePlus(decoded)) decoded = next;
  const sourcePath = urlParts(decoded).path.replace(/\/+$/, '').replace(/\/+/g, '/');
  if (sourcePath.includes('\u0000') || decoded.split('/').some((segment) => segment === '..')) throw fail();
  if (resolvePosix(sourcePath) !== sourcePath) throw fail();
}

/** MLflow's local_file_uri_to_path: the (unquoted) path of a `file:` URI, anything else as is. */
function localPath(uri: string): string {
  const parts = urlParts(uri);
  return parts.scheme === 'file' ? unquotePlus(parts.path.replace(/\+/g, '%2B')) : uri;
}

function isInside(dir: string, file: string): boolean {
  const rel = path.relative(dir, file);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * A local source must lie inside the artifact directory of the run (or logged model) it names;
 * any other source must not contain relative references.
 */
async function validateSourceAgainst(
  source: string,
  owner: 'run' | 'model',
  ownerId: string,
  artifactLocation: () => Promise<string>,
): Promise<void> {
  if (!isLocalUri(source)) {
    validateNoRelativeReferences(source);
    return;
  }
  let shown = source;
  if (ownerId) {
    const resolved = path.resolve(localPath(source));
    shown = resolved;
    const location = await artifactLocation();
    if (isLocalUri(location) && isInside(path.resolve(localPath(location)), resolved)) return;
  }
  const field = owner === 'run' ? 'run_id' : 'model_id';
  throw MlflowError.invalidParameter(
    `Invalid model version source: '${shown}'. To use a local path as a model version source, the ${field} request ` +
      `parameter has to be specified and the local path has to be contained within the artifact directory of the run ` +
      `specified by the ${field}.`,
  );
}

/** Prompt versions: no local paths at all; URIs with a scheme must not hide relative references. */
function validatePromptSource(source: string): void {
  const { scheme } = urlParts(source);
  if (scheme === 'file' || (scheme === '' && source.startsWith('/'))) {
    throw MlflowError.invalidParameter(`Invalid prompt source: '${source}'. Local source paths are not allowed for prompts.`);
  }
  if (scheme) validateNoRelativeReferences(source);
}

export async function validateModelVersionSource(db: SqlReader, source: string, runId: string, modelId: string, isPrompt: boolean): Promise<void> {
  if (isPrompt) return validatePromptSource(source);
  if (modelId) {
    return validateSourceAgainst(source, 'model', modelId, async () => {
      const model = await db.get<{ artifact_location: string; lifecycle_stage: string | null }>(
        'SELECT artifact_location, lifecycle_stage FROM logged_models WHERE model_id = ?',
        [modelId],
      );
      if (!model || model.lifecycle_stage === 'deleted') throw MlflowError.notFound(`Logged model with ID '${modelId}' not found.`);
      return model.artifact_location;
    });
  }
  await validateSourceAgainst(source, 'run', runId, async () => {
    const run = await db.get<{ artifact_uri: string | null }>('SELECT artifact_uri FROM runs WHERE run_uuid = ?', [runId]);
    if (!run) throw MlflowError.notFound(`Run with id=${runId} not found`);
    return run.artifact_uri ?? '';
  });
}

export interface ResolvedSource {
  storageLocation: string;
  /** The run id to store: the request's, else (for `models:/<model_id>`) the logged model's source run. */
  runId: string | null;
}

/** storage_location is the source itself, except for `models:/` sources, which are resolved now. */
export async function resolveStorageLocation(db: SqlReader, source: string, runId: string | null): Promise<ResolvedSource> {
  if (urlParts(source).scheme !== 'models') return { storageLocation: source, runId };
  let storageLocation: string;
  try {
    storageLocation = await resolveModelSourceUri(db, source);
  } catch (e) {
    throw new MlflowError(
      'INTERNAL_ERROR',
      `Unable to fetch model from model URI source artifact location '${source}'.Error: ${(e as Error).message}`,
    );
  }
  const ref = /^models:\/([^/@]+)$/.exec(source)?.[1];
  if (!runId && ref) {
    const model = await db.get<{ source_run_id: string | null }>('SELECT source_run_id FROM logged_models WHERE model_id = ?', [ref]);
    if (model) runId = model.source_run_id;
  }
  return { storageLocation, runId };
}
