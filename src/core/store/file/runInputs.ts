/**
 * A run's inputs and outputs (compat §5 "Inputs"): `inputs/<id>/meta.yaml` points at a dataset
 * (`<experiment>/datasets/<dataset_id>/meta.yaml`) or, in 3.x, a logged model; 3.x model outputs
 * are `outputs/<model_id>/meta.yaml` with a step. The destination ids are not used (MLflow writes
 * the source id there).
 */
import * as path from 'node:path';
import type { Dataset, DatasetInput, RunInputs, RunOutputs } from '../../entities';
import { compareCodePoints } from '../../search/predicates';
import type { FileCache } from './fileCache';
import { META_FILE } from './fileLayout';
import type { ProblemLog } from './storeProblems';
import { MetaFileError, YamlMap, int, readMeta, str, stringMap } from './yamlMeta';

/** Reads a meta.yaml of a sub-entity; unusable ones are reported and give undefined. */
async function metaOrReport(cache: FileCache, problems: ProblemLog, file: string, entity: 'run' | 'dataset'): Promise<YamlMap | undefined> {
  try {
    const meta = await readMeta(cache, file);
    if (meta) problems.resolved(file);
    return meta;
  } catch (e) {
    if (!(e instanceof MetaFileError)) throw e;
    problems.report({ path: e.path, entity, message: e.message });
    return undefined;
  }
}

async function readDataset(cache: FileCache, problems: ProblemLog, experimentDir: string, datasetId: string): Promise<Dataset | undefined> {
  if (!/^[\w-]+$/.test(datasetId)) return undefined;
  const file = path.join(experimentDir, 'datasets', datasetId, META_FILE);
  const exists = await cache.stat(file);
  if (!exists) {
    problems.report({ path: file, entity: 'dataset', message: `${file}: dataset '${datasetId}' used by a run input is missing` });
    return undefined;
  }
  const meta = await metaOrReport(cache, problems, file, 'dataset');
  if (!meta) return undefined;
  const dataset: Dataset = {
    name: str(meta, 'name') ?? '',
    digest: str(meta, 'digest') ?? '',
    source_type: str(meta, 'source_type') ?? '',
    source: str(meta, 'source') ?? '',
  };
  const schema = str(meta, 'schema');
  if (schema !== undefined) dataset.schema = schema;
  const profile = str(meta, 'profile');
  if (profile !== undefined) dataset.profile = profile;
  return dataset;
}

/** Dataset inputs (sorted by name, then digest) and model inputs of a run. */
export async function readRunInputs(cache: FileCache, problems: ProblemLog, experimentDir: string, runDir: string): Promise<RunInputs> {
  const inputsDir = path.join(runDir, 'inputs');
  const datasetInputs: DatasetInput[] = [];
  const modelInputs: Array<{ model_id: string }> = [];
  for (const entry of (await cache.listDir(inputsDir)) ?? []) {
    if (!entry.isDirectory) continue;
    const meta = await metaOrReport(cache, problems, path.join(inputsDir, entry.name, META_FILE), 'run');
    if (!meta) continue;
    const sourceType = str(meta, 'source_type');
    const sourceId = str(meta, 'source_id') ?? '';
    if (sourceType === 'DATASET') {
      const dataset = await readDataset(cache, problems, experimentDir, sourceId);
      if (!dataset) continue;
      const input: DatasetInput = { dataset };
      const tags = Object.entries(stringMap(meta, 'tags')).map(([key, value]) => ({ key, value }));
      if (tags.length > 0) input.tags = tags.sort((a, b) => compareCodePoints(a.key, b.key));
      datasetInputs.push(input);
    } else if (sourceType === 'MODEL' && sourceId) {
      modelInputs.push({ model_id: sourceId });
    }
  }
  const inputs: RunInputs = {};
  if (datasetInputs.length > 0) {
    inputs.dataset_inputs = datasetInputs.sort(
      (a, b) => compareCodePoints(a.dataset.name, b.dataset.name) || compareCodePoints(a.dataset.digest, b.dataset.digest),
    );
  }
  if (modelInputs.length > 0) inputs.model_inputs = modelInputs;
  return inputs;
}

/** The 3.x model outputs of a run (folder order). */
export async function readRunOutputs(cache: FileCache, problems: ProblemLog, runDir: string): Promise<RunOutputs> {
  const outputsDir = path.join(runDir, 'outputs');
  const outputs: Array<{ model_id: string; step: number }> = [];
  for (const entry of (await cache.listDir(outputsDir)) ?? []) {
    if (!entry.isDirectory) continue;
    const meta = await metaOrReport(cache, problems, path.join(outputsDir, entry.name, META_FILE), 'run');
    if (!meta) continue;
    outputs.push({ model_id: str(meta, 'source_id') ?? entry.name, step: int(meta, 'step') ?? 0 });
  }
  return outputs.length > 0 ? { model_outputs: outputs } : {};
}
