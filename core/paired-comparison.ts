// Whether a candidate scores differently from its baseline on the same examples beyond what chance gives:
// a paired sign-flip permutation test on the per-example differences, and a paired bootstrap interval of
// their mean. A 0.02 change on 20 examples is "no detectable difference", not a win.
import type { Direction } from './eval-compare.js';
import { seededRandom } from './seeded-random.js';

export type Finding = 'better' | 'worse' | 'no detectable difference';

export interface PairedComparison {
  /** Examples scored in both runs. */
  n: number;
  /** The mean of (candidate − baseline) over those examples. */
  delta: number;
  /** 95% interval of that mean: paired bootstrap percentiles (a normal interval past 1,000 examples). */
  ci95: [number, number];
  /** Two-sided p-value: exact up to 16 examples that differ, then 10,000 seeded sign flips, normal past 1,000. */
  pValue: number;
  /** Cohen's dz: the mean difference over the differences' standard deviation; null where they do not vary. */
  effectSize: number | null;
  /** Better or worse in the metric's own direction at p < 0.05, else no detectable difference. */
  finding: Finding;
}

export const SIGNIFICANCE = 0.05;
const EXACT_UP_TO = 16;
// Past this many examples resampling costs tenths of a second a metric and the normal approximations are as good.
const RESAMPLED_UP_TO = 1_000;
const FLIPS = 10_000;
const BOOTSTRAPS = 2_000;
// One fixed seed: the same two runs always get the same p-value and interval.
const SEED = 0x5eed;

/** The comparison of candidate scores against baseline scores of the same examples ([baseline, candidate] pairs). */
export function pairedComparison(pairs: Array<[number, number]>, direction: Direction): PairedComparison | null {
  const diffs = pairs.map(([base, candidate]) => candidate - base);
  const n = diffs.length;
  if (!n) return null;
  const delta = diffs.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(diffs.reduce((s, d) => s + (d - delta) ** 2, 0) / (n - 1)) : 0;
  const pValue = signFlipPValue(diffs);
  const favourable = direction === 'higher' ? delta > 0 : delta < 0;
  return {
    n,
    delta,
    ci95: meanInterval(diffs, delta, sd),
    pValue,
    effectSize: sd > 0 ? delta / sd : null,
    finding: pValue < SIGNIFICANCE && delta !== 0 ? (favourable ? 'better' : 'worse') : 'no detectable difference',
  };
}

/** Under "no difference" each example's difference is as likely negated: how often a sum at least as far from 0 comes up. */
function signFlipPValue(diffs: number[]): number {
  const moved = diffs.filter((d) => d !== 0);
  const m = moved.length;
  if (!m) return 1;
  const observed = Math.abs(moved.reduce((a, b) => a + b, 0));
  // Sums of the same differences in another order differ in the last bits: compare with a tolerance.
  const atLeast = (sum: number) => Math.abs(sum) >= observed - 1e-9 * Math.max(1, observed);
  if (m <= EXACT_UP_TO) {
    let count = 0;
    for (let signs = 0; signs < 1 << m; signs++) {
      let sum = 0;
      for (let i = 0; i < m; i++) sum += signs & (1 << i) ? -moved[i]! : moved[i]!;
      if (atLeast(sum)) count++;
    }
    return count / (1 << m);
  }
  if (m <= RESAMPLED_UP_TO) {
    const random = seededRandom(SEED);
    let count = 0;
    for (let b = 0; b < FLIPS; b++) {
      let sum = 0;
      for (const d of moved) sum += random() < 0.5 ? -d : d;
      if (atLeast(sum)) count++;
    }
    return (count + 1) / (FLIPS + 1);
  }
  // Past 1,000 the flipped sum is normal with variance Σd² (its central limit).
  const z = observed / Math.sqrt(moved.reduce((s, d) => s + d * d, 0));
  return Math.min(1, 2 * (1 - normalCdf(z)));
}

function meanInterval(diffs: number[], delta: number, sd: number): [number, number] {
  const n = diffs.length;
  if (n > RESAMPLED_UP_TO) {
    const half = (1.96 * sd) / Math.sqrt(n);
    return [delta - half, delta + half];
  }
  const random = seededRandom(SEED);
  const means = new Float64Array(BOOTSTRAPS);
  for (let b = 0; b < BOOTSTRAPS; b++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += diffs[Math.floor(random() * n)]!;
    means[b] = sum / n;
  }
  means.sort();
  return [means[Math.floor(0.025 * (BOOTSTRAPS - 1))]!, means[Math.ceil(0.975 * (BOOTSTRAPS - 1))]!];
}

/** Φ(z) from the complementary error function (Numerical Recipes' erfc, error below 1.2e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.5 * x);
  const erfc =
    t *
    Math.exp(
      -x * x -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return z >= 0 ? 1 - erfc / 2 : erfc / 2;
}
