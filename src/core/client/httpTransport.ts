import * as http from 'node:http';
import * as https from 'node:https';

/** How a client authenticates, as the MLflow client does it (MLFLOW_TRACKING_USERNAME/PASSWORD/TOKEN). */
export type Auth = { kind: 'none' } | { kind: 'basic'; username: string; password: string } | { kind: 'bearer'; token: string };

export interface TransportOptions {
  baseUrl: string;
  auth?: Auth;
  /** Per-request timeout in ms (default 30 s). */
  timeoutMs?: number;
  /** Retries for idempotent requests on network errors, 429 and 5xx (default 3). */
  retries?: number;
  /** PEM text of extra certificate authorities for https. */
  ca?: string | Buffer;
  /** Skip TLS certificate verification (explicit opt-out). */
  insecure?: boolean;
  /** Called once per backend call, for logging. */
  onCall?: (entry: CallLogEntry) => void;
  /** Backoff before retry n (ms); default 250·2ⁿ with jitter. */
  backoffMs?: (attempt: number) => number;
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

/** An error from the transport itself: unreachable, timed out, TLS refused. */
export class TransportError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = 'TransportError';
  }
}

const RETRY_STATUSES = new Set([408, 429, 500, 502, 503, 504]);

function authHeader(auth: Auth | undefined): string | undefined {
  if (!auth || auth.kind === 'none') return undefined;
  if (auth.kind === 'basic') return `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
  return `Bearer ${auth.token}`;
}

/** HTTP(S) with keep-alive, timeouts, auth, custom CAs and retries of idempotent calls. */
export class HttpTransport {
  private readonly base: URL;
  private readonly agent: http.Agent;

  constructor(readonly options: TransportOptions) {
    this.base = new URL(options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`);
    this.agent =
      this.base.protocol === 'https:'
        ? new https.Agent({ keepAlive: true, ca: options.ca, rejectUnauthorized: !options.insecure })
        : new http.Agent({ keepAlive: true });
  }

  get baseUrl(): string {
    return this.base.toString().replace(/\/$/, '');
  }

  /** Sends a request; idempotent ones (GET, or when `idempotent` is set) are retried. */
  async send(method: string, path: string, body?: Buffer, headers: Record<string, string> = {}, idempotent = method === 'GET'): Promise<RawResponse> {
    const retries = idempotent ? (this.options.retries ?? 3) : 0;
    for (let attempt = 0; ; attempt++) {
      const started = performance.now();
      try {
        const res = await this.once(method, path, body, headers);
        this.options.onCall?.({ method, path, status: res.status, durationMs: performance.now() - started, attempt });
        if (attempt < retries && RETRY_STATUSES.has(res.status)) {
          await this.pause(attempt);
          continue;
        }
        return res;
      } catch (e) {
        const error = e as TransportError;
        this.options.onCall?.({ method, path, durationMs: performance.now() - started, error: error.message, attempt });
        if (attempt >= retries) throw error;
        await this.pause(attempt);
      }
    }
  }

  private pause(attempt: number): Promise<void> {
    const ms = this.options.backoffMs?.(attempt) ?? 250 * 2 ** attempt * (0.75 + Math.random() / 2);
    return new Promise((r) => setTimeout(r, ms));
  }

  private once(method: string, path: string, body: Buffer | undefined, headers: Record<string, string>): Promise<RawResponse> {
    const url = new URL(path.replace(/^\//, ''), this.base);
    const auth = authHeader(this.options.auth);
    const timeout = this.options.timeoutMs ?? 30_000;
    const lib = url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const req = lib.request(
        url,
        {
          method,
          agent: this.agent,
          headers: {
            ...(auth ? { Authorization: auth } : {}),
            ...(body ? { 'Content-Length': String(body.length) } : {}),
            ...headers,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
          res.on('error', (e) => reject(new TransportError(`${method} ${url.pathname}: ${e.message}`, 'ECONNRESET')));
        },
      );
      req.setTimeout(timeout, () => req.destroy(new TransportError(`${method} ${url.pathname} timed out after ${timeout} ms`, 'ETIMEDOUT')));
      req.on('error', (e: NodeJS.ErrnoException) => {
        if (e instanceof TransportError) reject(e);
        else reject(new TransportError(`${method} ${url.origin}${url.pathname}: ${e.message}`, e.code ?? 'EREQUEST'));
      });
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
