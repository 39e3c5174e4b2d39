// The overview's query (window and filters) and its time buckets: aligned to UTC so a bucket's runs are the same
// runs whenever it is asked, and named in SQL by a prefix of the ISO time (db/repositories/overview.ts).
import { z } from 'zod';
import { runListQuery } from '../../core/specs.js';
import type { BucketKey, OverviewScope } from '../../db/repositories/overview.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Each window: its length, its bucket's length, and the bucket as a prefix of an ISO time (then what completes it). */
export const WINDOWS = {
  hour: { ms: HOUR, bucketMs: 5 * 60_000, key: { prefixLen: 14, divisor: 5 }, rest: ':00.000Z' },
  day: { ms: DAY, bucketMs: HOUR, key: { prefixLen: 13, divisor: 1 }, rest: ':00:00.000Z' },
  week: { ms: 7 * DAY, bucketMs: 6 * HOUR, key: { prefixLen: 11, divisor: 6 }, rest: ':00:00.000Z' },
  '30d': { ms: 30 * DAY, bucketMs: DAY, key: { prefixLen: 10, divisor: 1 }, rest: 'T00:00:00.000Z' },
} as const satisfies Record<string, { ms: number; bucketMs: number; key: BucketKey; rest: string }>;
export type OverviewWindow = keyof typeof WINDOWS;

export const overviewQuery = z.strictObject({
  window: z.enum(Object.keys(WINDOWS) as [OverviewWindow, ...OverviewWindow[]]).default('day'),
  target: runListQuery.shape.target,
  provider: runListQuery.shape.provider,
  model: runListQuery.shape.model,
  origin: runListQuery.shape.origin,
});
export type OverviewQuery = z.infer<typeof overviewQuery>;

export interface OverviewFrame {
  window: OverviewWindow;
  from: string;
  to: string;
  bucketMs: number;
  /** Each bucket's start, oldest first. */
  starts: string[];
  scope: OverviewScope;
  /** A bucket key from SQL as its start (ISO). */
  startOf(key: string): string;
}

/** The window ending with the bucket `now` is in, and the scope the store's queries take. */
export function overviewFrame(q: OverviewQuery, now = Date.now()): OverviewFrame {
  const w = WINDOWS[q.window];
  const to = Math.floor(now / w.bucketMs) * w.bucketMs + w.bucketMs;
  const from = to - w.ms;
  const starts = Array.from({ length: w.ms / w.bucketMs }, (_, i) => new Date(from + i * w.bucketMs).toISOString());
  const iso = (ms: number) => new Date(ms).toISOString();
  const startOf = (key: string) => {
    const [prefix, n] = key.split('|');
    const unit = n === undefined ? '' : String(Number(n) * w.key.divisor).padStart(2, '0');
    return `${prefix}${unit}${w.rest}`;
  };
  const { target, provider, model, origin } = q;
  const scope = { from: iso(from), to: iso(to), bucket: w.key, target, provider, model, origin };
  return { window: q.window, from: iso(from), to: iso(to), bucketMs: w.bucketMs, starts, scope, startOf };
}
