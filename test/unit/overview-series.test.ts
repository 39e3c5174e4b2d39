// The overview's answer on one time axis, and a click on a bucket as the runs behind it.
import { describe, expect, it } from 'vitest';
import { chartColors, withAlpha } from '../../web/src/lib/chart-theme.js';
import {
  latencySeries,
  nearestLine,
  runsLink,
  runsSeries,
  stackedAt,
  usageSeries,
} from '../../web/src/components/overview/series.js';

const H = 3_600_000;
const t = (h: number) => new Date(Date.UTC(2026, 10, 1) + h * H).toISOString();
const overview = {
  window: 'day' as const,
  bucketMs: H,
  runs: [
    { t: t(0), total: 4, failed: 1 },
    { t: t(1), total: 0, failed: 0 },
    { t: t(2), total: 6, failed: 5 },
  ],
  usage: [
    { t: t(0), provider: 'openai', model: 'a', inputTokens: 10, outputTokens: 5, costUsd: 0.5 },
    { t: t(2), provider: 'anthropic', model: 'b', inputTokens: 1, outputTokens: 1, costUsd: 0.25 },
    { t: t(2), provider: 'openai', model: 'a', inputTokens: 2, outputTokens: 2, costUsd: 0.75 },
  ],
  latency: [
    { t: t(0), target: 'x', p50Ms: 100, p95Ms: 300 },
    { t: t(2), target: 'y', p50Ms: 1000, p95Ms: 2000 },
  ],
};
const filters = { window: 'day', target: 'x', provider: null, model: null, origin: 'app' };

describe('overview series', () => {
  it('stacks failures under the other runs, bucket by bucket', () => {
    expect(runsSeries(overview)).toEqual({ failed: [1, 0, 5], others: [3, 0, 1] });
  });

  it('puts each provider/model on the buckets, zero where it made no call', () => {
    expect(usageSeries(overview, 'costUsd')).toEqual([
      { name: 'openai/a', data: [0.5, 0, 0.75] },
      { name: 'anthropic/b', data: [0, 0, 0.25] },
    ]);
    expect(usageSeries(overview, 'tokens')[0]!.data).toEqual([15, 0, 4]);
  });

  it('leaves a gap where a target had no finished run', () => {
    const [x, y] = latencySeries(overview);
    expect(x!.p95).toEqual({ name: 'x p95', data: [300, null, null] });
    expect(y!.p50.data).toEqual([null, null, 1000]);
  });

  it('tells which stacked bar or nearest line a click fell on', () => {
    const stack = [
      { name: 'failed', data: [1, 0, 5] },
      { name: 'others', data: [3, 0, 1] },
    ];
    expect(stackedAt(stack, { index: 2, value: 4.5 })).toBe(0);
    expect(stackedAt(stack, { index: 2, value: 5.5 })).toBe(1);
    expect(stackedAt(stack, { index: 2, value: 7 })).toBeUndefined();
    const lines = latencySeries(overview).flatMap((l) => [l.p50, l.p95]);
    expect(nearestLine(lines, { index: 0, value: 250 })).toBe(1);
    expect(nearestLine(lines, { index: 1, value: 250 })).toBeUndefined();
  });

  it("links a bucket to its runs with the overview's filters", () => {
    const link = runsLink(overview, filters, 2, { status: 'failed' });
    const q = new URLSearchParams(link!.split('?')[1]);
    expect(link!.startsWith('/runs?')).toBe(true);
    expect(Object.fromEntries(q)).toEqual({
      target: 'x',
      origin: 'app',
      status: 'failed',
      since: t(2),
      until: t(3),
    });
    expect(runsLink(overview, filters, 3)).toBeUndefined();
  });
});

describe('chart theme', () => {
  it("takes the Vuetify theme's colours, lifted for dark", () => {
    expect(withAlpha('#fff', 0.5)).toBe('rgba(255, 255, 255, 0.5)');
    const dark = chartColors(
      { 'on-surface': '#FFFFFF', surface: '#212121', error: '#CF6679', primary: '#2196F3' },
      true,
    );
    expect(dark.failed).toBe('#CF6679');
    expect(dark.text).toBe('rgba(255, 255, 255, 0.87)');
    expect(chartColors({}, false).palette).not.toEqual(dark.palette);
  });
});
