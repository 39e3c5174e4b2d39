// The trend figures' arithmetic: nearest-rank percentiles, the 30-day window in UTC days, an eval's scores and deltas,
// and the score chart's series (a version's latest eval per metric and dataset).
import { describe, expect, it } from 'vitest';
import { evalScores, nearestRank, runsPerDay, scoreDeltas, trendSince, versionFigures } from '../../core/trends.js';
import { scoreSeries } from '../../web/src/components/trends/trend-options.js';

const run = (version: number, status: string, createdAt: string, wallMs?: number) => ({
  version,
  status,
  createdAt,
  startedAt: createdAt,
  endedAt: wallMs === undefined ? null : new Date(Date.parse(createdAt) + wallMs).toISOString(),
  costUsd: 0.5,
});

describe('trend figures', () => {
  it('nearest rank: the smallest value with at least that fraction at or below it; none of nothing', () => {
    expect(nearestRank([], 0.5)).toBeNull();
    expect(nearestRank([7], 0.95)).toBe(7);
    expect(nearestRank([4, 1, 3, 2], 0.5)).toBe(2);
    expect(
      nearestRank(
        Array.from({ length: 20 }, (_, i) => i + 1),
        0.95,
      ),
    ).toBe(19);
  });

  it('a version without runs shows zero runs and no figures; latency reads completed runs only', () => {
    const runs = [
      run(2, 'completed', '2026-12-01T10:00:00.000Z', 100),
      run(2, 'failed', '2026-12-01T10:00:00.000Z', 1),
    ];
    expect(versionFigures([1, 2], runs)).toEqual([
      { version: 1, runs: 0, costUsdAvg: null, p50Ms: null, p95Ms: null },
      { version: 2, runs: 2, costUsdAvg: 0.5, p50Ms: 100, p95Ms: 100 },
    ]);
  });

  it('30 UTC days ending today, oldest first; a run outside them is not counted; timed out counts as failed', () => {
    const now = new Date('2026-12-06T00:30:00.000Z');
    expect(trendSince(now)).toBe('2026-11-07T00:00:00.000Z');
    const days = runsPerDay(
      [
        run(1, 'timed_out', '2026-12-06T00:10:00.000Z'),
        run(1, 'completed', '2026-11-07T00:00:00.000Z'),
        run(1, 'completed', '2026-11-06T23:59:59.999Z'),
      ],
      now,
    );
    expect(days).toHaveLength(30);
    expect(days[0]).toEqual({ day: '2026-11-07', runs: 1, failed: 0 });
    expect(days[29]).toEqual({ day: '2026-12-06', runs: 1, failed: 1 });
  });

  it("an eval's scores are its means; deltas only where both scored", () => {
    expect(evalScores(null)).toEqual({});
    expect(evalScores({ aggregates: { a: { mean: 0.5, n: 2 }, b: { n: 0 } } })).toEqual({ a: 0.5 });
    expect(scoreDeltas({ a: 0.75, b: 1 }, { a: 0.5, c: 0 })).toEqual({ a: 0.25 });
  });
});

describe('the score chart', () => {
  const evalOn = (dataset: string, scores: Record<string, number>) => ({
    runId: 'r',
    dataset,
    split: 'dev',
    createdAt: '',
    scores,
  });
  const version = (v: number, evals: ReturnType<typeof evalOn>[]) => ({
    version: v,
    runs: 0,
    costUsdAvg: null,
    p50Ms: null,
    p95Ms: null,
    evals,
  });

  it("one series per metric; a version's point is its latest eval, a gap where it has none", () => {
    const t = {
      versions: [
        version(1, [evalOn('d', { m: 0.1 }), evalOn('d', { m: 0.3 })]),
        version(2, []),
        version(3, [evalOn('d', { m: 0.6 })]),
      ],
      runsPerDay: [],
    };
    expect(scoreSeries(t)).toEqual([{ name: 'm', data: [0.3, null, 0.6] }]);
  });

  it('names the dataset when the evals used several', () => {
    const t = { versions: [version(1, [evalOn('d', { m: 0.1 }), evalOn('e', { m: 0.9 })])], runsPerDay: [] };
    expect(scoreSeries(t)).toEqual([
      { name: 'm · d', data: [0.1] },
      { name: 'm · e', data: [0.9] },
    ]);
  });
});
