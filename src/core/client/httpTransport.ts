import * as http from 'node:http';
import * as https from 'node:https';
import type { Readable } from 'node:stream';
import { abortedError, isRetryableTransportError, networkError, timeoutError, TransportError, type RequestDescription } from './transportErrors';

export { TransportError } from './transportErrors';

/** How a client authenticates, as the MLflow client does it (MLFLOW_TRACKING_USERNAME/PASSWORD/TOKEN). */
export type Auth = { kind: 'none' } | { kind: 'basic'; username: string; password: string } | { kind: 'bearer'; token: string };

export interface TransportOptions {
  /** http(s) URL of the server; credentials in it (`https://user:pass@host`) become basic auth and are removed from the URL. */
  baseUrl: string;
  auth?: Auth;
  /** Per-request idle timeout in ms (default 30 s). */
  timeoutMs?: number;
  /** Retries for idempotent requests on network errors, 408, 429 and 5xx (default 3). */
  retries?: number;
  /** PEM text of the certificate authorities to trust for https (replaces the built-in list, as requests' `verify=<path>` does). */
  ca?: string | Buffer;
  /** PEM text holding a client certificate and its private key (mutual TLS). */
  clientCert?: string | Buffer;
  /** Skip TLS certificate verification (explicit opt-out). */
  insecure?: boolean;
  /** Called once per attempt of a backend call, for logging: method, path, status, duration; never headers or bodies. */
  onCall?: (entry: CallLogEntry) => void;
  /** Delay before retry n (0-based), in ms; default 250·2ⁿ with jitter. */
  backoffMs?: (attempt: number) => number;
  /** Wait as long as a 429/503 answer's Retry-After asks (capped at 120 s) instead of the backoff (default true). */
  respectRetryAfter?: boolean;
  /** Cancels in-flight requests and pending retries (they fail with TransportError code ABORTED). */
  signal?: AbortSignal;
}

export interface CallLogEntry {
  method: string;
  path: string;
  status?: number;
  durationMs: number;
  error?: string;
  attempt: number;
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** A response whose body is still to be read: consume `stream` or destroy it. */
export interface StreamResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  stream: http.IncomingMessage;
}

/** A request body produced anew for each attempt (so streamed uploads can be retried). */
export type BodySource = () => Promise<{ stream: Readable; length?: number }>;

export interface RequestOptions {
  body?: Buffer | BodySource;
  headers?: Record<string, string>;
  /** Whether the request may be retried; default: GET, HEAD and PUT are. */
  idempotent?: boolean;
  /** Overrides TransportOptions.retries for this request. */
  retries?: number;
}

const RETRY_STATUSES = new Set([408, 429, 500, 502, 503, 504]);
const MAX_RETRY_AFTER_MS = 120_000;

