import * as fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { MlflowClient } from '../client/mlflowClient';
import { COPY_KINDS, CopyCancelled, emptyCounts, type CopyCounts, type CopyFailure, type CopyKind, type CopyOptions, type CopyPhase, type CopySummary, type KindSummary } from './copyTypes';

/** Where a copied run lives on both sides: what re-pointing model-version sources needs. */
export interface RunMapping {
  destRunId: string;
  sourceArtifactUri: string;
  destArtifactUri: string;
}

export interface ModelMapping {
  destModelId: string;
  sourceArtifactUri: string;
  destArtifactUri: string;
}

/** State shared by the copiers of one copy: the two clients, id maps, totals and failures. */
export class CopyContext {
  readonly counts: CopyCounts = emptyCounts();
  readonly kinds = Object.fromEntries(COPY_KINDS.map((k) => [k, { copied: 0, skipped: 0, failed: 0 }])) as Record<CopyKind, KindSummary>;
  readonly failures: CopyFailure[] = [];
  readonly notes: string[] = [];
  /** Source run id → its copy. */
  readonly runs = new Map<string, RunMapping>();
  /** Source logged-model id → its copy. */
  readonly models = new Map<string, ModelMapping>();
  /** Copied runs whose `mlflow.parentRunId` still names a source run: dest run id → source parent id. */
  readonly pendingParents = new Map<string, string>();
  /** Local artifact locations (file: URIs, paths) of a local source that do not exist on this machine, and how many do. */
  readonly missingArtifactRoots: string[] = [];
  private foundArtifactRoots = 0;
  /** Copies of deleted runs, deleted at the end (after parents were re-pointed). */
  readonly pendingRunDeletes: string[] = [];
  /** Copies of deleted experiments whose runs all copied, deleted at the end. */
  readonly pendingExperimentDeletes: string[] = [];

  constructor(
    readonly source: MlflowClient,
    readonly dest: MlflowClient,
    readonly options: CopyOptions,
  ) {}

  get sourceId(): string {
    return this.options.sourceId;
  }

  throwIfCancelled(): void {
    if (this.options.signal?.aborted) throw new CopyCancelled();
  }

  get cancelled(): boolean {
    return this.options.signal?.aborted ?? false;
  }

  report(phase: CopyPhase, message: string): void {
    this.options.onProgress?.({ phase, message, counts: { ...this.counts } });
  }

  fail(kind: CopyFailure['kind'], what: string, e: unknown): void {
    if (kind !== 'artifacts') this.kinds[kind].failed++;
    this.failures.push({ kind, what, message: e instanceof Error ? e.message : String(e) });
  }

  /**
   * Notes whether a local artifact location (`file:` URI or path) of a local source exists on this
   * machine. A run without artifacts may well have no folder, but when none of the locations
   * exists the store was most likely moved here from elsewhere, and the summary says so.
   */
  checkArtifactRoot(uri: string, hasFiles: boolean): void {
    if (!this.options.localSource || !/^(file:|\/)/.test(uri)) return;
    if (hasFiles) {
      this.foundArtifactRoots++;
      return;
    }
    let local: string;
    try {
      local = uri.startsWith('file:') ? fileURLToPath(uri) : uri;
    } catch {
      return;
    }
    if (fs.existsSync(local)) this.foundArtifactRoots++;
    else this.missingArtifactRoots.push(uri);
  }

  summary(startedAt: number): CopySummary {
    const missing = this.missingArtifactRoots;
    if (missing.length > 0 && this.foundArtifactRoots === 0) {
      this.notes.push(
        `none of the ${missing.length} artifact locations of the source exists on this machine (e.g. ${missing[0]}): if the store was moved here from elsewhere, its artifacts could not be copied`,
      );
    }
    return {
      kinds: this.kinds,
      counts: { ...this.counts },
      failures: [...this.failures],
      notes: [...this.notes],
      cancelled: this.cancelled,
      sourceId: this.sourceId,
      durationMs: performance.now() - startedAt,
    };
  }
}

/** Whether an error ends the copy as cancelled: ours, or any error once the signal aborted (requests cut short, servers stopping). */
export function isCancellation(e: unknown, ctx: CopyContext): boolean {
  return e instanceof CopyCancelled || ctx.cancelled;
}
