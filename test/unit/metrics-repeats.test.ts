// Aggregates over repeated examples: each example is one observation (its repeats' mean), with the spread within.
import { describe, expect, it } from 'vitest';
import { aggregate, aggregateByExample, exampleMeans } from '../../core/metrics.js';

const result = (exampleId: string, score: number) => ({ exampleId, scores: { m: score } });

describe('aggregates over repeats', () => {
  it('is the plain aggregate when every example ran once', () => {
    const rows = [result('a', 1), result('b', 0), result('c', 1)];
    expect(aggregateByExample(rows, 'm')).toEqual(aggregate([1, 0, 1]));
  });

  it("counts examples, not runs: each example's mean, the spread of its runs", () => {
    const rows = [
      ...[1, 1, 0, 1].map((s) => result('a', s)),
      ...[0, 0, 0, 0].map((s) => result('b', s)),
      ...[1, 0, 1, 0].map((s) => result('c', s)),
    ];
    const a = aggregateByExample(rows, 'm');
    expect(a.n).toBe(3);
    expect(a.mean).toBeCloseTo((0.75 + 0 + 0.5) / 3, 12);
    // Fractional means take the normal interval over the three examples.
    expect(a.ci95).toEqual(aggregate([0.75, 0, 0.5]).ci95);
    expect(a.repeats).toBe(4);
    // Sample standard deviations: a 0.5, b 0, c ~0.5774.
    expect(a.spread).toBeCloseTo((0.5 + 0 + Math.sqrt(1 / 3)) / 3, 12);
  });

  it('scores a missing metric 0, as the plain mean does', () => {
    const means = exampleMeans([result('a', 1), { exampleId: 'a', scores: {} }], 'm');
    expect(means.get('a')).toEqual({ mean: 0.5, scores: [1, 0] });
  });
});
