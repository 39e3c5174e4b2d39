// A Tree-structured Parzen Estimator over categorical choices (MIPROv2's search over instruction × demo set):
// past trials split into the better quarter and the rest; a product-kernel density of each (with a uniform prior)
// scores sampled candidates, and the one most likely among the good relative to the bad is tried next.
// Pure and seeded: workflows call it, and the same trials and seed give the same suggestion.
import { seededRandom } from '../seeded-random.js';

export interface Trial {
  /** One chosen index per dimension of the space. */
  params: number[];
  score: number;
}

export interface TpeOptions {
  /** Trials drawn uniformly before the estimator takes over (Optuna's n_startup_trials, scaled to small searches). */
  startup?: number;
  /** The share of trials counted as good (at least one). */
  gamma?: number;
  /** How many candidates are drawn from the good density and compared (Optuna's n_ei_candidates). */
  candidates?: number;
  /** How much a kernel keeps on its own value; the rest is spread over the others. */
  bandwidth?: number;
}

const DEFAULTS = { startup: 4, gamma: 0.25, candidates: 24, bandwidth: 0.8 };

/** A Parzen density over the space: the uniform prior and one product kernel per observed trial, weighted equally. */
function density(sizes: number[], observed: number[][], keep: number) {
  const kernel = (x: number, centre: number, size: number) =>
    size === 1 ? 1 : x === centre ? keep : (1 - keep) / (size - 1);
  const prior = sizes.reduce((p, s) => p / s, 1);
  return {
    at(x: number[]): number {
      let sum = prior;
      for (const t of observed) sum += sizes.reduce((p, s, d) => p * kernel(x[d]!, t[d]!, s), 1);
      return sum / (observed.length + 1);
    },
    sample(rand: () => number): number[] {
      const c = Math.floor(rand() * (observed.length + 1));
      const centre = c < observed.length ? observed[c] : undefined;
      return sizes.map((s, d) => {
        if (!centre || s === 1) return Math.floor(rand() * s);
        if (rand() < keep) return centre[d]!;
        const other = Math.floor(rand() * (s - 1));
        return other >= centre[d]! ? other + 1 : other;
      });
    },
  };
}

/**
 * The next point to try in a space of `sizes` choices per dimension, given the trials so far (higher score is
 * better). `seed` and the trial count pick the draws, so a resumed search suggests what the uninterrupted one did.
 * @example suggest([3, 2], [], 7) // a uniform draw, e.g. [2, 0]
 */
export function suggest(sizes: number[], trials: Trial[], seed: number, options: TpeOptions = {}): number[] {
  if (!sizes.length || sizes.some((s) => !Number.isInteger(s) || s < 1))
    throw new Error(`every dimension needs at least one choice: ${JSON.stringify(sizes)}`);
  const o = { ...DEFAULTS, ...options };
  const rand = seededRandom(seed * 7919 + trials.length);
  if (trials.length < o.startup) return sizes.map((s) => Math.floor(rand() * s));
  // Best first; a tie keeps the earlier trial first, so the split does not depend on the sort's stability.
  const ranked = trials.map((t, i) => ({ t, i })).sort((a, b) => b.t.score - a.t.score || a.i - b.i);
  const nGood = Math.max(1, Math.ceil(o.gamma * trials.length));
  const good = density(
    sizes,
    ranked.slice(0, nGood).map((r) => r.t.params),
    o.bandwidth,
  );
  const bad = density(
    sizes,
    ranked.slice(nGood).map((r) => r.t.params),
    o.bandwidth,
  );
  let best: number[] = [];
  let bestRatio = -Infinity;
  for (let c = 0; c < o.candidates; c++) {
    const x = good.sample(rand);
    const ratio = Math.log(good.at(x)) - Math.log(bad.at(x));
    if (ratio > bestRatio) [best, bestRatio] = [x, ratio];
  }
  return best;
}
