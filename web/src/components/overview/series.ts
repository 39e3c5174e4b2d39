// The overview answer turned into chart series on one time axis (the runs' buckets), and a bucket into the runs behind it.
import type { BucketClick, Overview, OverviewFilters, OverviewWindow } from './types.js';

/** The bucket starts, as epoch ms: every chart's x axis. */
export const bucketStarts = (o: Pick<Overview, 'runs'>): number[] => o.runs.map((b) => Date.parse(b.t));

const LABELS: Record<OverviewWindow, Intl.DateTimeFormatOptions> = {
  hour: { hour: '2-digit', minute: '2-digit' },
  day: { hour: '2-digit', minute: '2-digit' },
  week: { weekday: 'short', hour: 'numeric' },
  '30d': { month: 'short', day: 'numeric' },
};

/** A bucket's start as the axis shows it, in the viewer's time zone. */
export const bucketLabel = (t: number, window: OverviewWindow): string =>
  new Date(t).toLocaleString(undefined, LABELS[window]);

export interface NamedSeries {
  name: string;
  data: Array<number | null>;
}

/** Values spread over the buckets by their start (absent buckets: `empty`). */
function onBuckets<T>(starts: number[], rows: T[], t: (r: T) => string, v: (r: T) => number, empty: number | null) {
  const at = new Map(starts.map((s, i) => [s, i]));
  const data: Array<number | null> = starts.map(() => empty);
  for (const r of rows) {
    const i = at.get(Date.parse(t(r)));
    if (i !== undefined) data[i] = (data[i] ?? 0) + v(r);
  }
  return data;
}

/** Failed runs and the others, per bucket: stacked, failures at the bottom. */
export function runsSeries(o: Pick<Overview, 'runs'>): { failed: number[]; others: number[] } {
  return { failed: o.runs.map((b) => b.failed), others: o.runs.map((b) => b.total - b.failed) };
}

export type UsageMeasure = 'costUsd' | 'tokens';

/** One series per provider/model, in the order they first appear. */
export function usageSeries(o: Pick<Overview, 'runs' | 'usage'>, measure: UsageMeasure): NamedSeries[] {
  const starts = bucketStarts(o);
  const names = [...new Set(o.usage.map((u) => `${u.provider}/${u.model}`))];
  return names.map((name) => ({
    name,
    data: onBuckets(
      starts,
      o.usage.filter((u) => `${u.provider}/${u.model}` === name),
      (u) => u.t,
      (u) => (measure === 'costUsd' ? u.costUsd : u.inputTokens + u.outputTokens),
      0,
    ),
  }));
}

/** Each target's p50 and p95 wall time per bucket (null where it had no finished run). */
export function latencySeries(
  o: Pick<Overview, 'runs' | 'latency'>,
): Array<{ target: string; p50: NamedSeries; p95: NamedSeries }> {
  const starts = bucketStarts(o);
  return [...new Set(o.latency.map((l) => l.target))].map((target) => {
    const rows = o.latency.filter((l) => l.target === target);
    return {
      target,
      p50: {
        name: `${target} p50`,
        data: onBuckets(
          starts,
          rows,
          (l) => l.t,
          (l) => l.p50Ms,
          null,
        ),
      },
      p95: {
        name: `${target} p95`,
        data: onBuckets(
          starts,
          rows,
          (l) => l.t,
          (l) => l.p95Ms,
          null,
        ),
      },
    };
  });
}

/** The stacked series a click's height falls in, or undefined (above the stack, or below zero). */
export function stackedAt(series: NamedSeries[], click: BucketClick): number | undefined {
  let top = 0;
  for (const [i, s] of series.entries()) {
    top += s.data[click.index] ?? 0;
    if (click.value >= 0 && click.value <= top) return i;
  }
  return undefined;
}

/** The line whose value at the clicked bucket is nearest the click. */
export function nearestLine(series: NamedSeries[], click: BucketClick): number | undefined {
  let best: number | undefined;
  for (const [i, s] of series.entries()) {
    const v = s.data[click.index];
    if (v === null || v === undefined) continue;
    if (best === undefined || Math.abs(v - click.value) < Math.abs(series[best]!.data[click.index]! - click.value))
      best = i;
  }
  return best;
}

/** The runs list behind a bucket: its time range, the overview's filters, and what the click adds. */
export function runsLink(
  o: Pick<Overview, 'runs' | 'bucketMs'>,
  filters: OverviewFilters,
  index: number,
  extra: Record<string, string> = {},
): string | undefined {
  const start = bucketStarts(o)[index];
  if (start === undefined) return undefined;
  const { target, provider, model, origin } = filters;
  const set = Object.entries({ target, provider, model, origin }).filter((e): e is [string, string] => !!e[1]);
  const query = new URLSearchParams({
    ...Object.fromEntries(set),
    ...extra,
    since: new Date(start).toISOString(),
    until: new Date(start + o.bucketMs).toISOString(),
  });
  return `/runs?${query}`;
}
