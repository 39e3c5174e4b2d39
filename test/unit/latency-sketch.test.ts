// The overview's latency sketch: percentiles of merged stored sketches within its accuracy of SQL's percentile_cont,
// for spread, skewed and tied wall times, zeros, and values past its range.
import { describe, expect, it } from 'vitest';
import {
  ACCURACY,
  countOf,
  emptySketch,
  encodeSketch,
  mergeEncoded,
  quantiles,
  slotOf,
} from '../../core/latency-sketch.js';
import { seededRandom } from '../../core/seeded-random.js';

/** The SQL standard's continuous percentile. */
function percentileCont(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  const at = (s.length - 1) * p;
  const lo = Math.floor(at);
  return s[lo]! + (s[Math.min(lo + 1, s.length - 1)]! - s[lo]!) * (at - lo);
}

/** A stored sketch of some values, as a rollup cell keeps it. */
function stored(values: number[]): Uint8Array {
  let zero = 0;
  const slots = new Map<number, number>();
  for (const v of values) {
    const k = slotOf(v);
    if (k === null) zero += 1;
    else slots.set(k, (slots.get(k) ?? 0) + 1);
  }
  return encodeSketch(zero, slots);
}

/** Values cut into cells, each stored, then merged as the overview merges a window's cells. */
function mergedCells(values: number[], cells: number) {
  const sketch = emptySketch();
  for (let c = 0; c < cells; c++) mergeEncoded(sketch, stored(values.filter((_, i) => i % cells === c)));
  return sketch;
}

describe('the latency sketch', () => {
  const rnd = seededRandom(3);
  const cases: Record<string, number[]> = {
    spread: Array.from({ length: 5000 }, () => 100 + rnd() * 60_000),
    skewed: Array.from({ length: 3000 }, () => 50 + rnd() ** 6 * 3_600_000),
    tied: Array.from({ length: 400 }, (_, i) => [1000, 3000, 8000][i % 3]!),
    tiny: Array.from({ length: 300 }, () => 0.02 + rnd() * 2),
    days: Array.from({ length: 200 }, () => 86_400_000 * (1 + rnd() * 20)),
    withZeros: Array.from({ length: 500 }, (_, i) => (i % 10 === 0 ? 0 : 10 + rnd() * 500)),
  };

  it.each(Object.entries(cases))('answers p50, p95 and p99 of %s values within its accuracy', (_, values) => {
    const sketch = mergedCells(values, 37);
    expect(countOf(sketch)).toBe(values.length);
    const ps = [0, 0.5, 0.95, 0.99, 1];
    const got = quantiles(sketch, ps);
    ps.forEach((p, i) => {
      const want = percentileCont(values, p);
      expect(Math.abs(got[i]! - want), `p${p * 100}: ${got[i]} against ${want}`).toBeLessThanOrEqual(
        want * ACCURACY + 1e-9,
      );
    });
  });

  it('merges to what one sketch of every value holds', () => {
    const values = cases.skewed!;
    const whole = emptySketch();
    mergeEncoded(whole, stored(values));
    expect(mergedCells(values, 11)).toEqual(whole);
  });

  it('answers NaN when empty, and clamps a value past its range to the edge', () => {
    expect(quantiles(emptySketch(), [0.5])).toEqual([Number.NaN]);
    const far = emptySketch();
    mergeEncoded(far, stored([10 * 365 * 86_400_000]));
    const [p50] = quantiles(far, [0.5]);
    expect(p50).toBeGreaterThan(365 * 86_400_000 * (1 - ACCURACY));
    expect(p50).toBeLessThan(365 * 86_400_000 * (1 + 3 * ACCURACY));
    expect(slotOf(-5)).toBeNull();
  });
});
