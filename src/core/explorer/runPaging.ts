/** How the Experiments view pages an experiment's runs: newest first, one page of 50 at a time. */
import type { ViewType } from '../entities';

export const RUN_PAGE_SIZE = 50;

export interface RunPageQuery {
  experimentId: string;
  /** MLflow search syntax; validated by the server. */
  filter?: string;
  showDeleted: boolean;
  pageToken?: string;
}

export interface RunSearchRequest {
  experimentIds: string[];
  filter?: string;
  orderBy: string[];
  viewType: ViewType;
  maxResults: number;
  pageToken?: string;
}

/** The `runs/search` request of one page: runs/search already carries latest metrics, params and tags. */
export function runPageRequest(query: RunPageQuery): RunSearchRequest {
  const filter = query.filter?.trim();
  return {
    experimentIds: [query.experimentId],
    filter: filter ? filter : undefined,
    orderBy: ['attributes.start_time DESC'],
    viewType: query.showDeleted ? 'ALL' : 'ACTIVE_ONLY',
    maxResults: RUN_PAGE_SIZE,
    pageToken: query.pageToken,
  };
}

/**
 * Appends a further page to what is shown, dropping runs already there: offset page tokens shift
 * when runs are created between two page loads, and a tree must not show one id twice.
 */
export function appendPage<T>(shown: readonly T[], next: readonly T[], idOf: (item: T) => string): T[] {
  const seen = new Set(shown.map(idOf));
  return [...shown, ...next.filter((item) => !seen.has(idOf(item)))];
}