function authHeader(auth: Auth | undefined): string | undefined {
  if (!auth || auth.kind === 'none') return undefined;
  if (auth.kind === 'basic') return `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
  return `Bearer ${auth.token}`;
}

function retryAfterMs(res: { status: number; headers: http.IncomingHttpHeaders }): number | undefined {
  if (res.status !== 429 && res.status !== 503) return undefined;
  const value = res.headers['retry-after'];
  if (!value) return undefined;
  const seconds = Number(value);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(value) - Date.now();
  return Number.isFinite(ms) ? Math.min(Math.max(ms, 0), MAX_RETRY_AFTER_MS) : undefined;
}

/** HTTP(S) with keep-alive, timeouts, auth, custom CAs, cancellation and retries of idempotent calls. */
export class HttpTransport {
  private readonly base: URL;
  private readonly agent: http.Agent;
  private readonly auth: Auth;

  constructor(readonly options: TransportOptions) {
    const base = new URL(options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`);
    if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new TransportError(`'${base.protocol}' is not an http(s) URL scheme.`, 'EINVALIDURL');
    let auth: Auth = options.auth ?? { kind: 'none' };
    if (base.username || base.password) {
      if (auth.kind === 'none') auth = { kind: 'basic', username: decodeURIComponent(base.username), password: decodeURIComponent(base.password) };
      base.username = '';
      base.password = '';
    }
    this.base = base;
    this.auth = auth;
    this.agent =
      base.protocol === 'https:'
        ? new https.Agent({ keepAlive: true, ca: options.ca, cert: options.clientCert, key: options.clientCert, rejectUnauthorized: !options.insecure })
        : new http.Agent({ keepAlive: true });
  }

  /** The server URL without credentials or trailing slash: safe to show. */
  get baseUrl(): string {
    return this.base.toString().replace(/\/$/, '');
  }

  get authKind(): Auth['kind'] {
    return this.auth.kind;
  }

  /** Removes the configured secrets from a text that came from elsewhere (a server's error body). */
  redact(text: string): string {
    const secrets: string[] = [];
    const header = authHeader(this.auth);
    if (header) secrets.push(header, header.slice(header.indexOf(' ') + 1));
    if (this.auth.kind === 'basic' && this.auth.password.length >= 4) secrets.push(this.auth.password);
    if (this.auth.kind === 'bearer' && this.auth.token.length >= 4) secrets.push(this.auth.token);
    return secrets.reduce((t, s) => t.split(s).join('***'), text);
  }

  /** Sends a request and buffers the answer; idempotent ones (GET, or when `idempotent` is set) are retried. */
  async send(method: string, path: string, body?: Buffer, headers: Record<string, string> = {}, idempotent = method === 'GET', retries?: number): Promise<RawResponse> {
    const res = await this.request(method, path, { body, headers, idempotent, retries });
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of res.stream) chunks.push(chunk as Buffer);
    } catch (e) {
      throw this.streamFailure(method, path, e);
    }
    return { status: res.status, headers: res.headers, body: Buffer.concat(chunks) };
  }

  /** Sends a request and resolves once the answer's headers arrived; retried attempts never hand out a body. */
  async request(method: string, path: string, opts: RequestOptions = {}): Promise<StreamResponse> {
    const idempotent = opts.idempotent ?? (method === 'GET' || method === 'HEAD' || method === 'PUT');
    const retries = idempotent ? (opts.retries ?? this.options.retries ?? 3) : 0;
    for (let attempt = 0; ; attempt++) {
      this.throwIfAborted(method, path);
      const started = performance.now();
      try {
        const res = await this.once(method, path, opts);
        this.options.onCall?.({ method, path, status: res.status, durationMs: performance.now() - started, attempt });
        if (attempt < retries && RETRY_STATUSES.has(res.status)) {
          res.stream.resume();
          await this.pause(attempt, method, path, this.options.respectRetryAfter === false ? undefined : retryAfterMs(res));
          continue;
        }
        return res;
      } catch (e) {
        const error = e as Error;
        this.options.onCall?.({ method, path, durationMs: performance.now() - started, error: error.message, attempt });
        const retryable = error instanceof TransportError && isRetryableTransportError(error);
        if (attempt >= retries || !retryable) throw error;
        await this.pause(attempt, method, path);
      }
    }
  }

  /** A failure while reading an answer's body, as a TransportError. */
  streamFailure(method: string, path: string, e: unknown): Error {
    if (e instanceof TransportError) return e;
    const url = new URL(path.replace(/^\//, ''), this.base);
    const error = e as NodeJS.ErrnoException;
    if (error.name === 'AbortError' || error.code === 'ABORT_ERR') return abortedError(this.describe(method, url));
    return networkError(error, this.describe(method, url));
  }

  private describe(method: string, url: URL): RequestDescription {
    return { method, url, timeoutMs: this.options.timeoutMs ?? 30_000, insecure: this.options.insecure, hasCa: this.options.ca !== undefined };
  }

  private throwIfAborted(method: string, path: string): void {
    if (this.options.signal?.aborted) throw abortedError(this.describe(method, new URL(path.replace(/^\//, ''), this.base)));
  }

  private pause(attempt: number, method: string, path: string, requestedMs?: number): Promise<void> {
    const ms = requestedMs ?? this.options.backoffMs?.(attempt) ?? 250 * 2 ** attempt * (0.75 + Math.random() / 2);
    const signal = this.options.signal;
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        clearTimeout(timer);
        reject(abortedError(this.describe(method, new URL(path.replace(/^\//, ''), this.base))));
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  private async once(method: string, path: string, opts: RequestOptions): Promise<StreamResponse> {
    const url = new URL(path.replace(/^\//, ''), this.base);
    const described = this.describe(method, url);
    const auth = authHeader(this.auth);
    const source = typeof opts.body === 'function' ? await opts.body() : undefined;
    const buffer = Buffer.isBuffer(opts.body) ? opts.body : undefined;
    const length = buffer ? buffer.length : source?.length;
    const lib = url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      let settled = false;
      let bodyError: Error | undefined;
      const fail = (e: Error) => {
        if (settled) return;
        settled = true;
        source?.stream.destroy();
        reject(e);
      };
      const req = lib.request(
        url,
        {
          method,
          agent: this.agent,
          signal: this.options.signal,
          headers: {
            ...(auth ? { Authorization: auth } : {}),
            ...(length !== undefined ? { 'Content-Length': String(length) } : {}),
            ...opts.headers,
          },
        },
        (res) => {
          settled = true;
          resolve({ status: res.statusCode ?? 0, headers: res.headers, stream: res });
        },
      );
      req.setTimeout(described.timeoutMs, () => req.destroy(timeoutError(described)));
      req.on('error', (e: NodeJS.ErrnoException) => {
        if (bodyError) fail(bodyError);
        else if (e instanceof TransportError) fail(e);
        else if (e.name === 'AbortError' || e.code === 'ABORT_ERR') fail(abortedError(described));
        else fail(networkError(e, described));
      });
      if (source) {
        source.stream.on('error', (e) => {
          bodyError = e;
          req.destroy(e);
        });
        source.stream.pipe(req);
      } else {
        req.end(buffer);
      }
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
