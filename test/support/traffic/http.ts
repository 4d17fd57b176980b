/**
 * One HTTP request with node:http: no connection reuse (nothing is left open when the server under
 * test closes), raw body bytes back, and the headers the MLflow 3.5 Python client sends.
 */
import * as http from 'node:http';
import * as zlib from 'node:zlib';
import { ActualResponse } from './types';

/** Headers every recorded request carried (README section 6, "HTTP details not stored in the files"). */
export const MLFLOW_CLIENT_HEADERS: Readonly<Record<string, string>> = {
  'user-agent': 'mlflow-python-client/3.5.2.dev0',
  'x-mlflow-client-version': '3.5.2.dev0',
  'accept-encoding': 'gzip, deflate, br',
  accept: '*/*',
};

export interface SendRequest {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body: Buffer | null;
  timeoutMs: number;
}

function decode(body: Buffer, encoding: string | undefined): Buffer {
  switch ((encoding ?? 'identity').trim().toLowerCase()) {
    case 'gzip':
      return zlib.gunzipSync(body);
    case 'deflate':
      return zlib.inflateSync(body);
    case 'br':
      return zlib.brotliDecompressSync(body);
    default:
      return body;
  }
}

export function sendRequest(request: SendRequest): Promise<ActualResponse> {
  if (request.url.protocol !== 'http:') {
    return Promise.reject(new Error(`only http: base URLs are supported, got ${request.url.protocol}`));
  }
  const headers: Record<string, string> = { ...request.headers };
  if (request.body) headers['content-length'] = String(request.body.length);
  return new Promise<ActualResponse>((resolve, reject) => {
    const req = http.request(request.url, { method: request.method, headers, agent: false, timeout: request.timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        try {
          const contentType = res.headers['content-type'];
          resolve({
            status: res.statusCode ?? 0,
            contentType,
            // The real client decodes a compressed answer transparently, so do we.
            body: decode(Buffer.concat(chunks), res.headers['content-encoding']),
          });
        } catch (error) {
          reject(error);
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${request.timeoutMs} ms`)));
    req.on('error', reject);
    req.end(request.body ?? undefined);
  });
}
