import { MlflowApiError } from '../client/apiError';
import type { StreamResponse } from '../client/httpTransport';
import type { LoggedModel } from '../client/loggedModelApi';
import { copyTree, destinationRoot, listFiles, presentFiles, proxiedPath } from './artifactCopier';
import type { CopyContext, ModelMapping } from './copyContext';
import { COPY_COMPLETE_TAG, COPY_SOURCE_TAG, copyableTags, missingTags, sourceIdOf, sourceRef, tagValue } from './copyTags';
import { linkKey, type ModelLinks } from './metricCopier';

type Opener = (model: LoggedModel, path: string) => Promise<StreamResponse | undefined>;

function isMissingRoute(e: unknown): boolean {
  return e instanceof MlflowApiError && e.errorCode === 'ENDPOINT_NOT_FOUND';
}

/**
 * Copies MLflow 3.x logged models of one experiment: metadata (name, type, params, tags, status,
 * source run re-pointed to its copy) and artifacts. A model produced by a run is copied right
 * after that run was created, so the run's metric points can be linked to it.
 */
export class LoggedModelCopier {
  private sourceModels: LoggedModel[] = [];
  private readonly destBySource = new Map<string, LoggedModel>();
  private readonly done = new Set<string>();
  /** Index of the download route that worked last (see `openers`). */
  private opener = 0;
  private versionsByModelId?: Map<string, { name: string; version: string }>;

  constructor(
    private readonly ctx: CopyContext,
    private readonly destExperimentId: string,
  ) {}

  /** Loads the source experiment's logged models and the copies the destination already has. */
  async load(sourceExperimentId: string): Promise<void> {
    this.sourceModels = await this.ctx.source.loggedModels.all([sourceExperimentId]);
    if (this.sourceModels.length === 0) return;
    for (const model of await this.ctx.dest.loggedModels.all([this.destExperimentId])) {
      const id = sourceIdOf(tagValue(model.info.tags, COPY_SOURCE_TAG));
      if (id) this.destBySource.set(id, model);
    }
  }

  modelsOfRun(sourceRunId: string): LoggedModel[] {
    return this.sourceModels.filter((m) => m.info.source_run_id === sourceRunId);
  }

  /** The logged models not yet handled (no source run, or one that was not copied). */
  remaining(): LoggedModel[] {
    return this.sourceModels.filter((m) => !this.done.has(m.info.model_id));
  }

  /** Model links of a run's metric points, to the copies of the models they were logged for. */
  linksForRun(sourceRunId: string): ModelLinks {
    const links: ModelLinks = new Map();
    for (const model of this.sourceModels) {
      const mapped = this.ctx.models.get(model.info.model_id);
      if (!mapped) continue;
      for (const m of model.data?.metrics ?? []) {
        if (m.run_id !== sourceRunId) continue;
        links.set(linkKey(m.key, m.timestamp, m.step), {
          model_id: mapped.destModelId,
          ...(m.dataset_name ? { dataset_name: m.dataset_name } : {}),
          ...(m.dataset_digest ? { dataset_digest: m.dataset_digest } : {}),
        });
      }
    }
    return links;
  }

  /** Copies one logged model unless a complete copy exists; failures are recorded, not thrown. */
  async copy(model: LoggedModel): Promise<ModelMapping | undefined> {
    const { info } = model;
    this.done.add(info.model_id);
    const what = `logged model '${info.name}' (${info.model_id})`;
    try {
      const existing = this.destBySource.get(info.model_id);
      if (existing && tagValue(existing.info.tags, COPY_COMPLETE_TAG)) {
        this.ctx.kinds.loggedModels.skipped++;
        return this.remember(model, existing);
      }
      const sourceRun = info.source_run_id ? this.ctx.runs.get(info.source_run_id)?.destRunId : undefined;
      const wantedTags = [...copyableTags(info.tags), { key: COPY_SOURCE_TAG, value: sourceRef(this.ctx.sourceId, info.model_id) }];
      const dest =
        existing ??
        (await this.ctx.dest.loggedModels.create({
          experimentId: this.destExperimentId,
          name: info.name,
          modelType: info.model_type || undefined,
          sourceRunId: sourceRun,
          params: model.data?.params ?? [],
          tags: wantedTags,
        }));
      const mapping = this.remember(model, dest);
      if (this.ctx.options.artifacts !== false) await this.copyArtifacts(model, dest, existing !== undefined);
      const tags = missingTags(wantedTags, dest.info.tags);
      if (tags.length > 0) await this.ctx.dest.loggedModels.setTags(dest.info.model_id, tags);
      if (info.status && !/PENDING|UNSPECIFIED/.test(info.status) && info.status !== dest.info.status) await this.ctx.dest.loggedModels.finalize(dest.info.model_id, info.status);
      await this.ctx.dest.loggedModels.setTags(dest.info.model_id, [{ key: COPY_COMPLETE_TAG, value: new Date().toISOString() }]);
      this.ctx.kinds.loggedModels.copied++;
      this.ctx.counts.loggedModels++;
      return mapping;
    } catch (e) {
      this.ctx.throwIfCancelled();
      this.ctx.fail('loggedModels', what, e);
      return this.ctx.models.get(info.model_id);
    }
  }

