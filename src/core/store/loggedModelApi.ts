import type { KeyValue, Page } from '../entities';
import type { LoggedModelOrder } from '../search/loggedModelSearch';
import type { CreateLoggedModelRequest, LoggedModel } from './sql/loggedModels';

type Maybe<T> = T | Promise<T>;

export interface LoggedModelSearch {
  experimentIds: string[];
  filter?: string;
  datasets?: Array<{ dataset_name: string; dataset_digest?: string }>;
  orderBy?: LoggedModelOrder[];
  maxResults: number;
  pageToken?: string;
}

/** What the logged-model endpoints (MLflow 3.x) need from a store. */
export interface LoggedModelApi {
  create(req: CreateLoggedModelRequest): Promise<LoggedModel>;
  get(modelId: string): Maybe<LoggedModel>;
  finalize(modelId: string, status: string): Promise<LoggedModel>;
  delete(modelId: string): Promise<void>;
  setTags(modelId: string, tags: KeyValue[]): Promise<void>;
  deleteTag(modelId: string, key: string): Promise<void>;
  logParams(modelId: string, params: KeyValue[]): Promise<void>;
  search(req: LoggedModelSearch): Maybe<Page<LoggedModel>>;
}
