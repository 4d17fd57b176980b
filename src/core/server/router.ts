import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestFields } from './requestFields';

/** A decoded JSON API request. */
export interface ApiRequest {
  method: string;
  /** The path after the API prefix, e.g. "runs/create". */
  route: string;
  fields: RequestFields;
  /** Path parameters captured by ":name" segments. */
  params: Record<string, string>;
  raw: IncomingMessage;
}

/** A JSON endpoint: returns the response body (sent with status 200). */
export type ApiHandler = (req: ApiRequest) => Promise<object> | object;

/** An endpoint that writes the response itself (streams, non-JSON bodies). */
export type RawHandler = (req: IncomingMessage, res: ServerResponse, params: Record<string, string>) => Promise<void>;

interface Entry<H> {
  method: string;
  segments: string[];
  handler: H;
}

export interface Match<H> {
  handler: H;
  params: Record<string, string>;
}

/** Routes by method and path; ":name" segments capture, a trailing "*name" captures the rest. */
export class RouteTable<H> {
  private readonly entries: Entry<H>[] = [];
  private readonly exact = new Map<string, H>();

  add(method: string, path: string, handler: H): this {
    if (!path.includes(':') && !path.includes('*')) {
      this.exact.set(`${method} ${path}`, handler);
    }
    this.entries.push({ method, segments: path.split('/'), handler });
    return this;
  }

  /** The handler for a request, or 'method' when the path exists under another method. */
  match(method: string, path: string): Match<H> | 'method' | undefined {
    const direct = this.exact.get(`${method} ${path}`);
    if (direct) return { handler: direct, params: {} };
    const parts = path.split('/');
    let otherMethod = false;
    for (const entry of this.entries) {
      const params = matchSegments(entry.segments, parts);
      if (!params) continue;
      if (entry.method === method) return { handler: entry.handler, params };
      otherMethod = true;
    }
    return otherMethod ? 'method' : undefined;
  }
}

function matchSegments(pattern: string[], parts: string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const seg = pattern[i];
    if (seg.startsWith('*')) {
      params[seg.slice(1)] = parts.slice(i).join('/');
      return params;
    }
    if (i >= parts.length) return undefined;
    if (seg.startsWith(':')) {
      if (parts[i] === '') return undefined;
      params[seg.slice(1)] = decodeURIComponent(parts[i]);
    } else if (seg !== parts[i]) {
      return undefined;
    }
  }
  return pattern.length === parts.length ? params : undefined;
}
