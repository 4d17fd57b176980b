import type { Page } from '../../entities';
import { decodeOffsetToken, encodeOffsetToken } from '../../search/pageToken';

/**
 * One page from the keys of a query that fetched one row more than a page: the extra row tells
 * that a next page exists (so no token leads to an empty page).
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

/**
 * One page of runs as MLflow's SQL store pages them: a full page always carries a next-page token,
 * even when no row follows (the query fetches exactly a page).
 */
export async function fullPageOfKeys<K, T>(keys: K[], maxResults: number, offset: number, load: (keys: K[]) => Promise<T[]>): Promise<Page<T>> {
  const items = await load(keys);
  return keys.length >= maxResults ? { items, nextPageToken: encodeOffsetToken(offset + maxResults) } : { items };
}

/**
 * Sets the OFFSET of a search query built with offset 0 (the builders put it last), so that the
 * filter and order_by are checked before the page token, in MLflow's order.
 */
export function atOffset<Q extends { params: unknown[] }>(query: Q, pageToken: string | undefined): { query: Q; offset: number } {
  const offset = decodeOffsetToken(pageToken);
  query.params[query.params.length - 1] = Math.max(0, offset);
  return { query, offset };
}
