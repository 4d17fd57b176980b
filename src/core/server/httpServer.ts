import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { MlflowError } from '../errors';
import { isHostAllowed, isOriginAllowed } from './hostCheck';
import { encodeJson } from './jsonBody';
import { BodyTooLarge, checkContentType, parseJsonBody, readBody } from './jsonRequest';
import { RequestFields } from './requestFields';
import type { ApiHandler, RawHandler, RouteTable } from './router';

export const API_PREFIXES = ['/api/2.0/mlflow/', '/ajax-api/2.0/mlflow/'];
const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const EXEMPT_FROM_HOST_CHECK = new Set(['/health', '/version']);

export interface RequestLogEntry {
  method: string;
  path: string;
  status: number;
  durationMs: number;
}

export interface HttpServerOptions {
  host: string;
  port: number;
  allowedHosts: readonly string[];
  api: RouteTable<ApiHandler>;
  raw: RouteTable<RawHandler>;
  /** Largest JSON body accepted (default 64 MiB). */
  maxBodyBytes?: number;
  onRequest?: (entry: RequestLogEntry) => void;
  onError?: (error: Error) => void;
  /** Runs before each request is dispatched (e.g. to re-read a store another program changed). */
  beforeRequest?: () => void;
}

/** Headers every answer of the server carries (compat §1.10). */
export const SECURITY_HEADERS = { 'X-Content-Type-Options': 'nosniff', 'X-Frame-Options': 'SAMEORIGIN' };

export function sendJson(res: http.ServerResponse, status: number, body: object): void {
  const text = encodeJson(body);
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

export function sendError(res: http.ServerResponse, error: MlflowError, status = error.httpStatus): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, status, error.toJSON());
}

function sendText(res: http.ServerResponse, status: number, text: string): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function queryFields(url: URL): Record<string, string[]> {
  const fields: Record<string, string[]> = {};
  for (const [key, value] of url.searchParams) (fields[key] ??= []).push(value);
  return fields;
}

/** An HTTP server for the MLflow REST API with MLflow's request decoding and error format. */
export class HttpApiServer {
  readonly server: http.Server;
  private readonly maxBody: number;

  constructor(private readonly options: HttpServerOptions) {
    this.maxBody = options.maxBodyBytes ?? 64 * 1024 * 1024;
    this.server = http.createServer((req, res) => void this.handle(req, res));
    this.server.keepAliveTimeout = 30_000;
  }

  listen(): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port, this.options.host, () => {
        this.server.off('error', reject);
        resolve(this.server.address() as AddressInfo);
      });
    });
  }

  /** Stops accepting connections and resolves once in-flight requests have finished. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeIdleConnections();
    });
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const started = performance.now();
    const method = req.method ?? 'GET';
    let path = '/';
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      path = url.pathname;
      if (!EXEMPT_FROM_HOST_CHECK.has(path) && !isHostAllowed(req.headers.host, this.options.host, this.options.allowedHosts)) {
        sendText(res, 403, 'Invalid Host header - possible DNS rebinding attack detected');
        return;
      }
      if (STATE_CHANGING.has(method) && !isOriginAllowed(req.headers.origin, this.options.allowedHosts)) {
        sendText(res, 403, 'Cross-origin request blocked');
        return;
      }
      this.options.beforeRequest?.();
      await this.dispatch(method, url, req, res);
    } catch (e) {
      if (e instanceof BodyTooLarge) {
        res.setHeader('Connection', 'close');
        sendError(res, new MlflowError('RESOURCE_EXHAUSTED', `The request body exceeds the limit of ${this.maxBody} bytes.`), 413);
        req.destroy();
      } else if (e instanceof MlflowError) {
        req.resume(); // discard an unread body so that the keep-alive connection stays usable
        sendError(res, e);
      } else {
        this.options.onError?.(e as Error);
        req.resume();
        sendError(res, new MlflowError('INTERNAL_ERROR', `Internal error: ${(e as Error).message}`));
      }
    } finally {
      const log = () => this.options.onRequest?.({ method, path, status: res.statusCode, durationMs: performance.now() - started });
      if (res.writableFinished) log();
      else res.once('close', log);
    }
  }

  private async dispatch(method: string, url: URL, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = url.pathname;
    const prefix = API_PREFIXES.find((p) => path.startsWith(p));
    if (prefix) {
      const route = path.slice(prefix.length);
      const match = this.options.api.match(method, route);
      if (match && match !== 'method') {
        const fields = await this.fields(method, url, req);
        const body = await match.handler({ method, route, fields, params: match.params, raw: req });
        sendJson(res, 200, body);
        return;
      }
      if (match === 'method') {
        res.setHeader('Allow', 'see the API documentation');
        sendError(res, MlflowError.invalidParameter(`Method ${method} is not allowed for ${path}.`), 405);
        return;
      }
    }
    const raw = this.options.raw.match(method, path);
    if (raw && raw !== 'method') {
      await raw.handler(req, res, raw.params);
      return;
    }
    if (raw === 'method') {
      sendError(res, MlflowError.invalidParameter(`Method ${method} is not allowed for ${path}.`), 405);
      return;
    }
    sendError(res, new MlflowError('ENDPOINT_NOT_FOUND', `No API endpoint is served at ${method} ${path}.`));
  }

  private async fields(method: string, url: URL, req: http.IncomingMessage): Promise<RequestFields> {
    if (method === 'GET' && url.search.length > 1) {
      req.resume();
      return new RequestFields(queryFields(url), true);
    }
    if (method === 'POST' || method === 'PUT') checkContentType(req);
    const body = await readBody(req, this.maxBody);
    return new RequestFields(parseJsonBody(body));
  }
}
