// Repeats of one eval grouped with the spread of their means.
import { describe, expect, it } from 'vitest';
import { groupRepeats, type EvalRunLike } from '../../web/src/lib/eval-repeats.js';

const run = (id: string, version: number, mean: number | null, status = 'completed'): EvalRunLike => ({
  id,
  status,
  target: { name: 'qa', version },
  inputs: { dataset: 'qs', split: 'dev' },
  outputs: mean === null ? null : { aggregates: { 'exact_match:answer': { mean } } },
});

describe('eval repeats', () => {
  it('groups the same target version, dataset, split and metrics, with the sample standard deviation of the means', () => {
    const groups = groupRepeats([run('c', 2, 0.5), run('b', 2, 0.7), run('a', 1, 0.25), run('d', 2, 0.6)]);
    expect(groups.map((g) => g.runs.map((r) => r.id))).toEqual([['c', 'b', 'd'], ['a']]);
    const s = groups[0]!.spread['exact_match:answer']!;
    expect(s.n).toBe(3);
    expect(s.mean).toBeCloseTo(0.6, 10);
    expect(s.sd).toBeCloseTo(0.1, 10);
    expect(groups[1]!.spread['exact_match:answer']).toEqual({ mean: 0.25, sd: 0, n: 1 });
  });

  it('leaves runs without results out of the spread', () => {
    const [g] = groupRepeats([run('a', 1, 0.5), { ...run('b', 1, 0.9), status: 'failed' }]);
    expect(g!.runs).toHaveLength(2);
    expect(g!.spread['exact_match:answer']).toEqual({ mean: 0.5, sd: 0, n: 1 });
  });
});
