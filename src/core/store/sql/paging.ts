import type { Page } from '../../entities';
import { encodeOffsetToken } from '../../search/pageToken';

/**
 * One page from the keys of a query that fetched one row more than a page: the extra row tells
 * that a next page exists (so no token leads to an empty page, unlike MLflow's SQL store).
 */
export async function pageOfKeys<K, T>(
  keys: K[],
  maxResults: number,
  offset: number,
  load: (keys: K[]) => Promise<T[]> | T[],
): Promise<Page<T>> {
  const more = keys.length > maxResults;
  const items = await load(more ? keys.slice(0, maxResults) : keys);
  return more ? { items, nextPageToken: encodeOffsetToken(offset + maxResults) } : { items };
}
