/**
 * MLflow's step sampling for `metrics/get-history-bulk-interval`, computed without listing every step when the runs' steps lie
 * on one lattice (every `stride`-th step from `base`, no gaps: what a training loop logs).
 *
 * MLflow (3.5+, AbstractStore.get_metric_history_bulk_interval) sorts the distinct steps of all
 * runs, keeps the ones in [start, end] (start 0 and end the last step when no range is given),
 * and if there are more than max_results picks `steps[start_idx + int(i * (n / max_results))]`
 * for i < max_results — the float division first, as Python computes it — plus the last step in
 * range; then it adds each run's first and last step when they are in range.
 */

/** The distinct steps of one run, when they form a gapless lattice. */
export interface StepLattice {
  min: number;
  max: number;
  /** Distance between consecutive steps; 0 when the run has a single step. */
  stride: number;
}

/** Indexable view of the sorted distinct steps of all runs. */
export interface SortedSteps {
  readonly length: number;
  at(index: number): number;
  /** Index of the first step ≥ value (Python's bisect_left). */
  lowerBound(value: number): number;
  /** Index of the first step > value (Python's bisect_right). */
  upperBound(value: number): number;
}

/** Sorted distinct steps held in an array. */
export function arraySteps(steps: number[]): SortedSteps {
  const bound = (value: number, strict: boolean) => {
    let lo = 0;
    let hi = steps.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (steps[mid] < value || (strict && steps[mid] === value)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  return { length: steps.length, at: (i) => steps[i], lowerBound: (v) => bound(v, false), upperBound: (v) => bound(v, true) };
}

/**
 * The union of the runs' lattices as sorted distinct steps, when they share one lattice (same
 * stride, bases congruent); undefined otherwise (the caller lists the steps instead).
 */
export function latticeUnion(lattices: StepLattice[]): SortedSteps | undefined {
  if (lattices.length === 0) return arraySteps([]);
  const strides = new Set(lattices.map((l) => l.stride).filter((s) => s > 0));
  if (strides.size > 1) return undefined;
  const stride = strides.size === 1 ? [...strides][0] : 1;
  const origin = lattices[0].min;
  if (lattices.some((l) => (((l.min - origin) % stride) + stride) % stride !== 0)) return undefined;
  if (strides.size === 0 && lattices.some((l) => l.min !== origin)) {
    // Single-step runs at different steps: a lattice only if they are one stride apart — list them.
    return arraySteps([...new Set(lattices.map((l) => l.min))].sort((a, b) => a - b));
  }
  // Merge the runs' intervals on the common lattice into disjoint segments.
  const intervals = lattices.map((l) => [l.min, l.max] as [number, number]).sort((a, b) => a[0] - b[0]);
  const segments: Array<[number, number]> = [];
  for (const [lo, hi] of intervals) {
    const last = segments[segments.length - 1];
    if (last && lo <= last[1] + stride) last[1] = Math.max(last[1], hi);
    else segments.push([lo, hi]);
  }
  const starts: number[] = [];
  let total = 0;
  for (const [lo, hi] of segments) {
    starts.push(total);
    total += (hi - lo) / stride + 1;
  }
  const segmentOfIndex = (index: number) => {
    let lo = 0;
    let hi = segments.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (starts[mid] <= index) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  const countBelow = (value: number, strict: boolean) => {
    let count = 0;
    for (let s = 0; s < segments.length; s++) {
      const [lo, hi] = segments[s];
      if (value <= lo && !(strict && value === lo)) break;
      const size = (hi - lo) / stride + 1;
      const within = strict ? Math.floor((value - lo) / stride) + 1 : Math.ceil((value - lo) / stride);
      count += Math.min(size, Math.max(0, within));
    }
    return count;
  };
  return {
    length: total,
    at: (index) => {
      const s = segmentOfIndex(index);
      return segments[s][0] + (index - starts[s]) * stride;
    },
    lowerBound: (value) => countBelow(value, false),
    upperBound: (value) => countBelow(value, true),
  };
}

/** MLflow's sampled steps (see the file comment), sorted. */
export function sampleSteps(
  all: SortedSteps,
  runBounds: Array<{ min: number; max: number }>,
  maxResults: number,
  range?: { start: number; end: number },
): number[] {
  const start = range?.start ?? 0;
  const end = range?.end ?? (all.length > 0 ? all.at(all.length - 1) : 0);
  const chosen = new Set<number>();
  const startIdx = all.lowerBound(start);
  const endIdx = all.upperBound(end);
  const n = endIdx - startIdx;
  if (n <= maxResults) {
    for (let i = startIdx; i < endIdx; i++) chosen.add(all.at(i));
  } else {
    const interval = n / maxResults;
    for (let i = 0; i < maxResults; i++) chosen.add(all.at(startIdx + Math.trunc(i * interval)));
    chosen.add(all.at(endIdx - 1));
  }
  for (const { min, max } of runBounds) {
    if (min >= start && min <= end) chosen.add(min);
    if (max >= start && max <= end) chosen.add(max);
  }
  return [...chosen].sort((a, b) => a - b);
}
