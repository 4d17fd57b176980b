import { MlflowError } from '../errors';

/** MLflow's opaque page token: base64 of JSON {"offset": N} (compat §3.3). */
export function encodeOffsetToken(offset: number): string {
  return Buffer.from(JSON.stringify({ offset })).toString('base64');
}

/** The offset a page token stands for; 0 for an absent or empty token. */
export function decodeOffsetToken(token: string | undefined): number {
  if (!token) return 0;
  if (!/^[A-Za-z0-9+/=_-]+$/.test(token)) {
    throw MlflowError.invalidParameter(`Invalid page token, could not base64-decode. Underlying error: invalid characters in '${token}'`);
  }
  const decoded = Buffer.from(token, 'base64').toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(decoded);
  } catch {
    throw MlflowError.invalidParameter(`Invalid page token, decoded value=${decoded}`);
  }
  const offset = (parsed as { offset?: unknown } | null)?.offset;
  if (typeof offset !== 'number' || !Number.isInteger(offset) || offset <= 0) {
    throw MlflowError.invalidParameter(`Invalid page token, parsed value=${JSON.stringify(parsed)}`);
  }
  return offset;
}
