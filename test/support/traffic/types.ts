/**
 * Types shared by the traffic-replay harness (see test/fixtures/traffic/README.md).
 */

/** JSON value as parsed by JSON.parse. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A non-JSON body: artifact contents, stored as size + sha256 (+ the content when small). */
export interface BytesBody {
  $bytes: number;
  sha256: string;
  $text?: string;
  $base64?: string;
}

/** One recorded HTTP exchange: one line of a .jsonl traffic file (README section 2). */
export interface TrafficExchange {
  seq: number;
  method: string;
  path: string;
  query: Record<string, string[]>;
  request_headers: { 'content-type'?: string };
  request_body: Json;
  status: number;
  response_headers: { 'content-type'?: string };
  response_body: Json;
}

/** What our server answered. */
export interface ActualResponse {
  status: number;
  /** The raw content-type header, or undefined when there was none. */
  contentType: string | undefined;
  body: Buffer;
}

/** Where a difference was found. */
export type DifferenceKind = 'status' | 'content-type' | 'body' | 'request' | 'transport';

/** One difference found by the comparator, before it is tied to an exchange. */
export interface Difference {
  kind: DifferenceKind;
  /** JSON pointer (RFC 6901) into the response body ('' = the whole body). */
  pointer: string;
  message: string;
  expected?: unknown;
  actual?: unknown;
}

/** A difference tied to the exchange it was found in. */
export interface Mismatch extends Difference {
  seq: number;
  method: string;
  /** The recorded path, placeholders left in (stable across runs). */
  path: string;
}

export function isBytesBody(value: unknown): value is BytesBody {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    typeof (value as Record<string, unknown>).$bytes === 'number' &&
    typeof (value as Record<string, unknown>).sha256 === 'string'
  );
}

export function isJsonObject(value: unknown): value is { [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The JSON type name used in messages: string, number, boolean, null, array, object. */
export function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (value === undefined) return 'absent';
  return typeof value;
}

/** Escapes one JSON-pointer reference token (RFC 6901). */
export function pointerChild(pointer: string, token: string | number): string {
  return `${pointer}/${String(token).replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

/** A one-line, length-limited JSON rendering for messages. */
export function preview(value: unknown, max = 160): string {
  let text: string;
  if (value === undefined) return '(absent)';
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
