import type { SqlDatabase } from '../db/database';
import type { StepLattice } from '../stepSampling';

/**
 * What is known about the steps of one (run, metric key): runs of consecutive points on one
 * lattice (every `stride`-th step; `stride` 0 while there is a single step), or irregular steps
 * that have to be listed.
 */
export type StepSummary =
  | { kind: 'lattice'; stride: number; segments: Array<[number, number]> }
  | { kind: 'irregular'; min: number; max: number };

/** Beyond this many separate runs of steps a summary stops paying off: the steps are listed instead. */
const MAX_SEGMENTS = 512;

/**
 * The step summaries of metric histories, computed with one index scan per (run, key), or from the
 * first batch of a new key, and then kept up to date as points are logged — in any order — so
 * charts' sampled reads do not rescan a million steps on every refresh. Kept only while this
 * process is the store's sole writer (SQLite with its lock); a re-read file (a new generation)
 * drops them all.
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
   * from it. A lattice takes in steps on it; a step off the lattice makes the summary irregular.
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
      keys.set(key, sorted.reduce(addStep, summary));
    }
  }

  /** Forgets a run (its points were deleted, or a write to it failed). */
  forget(runId: string): void {
    this.byRun.delete(runId);
  }

  /** The summaries as plain data, to be kept across a clean restart. */
  toJSON(): Record<string, Record<string, StepSummary>> {
    const out: Record<string, Record<string, StepSummary>> = {};
    if (this.db.generation !== this.generation) return out;
    for (const [runId, keys] of this.byRun) out[runId] = Object.fromEntries(keys);
    return out;
  }

  /** Takes summaries kept by toJSON (only for data known to be unchanged since). */
  load(data: Record<string, Record<string, StepSummary>>): void {
    for (const [runId, keys] of Object.entries(data)) {
      for (const [key, summary] of Object.entries(keys)) if (isSummary(summary)) this.set(runId, key, summary);
    }
  }
}

function isSummary(value: unknown): value is StepSummary {
  const s = value as StepSummary;
  if (s?.kind === 'irregular') return Number.isFinite(s.min) && Number.isFinite(s.max);
  return (
    s?.kind === 'lattice' &&
    Number.isFinite(s.stride) &&
    Array.isArray(s.segments) &&
    s.segments.length > 0 &&
    s.segments.every((g) => Array.isArray(g) && g.length === 2 && Number.isFinite(g[0]) && Number.isFinite(g[1]))
  );
}

/** The lattice segments of a summary, as stepSampling.ts takes them. */
export function latticeSegments(summary: Extract<StepSummary, { kind: 'lattice' }>): StepLattice[] {
  return summary.segments.map(([min, max]) => ({ min, max, stride: min === max ? 0 : summary.stride }));
}

export function boundsOf(summary: StepSummary): { min: number; max: number } {
  if (summary.kind === 'irregular') return summary;
  return { min: summary.segments[0][0], max: summary.segments[summary.segments.length - 1][1] };
}

/** A summary with one more step. */
function addStep(summary: StepSummary, step: number): StepSummary {
  if (summary.kind === 'irregular') {
    return { kind: 'irregular', min: Math.min(summary.min, step), max: Math.max(summary.max, step) };
  }
  const { segments } = summary;
  const first = segments[0][0];
  if (summary.stride === 0) {
    if (step === first) return summary;
    return { kind: 'lattice', stride: Math.abs(step - first), segments: [[Math.min(first, step), Math.max(first, step)]] };
  }
  const stride = summary.stride;
  if ((((step - first) % stride) + stride) % stride !== 0) return irregular(summary, step);
  // The first segment whose end is at or after the step.
  let lo = 0;
  let hi = segments.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (segments[mid][1] < step) lo = mid + 1;
    else hi = mid;
  }
  const at = segments[lo];
  if (at && at[0] <= step) return summary;
  const before = segments[lo - 1];
  const joinsBefore = before !== undefined && before[1] + stride === step;
  const joinsAfter = at !== undefined && at[0] - stride === step;
  if (joinsBefore && joinsAfter) segments.splice(lo - 1, 2, [before[0], at[1]]);
  else if (joinsBefore) before[1] = step;
  else if (joinsAfter) at[0] = step;
  else segments.splice(lo, 0, [step, step]);
  return segments.length > MAX_SEGMENTS ? irregular(summary, step) : summary;
}

function irregular(summary: StepSummary, step: number): StepSummary {
  const { min, max } = boundsOf(summary);
  return { kind: 'irregular', min: Math.min(min, step), max: Math.max(max, step) };
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** The summary of a run's first steps (sorted, distinct): on the lattice of their common spacing. */
function summaryOf(sorted: number[]): StepSummary {
  if (sorted.length === 1) return { kind: 'lattice', stride: 0, segments: [[sorted[0], sorted[0]]] };
  let stride = 0;
  for (let i = 1; i < sorted.length; i++) stride = gcd(stride, sorted[i] - sorted[i - 1]);
  const segments: Array<[number, number]> = [];
  for (const step of sorted) {
    const last = segments[segments.length - 1];
    if (last && last[1] + stride === step) last[1] = step;
    else segments.push([step, step]);
  }
  if (segments.length > MAX_SEGMENTS) return { kind: 'irregular', min: sorted[0], max: sorted[sorted.length - 1] };
  return { kind: 'lattice', stride, segments };
}
