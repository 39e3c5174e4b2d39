// The search optimizers' pure parts: TPE's suggestions, GEPA's Pareto frontier and parent draws, seeded minibatches.
import { describe, expect, it } from 'vitest';
import { bestCandidate, fronts, frontier, selectParent } from '../../core/optimizers/pareto.js';
import { minibatch, shuffled } from '../../core/optimizers/sample.js';
import { suggest, type Trial } from '../../core/optimizers/tpe.js';
import { cleanInstruction } from '../../core/optimizers/prompts.js';

describe('TPE over categorical choices', () => {
  it('draws uniformly during its start-up trials, the same draw for the same seed and trial count', () => {
    const a = suggest([4, 3], [], 11);
    expect(suggest([4, 3], [], 11)).toEqual(a);
    expect(a[0]).toBeGreaterThanOrEqual(0);
    expect(a[0]).toBeLessThan(4);
    const seen = new Set(Array.from({ length: 40 }, (_, s) => suggest([4, 3], [], s).join()));
    expect(seen.size).toBeGreaterThan(6);
  });

  it('after the start-up trials, proposes the region where good trials were far more often than chance', () => {
    // Instruction 2 scores well whatever the demo set; the others do not.
    const score = (p: number[]) => (p[0] === 2 ? 0.9 : 0.2);
    let picked = 0;
    for (let seed = 0; seed < 50; seed++) {
      const trials: Trial[] = [
        [0, 0],
        [1, 1],
        [2, 0],
        [3, 2],
        [0, 1],
        [1, 2],
      ].map((params) => ({ params, score: score(params) }));
      if (suggest([4, 3], trials, seed)[0] === 2) picked++;
    }
    // Uniform draws would pick it about 12 times in 50.
    expect(picked).toBeGreaterThan(35);
  });

  it('refuses an empty dimension by name', () => {
    expect(() => suggest([3, 0], [], 1)).toThrow('every dimension needs at least one choice: [3,0]');
  });
});

describe("GEPA's Pareto frontier", () => {
  const pool = [
    { a: 1, b: 0, c: 0 },
    { a: 0, b: 1, c: 0 },
    { a: 1, b: 1, c: 0 },
    { a: 0, b: 0, c: 1 },
  ];

  it('keeps per example the candidates with its best score', () => {
    expect([...fronts(pool)].map(([ex, s]) => [ex, [...s]])).toEqual([
      ['a', [0, 2]],
      ['b', [1, 2]],
      ['c', [3]],
    ]);
  });

  it('drops a candidate whose fronts another candidate all shares, and counts the fronts each survivor leads', () => {
    expect([...frontier(pool)]).toEqual([
      [2, 2],
      [3, 1],
    ]);
  });

  it('drops a candidate whose fronts are each held by some other survivor, as GEPA does', () => {
    // The seed leads e1 and e2, but e1 has candidate 1 and e2 has candidate 2: no front needs it.
    const spread = [
      { e1: 1, e2: 1, e3: 0, e4: 0 },
      { e1: 1, e2: 0, e3: 1, e4: 0 },
      { e1: 0, e2: 1, e3: 0, e4: 1 },
    ];
    expect([...frontier(spread)]).toEqual([
      [1, 2],
      [2, 2],
    ]);
  });

  it('of two candidates on exactly the same fronts, keeps the earlier', () => {
    expect([...frontier([{ a: 1 }, { a: 1 }])]).toEqual([[0, 1]]);
  });

  it('draws parents in proportion to the fronts they lead, reproducibly', () => {
    const draws = Array.from({ length: 300 }, (_, i) => selectParent(pool, 9, i));
    expect(draws.every((d) => d === 2 || d === 3)).toBe(true);
    const twos = draws.filter((d) => d === 2).length;
    expect(twos / draws.length).toBeGreaterThan(0.55);
    expect(twos / draws.length).toBeLessThan(0.78);
    expect(Array.from({ length: 300 }, (_, i) => selectParent(pool, 9, i))).toEqual(draws);
  });

  it('picks the best mean as the result, the earliest on a tie', () => {
    expect(bestCandidate(pool)).toBe(2);
    expect(bestCandidate([{ a: 1 }, { a: 1 }])).toBe(0);
  });
});

describe('seeded minibatches', () => {
  const ids = Array.from({ length: 10 }, (_, i) => `ex${i}`);

  it('a shuffle keeps every item once and depends only on its seed', () => {
    expect([...shuffled(ids, 4)].sort()).toEqual([...ids].sort());
    expect(shuffled(ids, 4)).toEqual(shuffled(ids, 4));
    expect(shuffled(ids, 4)).not.toEqual(shuffled(ids, 5));
  });

  it('covers every example once per epoch, in consecutive batches', () => {
    const epoch = [0, 1, 2].flatMap((n) => minibatch(ids, 3, 1, n));
    expect(new Set(epoch).size).toBe(9);
    expect(minibatch(ids, 3, 1, 3)).toHaveLength(3);
    expect(minibatch(ids, 20, 1, 0)).toEqual(ids);
  });
});

describe('a proposal read back', () => {
  it('trims, and unwraps the fence or quotes a model puts around an instruction', () => {
    expect(cleanInstruction('  "Answer in upper case."\n')).toBe('Answer in upper case.');
    expect(cleanInstruction('Say "yes" or "no".')).toBe('Say "yes" or "no".');
    expect(cleanInstruction('"yes" or "no"')).toBe('"yes" or "no"');
    expect(cleanInstruction('```\nAnswer in upper case.\n```')).toBe('Answer in upper case.');
    expect(cleanInstruction('```text\n"Answer briefly."\n```')).toBe('Answer briefly.');
    expect(cleanInstruction(undefined)).toBe('');
  });
});
