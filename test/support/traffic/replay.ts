/**
 * Loads a recorded traffic file and replays it against a server (README section 4).
 */
import * as fs from 'node:fs';
import { CompareOptions, compareResponse } from './compare';
import { MLFLOW_CLIENT_HEADERS, SendRequest, sendRequest } from './http';
import { BinderOptions, PlaceholderBinder } from './placeholders';
import { Difference, Mismatch, TrafficExchange, isBytesBody, isJsonObject } from './types';

const RECORD_KEYS = ['seq', 'method', 'path', 'query', 'request_headers', 'request_body', 'status', 'response_headers', 'response_body'];

/** Reads a .jsonl traffic file, checks every record's keys, and returns the exchanges in seq order. */
export function loadTraffic(file: string): TrafficExchange[] {
  const lines = fs.readFileSync(file, 'utf8').split('\n').filter((line) => line.trim() !== '');
  const exchanges = lines.map((line, index) => {
    const record: unknown = JSON.parse(line);
    if (!isJsonObject(record)) throw new Error(`${file}:${index + 1}: not a JSON object`);
    const keys = Object.keys(record);
    if (keys.join() !== RECORD_KEYS.join()) throw new Error(`${file}:${index + 1}: keys ${keys.join(', ')}; expected ${RECORD_KEYS.join(', ')}`);
    if (typeof record.seq !== 'number' || typeof record.method !== 'string' || typeof record.path !== 'string' || typeof record.status !== 'number') {
      throw new Error(`${file}:${index + 1}: seq/method/path/status have the wrong types`);
    }
    return record as unknown as TrafficExchange;
  });
  return exchanges.sort((a, b) => a.seq - b.seq);
}

export interface ReplayOptions extends CompareOptions {
  /** Our server, e.g. http://127.0.0.1:53121 */
  baseUrl: string;
  /** Values for `<user>`, `<path>` and the clock for `<ts>`. */
  binder?: Partial<BinderOptions>;
  /** Send the MLflow client's User-Agent / X-MLflow-Client-Version / Accept-Encoding headers (default true). */
  clientHeaders?: boolean;
  /** Per-request timeout (default 15 s). */
  timeoutMs?: number;
  /** Replay only up to this seq (for debugging). */
  untilSeq?: number;
  /** Called after each exchange, e.g. to print progress. */
  onExchange?: (exchange: TrafficExchange, differences: Difference[]) => void;
}

export interface ReplayResult {
  /** Exchanges sent. */
  exchanges: number;
  mismatches: Mismatch[];
  /** Final placeholder bindings, e.g. { "<run_id:1>": "4f0c…" }. */
  bindings: Record<string, string>;
}

export interface BuiltRequest {
  request: SendRequest | null;
  /** Problems found while building (unbound placeholders, a body that cannot be reproduced). */
  differences: Difference[];
}

/** Turns a recorded request into ours: placeholders substituted in path, query and body. */
export function buildRequest(exchange: TrafficExchange, binder: PlaceholderBinder, options: ReplayOptions): BuiltRequest {
  const unbound = new Set<string>();
  const differences: Difference[] = [];
  const params = new URLSearchParams();
  for (const [key, values] of Object.entries(exchange.query)) {
    for (const value of values) params.append(key, binder.substituteText(value, unbound, 'millis'));
  }
  const query = params.toString();
  const url = new URL(binder.substituteText(exchange.path, unbound) + (query ? `?${query}` : ''), options.baseUrl);

  const headers: Record<string, string> = options.clientHeaders === false ? {} : { ...MLFLOW_CLIENT_HEADERS };
  const contentType = exchange.request_headers['content-type'];
  if (contentType !== undefined) headers['content-type'] = contentType;

  let body: Buffer | null = null;
  const recorded = exchange.request_body;
  if (isBytesBody(recorded)) {
    if (recorded.$base64 !== undefined) body = Buffer.from(recorded.$base64, 'base64');
    else if (recorded.$text !== undefined) body = Buffer.from(binder.substituteText(recorded.$text, unbound), 'utf8');
    else {
      differences.push({ kind: 'request', pointer: '', message: `request body of ${recorded.$bytes} bytes has neither $text nor $base64: cannot replay` });
      return { request: null, differences };
    }
  } else if (recorded !== null) {
    body = Buffer.from(JSON.stringify(binder.substituteJson(recorded, unbound)), 'utf8');
  }

  for (const token of unbound) {
    differences.push({ kind: 'request', pointer: '', message: `request uses ${token}, which was never bound from a response (an earlier exchange failed); sent literally`, expected: token });
  }
  return { request: { url, method: exchange.method, headers, body, timeoutMs: options.timeoutMs ?? 15000 }, differences };
}

/** Replays one exchange; binds placeholders in `binder`; returns its differences. */
export async function replayExchange(exchange: TrafficExchange, binder: PlaceholderBinder, options: ReplayOptions): Promise<Difference[]> {
  const built = buildRequest(exchange, binder, options);
  if (!built.request) return built.differences;
  try {
    const actual = await sendRequest(built.request);
    return [...built.differences, ...compareResponse(exchange, actual, binder, options)];
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return [...built.differences, { kind: 'transport', pointer: '', message: `request failed: ${message}` }];
  }
}

/** Replays a traffic file (or already loaded exchanges) in seq order and collects every mismatch. */
export async function replayTraffic(source: string | readonly TrafficExchange[], options: ReplayOptions): Promise<ReplayResult> {
  const exchanges = typeof source === 'string' ? loadTraffic(source) : [...source].sort((a, b) => a.seq - b.seq);
  const binder = new PlaceholderBinder(options.binder);
  const mismatches: Mismatch[] = [];
  const reportedUnbound = new Set<string>();
  let sent = 0;
  for (const exchange of exchanges) {
    if (options.untilSeq !== undefined && exchange.seq > options.untilSeq) break;
    const differences = (await replayExchange(exchange, binder, options)).filter((d) => {
      // Report each never-bound placeholder once, not on every later request that uses it.
      if (d.kind !== 'request' || typeof d.expected !== 'string') return true;
      if (reportedUnbound.has(d.expected)) return false;
      reportedUnbound.add(d.expected);
      return true;
    });
    sent++;
    options.onExchange?.(exchange, differences);
    for (const d of differences) mismatches.push({ seq: exchange.seq, method: exchange.method, path: exchange.path, ...d });
  }
  return { exchanges: sent, mismatches, bindings: binder.bindings() };
}
