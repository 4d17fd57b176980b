import { SECURITY_HEADERS } from '../server/httpServer';
import { checkContentType, parseJsonBody, readBody } from '../server/jsonRequest';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { MlflowError } from '../errors';
import { missingValue } from '../server/requestFields';
import { guessMimeType } from './mimeTypes';
import type { ArtifactDownload, ArtifactEntry } from './artifactRepository';
import { joinArtifactPath } from './artifactPath';


/** A listing entry as MLflow's FileInfo: directories carry no file_size. */
export interface FileInfoJson {
  path: string;
  is_dir: boolean;
  file_size?: number;
}

/** FileInfo JSON for listing entries, their paths under `prefix` ('' for bare names). */
export function fileInfos(entries: readonly ArtifactEntry[], prefix = ''): FileInfoJson[] {
  return entries.map((e) => {
    const entryPath = prefix ? joinArtifactPath(prefix, e.name) : e.name;
    return e.isDir ? { path: entryPath, is_dir: true } : { path: entryPath, is_dir: false, file_size: e.size ?? 0 };
  });
}

/** `attachment; filename=<name>` as MLflow sends it, with an RFC 6266 form for names plain ASCII cannot carry. */
export function contentDisposition(name: string): string {
  if (/^[\x21-\x7e]+$/.test(name) && !/["\\;,]/.test(name)) return `attachment; filename=${name}`;
  const fallback = name.replace(/[^\x20-\x7e]|["\\]/g, '_');
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}

/** Streams an opened artifact as an attachment with its guessed type. A client that goes away just ends it. */
export async function sendDownload(res: ServerResponse, download: ArtifactDownload): Promise<void> {
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    'Content-Type': guessMimeType(download.name),
    'Content-Disposition': contentDisposition(download.name),
    'Content-Length': download.size,
  });
  try {
    await pipeline(download.stream, res);
  } catch {
    // The client disconnected or the file could not be read any further: nothing can be reported now.
    download.stream.destroy();
    res.destroy();
  }
}

/** A 200 answer with an empty body typed application/json, as MLflow's upload-artifact route gives. */
export function sendEmptyJson(res: ServerResponse): void {
  res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': 'application/json', 'Content-Length': 0 });
  res.end();
}

/** The query string of a raw request. */
export function requestQuery(req: IncomingMessage): URLSearchParams {
  return new URL(req.url ?? '/', 'http://localhost').searchParams;
}

/**
 * The request path after `prefix` exactly as the client sent it (still percent-encoded, `.`/`..`
 * segments and backslashes kept), so path safety judges what was asked for, not what URL
 * normalization made of it. Undefined when the raw path does not start with the prefix.
 */
export function rawPathAfter(req: IncomingMessage, prefix: string): string | undefined {
  const url = req.url ?? '';
  const query = url.indexOf('?');
  const rawPath = query >= 0 ? url.slice(0, query) : url;
  return rawPath.startsWith(prefix) ? rawPath.slice(prefix.length) : undefined;
}

/**
 * The request body as chunks. Leaving the loop early (an error while writing, a size limit) does
 * not destroy the request, so the error can still be answered; the rest of the body is then
 * drained, which keeps the connection usable for the client's next request.
 */
export async function* bodyChunks(req: IncomingMessage): AsyncGenerator<Buffer> {
  let ended = false;
  try {
    for await (const chunk of req.iterator({ destroyOnReturn: false })) yield chunk as Buffer;
    ended = true;
  } finally {
    if (!ended) req.resume();
  }
}

/** A query value that must be present and non-empty. */
export function requiredQuery(query: URLSearchParams, name: string): string {
  const value = query.get(name);
  if (!value) throw missingValue(name);
  return value;
}

const JSON_BODY_LIMIT = 1024 * 1024;

/** Reads a small JSON request body with MLflow's content-type rule for POST/PUT; empty is {}. */
export async function readJsonBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  if (req.method === 'POST' || req.method === 'PUT') checkContentType(req);
  return parseJsonBody(await readBody(req, JSON_BODY_LIMIT));
}
