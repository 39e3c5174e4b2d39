// ECharts options for a component's or pipeline's trends: pure, from the trends answer, versions on x (v1, v2, ...).
import type { Trends, VersionTrend } from './types.js';

const frame = (categories: string[], format: (n: number) => string) => ({
  animation: false,
  grid: { left: 56, right: 16, top: 36, bottom: 28, outerBoundsMode: 'none' },
  legend: { type: 'scroll', top: 0, left: 0, right: 0, itemWidth: 14, itemHeight: 8 },
  tooltip: {
    trigger: 'axis',
    axisPointer: { type: 'shadow' },
    valueFormatter: (v: number | null | undefined) => (v === null || v === undefined ? '–' : format(v)),
  },
  xAxis: { type: 'category', data: categories, axisLabel: { hideOverlap: true } },
  yAxis: { type: 'value', axisLabel: { formatter: format } },
});

const versionNames = (t: Trends) => t.versions.map((v) => `v${v.version}`);

export const usd = (n: number) => (n >= 1 || n === 0 ? `$${n.toFixed(2)}` : `$${n.toPrecision(2)}`);
export const ms = (n: number) => (n >= 1000 ? `${(n / 1000).toFixed(1)} s` : `${Math.round(n)} ms`);
export const score = (n: number) => n.toFixed(2);

/** Each metric on each dataset it was scored on: one series (`metric · dataset` when there are several datasets). */
export function scoreSeries(t: Trends): Array<{ name: string; data: Array<number | null> }> {
  const keys = new Map<string, { metric: string; dataset: string }>();
  for (const e of t.versions.flatMap((v) => v.evals))
    for (const metric of Object.keys(e.scores)) keys.set(`${metric}\u0000${e.dataset}`, { metric, dataset: e.dataset });
  const datasets = new Set([...keys.values()].map((k) => k.dataset));
  // A version's point is its latest eval on that dataset: the evals come oldest first.
  const latest = (v: VersionTrend, k: { metric: string; dataset: string }) =>
    v.evals.filter((e) => e.dataset === k.dataset && k.metric in e.scores).at(-1)?.scores[k.metric] ?? null;
  return [...keys.values()].map((k) => ({
    name: datasets.size > 1 ? `${k.metric} · ${k.dataset}` : k.metric,
    data: t.versions.map((v) => latest(v, k)),
  }));
}

export function scoreOption(t: Trends) {
  const base = frame(versionNames(t), score);
  return {
    ...base,
    // Scores are fractions; a metric that goes past 1 keeps its own scale.
    yAxis: { ...base.yAxis, min: 0, max: (v: { max: number }) => Math.max(1, v.max) },
    series: scoreSeries(t).map((s) => ({ ...s, type: 'line', connectNulls: true, symbolSize: 8 })),
  };
}

export function costOption(t: Trends) {
  return {
    ...frame(versionNames(t), usd),
    series: [{ name: 'Mean cost per run', type: 'bar', data: t.versions.map((v) => v.costUsdAvg) }],
  };
}

export function latencyOption(t: Trends) {
  return {
    ...frame(versionNames(t), ms),
    series: [
      { name: 'p50', type: 'bar', data: t.versions.map((v) => v.p50Ms) },
      { name: 'p95', type: 'bar', data: t.versions.map((v) => v.p95Ms) },
    ],
  };
}

export function runsPerDayOption(t: Trends, failedColor: string) {
  const base = frame(
    t.runsPerDay.map((d) => d.day.slice(5)),
    (n) => String(n),
  );
  return {
    ...base,
    yAxis: { ...base.yAxis, minInterval: 1 },
    series: [
      { name: 'Succeeded or other', type: 'bar', stack: 'runs', data: t.runsPerDay.map((d) => d.runs - d.failed) },
      { name: 'Failed', type: 'bar', stack: 'runs', color: failedColor, data: t.runsPerDay.map((d) => d.failed) },
    ],
  };
}

/** A line a screen reader (and a glance) can take in for each chart. */
export function summaries(t: Trends) {
  const latest = t.versions.at(-1);
  const total = t.runsPerDay.reduce((n, d) => n + d.runs, 0);
  const failed = t.runsPerDay.reduce((n, d) => n + d.failed, 0);
  const scored = scoreSeries(t).map((s) => `${s.name} ${s.data.map((d) => (d === null ? '–' : score(d))).join(' → ')}`);
  return {
    score: scored.length ? scored.join('; ') : 'No evals yet',
    cost: latest?.costUsdAvg == null ? 'No runs in 30 days' : `v${latest.version}: ${usd(latest.costUsdAvg)} per run`,
    latency:
      latest?.p50Ms == null
        ? 'No completed runs in 30 days'
        : `v${latest.version}: p50 ${ms(latest.p50Ms)}, p95 ${ms(latest.p95Ms!)}`,
    runs: `${total} runs, ${failed} failed in 30 days`,
  };
}
