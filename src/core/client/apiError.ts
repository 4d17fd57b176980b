import type { IncomingHttpHeaders } from 'node:http';

/** An error answered by an MLflow server, with its HTTP status and MLflow error code. */
export class MlflowApiError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
  ) {
    super(message);
    this.name = 'MlflowApiError';
  }
}

/** Error codes of answers that carry no MLflow error body (proxies, auth layers, the 3.x security middleware). */
export const HTTP_ERROR_CODES = {
  unauthenticated: 'UNAUTHENTICATED',
  permissionDenied: 'PERMISSION_DENIED',
  hostNotAllowed: 'INVALID_HOST_HEADER',
  crossOrigin: 'CROSS_ORIGIN_BLOCKED',
} as const;

export interface ErrorContext {
  method: string;
  /** Path of the request, without query. */
  path: string;
  /** Server URL without credentials. */
  baseUrl: string;
  authKind: 'none' | 'basic' | 'bearer';
  /** Removes configured secrets from text the server sent. */
  redact: (text: string) => string;
}

function unauthenticated(ctx: ErrorContext, headers: IncomingHttpHeaders, detail: string): MlflowApiError {
  const wants = /^\s*(\w+)/.exec(String(headers['www-authenticate'] ?? ''))?.[1];
  const asks = wants ? ` The server asks for ${wants} authentication.` : '';
  const fix =
    ctx.authKind === 'none'
      ? 'Set MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD (basic auth) or MLFLOW_TRACKING_TOKEN (bearer token).'
      : ctx.authKind === 'basic'
        ? 'The username/password from MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD were rejected; check them.'
        : 'The token from MLFLOW_TRACKING_TOKEN was rejected; it may be wrong or expired.';
  return new MlflowApiError(
    401,
    HTTP_ERROR_CODES.unauthenticated,
    `${ctx.method} ${ctx.baseUrl}${ctx.path}: 401 Unauthorized. ${fix}${asks}${detail ? ` (server said: ${detail})` : ''}`,
  );
}

/**
 * The error for a non-2xx answer: MLflow's JSON error when there is one, else a message that
 * explains 401s, the 3.x Host-header and cross-origin checks (403) and other non-JSON answers.
 */
export function apiErrorFrom(status: number, headers: IncomingHttpHeaders, bodyText: string, ctx: ErrorContext): MlflowApiError {
  let json: { error_code?: unknown; message?: unknown } | undefined;
  try {
    json = JSON.parse(bodyText) as typeof json;
  } catch {
    json = undefined;
  }
  const text = ctx.redact(bodyText.slice(0, 300).trim());
  const mlflowMessage = typeof json?.message === 'string' ? ctx.redact(json.message) : '';
  if (status === 401) return unauthenticated(ctx, headers, mlflowMessage || (json ? '' : text));
  if (status === 403 && /DNS rebinding/i.test(bodyText)) {
    const host = new URL(ctx.baseUrl).host;
    return new MlflowApiError(
      403,
      HTTP_ERROR_CODES.hostNotAllowed,
      `${ctx.method} ${ctx.baseUrl}${ctx.path}: 403, the server refused the Host header '${host}' (MLflow 3.x DNS-rebinding protection). Start the server with --allowed-hosts '${new URL(ctx.baseUrl).hostname}' (or set MLFLOW_SERVER_ALLOWED_HOSTS on it), or connect through localhost or a private-network address.`,
    );
  }
  if (status === 403 && /Cross-origin request blocked/i.test(bodyText)) {
    return new MlflowApiError(403, HTTP_ERROR_CODES.crossOrigin, `${ctx.method} ${ctx.baseUrl}${ctx.path}: 403, the server blocked a cross-origin request (an Origin header it does not allow).`);
  }
  if (typeof json?.error_code === 'string') {
    return new MlflowApiError(status, json.error_code, mlflowMessage);
  }
  if (status === 403) {
    return new MlflowApiError(
      403,
      HTTP_ERROR_CODES.permissionDenied,
      `${ctx.method} ${ctx.baseUrl}${ctx.path}: 403 Forbidden. ${ctx.authKind === 'none' ? 'The server may need credentials (MLFLOW_TRACKING_USERNAME/PASSWORD or MLFLOW_TRACKING_TOKEN).' : 'The credentials were accepted but lack permission for this.'}${text ? ` (server said: ${text})` : ''}`,
    );
  }
  const code = status === 404 ? 'ENDPOINT_NOT_FOUND' : status === 503 ? 'TEMPORARILY_UNAVAILABLE' : 'INTERNAL_ERROR';
  return new MlflowApiError(status, code, `${ctx.method} ${ctx.baseUrl}${ctx.path}: HTTP ${status}${text ? `: ${text}` : ''}`);
}
