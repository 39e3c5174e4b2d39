// Seeded orders and minibatches: the search optimizers draw their examples with these, so a run resumed after a
// crash, or run again with the same seed, draws the same ones.
import { seededRandom } from '../seeded-random.js';

/** A copy of `items` in a seeded order (Fisher–Yates). */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  const rand = seededRandom(seed);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Draw `n` of the seeded stream `seed`/`purpose`: one number in [0, 1), the same for the same arguments. */
export const draw = (seed: number, purpose: number, n: number): number =>
  seededRandom(seed * 1_000_003 + purpose * 7_919 + n)();

/**
 * The `n`-th minibatch of `size` examples: consecutive slices of a seeded order, a fresh order each epoch (GEPA's
 * epoch-shuffled batches); MIPROv2's independent draws are the same with a purpose of their own.
 */
export function minibatch<T>(items: readonly T[], size: number, seed: number, n: number): T[] {
  if (size >= items.length) return [...items];
  const perEpoch = Math.floor(items.length / size);
  const epoch = Math.floor(n / perEpoch);
  const at = (n % perEpoch) * size;
  return shuffled(items, seed * 31 + epoch).slice(at, at + size);
}
