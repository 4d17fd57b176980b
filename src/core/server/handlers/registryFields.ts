import type { RequestFields } from '../requestFields';

/** Request-field helpers shared by the registry handlers. */

/** Tags of a create request; a missing key is "" and fails the tag-name check, as in MLflow. */
export function registryTagsOf(fields: RequestFields): Array<{ key: string; value: string }> {
  return fields.objectList('tags').map((t) => ({ key: t.string('key') ?? '', value: t.string('value') ?? '' }));
}

/** A search answer: the list and the token only when present. */
export function searchBody<T>(key: string, page: { items: T[]; nextPageToken?: string }): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (page.items.length > 0) body[key] = page.items;
  if (page.nextPageToken) body.next_page_token = page.nextPageToken;
  return body;
}
