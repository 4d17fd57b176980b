/**
 * experiments/create's check of `artifact_location` (compat §2.6), as MLflow's handler does it
 * with Python's urlparse: a non-empty `#fragment`, or `;params` after the last `/` of a URL whose
 * scheme takes params (none, http, https, ftp, ...), is refused; so is a query string that, once
 * percent-decoded, contains `..`.
 */
import { MlflowError } from '../../errors';

const SCHEMES_WITH_PARAMS = ['', 'ftp', 'hdl', 'prospero', 'http', 'imap', 'https', 'shttp', 'rtsp', 'rtspu', 'sip', 'sips', 'mms', 'sftp', 'tel'];

interface UrlParts {
  scheme: string;
  params: string;
  query: string;
  fragment: string;
}

/** The parts of urlparse that matter here. */
function urlParts(location: string): UrlParts {
  // Python strips leading C0 controls and spaces, and drops tabs and newlines anywhere.
  let url = location.replace(/^[\x00-\x20]+/, '').replace(/[\t\r\n]/g, '');
  let scheme = '';
  const colon = url.indexOf(':');
  if (colon > 0 && /^[A-Za-z][A-Za-z0-9+\-.]*$/.test(url.slice(0, colon))) {
    scheme = url.slice(0, colon).toLowerCase();
    url = url.slice(colon + 1);
  }
  if (url.startsWith('//')) {
    const end = url.slice(2).search(/[/?#]/);
    url = end < 0 ? '' : url.slice(2 + end);
  }
  let fragment = '';
  const hash = url.indexOf('#');
  if (hash >= 0) [url, fragment] = [url.slice(0, hash), url.slice(hash + 1)];
  let query = '';
  const q = url.indexOf('?');
  if (q >= 0) [url, query] = [url.slice(0, q), url.slice(q + 1)];
  let params = '';
  if (SCHEMES_WITH_PARAMS.includes(scheme) && url.includes(';')) {
    const semi = url.indexOf(';', url.includes('/') ? url.lastIndexOf('/') : 0);
    if (semi >= 0) params = url.slice(semi + 1);
  }
  return { scheme, params, query, fragment };
}

/** Percent-decodes repeatedly until the text no longer changes (at most ten rounds). */
function decodeFully(text: string): string {
  let current = text;
  for (let i = 0; i < 10; i++) {
    let next: string;
    try {
      next = decodeURIComponent(current.replace(/%(?![0-9a-fA-F]{2})/g, '%25'));
    } catch {
      next = current;
    }
    if (next === current) return current;
    current = next;
  }
  throw new MlflowError('INTERNAL_ERROR', 'Failed to decode url');
}

export function checkArtifactLocationUrl(location: string): void {
  const parts = urlParts(location);
  if (parts.fragment || parts.params) {
    throw MlflowError.invalidParameter("'artifact_location' URL can't include fragments or params.");
  }
  if (decodeFully(parts.query).includes('..')) throw MlflowError.invalidParameter('Invalid query string');
}
