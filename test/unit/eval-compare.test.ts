import { describe, expect, it } from 'vitest';
import { changeKind, columnNames, defaultBaseline, directionOf, verdictOf } from '../../core/eval-compare.js';

const run = (id: string, createdAt: string, version: number, inputs?: Record<string, unknown>) => ({
  id,
  createdAt,
  target: { name: 'qa', version },
  ...(inputs ? { inputs } : {}),
});

describe('eval comparisons', () => {
  it('takes the oldest eval as the baseline, whatever order they were picked in', () => {
    expect(defaultBaseline([run('run_b', '2026-01-02T00:00:00Z', 3), run('run_a', '2026-01-01T00:00:00Z', 2)])).toEqual(
      { id: 'run_a', by: 'oldest' },
    );
  });

  it('takes the eval of the version in production over an older one, and names its column so', () => {
    const evals = [
      run('run_a', '2026-01-01T00:00:00Z', 2),
      run('run_b', '2026-01-02T00:00:00Z', 3),
      run('run_c', '2026-01-03T00:00:00Z', 3),
    ];
    const inProduction = (e: { target: { version: number } }) => e.target.version === 3;
    expect(defaultBaseline(evals, inProduction)).toEqual({ id: 'run_b', by: 'label' });
    expect(columnNames(evals.slice(0, 2), inProduction)).toEqual(['qa@2', 'qa@3 (production)']);
  });

  it('names columns by version, with an override and repeats told apart', () => {
    expect(
      columnNames([
        run('a', 't', 2),
        run('b', 't', 3),
        run('c', 't', 3),
        run('d', 't', 3, { override: { provider: 'other', model: 'big' } }),
      ]),
    ).toEqual(['qa@2', 'qa@3', 'qa@3 #2', 'qa@3 on other/big']);
  });

  it('judges each metric on its own: a rise is better, a mix of rises and drops is mixed', () => {
    expect(directionOf('llm_judge:answer')).toBe('higher');
    expect(verdictOf(0.4, 'higher')).toBe('better');
    expect(verdictOf(-0.4, 'higher')).toBe('worse');
    expect(verdictOf(0.4, 'lower')).toBe('worse');
    expect(verdictOf(0.5 - 0.4 - 0.1, 'higher')).toBe('same');
    expect(verdictOf(null, 'higher')).toBeNull();
    expect(changeKind([null, 'better', null, 'same'])).toBe('improvement');
    expect(changeKind([null, 'worse'])).toBe('regression');
    expect(changeKind([null, 'better', null, 'worse'])).toBe('mixed');
  });
});
