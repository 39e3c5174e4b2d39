// The frame every overview chart shares: the buckets on x, one value axis, the tooltip over a bucket, a legend on top.
import { bucketLabel, bucketStarts } from './series';
import type { Overview } from './types';

/** Short numbers for an axis: 1.2k, 3.4M. */
export function compact(n: number): string {
  return Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 }).format(n);
}

/** Dollars: cents from a dollar up, else two significant digits ($0.03, $0.0025). */
export function usd(n: number): string {
  return n >= 1 || n === 0 ? `$${n.toFixed(2)}` : `$${Number(n.toPrecision(2))}`;
}

/** The shared frame, with the value axis's labels as `format` spells them. */
export function chartFrame(o: Pick<Overview, 'runs' | 'window'>, format: (n: number) => string = compact) {
  return {
    animation: false,
    grid: { left: 56, right: 16, top: 36, bottom: 28, outerBoundsMode: 'none' },
    legend: { type: 'scroll', top: 0, left: 0, right: 0, itemWidth: 14, itemHeight: 8 },
    tooltip: {
      trigger: 'axis',
      axisPointer: { type: 'shadow' },
      valueFormatter: (v: number | null) => (v === null ? '–' : format(v)),
    },
    xAxis: {
      type: 'category',
      data: bucketStarts(o).map((t) => bucketLabel(t, o.window)),
      axisLabel: { hideOverlap: true },
    },
    yAxis: { type: 'value', minInterval: 1, axisLabel: { formatter: format } },
  };
}
