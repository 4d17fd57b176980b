/**
 * Compares one of our responses with the recorded one (README section 4.4): status, content-type,
 * then the body — JSON structurally (jsonCompare.ts) or a download by size and sha256.
 */
import { createHash } from 'node:crypto';
import { DEFAULT_UNORDERED_KEYS, compareJson } from './jsonCompare';
import { PlaceholderBinder, hasPlaceholder } from './placeholders';
import { ActualResponse, BytesBody, Difference, Json, TrafficExchange, isBytesBody, isJsonObject, preview } from './types';

export interface CompareOptions {
  /** Arrays under these field names are unordered collections (default: tags, params, metrics, model_outputs). */
  unorderedKeys?: ReadonlySet<string>;
}

/** `text/plain; charset=utf-8` → `text/plain`. */
export function mediaType(contentType: string | undefined): string | undefined {
  return contentType?.split(';')[0].trim().toLowerCase();
}

/** Whether the recorded request carried an `order_by` (body field or query parameter). */
export function requestHadOrderBy(exchange: TrafficExchange): boolean {
  if (Object.prototype.hasOwnProperty.call(exchange.query, 'order_by')) return true;
  return isJsonObject(exchange.request_body) && exchange.request_body.order_by !== undefined;
}

/** MLmodel files embed generated ids and times: compared as text templates, never by sha256. */
function isTemplateDownload(exchange: TrafficExchange, expected: BytesBody): boolean {
  const basename = exchange.path.slice(exchange.path.lastIndexOf('/') + 1);
  return basename === 'MLmodel' || (expected.$text !== undefined && hasPlaceholder(expected.$text));
}

function firstDifference(a: string, b: string): string {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const line = a.slice(0, i).split('\n').length;
  return `first difference at character ${i} (line ${line}): expected ${JSON.stringify(a.slice(i, i + 40))}, got ${JSON.stringify(b.slice(i, i + 40))}`;
}

export function compareResponse(
  exchange: TrafficExchange,
  actual: ActualResponse,
  binder: PlaceholderBinder,
  options: CompareOptions = {},
): Difference[] {
  const out: Difference[] = [];
  if (actual.status !== exchange.status) {
    out.push({
      kind: 'status',
      pointer: '',
      message: `status: expected ${exchange.status}, got ${actual.status}; our body: ${preview(actual.body.toString('utf8'), 300)}`,
      expected: exchange.status,
      actual: actual.status,
    });
    return out; // the bodies of two different outcomes are not comparable
  }

  const expectedBody = exchange.response_body;
  const expectedType = exchange.response_headers['content-type'];
  const download = isBytesBody(expectedBody);
  if (expectedType !== undefined) {
    // JSON must be exactly `application/json` (MLflow sends no charset); a download only needs the same media type.
    const same = download ? mediaType(actual.contentType) === mediaType(expectedType) : actual.contentType === expectedType;
    if (!same) {
      out.push({ kind: 'content-type', pointer: '', message: `content-type: expected ${JSON.stringify(expectedType)}, got ${JSON.stringify(actual.contentType)}`, expected: expectedType, actual: actual.contentType });
    }
  }

  if (expectedBody === null) {
    if (actual.body.length > 0) {
      out.push({ kind: 'body', pointer: '', message: `expected no body, got ${actual.body.length} bytes`, expected: null, actual: preview(actual.body.toString('utf8')) });
    }
    return out;
  }
  if (download) {
    out.push(...compareDownload(exchange, expectedBody, actual.body, binder));
    return out;
  }
  out.push(...compareJsonBody(exchange, expectedBody, actual.body, binder, options));
  return out;
}

function compareJsonBody(
  exchange: TrafficExchange,
  expected: Json,
  body: Buffer,
  binder: PlaceholderBinder,
  options: CompareOptions,
): Difference[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return [{ kind: 'body', pointer: '', message: `body is not JSON: ${preview(body.toString('utf8'), 200)}`, expected: preview(expected), actual: body.toString('utf8') }];
  }
  const isError = isJsonObject(expected) && typeof expected.error_code === 'string';
  return compareJson(expected, parsed, binder, {
    unorderedKeys: options.unorderedKeys ?? DEFAULT_UNORDERED_KEYS,
    requestHadOrderBy: requestHadOrderBy(exchange),
    // Error messages are MLflow-specific: only error_code is compared (README 4.4).
    typeOnlyPointers: new Set(isError ? ['/message'] : []),
    origin: `seq ${exchange.seq}`,
  });
}

function compareDownload(exchange: TrafficExchange, expected: BytesBody, body: Buffer, binder: PlaceholderBinder): Difference[] {
  if (isTemplateDownload(exchange, expected)) {
    if (expected.$text === undefined) return [];
    const text = body.toString('utf8');
    const result = binder.matchText(expected.$text, text, `seq ${exchange.seq} (download)`);
    if (result.ok) return [];
    return [{ kind: 'body', pointer: '/$text', message: `downloaded text ${result.reason}; ${firstDifference(result.expected, text)}`, expected: result.expected, actual: text }];
  }
  const out: Difference[] = [];
  if (body.length !== expected.$bytes) {
    out.push({ kind: 'body', pointer: '/$bytes', message: `download size: expected ${expected.$bytes} bytes, got ${body.length}`, expected: expected.$bytes, actual: body.length });
  }
  const sha256 = createHash('sha256').update(body).digest('hex');
  if (sha256 !== expected.sha256) {
    let detail = '';
    if (expected.$text !== undefined) detail = `; ${firstDifference(expected.$text, body.toString('utf8'))}`;
    else if (expected.$base64 !== undefined) detail = `; expected base64 ${preview(expected.$base64, 60)}, got ${preview(body.toString('base64'), 60)}`;
    out.push({ kind: 'body', pointer: '/sha256', message: `download sha256 differs${detail}`, expected: expected.sha256, actual: sha256 });
  }
  return out;
}
