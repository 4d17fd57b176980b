/**
 * Experiments of an mlruns/ folder: `<root>/<id>/` (active) and `<root>/.trash/<id>/` (deleted),
 * each with meta.yaml and tags/ (the tag files are authoritative; a `tags:` key in meta.yaml is
 * ignored). An experiment whose meta.yaml names another id than its folder is ignored, as MLflow does.
 */
import * as path from 'node:path';
import type { Experiment, ViewType } from '../../entities';
import { MlflowError } from '../../errors';
import type { FileCache } from './fileCache';
import { META_FILE, TRASH_FOLDER, isExperimentFolderName, isValidEntityId } from './fileLayout';
import { readKeyValues } from './keyValues';
import { ProblemLog, unreadable } from './storeProblems';
import { MetaFileError, int, readMeta, str } from './yamlMeta';

export interface ExperimentLocation {
  id: string;
  dir: string;
  inTrash: boolean;
}

export class ExperimentFiles {
  constructor(
    readonly root: string,
    private readonly cache: FileCache,
    private readonly problems: ProblemLog,
  ) {}

  get trashDir(): string {
    return path.join(this.root, TRASH_FOLDER);
  }

  /** Experiment folders: active ones first (by name), then the trash. */
  async locations(viewType: ViewType = 'ALL'): Promise<ExperimentLocation[]> {
    const out: ExperimentLocation[] = [];
    const add = async (parent: string, inTrash: boolean) => {
      for (const e of (await this.cache.listDir(parent)) ?? []) {
        if (e.isDirectory && isExperimentFolderName(e.name)) out.push({ id: e.name, dir: path.join(parent, e.name), inTrash });
      }
    };
    if (viewType !== 'DELETED_ONLY') await add(this.root, false);
    if (viewType !== 'ACTIVE_ONLY') await add(this.trashDir, true);
    return out;
  }

  /** The folder of an experiment id (active first, then the trash), as MLflow looks it up. */
  async locate(experimentId: string): Promise<ExperimentLocation | undefined> {
    if (!isValidEntityId(experimentId) || !isExperimentFolderName(experimentId)) return undefined;
    for (const [parent, inTrash] of [
      [this.root, false],
      [this.trashDir, true],
    ] as const) {
      const dir = path.join(parent, experimentId);
      if ((await this.cache.stat(dir))?.isDirectory()) return { id: experimentId, dir, inTrash };
    }
    return undefined;
  }

  /** Reads one experiment; throws MetaFileError when its meta.yaml is missing or unusable. */
  async read(loc: ExperimentLocation): Promise<Experiment> {
    const metaPath = path.join(loc.dir, META_FILE);
    const meta = await readMeta(this.cache, metaPath);
    if (!meta) throw new MetaFileError(metaPath, 'the file is missing');
    const id = str(meta, 'experiment_id');
    if (id === undefined) throw new MetaFileError(metaPath, 'no experiment_id');
    if (id !== loc.id) throw new MetaFileError(metaPath, `experiment_id '${id}' does not match its folder '${loc.id}'; the experiment is ignored`);
    const name = str(meta, 'name');
    if (name === undefined) throw new MetaFileError(metaPath, 'no name');
    const experiment: Experiment = {
      experiment_id: id,
      name,
      lifecycle_stage: (str(meta, 'lifecycle_stage') ?? (loc.inTrash ? 'deleted' : 'active')) === 'deleted' ? 'deleted' : 'active',
    };
    const artifactLocation = str(meta, 'artifact_location');
    if (artifactLocation !== undefined) experiment.artifact_location = artifactLocation;
    const lastUpdate = int(meta, 'last_update_time');
    if (lastUpdate !== undefined) experiment.last_update_time = lastUpdate;
    const created = int(meta, 'creation_time');
    if (created !== undefined) experiment.creation_time = created;
    const tags = await readKeyValues(this.cache, path.join(loc.dir, 'tags'));
    if (tags.length > 0) experiment.tags = tags;
    this.problems.resolved(metaPath);
    return experiment;
  }

  /** Every readable experiment in the view; unreadable ones are reported and left out. */
  async list(viewType: ViewType): Promise<Experiment[]> {
    const out: Experiment[] = [];
    const seen = new Set<string>();
    for (const loc of await this.locations(viewType)) {
      if (seen.has(loc.id)) continue;
      try {
        const experiment = await this.read(loc);
        seen.add(loc.id);
        out.push(experiment);
      } catch (e) {
        if (!(e instanceof MetaFileError)) throw e;
        this.problems.report({ path: e.path, entity: 'experiment', message: e.message });
      }
    }
    return out;
  }

  /** One experiment, deleted ones included. */
  async get(experimentId: string): Promise<Experiment> {
    const loc = await this.locate(experimentId);
    if (!loc) throw MlflowError.notFound(`Could not find experiment with ID ${experimentId}`);
    try {
      return await this.read(loc);
    } catch (e) {
      if (!(e instanceof MetaFileError)) throw e;
      this.problems.report({ path: e.path, entity: 'experiment', message: e.message });
      throw unreadable(`Experiment '${experimentId}'`, e.message);
    }
  }
}
