/**
 * Request checks of the sampled and bulk metric-history endpoints (compat §1.4, §1.7), in the
 * order and wording of MLflow's handlers, so that every kind of store answers the same.
 */
import { MlflowError } from '../../errors';
import type { BulkIntervalRequest } from '../../store/trackingStore';
import { missingValue, type RequestFields } from '../requestFields';

export const MAX_RUNS_PER_BULK_REQUEST = 100;
export const MAX_SAMPLED_STEPS = 2500;
export const MAX_BULK_HISTORY_RESULTS = 25000;

const API_DOCS = ' See the API docs for more information about request parameters.';

/** get-history-bulk-interval: run_ids, metric_key, start/end step and max_results. */
export function readBulkIntervalRequest(fields: RequestFields): BulkIntervalRequest {
  if (!fields.has('run_ids')) throw missingValue('run_ids');
  const runIds = fields.stringList('run_ids');
  if (runIds.length > MAX_RUNS_PER_BULK_REQUEST) {
    throw MlflowError.invalidParameter(
      `GetMetricHistoryBulkInterval request must specify at most ${MAX_RUNS_PER_BULK_REQUEST} run_ids. Received ${runIds.length} run_ids.${API_DOCS}`,
    );
  }
  const metricKey = fields.requiredString('metric_key');
  const startStep = fields.int('start_step');
  const endStep = fields.int('end_step');
  const maxResults = fields.int('max_results') ?? MAX_SAMPLED_STEPS;
  if (maxResults < 1 || maxResults > MAX_SAMPLED_STEPS) {
    throw MlflowError.invalidParameter(`max_results must be between 1 and ${MAX_SAMPLED_STEPS}.${API_DOCS}`);
  }
  if (startStep !== undefined && endStep !== undefined) {
    if (startStep > endStep) {
      throw MlflowError.invalidParameter(`end_step must be greater than start_step. Found start_step=${startStep} and end_step=${endStep}.`);
    }
  } else if (startStep !== undefined || endStep !== undefined) {
    throw MlflowError.invalidParameter('If either start step or end step are specified, both must be specified.');
  }
  return { runIds, metricKey, startStep, endStep, maxResults };
}

export interface HistoryBulkRequest {
  runIds: string[];
  metricKey: string;
  /** Already capped at 25000; zero or negative as given (MLflow slices with it). */
  maxResults: number;
}

/** Python's int() of a query value, or undefined where it would raise. */
function pyInt(text: string): number | undefined {
  return /^\s*[+-]?\d+(_\d+)*\s*$/.test(text) ? parseInt(text.replace(/_/g, ''), 10) : undefined;
}

/** get-history-bulk, which reads only the query string: repeated run_id, metric_key, max_results. */
export function readHistoryBulkRequest(query: URLSearchParams): HistoryBulkRequest {
  const runIds = query.getAll('run_id');
  if (runIds.length === 0) throw MlflowError.invalidParameter('GetMetricHistoryBulk request must specify at least one run_id.');
  if (runIds.length > MAX_RUNS_PER_BULK_REQUEST) {
    throw MlflowError.invalidParameter(
      `GetMetricHistoryBulk request cannot specify more than ${MAX_RUNS_PER_BULK_REQUEST} run_ids. Received ${runIds.length} run_ids.`,
    );
  }
  const metricKey = query.get('metric_key');
  if (metricKey === null) throw MlflowError.invalidParameter('GetMetricHistoryBulk request must specify a metric_key.');
  const text = query.get('max_results');
  const requested = text === null ? MAX_BULK_HISTORY_RESULTS : pyInt(text);
  // MLflow's int() raises outside its error handling here: an internal error.
  if (requested === undefined) throw new MlflowError('INTERNAL_ERROR', `invalid literal for int() with base 10: '${text}'`);
  return { runIds, metricKey, maxResults: Math.min(requested, MAX_BULK_HISTORY_RESULTS) };
}
