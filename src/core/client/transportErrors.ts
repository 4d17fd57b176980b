/** An error from the transport itself: unreachable, timed out, TLS refused, cancelled. */
export class TransportError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = 'TransportError';
  }
}

/** Node's codes for certificates that could not be verified (OpenSSL's names). */
const CERTIFICATE_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** Codes worth another attempt of an idempotent request: the server may be restarting or the network hiccuped. */
const RETRYABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN', 'ECONNABORTED']);

export function isRetryableTransportError(e: TransportError): boolean {
  return RETRYABLE_CODES.has(e.code);
}

export function isCertificateError(code: string): boolean {
  return CERTIFICATE_CODES.has(code) || code.startsWith('ERR_TLS_CERT') || code.startsWith('ERR_SSL_');
}

export interface RequestDescription {
  method: string;
  url: URL;
  timeoutMs: number;
  /** Whether TLS verification was switched off (then certificate errors cannot happen). */
  insecure?: boolean;
  /** Whether a CA file was configured. */
  hasCa?: boolean;
}

function where(d: RequestDescription): string {
  return `${d.method} ${d.url.origin}${d.url.pathname}`;
}

/** A request that got no answer within the timeout. */
export function timeoutError(d: RequestDescription): TransportError {
  const seconds = d.timeoutMs / 1000;
  return new TransportError(
    `${where(d)}: no response within ${seconds} s. The server may be overloaded or unreachable; raise MLFLOW_HTTP_REQUEST_TIMEOUT (seconds) if it is just slow.`,
    'ETIMEDOUT',
  );
}

export function abortedError(d: RequestDescription): TransportError {
  return new TransportError(`${where(d)}: cancelled.`, 'ABORTED');
}

/**
 * A low-level error (Node's `error` event on the request) as a TransportError with an actionable
 * message. The message names the method, origin and path only: never headers, credentials or query.
 */
export function networkError(e: NodeJS.ErrnoException, d: RequestDescription): TransportError {
  const code = e.code ?? 'EREQUEST';
  const host = d.url.hostname;
  const port = d.url.port || (d.url.protocol === 'https:' ? '443' : '80');
  if (code === 'ECONNREFUSED') {
    return new TransportError(`${where(d)}: connection refused. Nothing is listening on ${host}:${port}; check that the tracking server is running and that MLFLOW_TRACKING_URI has the right host and port.`, code);
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME') {
    return new TransportError(`${where(d)}: the host name '${host}' could not be resolved (DNS ${code}). Check MLFLOW_TRACKING_URI for a typo and this machine's network or VPN.`, code);
  }
  if (isCertificateError(code)) {
    const why = code === 'ERR_TLS_CERT_ALTNAME_INVALID' ? `its certificate is not valid for the name '${host}'` : `its certificate could not be verified (${code}: ${e.message})`;
    const fix = d.hasCa
      ? 'The CA file in MLFLOW_TRACKING_SERVER_CERT_PATH does not vouch for it; point that variable at the CA that signed the server certificate.'
      : 'If the server uses a private or self-signed certificate, set MLFLOW_TRACKING_SERVER_CERT_PATH to its CA file (PEM), or, only on a trusted network, MLFLOW_TRACKING_INSECURE_TLS=true to skip verification.';
    return new TransportError(`${where(d)}: TLS refused: ${why}. ${fix}`, code);
  }
  if (code === 'EPROTO' || code.startsWith('ERR_SSL') || /wrong version number|ssl3_get_record|packet length too long/i.test(e.message)) {
    const why = /wrong version number|packet length too long/i.test(e.message) ? 'the answer was not TLS' : e.message.split('\n')[0].trim();
    return new TransportError(`${where(d)}: TLS handshake failed (${why}). Is the server really speaking https on port ${port}? Use http:// if it is not.`, 'EPROTO');
  }
  if (code === 'ECONNRESET' || e.message === 'socket hang up') {
    return new TransportError(`${where(d)}: the server closed the connection before answering (${code}). A proxy in between, or a server crash, may be the cause.`, 'ECONNRESET');
  }
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'ENETDOWN') {
    return new TransportError(`${where(d)}: ${host} is unreachable from this machine (${code}). Check the network, VPN or firewall.`, code);
  }
  return new TransportError(`${where(d)}: ${e.message}`, code);
}
