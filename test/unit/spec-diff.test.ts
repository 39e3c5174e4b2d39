// The version diff of the component, pipeline and app pages.
import { describe, expect, it } from 'vitest';
import { specDiff } from '../../web/src/lib/spec-diff.js';

const lines = (a: unknown, b: unknown) => specDiff(a, b).map((l) => `${l.sign}${l.text.trim()}`);

describe('spec diff', () => {
  it('keeps a changed line in its place, the removed line just before the added one', () => {
    expect(
      lines(
        { name: 'qa', instructions: 'old', signature: 'q -> a' },
        { name: 'qa', instructions: 'new', signature: 'q -> a' },
      ),
    ).toEqual([
      ' {',
      '-"instructions": "old",',
      '+"instructions": "new",',
      ' "name": "qa",',
      ' "signature": "q -> a"',
      ' }',
    ]);
  });

  it('counts no change for a trailing comma alone, and shows the new side of that line', () => {
    const diff = specDiff({ params: { maxTokens: 64 } }, { params: { maxTokens: 64, temperature: 0.3 } });
    expect(diff.filter((l) => l.sign !== ' ')).toEqual([{ sign: '+', text: '    "temperature": 0.3' }]);
    expect(diff.find((l) => l.text.includes('maxTokens'))).toEqual({ sign: ' ', text: '    "maxTokens": 64,' });
  });

  it('ignores the order keys were written in', () => {
    expect(specDiff({ b: 1, a: 2 }, { a: 2, b: 1 }).every((l) => l.sign === ' ')).toBe(true);
  });
});
