/**
 * Indexes Runlens adds to MLflow's schema, all named `runlens_*` (the schema test allows exactly
 * these): metric histories read by run and key in step order (charts' sampled reads, first and
 * last steps) and in MLflow's (timestamp, step, value) order for paged histories. MLflow ignores
 * indexes it does not know, and its migrations leave them alone.
 */
export const RUNLENS_INDEX_STATEMENTS: readonly string[] = [
  'CREATE INDEX IF NOT EXISTS runlens_metrics_run_key_step ON metrics (run_uuid, "key", step)',
  'CREATE INDEX IF NOT EXISTS runlens_metrics_run_key_time ON metrics (run_uuid, "key", timestamp, step, value, is_nan)',
];
