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

  /**
   * Applies committed points. Keys in `fresh` had no point before this batch: their summary starts
   * from it. Otherwise a lattice grows at its ends (the steps are applied outwards in order);
   * anything else drops the summary, to be computed again when asked for.
   */
  noteSteps(runId: string, points: Array<{ key: string; step?: number }>, fresh: Set<string> = new Set()): void {
    if (!this.db.soleWriter) return;
    const byKey = new Map<string, number[]>();
    for (const { key, step = 0 } of points) {
      let steps = byKey.get(key);
      if (!steps) byKey.set(key, (steps = []));
      steps.push(step);
    }
    for (const [key, steps] of byKey) {
      const sorted = [...new Set(steps)].sort((a, b) => a - b);
      if (fresh.has(key)) {
        this.set(runId, key, summaryOf(sorted));
        continue;
      }
      const keys = this.byRun.get(runId);
      const summary = keys?.get(key);
      if (!keys || !summary) continue;
      if (summary.kind === 'irregular') {
        // Still listed step by step: only its bounds move.
        summary.min = Math.min(summary.min, sorted[0]);
        summary.max = Math.max(summary.max, sorted[sorted.length - 1]);
        continue;
      }
      const below = sorted.filter((s) => s < summary.lattice.min).reverse();
      const rest = sorted.filter((s) => s >= summary.lattice.min);
      if (![...rest, ...below].every((step) => extend(summary.lattice, step))) keys.delete(key);
    }
  }

  /** Forgets a run (its points were deleted, or a write to it failed). */
  forget(runId: string): void {
    this.byRun.delete(runId);
  }
}

/** Whether the lattice still describes the steps once `step` is added (it may grow by one stride at an end). */
function extend(l: StepLattice, step: number): boolean {
  if (l.stride === 0) {
    if (step !== l.min) Object.assign(l, { min: Math.min(l.min, step), max: Math.max(l.max, step), stride: Math.abs(step - l.min) });
    return true;
  }
  if (step >= l.min && step <= l.max) return (step - l.min) % l.stride === 0;
  if (step === l.max + l.stride) l.max = step;
  else if (step === l.min - l.stride) l.min = step;
  else return false;
  return true;
}

/** The summary of a run's first steps (sorted, distinct). */
function summaryOf(sorted: number[]): StepSummary {
  const min = sorted[0];
  const max = sorted[sorted.length - 1];
  if (sorted.length === 1) return { kind: 'lattice', lattice: { min, max, stride: 0 } };
  const stride = sorted[1] - sorted[0];
  for (let i = 2; i < sorted.length; i++) if (sorted[i] - sorted[i - 1] !== stride) return { kind: 'irregular', min, max };
  return { kind: 'lattice', lattice: { min, max, stride } };
}
