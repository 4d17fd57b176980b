import type { DatasetInput, KeyValue, Run } from '../entities';
import { copyTree, destinationRoot, listFiles, presentFiles } from './artifactCopier';
import type { CopyContext } from './copyContext';
import { chunks, COPY_COMPLETE_TAG, COPY_SOURCE_TAG, copyableTags, missingTags, sourceRef, tagValue } from './copyTags';
import type { LoggedModelCopier } from './loggedModelCopier';
import { copyMetrics } from './metricCopier';

const PARENT_TAG = 'mlflow.parentRunId';
/** MLflow's log-batch limit for params and tags per request. */
const BATCH_KEYS = 100;

function datasetKey(input: DatasetInput): string {
  const tags = [...(input.tags ?? [])].sort((a, b) => (a.key < b.key ? -1 : 1)).map((t) => `${t.key}=${t.value}`);
  return JSON.stringify([input.dataset.name, input.dataset.digest, tags]);
}

/** The tags a copy gets: the source's (its own copy tags dropped, the parent re-pointed) plus the copy's source tag. */
function wantedTags(ctx: CopyContext, run: Run): KeyValue[] {
  const tags = copyableTags(run.data.tags).map((t) => (t.key === PARENT_TAG && ctx.runs.has(t.value) ? { key: t.key, value: ctx.runs.get(t.value)!.destRunId } : t));
  return [...tags, { key: COPY_SOURCE_TAG, value: sourceRef(ctx.sourceId, run.info.run_id) }];
}

/**
 * Copies one run into `destExperimentId`, or finishes the copy an earlier, interrupted copy
 * started (`existing` without the complete tag), or only records a complete one. Deleting the
 * copy of a deleted run and re-pointing parents happen at the end of the whole copy.
 */
export async function copyRun(ctx: CopyContext, summary: Run, destExperimentId: string, existing: Run | undefined, models: LoggedModelCopier): Promise<void> {
  const sourceId = summary.info.run_id;
  if (existing && tagValue(existing.data.tags, COPY_COMPLETE_TAG)) {
    ctx.runs.set(sourceId, { destRunId: existing.info.run_id, sourceArtifactUri: summary.info.artifact_uri, destArtifactUri: existing.info.artifact_uri });
    for (const model of models.modelsOfRun(sourceId)) await models.copy(model);
    noteFollowUps(ctx, summary, existing);
    ctx.kinds.runs.skipped++;
    return;
  }
  const run = await ctx.source.getRun(sourceId);
  const tags = wantedTags(ctx, run);
  const resumed = existing !== undefined;
  const dest = existing
    ? await ctx.dest.getRun(existing.info.run_id)
    : await ctx.dest.createRun(destExperimentId, { runName: run.info.run_name, startTime: run.info.start_time, userId: run.info.user_id, tags });
  const destId = dest.info.run_id;
  ctx.runs.set(sourceId, { destRunId: destId, sourceArtifactUri: run.info.artifact_uri, destArtifactUri: dest.info.artifact_uri });

  const haveParams = new Map((dest.data.params ?? []).map((p) => [p.key, p.value]));
  const params = (run.data.params ?? []).filter((p) => haveParams.get(p.key) !== p.value);
  for (const batch of chunks(params, BATCH_KEYS)) await ctx.dest.logBatch(destId, { params: batch });
  const newTags = resumed ? missingTags(tags, dest.data.tags) : [];
  for (const batch of chunks(newTags, BATCH_KEYS)) await ctx.dest.logBatch(destId, { tags: batch });

  for (const model of models.modelsOfRun(sourceId)) await models.copy(model);
  const inputs = await copyInputs(ctx, run, dest);
  ctx.throwIfCancelled();

  const keys = [...new Set((run.data.metrics ?? []).map((m) => m.key))];
  const points = await copyMetrics(ctx, sourceId, destId, keys, resumed, models.linksForRun(sourceId));
  const outputs = await copyOutputs(ctx, run, dest);

  const { files, bytes } = ctx.options.artifacts === false ? { files: 0, bytes: 0 } : await copyRunArtifacts(ctx, run, dest, resumed);

  ctx.throwIfCancelled();
  const { status, end_time: endTime } = run.info;
  const ended = status !== dest.info.status || (endTime !== undefined && endTime !== dest.info.end_time);
  if (ended) await ctx.dest.updateRun(destId, { status, endTime: endTime ?? undefined });
  // A run still RUNNING in the source stays incomplete, so the next copy catches up on it.
  if (status !== 'RUNNING') await ctx.dest.setTag(destId, COPY_COMPLETE_TAG, new Date().toISOString());
  noteFollowUps(ctx, run, dest);
  const name = run.info.run_name || sourceId;
  const changed = !resumed || ended || status !== 'RUNNING' || params.length + newTags.length + inputs + outputs + points + files > 0;
  if (!changed) {
    // A still-running run with nothing new since the last copy.
    ctx.kinds.runs.skipped++;
    return;
  }
  ctx.kinds.runs.copied++;
  ctx.counts.runs++;
  ctx.report('run', `run '${name}' ${resumed ? 'finished' : 'copied'}: ${points.toLocaleString('en-US')} metric points, ${files} files (${bytes.toLocaleString('en-US')} bytes)`);
}

