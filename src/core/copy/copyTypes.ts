/** What `copyStore` copies, reports and returns. No VS Code (or CLI) dependency. */

export type CopyKind = 'experiments' | 'runs' | 'loggedModels' | 'registeredModels' | 'modelVersions';

export const COPY_KINDS: readonly CopyKind[] = ['experiments', 'runs', 'loggedModels', 'registeredModels', 'modelVersions'];

export interface KindSummary {
  /** Created (or, for an interrupted run, finished) in the destination by this copy. */
  copied: number;
  /** Already in the destination from an earlier copy (or matched by name). */
  skipped: number;
  failed: number;
}

export interface CopyFailure {
  kind: CopyKind | 'artifacts';
  /** What failed, e.g. `run 'train' (8d3e…) of experiment 'iris'`. */
  what: string;
  message: string;
}

/** Running totals, reported with every progress event. */
export interface CopyCounts {
  experiments: number;
  runs: number;
  metricPoints: number;
  artifactFiles: number;
  artifactBytes: number;
  loggedModels: number;
  registeredModels: number;
  modelVersions: number;
}

export type CopyPhase = 'start' | 'experiment' | 'run' | 'metrics' | 'artifacts' | 'registry' | 'done';

export interface CopyProgress {
  phase: CopyPhase;
  /** One line about what just happened ("run 'train' copied: 5,000 metric points, 3 files"). */
  message: string;
  counts: CopyCounts;
}

export interface CopySummary {
  kinds: Record<CopyKind, KindSummary>;
  counts: CopyCounts;
  failures: CopyFailure[];
  /** Notes that are not failures (a model version source that could not be re-pointed, …). */
  notes: string[];
  cancelled: boolean;
  sourceId: string;
  durationMs: number;
}

export interface CopyOptions {
  /** Identifies the source store in the `runlens.copy.source` tags (see copyTags.ts). */
  sourceId: string;
  /** Copy deleted experiments and runs too (and delete their copies) — default true. */
  includeDeleted?: boolean;
  /** Copy artifacts (default true). */
  artifacts?: boolean;
  /** Copy the model registry (default true). */
  registry?: boolean;
  /** Only experiments with these names (default: all). */
  experimentNames?: string[];
  /**
   * The source server runs on this machine (a local store): artifact locations that are local
   * paths can then be checked, and a missing one is reported instead of silently copying nothing.
   */
  localSource?: boolean;
  /** Parallel artifact transfers per run (default 4). */
  artifactConcurrency?: number;
  onProgress?: (progress: CopyProgress) => void;
  signal?: AbortSignal;
}

export function emptyCounts(): CopyCounts {
  return { experiments: 0, runs: 0, metricPoints: 0, artifactFiles: 0, artifactBytes: 0, loggedModels: 0, registeredModels: 0, modelVersions: 0 };
}

/** Thrown (and caught by copyStore) when the signal aborts the copy. */
export class CopyCancelled extends Error {
  constructor() {
    super('The copy was cancelled.');
    this.name = 'CopyCancelled';
  }
}
