import type { Experiment, Run, ViewType } from '../entities';
import type { MlflowClient } from '../client/mlflowClient';
import { isCancellation, type CopyContext } from './copyContext';
import { COPY_COMPLETE_TAG, COPY_SOURCE_TAG, copyableTags, missingTags, sourceIdOf, sourceRef, tagValue } from './copyTags';
import { LoggedModelCopier } from './loggedModelCopier';
import { copyRun } from './runCopier';

/** Every experiment of a store, all pages. */
export async function allExperiments(client: MlflowClient, viewType: ViewType): Promise<Experiment[]> {
  const all: Experiment[] = [];
  let pageToken: string | undefined;
  do {
    const page = await client.searchExperiments({ viewType, pageToken, maxResults: 1000 });
    all.push(...page.items);
    pageToken = page.nextPageToken;
  } while (pageToken);
  return all;
}

/** Every run of an experiment matching a filter, oldest first, all pages. */
async function allRuns(client: MlflowClient, experimentId: string, viewType: ViewType, filter?: string): Promise<Run[]> {
  const all: Run[] = [];
  let pageToken: string | undefined;
  do {
    const page = await client.searchRuns({ experimentIds: [experimentId], viewType, filter, orderBy: ['attributes.start_time ASC'], maxResults: 1000, pageToken });
    all.push(...page.items);
    pageToken = page.items.length > 0 ? page.nextPageToken : undefined;
  } while (pageToken);
  return all;
}

/** The destination's copies in an experiment, by source run id. */
async function copiedRuns(ctx: CopyContext, destExperimentId: string): Promise<Map<string, Run>> {
  const runs = await allRuns(ctx.dest, destExperimentId, 'ALL', `tags.\`${COPY_SOURCE_TAG}\` LIKE '%'`);
  const bySource = new Map<string, Run>();
  for (const run of runs) {
    const id = sourceIdOf(tagValue(run.data.tags, COPY_SOURCE_TAG));
    if (id && !bySource.has(id)) bySource.set(id, run);
  }
  return bySource;
}

/**
 * The destination experiment for a source one, matched by name (created with the source's tags
 * when missing; tags it lacks are added). Undefined, with a failure recorded, when it cannot be used.
 */
async function destinationExperiment(ctx: CopyContext, source: Experiment): Promise<{ experiment: Experiment; created: boolean } | undefined> {
  const tags = copyableTags(source.tags);
  const found = await ctx.dest.getExperimentByName(source.name);
  if (!found) {
    const id = await ctx.dest.createExperiment(source.name, [...tags, { key: COPY_SOURCE_TAG, value: sourceRef(ctx.sourceId, source.experiment_id) }]);
    return { experiment: await ctx.dest.getExperiment(id), created: true };
  }
  const ours = sourceIdOf(tagValue(found.tags, COPY_SOURCE_TAG)) === source.experiment_id;
  if (found.lifecycle_stage === 'deleted' && !ours) {
    ctx.fail('experiments', `experiment '${source.name}'`, new Error(`the destination has a deleted experiment named '${source.name}' that this copy did not create; restore or rename it, or permanently delete it (runlens gc), then copy again`));
    return undefined;
  }
  for (const tag of missingTags(tags, found.tags)) await ctx.dest.setExperimentTag(found.experiment_id, tag.key, tag.value);
  return { experiment: found, created: false };
}

/** Copies one experiment: the experiment itself, its runs (with their logged models) and remaining logged models. */
export async function copyExperiment(ctx: CopyContext, source: Experiment): Promise<void> {
  const what = `experiment '${source.name}'`;
  const viewType: ViewType = ctx.options.includeDeleted === false ? 'ACTIVE_ONLY' : 'ALL';
  let dest: Experiment;
  try {
    const found = await destinationExperiment(ctx, source);
    if (!found) return;
    dest = found.experiment;
    if (found.created) {
      ctx.kinds.experiments.copied++;
      ctx.counts.experiments++;
    } else ctx.kinds.experiments.skipped++;
  } catch (e) {
    if (isCancellation(e, ctx)) throw e;
    ctx.fail('experiments', what, e);
    return;
  }
  ctx.report('experiment', `${what}: ${dest.lifecycle_stage === 'deleted' ? 'resuming a deleted copy' : 'copying'} into experiment ${dest.experiment_id}`);

  const runs = await allRuns(ctx.source, source.experiment_id, viewType);
  const copies = await copiedRuns(ctx, dest.experiment_id);
  const unfinished = runs.some((r) => !tagValue(copies.get(r.info.run_id)?.data.tags, COPY_COMPLETE_TAG));
  const reopen = dest.lifecycle_stage === 'deleted' && unfinished;
  if (reopen) {
    // A deleted experiment this copy made earlier: reopen it to finish its runs, delete it again at the end.
    await ctx.dest.restoreExperiment(dest.experiment_id);
  }
  const models = new LoggedModelCopier(ctx, dest.experiment_id);
  try {
    await models.load(source.experiment_id);
  } catch (e) {
    if (isCancellation(e, ctx)) throw e;
    ctx.fail('loggedModels', `logged models of ${what}`, e);
  }
  let failed = 0;
  for (const run of runs) {
    ctx.throwIfCancelled();
    try {
      await copyRun(ctx, run, dest.experiment_id, copies.get(run.info.run_id), models);
    } catch (e) {
      if (isCancellation(e, ctx)) throw e;
      failed++;
      ctx.fail('runs', `run '${run.info.run_name}' (${run.info.run_id}) of ${what}`, e);
    }
  }
  for (const model of models.remaining()) await models.copy(model);
  const ours = sourceIdOf(tagValue(dest.tags, COPY_SOURCE_TAG)) === source.experiment_id;
  const active = dest.lifecycle_stage !== 'deleted' || reopen;
  if (source.lifecycle_stage === 'deleted' && ours && active) {
    if (failed === 0) ctx.pendingExperimentDeletes.push(dest.experiment_id);
    else ctx.notes.push(`${what} is deleted in the source; its copy stays active until all its runs are copied`);
  }
}
