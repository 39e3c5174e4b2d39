import { describe, expect, it } from 'vitest';
import { parseCsv } from '../../api/services/dataset-csv.js';
import { parseJsonl } from '../../core/dataset-import.js';
import { aggregate, scoreExample, scoreValue, tokenF1 } from '../../core/metrics.js';

describe('metrics', () => {
  it.each([
    [{ name: 'exact_match' }, ' Paris ', 'paris', 1],
    [{ name: 'exact_match', args: { caseSensitive: true } }, 'Paris', 'paris', 0],
    [{ name: 'contains' }, 'The capital is Paris.', 'paris', 1],
    [{ name: 'regex', args: { pattern: '^\\d{3}$' } }, '123', null, 1],
    [{ name: 'json_equal' }, { b: [1, 2], a: 1 }, { a: 1, b: [1, 2] }, 1],
    [{ name: 'numeric_close', args: { tolerance: 0.01 } }, '3.14', 3.1416, 1],
    [{ name: 'numeric_close' }, 'three', 3, 0],
  ] as const)('%j scores %j vs %j as %d', (m, p, e, want) => {
    expect(scoreValue(m as never, p, e)).toBe(want);
  });
  it('token F1 and per-field scoring', () => {
    expect(tokenF1('the cat sat', 'the cat sat on the mat')).toBeCloseTo((2 * 1 * 0.5) / 1.5, 5);
    expect(scoreExample({ name: 'exact_match' }, { a: 'x', b: 'y' }, { a: 'x', b: 'z' })).toBe(0.5);
    expect(scoreExample({ name: 'exact_match', field: 'b' }, { a: 'x', b: 'y' }, { a: 'x', b: 'y' })).toBe(1);
  });
  it('aggregates with a Wilson interval for pass/fail', () => {
    const a = aggregate([1, 1, 0, 0, 1, 0, 1, 0, 1, 0]);
    expect(a.mean).toBe(0.5);
    expect(a.ci95[0]).toBeCloseTo(0.2366, 3);
    expect(a.ci95[1]).toBeCloseTo(0.7634, 3);
  });
});

describe('dataset import', () => {
  it('reads JSONL and CSV (quotes, JSON values, splits)', () => {
    expect(
      parseJsonl(
        '{"inputs":{"q":"a"},"expected":{"a":"b"},"split":"dev"}\n\n{"inputs":{"q":"c"},"expected":{"a":"d"}}',
      ),
    ).toEqual([
      { inputs: { q: 'a' }, expected: { a: 'b' }, split: 'dev' },
      { inputs: { q: 'c' }, expected: { a: 'd' }, split: 'dev' }, // the one default split
    ]);
    expect(parseCsv('input.q,expected.a,split\n"hello, ""world""",42,test\n"multi\nline",[1],\n')).toEqual([
      { inputs: { q: 'hello, "world"' }, expected: { a: 42 }, split: 'test' },
      { inputs: { q: 'multi\nline' }, expected: { a: [1] }, split: 'dev' },
    ]);
  });
  it('refuses bad files naming every bad line', () => {
    expect(() => parseJsonl('{"inputs":{},"expected":{}}\n{not json}\n{"inputs":1,"expected":{}}')).toThrow(
      /line 2: not valid JSON[\s\S]*line 3: needs an object/,
    );
    expect(() => parseCsv('input.q,answer\na,b')).toThrow(
      /line 1: missing columns: at least one "expected.<field>"[\s\S]*unknown columns: answer/,
    );
    expect(() => parseCsv('input.q,expected.a\na,b\nc\nd,e,f')).toThrow(
      /line 3: has 1 cells, the header has 2; line 4: has 3 cells/,
    );
  });
});
