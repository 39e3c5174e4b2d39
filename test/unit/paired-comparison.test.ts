import { describe, expect, it } from 'vitest';
import { normalCdf, pairedComparison } from '../../core/paired-comparison.js';
import { seededRandom } from '../../core/seeded-random.js';

/** Scores of a baseline right on `accuracy` of `n` examples, drawn from `seed`. */
const baseline = (n: number, accuracy: number, seed: number) => {
  const random = seededRandom(seed);
  return Array.from({ length: n }, () => (random() < accuracy ? 1 : 0));
};
/** The same examples with `rate` of the right ones turned wrong and as many wrong ones, on average, turned right: noise, no gain. */
const noisy = (scores: number[], rate: number, seed: number) => {
  const random = seededRandom(seed);
  const right = scores.filter((s) => s === 1).length;
  const back = (rate * right) / (scores.length - right);
  return scores.map((s) => (random() < (s === 1 ? rate : back) ? 1 - s : s));
};
/** The same examples with wrong ones made right until accuracy has risen by `gain`. */
const improved = (scores: number[], gain: number, seed: number) => {
  const random = seededRandom(seed);
  const wrong = scores.filter((s) => s === 0).length;
  const fix = (gain * scores.length) / wrong;
  return scores.map((s) => (s === 0 && random() < fix ? 1 : s));
};
const zip = (a: number[], b: number[]) => a.map((x, i) => [x, b[i]!] as [number, number]);

describe('paired comparison of two runs on the same examples', () => {
  it('calls a real 20% gain better and 5% noise no detectable difference (seed-pinned)', () => {
    const base = baseline(100, 0.6, 1);
    const noise = noisy(base, 0.05, 2);
    const gain = improved(base, 0.2, 3);
    const noiseVsBase = pairedComparison(zip(base, noise), 'higher')!;
    const gainVsBase = pairedComparison(zip(base, gain), 'higher')!;
    expect(noise.some((s, i) => s !== base[i])).toBe(true); // the noise moved some examples
    expect(noiseVsBase.finding).toBe('no detectable difference');
    expect(noiseVsBase.pValue).toBeGreaterThan(0.05);
    expect(noiseVsBase.ci95[0]).toBeLessThan(0);
    expect(noiseVsBase.ci95[1]).toBeGreaterThan(0);
    expect(gainVsBase.finding).toBe('better');
    expect(gainVsBase.pValue).toBeLessThan(0.001);
    expect(gainVsBase.delta).toBeCloseTo(0.2, 1);
    expect(gainVsBase.ci95[0]).toBeGreaterThan(0);
    expect(gainVsBase.effectSize).toBeGreaterThan(0.3);
    // The same drop is worse, and for a metric where lower is better a rise is worse.
    expect(pairedComparison(zip(gain, base), 'higher')!.finding).toBe('worse');
    expect(pairedComparison(zip(base, gain), 'lower')!.finding).toBe('worse');
  });

  it('does not call a 0.02 rise on 20 examples a win', () => {
    const random = seededRandom(7);
    const base = Array.from({ length: 20 }, () => 0.5 + 0.3 * random());
    const candidate = base.map((s) => s + 0.02 + 0.5 * (random() - 0.5));
    const c = pairedComparison(zip(base, candidate), 'higher')!;
    expect(c.delta).toBeGreaterThan(0);
    expect(c.finding).toBe('no detectable difference');
  });

  it('gives the exact p-value on a few examples: five of five improved is not yet enough, six is', () => {
    const five = pairedComparison(zip([0, 0, 0, 0, 0], [1, 1, 1, 1, 1]), 'higher')!;
    expect(five.pValue).toBeCloseTo(2 / 32, 12);
    expect(five.finding).toBe('no detectable difference');
    const six = pairedComparison(zip([0, 0, 0, 0, 0, 0, 1], [1, 1, 1, 1, 1, 1, 1]), 'higher')!;
    expect(six.pValue).toBeCloseTo(2 / 64, 12);
    expect(six).toMatchObject({ n: 7, finding: 'better', effectSize: expect.any(Number) });
  });

  it('finds nothing where nothing moved, and nothing to compare where nothing was scored twice', () => {
    expect(pairedComparison(zip([1, 0, 1], [1, 0, 1]), 'higher')).toEqual({
      n: 3,
      delta: 0,
      ci95: [0, 0],
      pValue: 1,
      effectSize: null,
      finding: 'no detectable difference',
    });
    expect(pairedComparison([], 'higher')).toBeNull();
  });

  it('is the same answer every time, and past a thousand examples agrees with the resampled test', () => {
    const base = baseline(900, 0.6, 11);
    const candidate = noisy(improved(base, 0.015, 12), 0.05, 16);
    const first = pairedComparison(zip(base, candidate), 'higher')!;
    expect(pairedComparison(zip(base, candidate), 'higher')).toEqual(first);
    // The same data twice over (1,800 examples) goes the normal way; its p-value is that of a doubled effect.
    const twice = pairedComparison(zip([...base, ...base], [...candidate, ...candidate]), 'higher')!;
    expect(first.pValue).toBeGreaterThan(0.001);
    expect(twice.pValue).toBeLessThan(first.pValue);
    expect(twice.ci95[1] - twice.ci95[0]).toBeLessThan(first.ci95[1] - first.ci95[0]);
    const big = baseline(5_000, 0.6, 13);
    const flat = pairedComparison(zip(big, noisy(big, 0.05, 14)), 'higher')!;
    expect(flat.finding).toBe('no detectable difference');
    expect(pairedComparison(zip(big, improved(big, 0.01, 15)), 'higher')!.finding).toBe('better');
  });

  it('has the standard normal distribution function', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 6);
    expect(normalCdf(1.959964)).toBeCloseTo(0.975, 6);
    expect(normalCdf(-1.959964)).toBeCloseTo(0.025, 6);
    expect(normalCdf(3)).toBeCloseTo(0.99865, 5);
  });
});
