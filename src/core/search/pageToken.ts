/**
 * MLflow's page token (compat §3.3): base64 of the JSON `{"offset": N}`. Decoding follows
 * MLflow's checks and messages: not base64 → "could not base64-decode", not JSON →
 * "decoded value=<bytes>", no truthy offset (0 included) → "parsed value=<dict>", an offset
 * that is no integer → "not stringable".
 */
import { MlflowError } from '../errors';
import { pyBytes, pyJson, pyTruthy } from './pythonRepr';

/** The token for a page starting at `offset` (Python's json.dumps spacing). */
export function encodeOffsetToken(offset: number): string {
  return Buffer.from(`{"offset": ${offset}}`, 'utf8').toString('base64');
}

/** The offset a page token stands for; 0 for an absent or empty token. */
export function decodeOffsetToken(token: string | undefined | null): number {
  if (!token) return 0;
  const bytes = base64Decode(token);
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw MlflowError.invalidParameter(`Invalid page token, decoded value=${pyBytes(bytes)}`);
  }
  const isDict = parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed);
  const offset = isDict ? (parsed as Record<string, unknown>).offset : undefined;
  if (!isDict || !pyTruthy(offset)) {
    throw MlflowError.invalidParameter(`Invalid page token, parsed value=${pyJson(parsed)}`);
  }
  const value = pyInt(offset);
  if (value === undefined) {
    throw MlflowError.invalidParameter(`Invalid page token, not stringable ${typeof offset === 'string' ? offset : pyJson(offset)}`);
  }
  return value;
}

/** Python's int() of a JSON value, or undefined where Python would raise. */
function pyInt(value: unknown): number | undefined {
  if (value === true) return 1;
  if (typeof value === 'number') return Number.isFinite(value) ? Math.trunc(value) : undefined;
  if (typeof value === 'string' && /^\s*[+-]?\d+(_\d+)*\s*$/.test(value)) return parseInt(value.replace(/_/g, ''), 10);
  return undefined;
}

/** Lenient base64 like Python's b64decode: foreign characters dropped, padding checked. */
function base64Decode(token: string): Uint8Array {
  const fail = () => MlflowError.invalidParameter('Invalid page token, could not base64-decode');
  if (/[^\x00-\x7f]/.test(token)) throw fail();
  const cleaned = token.replace(/[^A-Za-z0-9+/=]/g, '');
  const firstPad = cleaned.indexOf('=');
  const data = firstPad < 0 ? cleaned : cleaned.slice(0, firstPad);
  const pads = firstPad < 0 ? 0 : cleaned.length - firstPad;
  const rest = data.length % 4;
  if (rest === 1 || (rest === 2 && pads < 2) || (rest === 3 && pads < 1)) throw fail();
  return new Uint8Array(Buffer.from(data, 'base64'));
}
