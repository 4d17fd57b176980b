import * as assert from 'node:assert/strict';
import { arraySteps, latticeUnion, sampleSteps, type StepLattice } from '../../src/core/store/stepSampling';

/** MLflow's algorithm over a listed step set, written out plainly as the reference. */
function reference(runs: number[][], maxResults: number, range?: { start: number; end: number }): number[] {
  const all = [...new Set(runs.flat())].sort((a, b) => a - b);
  const bounds = runs.filter((r) => r.length).flatMap((r) => [Math.min(...r), Math.max(...r)]);
  const start = range?.start ?? 0;
  const end = range?.end ?? (all.length ? all[all.length - 1] : 0);
  const startIdx = all.findIndex((s) => s >= start) === -1 ? all.length : all.findIndex((s) => s >= start);
  const endIdx = all.filter((s) => s <= end).length;
  const chosen = new Set<number>();
  if (endIdx - startIdx <= maxResults) all.slice(startIdx, endIdx).forEach((s) => chosen.add(s));
  else {
    const n = endIdx - startIdx;
    for (let i = 0; i < maxResults; i++) chosen.add(all[startIdx + Math.trunc(i * (n / maxResults))]);
    chosen.add(all[endIdx - 1]);
  }
  for (const b of bounds) if (b >= start && b <= end) chosen.add(b);
  return [...chosen].sort((a, b) => a - b);
}

function latticeSteps(l: StepLattice): number[] {
  const steps: number[] = [];
  for (let s = l.min; s <= l.max; s += l.stride || 1) steps.push(s);
  return steps;
}

describe('bulk-interval step sampling (MLflow _get_sampled_steps_from_steps)', () => {
  it('samples evenly by rank and keeps the last step and every run\'s first and last step', () => {
    const steps = sampleSteps(arraySteps([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]), [{ min: 0, max: 9 }, { min: 2, max: 5 }], 4);
    assert.deepEqual(steps, [0, 2, 5, 7, 9]);
  });

  it('samples a range by rank from its first step, truncating i * (n / max) as Python does', () => {
    // 10 steps, range [4, 9]: start_idx 4, n 6, interval 1.5 → 4, 5, 7, 8, then the last (9).
    assert.deepEqual(sampleSteps(arraySteps([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]), [], 4, { start: 4, end: 9 }), [4, 5, 7, 8, 9]);
    // n 30, max 22: i = 11 gives int(11 * (30 / 22)) = 14 (not floor(11 * 30 / 22) = 15).
    const steps = sampleSteps(arraySteps(Array.from({ length: 30 }, (_, i) => i)), [], 22);
    assert.ok(steps.includes(14) && !steps.includes(15), steps.join(','));
  });

  it('gives MLflow\'s answer from lattices without listing the steps (many random cases)', () => {
    let seed = 7;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
    for (let c = 0; c < 300; c++) {
      const stride = [1, 1, 2, 5, 10][rnd(5)];
      const base = rnd(3) * stride;
      const lattices: StepLattice[] = [];
      for (let r = 0; r < 1 + rnd(5); r++) {
        const min = base + rnd(40) * stride;
        const max = min + rnd(60) * stride;
        lattices.push({ min, max, stride: min === max ? 0 : stride });
      }
      const union = latticeUnion(lattices);
      assert.ok(union, 'one lattice');
      const runs = lattices.map(latticeSteps);
      const maxResults = 1 + rnd(30);
      const range = rnd(2) ? { start: rnd(200), end: 200 + rnd(400) } : undefined;
      const bounds = lattices.map(({ min, max }) => ({ min, max }));
      assert.deepEqual(sampleSteps(union, bounds, maxResults, range), reference(runs, maxResults, range), JSON.stringify({ lattices, maxResults, range }));
    }
  });

  it('has no lattice union for runs on different strides or offsets (the steps are then listed)', () => {
    assert.equal(latticeUnion([{ min: 0, max: 10, stride: 1 }, { min: 0, max: 10, stride: 2 }]), undefined);
    assert.equal(latticeUnion([{ min: 0, max: 10, stride: 2 }, { min: 1, max: 11, stride: 2 }]), undefined);
  });

  it('answers with nothing for runs without points', () => {
    assert.deepEqual(sampleSteps(arraySteps([]), [], 320), []);
  });
});
