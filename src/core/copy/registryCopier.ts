import { MlflowApiError } from '../client/apiError';
import type { ModelVersion, RegisteredModel } from '../client/registryApi';
import { isCancellation, type CopyContext } from './copyContext';
import { COPY_SOURCE_TAG, copyableTags, missingTags, sourceIdOf, sourceRef, tagValue } from './copyTags';

function within(source: string, root: string): boolean {
  const base = root.replace(/\/+$/, '');
  return base !== '' && (source === base || source.startsWith(`${base}/`));
}

function rebase(source: string, from: string, to: string): string {
  return to.replace(/\/+$/, '') + source.slice(from.replace(/\/+$/, '').length);
}

/** The copied run or model whose source artifact location holds `source`. */
function holder<T extends { sourceArtifactUri: string }>(map: ReadonlyMap<string, T>, source: string): T | undefined {
  for (const mapping of map.values()) if (within(source, mapping.sourceArtifactUri)) return mapping;
  return undefined;
}

/**
 * What a version's copy points at: `runs:/<run>/…` and `models:/<model id>` sources name the
 * copies; a source inside a copied run's or logged model's artifact location is moved to the
 * copy's location; run_id and model_id name the copies. Anything else is kept as it was.
 */
export function repointVersion(ctx: CopyContext, version: ModelVersion): { source: string; runId?: string; modelId?: string; repointed: boolean } {
  const source = version.source ?? '';
  const modelRef = version.model_id || /^models:\/(m-[0-9a-f]+)$/.exec(source)?.[1];
  const run = (version.run_id ? ctx.runs.get(version.run_id) : undefined) ?? holder(ctx.runs, source);
  const model = (modelRef ? ctx.models.get(modelRef) : undefined) ?? holder(ctx.models, source);
  const ids = { runId: run?.destRunId, modelId: model?.destModelId };
  const runs = /^runs:\/([^/]+)(\/.*)?$/.exec(source);
  if (runs) {
    const mapped = ctx.runs.get(runs[1]);
    if (mapped) return { ...ids, runId: ids.runId ?? mapped.destRunId, source: `runs:/${mapped.destRunId}${runs[2] ?? ''}`, repointed: true };
  }
  if (/^models:\/m-[0-9a-f]+$/.test(source) && model) return { ...ids, source: `models:/${model.destModelId}`, repointed: true };
  if (run && within(source, run.sourceArtifactUri)) return { ...ids, source: rebase(source, run.sourceArtifactUri, run.destArtifactUri), repointed: true };
  if (model && within(source, model.sourceArtifactUri)) return { ...ids, source: rebase(source, model.sourceArtifactUri, model.destArtifactUri), repointed: true };
  return { ...ids, source, repointed: false };
}

async function destinationModel(ctx: CopyContext, source: RegisteredModel): Promise<RegisteredModel> {
  const tags = copyableTags(source.tags);
  try {
    const found = await ctx.dest.registry.getRegisteredModel(source.name);
    if (source.description && source.description !== found.description) await ctx.dest.registry.updateRegisteredModel(source.name, source.description);
    for (const tag of missingTags(tags, found.tags)) await ctx.dest.registry.setRegisteredModelTag(source.name, tag.key, tag.value);
    ctx.kinds.registeredModels.skipped++;
    return found;
  } catch (e) {
    if (!(e instanceof MlflowApiError && e.errorCode === 'RESOURCE_DOES_NOT_EXIST')) throw e;
  }
  const created = await ctx.dest.registry.createRegisteredModel(source.name, { description: source.description, tags });
  ctx.kinds.registeredModels.copied++;
  ctx.counts.registeredModels++;
  return created;
}

/** Copies one version, or brings an earlier copy (found by its source tag) up to date: description, tags, stage. */
async function copyVersion(ctx: CopyContext, model: string, version: ModelVersion, existing: ModelVersion | undefined): Promise<string> {
  const tags = [...copyableTags(version.tags), { key: COPY_SOURCE_TAG, value: sourceRef(ctx.sourceId, `${model}/${version.version}`) }];
  let dest = existing;
  if (!dest) {
    const target = repointVersion(ctx, version);
    if (!target.repointed) ctx.notes.push(`model '${model}' version ${version.version}: source '${version.source}' was kept as it is (its run or logged model was not copied)`);
    dest = await ctx.dest.registry.createModelVersion({
      name: model,
      source: target.source,
      runId: target.runId,
      runLink: version.run_link || undefined,
      description: version.description || undefined,
      tags,
      modelId: target.modelId,
    });
    ctx.kinds.modelVersions.copied++;
    ctx.counts.modelVersions++;
  } else {
    ctx.kinds.modelVersions.skipped++;
    if (version.description && version.description !== dest.description) await ctx.dest.registry.updateModelVersion(model, dest.version, version.description);
    for (const tag of missingTags(tags, dest.tags)) await ctx.dest.registry.setModelVersionTag(model, dest.version, tag.key, tag.value);
  }
  const stage = version.current_stage ?? 'None';
  if (stage !== (dest.current_stage ?? 'None')) await ctx.dest.registry.transitionStage(model, dest.version, stage);
  return dest.version;
}

/** Copies one registered model with its versions and aliases. */
async function copyRegisteredModel(ctx: CopyContext, listed: RegisteredModel): Promise<void> {
  const source = await ctx.source.registry.getRegisteredModel(listed.name);
  const dest = await destinationModel(ctx, source);
  const copies = new Map<string, ModelVersion>();
  for (const v of await ctx.dest.registry.allVersions(source.name)) {
    const id = sourceIdOf(tagValue(v.tags, COPY_SOURCE_TAG));
    if (id) copies.set(id, v);
  }
  const versions = new Map<string, string>();
  for (const version of await ctx.source.registry.allVersions(source.name)) {
    ctx.throwIfCancelled();
    try {
      versions.set(version.version, await copyVersion(ctx, source.name, version, copies.get(`${source.name}/${version.version}`)));
    } catch (e) {
      if (isCancellation(e, ctx)) throw e;
      ctx.fail('modelVersions', `model '${source.name}' version ${version.version}`, e);
    }
  }
  const destAliases = new Map((dest.aliases ?? []).map((a) => [a.alias, String(a.version)]));
  for (const { alias, version } of source.aliases ?? []) {
    const target = versions.get(String(version));
    if (!target) {
      ctx.notes.push(`model '${source.name}': alias '${alias}' points at version ${version}, which was not copied; the alias is left out`);
      continue;
    }
    if (destAliases.get(alias) !== target) await ctx.dest.registry.setAlias(source.name, alias, target);
  }
  ctx.report('registry', `registered model '${source.name}': ${versions.size} version(s)`);
}

/** Copies the whole model registry (after the runs and logged models, so sources can be re-pointed). */
export async function copyRegistry(ctx: CopyContext): Promise<void> {
  let models: RegisteredModel[];
  try {
    models = await ctx.source.registry.allRegisteredModels();
  } catch (e) {
    if (isCancellation(e, ctx)) throw e;
    ctx.fail('registeredModels', 'the model registry', e);
    return;
  }
  for (const model of models) {
    ctx.throwIfCancelled();
    try {
      await copyRegisteredModel(ctx, model);
    } catch (e) {
      if (isCancellation(e, ctx)) throw e;
      ctx.fail('registeredModels', `registered model '${model.name}'`, e);
    }
  }
}
