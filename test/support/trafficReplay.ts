/**
 * Replays HTTP traffic recorded between the real MLflow 3.5 Python client and the real MLflow 3.5
 * server (test/fixtures/traffic/*.jsonl, described in test/fixtures/traffic/README.md) against our
 * server and compares the answers.
 *
 *   const result = await replayTraffic(trafficFixture('tracking_basics.jsonl'), { baseUrl: server.url });
 *   assert.equal(result.mismatches.length, 0, formatMismatches(result.mismatches));
 *
 * The pieces live in ./traffic/: placeholders.ts (binding), jsonCompare.ts (shape/values),
 * compare.ts (status, content-type, downloads), http.ts (sending), replay.ts (the loop).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Mismatch, preview } from './traffic/types';

export { loadTraffic, replayTraffic, replayExchange, buildRequest } from './traffic/replay';
export type { ReplayOptions, ReplayResult, BuiltRequest } from './traffic/replay';
export { compareResponse, mediaType, requestHadOrderBy } from './traffic/compare';
export type { CompareOptions } from './traffic/compare';
export { compareJson, DEFAULT_UNORDERED_KEYS } from './traffic/jsonCompare';
export { PlaceholderBinder, DEFAULT_BINDER_OPTIONS, hasPlaceholder, isEpochMillis, pythonUtcDateTime } from './traffic/placeholders';
export type { BinderOptions } from './traffic/placeholders';
export { sendRequest, MLFLOW_CLIENT_HEADERS } from './traffic/http';
export type { ActualResponse, Difference, Mismatch, TrafficExchange, Json, BytesBody } from './traffic/types';

/** Absolute path of a file in test/fixtures/traffic, from the sources or from the compiled out/ tree. */
export function trafficFixture(name: string): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'test', 'fixtures', 'traffic', name);
    if (fs.existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) throw new Error(`traffic fixture ${name} not found above ${__dirname}`);
  }
}

/** One line per mismatch: `seq 23 POST /api/… [body] /error_code: value differs; expected "X", got "Y"`. */
export function formatMismatch(m: Mismatch): string {
  const where = m.pointer ? ` ${m.pointer}` : '';
  const values = m.expected !== undefined || m.actual !== undefined ? `; expected ${preview(m.expected)}, got ${preview(m.actual)}` : '';
  const already = m.kind === 'status' || m.kind === 'content-type' || m.kind === 'request' || m.kind === 'transport';
  return `seq ${m.seq} ${m.method} ${m.path} [${m.kind}]${where}: ${m.message}${already ? '' : values}`;
}

export function formatMismatches(mismatches: readonly Mismatch[]): string {
  if (mismatches.length === 0) return 'no mismatches';
  return `${mismatches.length} mismatch(es):\n${mismatches.map((m) => `  ${formatMismatch(m)}`).join('\n')}`;
}
