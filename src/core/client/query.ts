export type Query = Record<string, string | number | boolean | undefined | Array<string | number>>;

/** A query string (`?a=1&b=x&b=y`, repeated keys for arrays) or '' when nothing is set. */
export function toQuery(query: Query): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) params.append(key, String(item));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}
