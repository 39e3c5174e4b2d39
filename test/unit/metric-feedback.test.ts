// Metric feedback: what GEPA's reflection reads about each example.
import { describe, expect, it } from 'vitest';
import { metricFeedback } from '../../core/metric-feedback.js';

describe('metric feedback', () => {
  it('names the wrong field, the answer and what was expected', () => {
    expect(
      metricFeedback(
        { name: 'exact_match', field: 'answer', args: { caseSensitive: true } },
        { answer: 'a3' },
        { answer: 'A3' },
      ),
    ).toBe('answer: the answer "a3" differs from the expected "A3" (letter case counts)');
    expect(metricFeedback({ name: 'exact_match' }, { answer: 'x', unit: 'm' }, { answer: 'x', unit: 'cm' })).toBe(
      'unit: the answer "m" differs from the expected "cm"',
    );
  });

  it('says correct when every field scored 1', () => {
    expect(metricFeedback({ name: 'contains', field: 'answer' }, { answer: 'it is Paris' }, { answer: 'paris' })).toBe(
      'correct',
    );
  });

  it('explains each metric in its own terms', () => {
    expect(metricFeedback({ name: 'token_f1', field: 'a' }, { a: 'red car' }, { a: 'blue car' })).toBe(
      'a: the answer "red car" shares too few words with the expected "blue car" (F1 0.50)',
    );
    expect(metricFeedback({ name: 'numeric_close', field: 'n', args: { tolerance: 0.01 } }, { n: 3 }, { n: 4 })).toBe(
      'n: the answer 3 is not within 0.01 of 4',
    );
  });

  it("takes a judge's reasoning and the failed assertions' reasons", () => {
    expect(metricFeedback({ name: 'llm_judge' }, { a: 'x' }, {}, { reasoning: 'misses the date' })).toBe(
      'misses the date',
    );
    const detail = {
      assertions: [
        { type: 'contains', pass: true },
        { type: 'icontains', pass: false, reason: 'expected the answer to contain ab' },
      ],
    };
    expect(metricFeedback({ name: 'assertions' }, { output: 'x' }, {}, detail)).toBe(
      'icontains: expected the answer to contain ab',
    );
  });

  it('a failed run says so, with its error', () => {
    expect(metricFeedback({ name: 'exact_match' }, null, { a: 1 }, undefined, 'timeout')).toBe(
      'the run failed: timeout',
    );
  });
});
