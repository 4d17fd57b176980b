import { MlflowError } from '../errors';

/** The one answer to every unsafe artifact path (compat §2.9). */
export function invalidPath(): MlflowError {
  return MlflowError.invalidParameter('Invalid path');
}

const PERCENT_RUN = /(?:%[0-9a-fA-F]{2})+/g;
const MAX_DECODE_ROUNDS = 10;

/** One round of percent-decoding as Python's `unquote` does it: malformed escapes stay as they are, bad UTF-8 becomes U+FFFD. */
export function percentDecodeOnce(text: string): string {
  if (!text.includes('%')) return text;
  return text.replace(PERCENT_RUN, (run) => Buffer.from(run.replace(/%/g, ''), 'hex').toString('utf8'));
}

/** Percent-decodes until the text stops changing; text that still changes after 10 rounds is refused. */
export function percentDecodeFully(text: string): string {
  let current = text;
  for (let round = 0; round < MAX_DECODE_ROUNDS; round++) {
    const next = percentDecodeOnce(current);
    if (next === current) return current;
    current = next;
  }
  throw invalidPath();
}

// Control characters (C0, DEL and C1) never belong in an artifact path.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const DRIVE_LETTER = /^[a-zA-Z]:/;
const FILE_URI = /^file:(?:\/\/[^/]*)?(.*)$/i;

/**
 * Checks a client-supplied artifact path and returns it decoded: relative, POSIX separators only.
 * Refused with 400 `Invalid path`: `#`, backslashes, control characters (NUL included), any `..`
 * segment, absolute POSIX paths, Windows drive letters and UNC paths — judged after repeated
 * percent-decoding, so `%2e%2e` and `%252e%252e` are `..` too. `file:` URIs are turned into their
 * path first (and are then absolute, hence refused). The empty path (the root) is allowed.
 */
export function validateArtifactPath(raw: string): string {
  let decoded = percentDecodeFully(raw);
  if (CONTROL.test(decoded) || decoded.includes('#') || decoded.includes('\\')) throw invalidPath();
  const fileUri = FILE_URI.exec(decoded);
  if (fileUri) decoded = fileUri[1];
  if (decoded.startsWith('/') || DRIVE_LETTER.test(decoded)) throw invalidPath();
  if (decoded.split('/').includes('..')) throw invalidPath();
  return decoded;
}

/** Joins artifact paths with `/` as Python's posixpath.join does for relative parts (empty parts vanish). */
export function joinArtifactPath(...parts: string[]): string {
  return parts.filter((p) => p !== '').join('/').replace(/\/{2,}/g, '/');
}

/** The last segment of an artifact path (`a/b/c.txt` → `c.txt`, `a/b/` → `b`). */
export function artifactBasename(artifactPath: string): string {
  const trimmed = artifactPath.replace(/\/+$/, '');
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}