  private remember(source: LoggedModel, dest: LoggedModel): ModelMapping {
    const mapping = { destModelId: dest.info.model_id, sourceArtifactUri: source.info.artifact_uri, destArtifactUri: dest.info.artifact_uri };
    this.ctx.models.set(source.info.model_id, mapping);
    return mapping;
  }

  private async copyArtifacts(model: LoggedModel, dest: LoggedModel, resumed: boolean): Promise<void> {
    const sourceId = model.info.model_id;
    const files = await listFiles((p) => this.ctx.source.loggedModels.listArtifacts(sourceId, p), this.ctx);
    this.ctx.checkArtifactRoot(model.info.artifact_uri, files.length > 0);
    if (files.length === 0) return;
    const root = destinationRoot(dest.info.artifact_uri, `logged model ${dest.info.model_id}`);
    const present = resumed ? await presentFiles((p) => this.ctx.dest.loggedModels.listArtifacts(dest.info.model_id, p), this.ctx) : undefined;
    await copyTree(this.ctx, files, (p) => this.open(model, p), root, present);
  }

  /**
   * Opens a file of a source logged model through the first route that serves it: MLflow 3's
   * logged-model file route, the proxied artifact store, or a registered version whose source is
   * `models:/<model id>` (`/model-versions/get-artifact`).
   */
  private async open(model: LoggedModel, path: string): Promise<StreamResponse> {
    const openers: Opener[] = [
      (m, p) => this.ctx.source.loggedModels.openArtifact(m.info.model_id, p),
      async (m, p) => {
        const root = proxiedPath(m.info.artifact_uri);
        return root === undefined ? undefined : this.ctx.source.openProxiedArtifact(`${root.replace(/\/+$/, '')}/${p}`);
      },
      async (m, p) => {
        const version = (await this.versionIndex()).get(m.info.model_id);
        return version ? this.ctx.source.registry.openVersionArtifact(version.name, version.version, p) : undefined;
      },
    ];
    let lastError: unknown;
    for (let i = 0; i < openers.length; i++) {
      const index = (this.opener + i) % openers.length;
      try {
        const opened = await openers[index](model, path);
        if (!opened) continue;
        this.opener = index;
        return opened;
      } catch (e) {
        if (!isMissingRoute(e)) throw e;
        lastError = e;
      }
    }
    throw new Error(
      `the source server offers no route to download the files of logged model ${model.info.model_id} (artifact location '${model.info.artifact_uri}')${lastError ? `: ${(lastError as Error).message}` : ''}`,
    );
  }

  private async versionIndex(): Promise<Map<string, { name: string; version: string }>> {
    if (this.versionsByModelId) return this.versionsByModelId;
    const index = new Map<string, { name: string; version: string }>();
    let pageToken: string | undefined;
    do {
      const page = await this.ctx.source.registry.searchModelVersions({ pageToken });
      for (const v of page.items) {
        const id = v.model_id || /^models:\/(m-[0-9a-f]+)$/.exec(v.source ?? '')?.[1];
        if (id && !index.has(id)) index.set(id, { name: v.name, version: v.version });
      }
      pageToken = page.nextPageToken;
    } while (pageToken);
    this.versionsByModelId = index;
    return index;
  }
}
