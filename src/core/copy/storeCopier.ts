import type { MlflowClient } from '../client/mlflowClient';
import { CopyContext, isCancellation } from './copyContext';
import type { CopyOptions, CopySummary } from './copyTypes';
import { allExperiments, copyExperiment } from './experimentCopier';
import { copyRegistry } from './registryCopier';

export type { CopyOptions, CopySummary, CopyProgress, CopyCounts, CopyFailure, KindSummary, CopyKind } from './copyTypes';

/** The last steps: re-point parent tags to copied parents, then delete the copies of deleted runs and experiments. */
async function finish(ctx: CopyContext): Promise<void> {
  for (const [destRunId, sourceParent] of ctx.pendingParents) {
    const parent = ctx.runs.get(sourceParent);
    if (!parent) continue;
    try {
      await ctx.dest.setTag(destRunId, 'mlflow.parentRunId', parent.destRunId);
    } catch (e) {
      if (isCancellation(e, ctx)) throw e;
      ctx.fail('runs', `parent tag of run ${destRunId}`, e);
    }
  }
  for (const runId of ctx.pendingRunDeletes) {
    try {
      await ctx.dest.deleteRun(runId);
    } catch (e) {
      if (isCancellation(e, ctx)) throw e;
      ctx.fail('runs', `deleting run ${runId} (deleted in the source)`, e);
    }
  }
  for (const experimentId of ctx.pendingExperimentDeletes) {
    try {
      await ctx.dest.deleteExperiment(experimentId);
    } catch (e) {
      if (isCancellation(e, ctx)) throw e;
      ctx.fail('experiments', `deleting experiment ${experimentId} (deleted in the source)`, e);
    }
  }
}

/**
 * Copies everything from one tracking server to another over the MLflow REST API: experiments,
 * runs (info, params, tags, full metric histories, dataset inputs, artifacts), MLflow 3 logged
 * models and the model registry. Safe to run again: what an earlier copy finished is skipped,
 * what it left half done is finished without duplicates (see copyTags.ts).
 *
 * Connection problems with either server reject (before anything is written when they show at
 * the start); problems with single items are collected in the summary's failures. A cancelled
 * copy (options.signal) resolves with `cancelled: true`; running it again resumes.
 */
export async function copyStore(source: MlflowClient, dest: MlflowClient, options: CopyOptions): Promise<CopySummary> {
  const started = performance.now();
  const ctx = new CopyContext(source, dest, options);
  try {
    ctx.report('start', `checking ${source.baseUrl} and ${dest.baseUrl}`);
    await source.probe();
    await dest.probe();
    let experiments = await allExperiments(source, options.includeDeleted === false ? 'ACTIVE_ONLY' : 'ALL');
    if (options.experimentNames) {
      const wanted = new Set(options.experimentNames);
      experiments = experiments.filter((e) => wanted.has(e.name));
    }
    experiments.sort((a, b) => Number(a.experiment_id) - Number(b.experiment_id) || (a.experiment_id < b.experiment_id ? -1 : 1));
    for (const experiment of experiments) {
      ctx.throwIfCancelled();
      await copyExperiment(ctx, experiment);
    }
    if (options.registry !== false) await copyRegistry(ctx);
    ctx.throwIfCancelled();
    await finish(ctx);
  } catch (e) {
    if (!isCancellation(e, ctx)) throw e;
  }
  const summary = ctx.summary(started);
  ctx.report('done', summary.cancelled ? 'cancelled; run the same copy again to resume' : 'done');
  return summary;
}
