// A mergeable quantile sketch for wall times (DDSketch's log buckets): the overview's long windows keep one per
// rollup cell and merge cells in the service, so a 30-day p95 reads a few thousand cells instead of every run.
// Any quantile it answers is within ACCURACY (relative) of the exact one, for wall times from MIN_MS to MAX_MS
// (outside, the edge bucket's value) (docs/decisions/0020-overview-rollups.md).

/** The largest relative error of a quantile read from a sketch. */
export const ACCURACY = 0.01;
const GAMMA = (1 + ACCURACY) / (1 - ACCURACY);
const LOG_GAMMA = Math.log(GAMMA);
/** The range the buckets cover: a hundredth of a millisecond to a year. */
const MIN_MS = 0.01;
const MAX_MS = 365 * 86_400_000;
const FIRST = Math.ceil(Math.log(MIN_MS) / LOG_GAMMA);
const SIZE = Math.ceil(Math.log(MAX_MS) / LOG_GAMMA) - FIRST + 1;

/**
 * Counts per log bucket (slot k holds values in (γ^(FIRST+k-1), γ^(FIRST+k)]), and values ≤ 0 apart; the total and
 * the slots in use [lo, hi) kept as it merges, so reading one of a window's hundreds of sketches walks only those.
 */
export interface LatencySketch {
  zero: number;
  counts: Int32Array;
  total: number;
  lo: number;
  hi: number;
}

export const emptySketch = (): LatencySketch => ({ zero: 0, counts: new Int32Array(SIZE), total: 0, lo: SIZE, hi: 0 });

/** The slot a wall time counts in; null for a value ≤ 0 (counted apart, as zero). */
export function slotOf(value: number): number | null {
  if (!(value > 0)) return null;
  return Math.min(SIZE - 1, Math.max(0, Math.ceil(Math.log(value) / LOG_GAMMA) - FIRST));
}

export const countOf = (sketch: LatencySketch): number => sketch.total;

/**
 * As stored: little-endian 32-bit integers, the zero count then (slot, count) pairs of the slots in use. Built from
 * the few slots a cell's runs use (a rollup refresh writes hundreds of cells), read with mergeEncoded.
 */
export function encodeSketch(zero: number, slots: Map<number, number>): Uint8Array {
  const out = new Uint8Array(4 * (1 + 2 * slots.size));
  const view = new DataView(out.buffer);
  view.setInt32(0, zero, true);
  let at = 4;
  // Slots in order: the same counts always encode to the same bytes, so a refresh sees an unchanged cell as unchanged.
  for (const [k, c] of [...slots].sort((a, b) => a[0] - b[0])) {
    view.setInt32(at, k, true);
    view.setInt32(at + 4, c, true);
    at += 8;
  }
  return out;
}

/** Add a stored sketch's counts into `into`: a 30-day window merges thousands, so no object per bucket. */
export function mergeEncoded(into: LatencySketch, bytes: Uint8Array): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const zero = view.getInt32(0, true);
  into.zero += zero;
  into.total += zero;
  for (let at = 4; at + 8 <= bytes.byteLength; at += 8) {
    const k = view.getInt32(at, true);
    const c = view.getInt32(at + 4, true);
    into.counts[k]! += c;
    into.total += c;
    if (k < into.lo) into.lo = k;
    if (k >= into.hi) into.hi = k + 1;
  }
}

/** Add a stored sketch's slot counts into `slots` and return its zero count: how stored cells merge into a new one. */
export function addEncoded(slots: Map<number, number>, bytes: Uint8Array): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = 4; at + 8 <= bytes.byteLength; at += 8) {
    const k = view.getInt32(at, true);
    slots.set(k, (slots.get(k) ?? 0) + view.getInt32(at + 4, true));
  }
  return view.getInt32(0, true);
}

/** The value slot k stands for: within ACCURACY of every value it holds. */
const valueOf = (k: number) => (2 * GAMMA ** (FIRST + k)) / (GAMMA + 1);

/**
 * Continuous percentiles as SQL's percentile_cont defines them (linear between the two nearest ranks), each rank's
 * value read from its bucket; one pass over the buckets for all of `ps`. NaN for an empty sketch.
 */
export function quantiles(sketch: LatencySketch, ps: number[]): number[] {
  const n = countOf(sketch);
  if (n === 0) return ps.map(() => Number.NaN);
  const ranks = ps.flatMap((p) => [Math.floor((n - 1) * p), Math.min(Math.floor((n - 1) * p) + 1, n - 1)]);
  const wanted = [...new Set(ranks)].sort((a, b) => a - b);
  const values = new Map<number, number>();
  let seen = sketch.zero;
  let next = 0;
  while (next < wanted.length && wanted[next]! < seen) values.set(wanted[next++]!, 0);
  for (let k = sketch.lo; k < sketch.hi && next < wanted.length; k++) {
    seen += sketch.counts[k]!;
    while (next < wanted.length && wanted[next]! < seen) values.set(wanted[next++]!, valueOf(k));
  }
  return ps.map((p) => {
    const at = (n - 1) * p;
    const lo = Math.floor(at);
    const low = values.get(lo)!;
    return low + (values.get(Math.min(lo + 1, n - 1))! - low) * (at - lo);
  });
}
