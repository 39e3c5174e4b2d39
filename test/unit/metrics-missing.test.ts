// A metric on a field the expected answer lacks scores that example; it never throws and fails the whole eval.
import { describe, expect, it } from 'vitest';
import { scoreExample } from '../../core/metrics.js';

describe('a field missing from the expected answer', () => {
  it('scores 0 against an answer, 1 against an answer that lacks it too, for every text metric', () => {
    for (const name of ['exact_match', 'contains', 'token_f1'] as const) {
      expect(scoreExample({ name, field: 'answer' }, { answer: 'Paris' }, {})).toBe(0);
      expect(scoreExample({ name, field: 'answer' }, { other: 'x' }, {})).toBe(1);
    }
  });
});
