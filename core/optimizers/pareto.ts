// GEPA's candidate pool: per validation example, the candidates that score best on it form a front; a candidate
// whose every front holds another surviving candidate is dominated and dropped; the next parent is drawn in
// proportion to how many fronts it leads. Pure and seeded, so a workflow's selection replays.
import { seededRandom } from '../seeded-random.js';

/** Each candidate's score per validation example, in the pool's order (candidate 0 is the seed program). */
export type PoolScores = Array<Record<string, number>>;

/** For each example, the candidates with its best score (examples nobody scored are left out). */
export function fronts(pool: PoolScores): Map<string, Set<number>> {
  const examples = new Set(pool.flatMap((s) => Object.keys(s)));
  const out = new Map<string, Set<number>>();
  for (const ex of [...examples].sort()) {
    const best = Math.max(...pool.map((s) => s[ex] ?? -Infinity));
    out.set(ex, new Set(pool.flatMap((s, i) => ((s[ex] ?? -Infinity) === best ? [i] : []))));
  }
  return out;
}

const mean = (s: Record<string, number>) => {
  const v = Object.values(s);
  return v.length ? v.reduce((a, b) => a + b, 0) / v.length : 0;
};

/**
 * The candidates on the frontier and how many fronts each leads. As GEPA removes dominated programs: a candidate is
 * dominated when every front it is in holds another surviving candidate; candidates are tried weakest first (the
 * lower mean, then the later one), each removal against those still standing.
 */
export function frontier(pool: PoolScores): Map<number, number> {
  const sets = [...fronts(pool).values()];
  const alive = new Set(pool.map((_, i) => i).filter((i) => sets.some((f) => f.has(i))));
  const order = [...alive].sort((x, y) => mean(pool[x]!) - mean(pool[y]!) || y - x);
  for (const y of order) {
    const mine = sets.filter((f) => f.has(y));
    if (mine.every((f) => [...f].some((o) => o !== y && alive.has(o)))) alive.delete(y);
  }
  return new Map([...alive].sort((x, y) => x - y).map((i) => [i, sets.filter((f) => f.has(i)).length]));
}

/** The next parent: a frontier candidate drawn in proportion to the fronts it leads, by `seed` and `draw`. */
export function selectParent(pool: PoolScores, seed: number, draw: number): number {
  const counts = [...frontier(pool)];
  if (!counts.length) return 0;
  const total = counts.reduce((s, [, n]) => s + n, 0);
  let r = seededRandom(seed * 104_729 + draw)() * total;
  for (const [i, n] of counts) {
    r -= n;
    if (r < 0) return i;
  }
  return counts[counts.length - 1]![0];
}

/** The candidate with the best mean score over the validation examples; the earliest on a tie. */
export function bestCandidate(pool: PoolScores): number {
  return pool.reduce((best, s, i) => (mean(s) > mean(pool[best]!) ? i : best), 0);
}