/** Streams a run's artifact files into its copy's folder of the destination's proxied store. */
async function copyRunArtifacts(ctx: CopyContext, run: Run, dest: Run, resumed: boolean): Promise<{ files: number; bytes: number }> {
  const sourceId = run.info.run_id;
  const destId = dest.info.run_id;
  const list = await listFiles((p) => ctx.source.listArtifacts(sourceId, p).then((r) => r.files), ctx);
  ctx.checkArtifactRoot(run.info.artifact_uri, list.length > 0);
  if (list.length === 0) return { files: 0, bytes: 0 };
  const root = destinationRoot(dest.info.artifact_uri, `run ${destId}`);
  const present = resumed ? await presentFiles((p) => ctx.dest.listArtifacts(destId, p).then((r) => r.files), ctx) : undefined;
  return copyTree(ctx, list, (p) => ctx.source.openArtifact(sourceId, p), root, present);
}

/** Work left for the end of the copy: a parent tag still naming a source run, and deleting the copy of a deleted run. */
function noteFollowUps(ctx: CopyContext, source: Run, dest: Run): void {
  const parent = tagValue(source.data.tags, PARENT_TAG);
  const destParent = tagValue(dest.data.tags, PARENT_TAG);
  // The copy still names the source's parent run (it had not been copied yet when the copy was made).
  if (parent && (destParent === undefined || destParent === parent)) ctx.pendingParents.set(dest.info.run_id, parent);
  if (source.info.lifecycle_stage === 'deleted' && dest.info.lifecycle_stage !== 'deleted') ctx.pendingRunDeletes.push(dest.info.run_id);
}

/** Logs the dataset and model inputs the copy lacks; returns how many. */
async function copyInputs(ctx: CopyContext, run: Run, dest: Run): Promise<number> {
  const have = new Set((dest.inputs?.dataset_inputs ?? []).map(datasetKey));
  const datasets = (run.inputs?.dataset_inputs ?? []).filter((d) => !have.has(datasetKey(d)));
  const haveModels = new Set((dest.inputs?.model_inputs ?? []).map((m) => m.model_id));
  const modelIds: string[] = [];
  for (const { model_id } of run.inputs?.model_inputs ?? []) {
    const mapped = ctx.models.get(model_id)?.destModelId;
    if (!mapped) ctx.notes.push(`run ${run.info.run_id}: its input model ${model_id} was not copied, so the input is left out`);
    else if (!haveModels.has(mapped)) modelIds.push(mapped);
  }
  for (const batch of chunks(datasets, 100)) await ctx.dest.logInputs(dest.info.run_id, batch);
  if (modelIds.length > 0) await ctx.dest.logInputs(dest.info.run_id, [], modelIds);
  return datasets.length + modelIds.length;
}

/** Links the copied logged models the copy lacks as its outputs; returns how many. */
async function copyOutputs(ctx: CopyContext, run: Run, dest: Run): Promise<number> {
  const have = new Set((dest.outputs?.model_outputs ?? []).map((m) => `${m.model_id}@${m.step}`));
  const outputs: Array<{ model_id: string; step: number }> = [];
  for (const { model_id, step } of run.outputs?.model_outputs ?? []) {
    const mapped = ctx.models.get(model_id)?.destModelId;
    if (mapped && !have.has(`${mapped}@${step}`)) outputs.push({ model_id: mapped, step });
  }
  if (outputs.length > 0) await ctx.dest.logOutputs(dest.info.run_id, outputs);
  return outputs.length;
}
