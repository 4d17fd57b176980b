/** A minimal JSON client for our server in tests: returns status and parsed body, never throws on HTTP errors. */
export interface ApiResponse<T = any> {
  status: number;
  body: T;
  contentType: string | null;
}

export async function call<T = any>(base: string, method: string, route: string, payload?: unknown, headers: Record<string, string> = {}): Promise<ApiResponse<T>> {
  let url = `${base}/api/2.0/mlflow/${route}`;
  const init: RequestInit = { method, headers: { ...headers } };
  if (method === 'GET' && payload) {
    const query = new URLSearchParams();
    for (const [k, v] of Object.entries(payload as Record<string, unknown>)) {
      for (const item of Array.isArray(v) ? v : [v]) query.append(k, String(item));
    }
    url += `?${query}`;
  } else if (payload !== undefined) {
    init.body = typeof payload === 'string' ? payload : JSON.stringify(payload);
    (init.headers as Record<string, string>)['Content-Type'] ??= 'application/json';
  }
  const res = await fetch(url, init);
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Non-JSON answers (text/plain errors) stay text.
  }
  return { status: res.status, body: body as T, contentType: res.headers.get('content-type') };
}
