import type * as http from 'node:http';
import { MlflowError } from '../errors';

/** A request body over the size limit. */
export class BodyTooLarge extends Error {}

/** Reads a whole request body, refusing one larger than `limit` bytes. */
export function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) {
      reject(new BodyTooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Decodes a JSON body the way MLflow does: empty is {}, a JSON string holding JSON is decoded again. */
export function parseJsonBody(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
    if (typeof value === 'string') value = JSON.parse(value);
  } catch (e) {
    throw MlflowError.invalidParameter(`Malformed JSON in request body: ${(e as Error).message}`);
  }
  if (value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw MlflowError.invalidParameter('The request body must be a JSON object.');
  }
  return value as Record<string, unknown>;
}

/** MLflow's rule for POST and PUT: Content-Type must be application/json. */
export function checkContentType(req: http.IncomingMessage): void {
  const type = req.headers['content-type'];
  if (!type) throw MlflowError.invalidParameter('Bad Request. Content-Type header is missing.');
  if (type.split(';')[0].trim().toLowerCase() !== 'application/json') {
    throw MlflowError.invalidParameter("Bad Request. Content-Type must be one of ['application/json'].");
  }
}
