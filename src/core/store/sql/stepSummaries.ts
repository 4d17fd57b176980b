import type { SqlDatabase } from '../db/database';
import type { StepLattice } from '../stepSampling';

/** What is known about the steps of one (run, metric key): a gapless lattice, or irregular steps. */
export type StepSummary = { kind: 'lattice'; lattice: StepLattice } | { kind: 'irregular'; min: number; max: number };

/**
 * The step summaries of metric histories, computed with one index scan per (run, key) and then
 * kept up to date as points are logged, so charts' sampled reads do not rescan a million steps on
 * every refresh. Kept only while this process is the store's sole writer (SQLite with its lock);
 * a re-read file (a new generation) drops them all.
 */
export class StepSummaries {
  private readonly byRun = new Map<string, Map<string, StepSummary>>();
  private generation: number;

  constructor(private readonly db: SqlDatabase) {
    this.generation = db.generation;
  }

  get(runId: string, key: string): StepSummary | undefined {
    if (!this.db.soleWriter && !this.db.readOnly) return undefined;
    if (this.db.generation !== this.generation) {
      this.byRun.clear();
      this.generation = this.db.generation;
    }
    return this.byRun.get(runId)?.get(key);
  }

  set(runId: string, key: string, summary: StepSummary): void {
    if (!this.db.soleWriter && !this.db.readOnly) return;
    let keys = this.byRun.get(runId);
    if (!keys) this.byRun.set(runId, (keys = new Map()));
    keys.set(key, summary);
  }

  /** Applies committed points: a lattice grows at its ends; anything else drops the summary. */
  noteSteps(runId: string, points: Array<{ key: string; step?: number }>): void {
    const keys = this.byRun.get(runId);
    if (!keys) return;
    for (const { key, step = 0 } of points) {
      const summary = keys.get(key);
      if (!summary) continue;
      if (summary.kind === 'irregular') {
        // Still listed step by step: only its bounds move.
        summary.min = Math.min(summary.min, step);
        summary.max = Math.max(summary.max, step);
        continue;
      }
      const l = summary.lattice;
      if (l.stride === 0) {
        if (step !== l.min) summary.lattice = { min: Math.min(l.min, step), max: Math.max(l.max, step), stride: Math.abs(step - l.min) };
      } else if (step >= l.min && step <= l.max && (step - l.min) % l.stride === 0) {
        // Already on the lattice.
      } else if (step === l.max + l.stride) {
        l.max = step;
      } else if (step === l.min - l.stride) {
        l.min = step;
      } else {
        keys.delete(key);
      }
    }
  }

  /** Forgets a run (its points were deleted, or a write to it failed). */
  forget(runId: string): void {
    this.byRun.delete(runId);
  }
}
