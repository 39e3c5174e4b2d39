// Assertions as promptfoo checks them: each plain type on an answer, `not-` inverting it, values filled from the
// example's inputs, javascript's and llm-rubric's verdicts, and what cannot be checked said so.
import { describe, expect, it } from 'vitest';
import {
  assertionProblem,
  checkPlain,
  functionBody,
  javascriptVerdict,
  rubricVerdict,
  type Assertion,
} from '../../core/assertions.js';

const facts = (output: string, more: Partial<{ latencyMs: number; costUsd: number }> = {}) => ({
  output,
  vars: { city: 'Paris' },
  ...more,
});
const pass = (a: Assertion, output: string, more = {}) => checkPlain(a, facts(output, more)).pass;

describe('plain assertions', () => {
  it('compares text exactly for equals, and JSON values by content', () => {
    expect(pass({ type: 'equals', value: '4' }, '4')).toBe(true);
    expect(pass({ type: 'equals', value: '4' }, '4\n')).toBe(false);
    expect(pass({ type: 'equals', value: { a: 1, b: [2] } }, '{"b":[2],"a":1}')).toBe(true);
    expect(pass({ type: 'equals', value: { a: 1 } }, 'not json')).toBe(false);
  });

  it('contains, icontains and their lists, starts-with and regex, with values filled from the inputs', () => {
    expect(pass({ type: 'contains', value: '{{city}}' }, 'It is Paris.')).toBe(true);
    expect(pass({ type: 'contains', value: 'paris' }, 'It is Paris.')).toBe(false);
    expect(pass({ type: 'icontains', value: 'paris' }, 'It is Paris.')).toBe(true);
    expect(pass({ type: 'contains-any', value: ['Rome', 'Roma'] }, 'Roma!')).toBe(true);
    expect(pass({ type: 'contains-all', value: 'Rome, Roma' }, 'Roma!')).toBe(false);
    expect(pass({ type: 'icontains-all', value: ['rome', 'ROMA'] }, 'Rome or Roma')).toBe(true);
    expect(pass({ type: 'starts-with', value: 'Lima' }, 'Lima, of course')).toBe(true);
    expect(pass({ type: 'regex', value: '^\\s*7\\b' }, ' 7 apples')).toBe(true);
    expect(pass({ type: 'regex', value: '^\\s*7\\b' }, '77')).toBe(false);
  });

  it('inverts with not-, and says what failed', () => {
    expect(pass({ type: 'not-contains', value: 'Milan' }, 'Rome')).toBe(true);
    const r = checkPlain({ type: 'not-icontains', value: 'as an ai' }, facts('As an AI, Paris.'));
    expect(r).toMatchObject({ pass: false, score: 0 });
    expect(r.reason).toBe('expected the answer to not contain (any case) as an ai');
  });

  it('is-json parses the whole answer', () => {
    expect(pass({ type: 'is-json' }, '{"city": "Rome"}')).toBe(true);
    expect(pass({ type: 'is-json' }, 'Sure: {"city": "Rome"}')).toBe(false);
    expect(pass({ type: 'not-is-json' }, 'plain')).toBe(true);
  });

  it('checks latency and cost against their threshold, and fails an answer with neither (from the cache)', () => {
    expect(pass({ type: 'latency', threshold: 100 }, 'x', { latencyMs: 80, costUsd: 0 })).toBe(true);
    expect(pass({ type: 'latency', threshold: 100 }, 'x', { latencyMs: 120, costUsd: 0 })).toBe(false);
    expect(pass({ type: 'cost', threshold: 0.01 }, 'x', { latencyMs: 1, costUsd: 0.02 })).toBe(false);
    const cached = checkPlain({ type: 'latency', threshold: 100 }, facts('x'));
    expect(cached).toMatchObject({ pass: false });
    expect(cached.reason).toContain('step cache');
  });
});

describe('code and rubric verdicts', () => {
  it("reads javascript's boolean, number (against the threshold, else > 0) and {pass, score, reason}", () => {
    expect(javascriptVerdict({ type: 'javascript', value: 'x' }, true).pass).toBe(true);
    expect(javascriptVerdict({ type: 'javascript', value: 'x', threshold: 0.5 }, 0.4).pass).toBe(false);
    expect(javascriptVerdict({ type: 'javascript', value: 'x' }, 0.1)).toMatchObject({ pass: true, score: 0.1 });
    expect(javascriptVerdict({ type: 'not-javascript', value: 'x' }, true).pass).toBe(false);
    expect(javascriptVerdict({ type: 'javascript', value: 'x' }, { pass: false, reason: 'too long' })).toMatchObject({
      pass: false,
      reason: 'too long',
    });
    expect(javascriptVerdict({ type: 'javascript', value: 'x' }, 'yes').reason).toContain('must return');
  });

  it('makes one line an expression and keeps a body of several lines', () => {
    expect(functionBody('output.length < 60')).toBe('return output.length < 60');
    expect(functionBody('const n = output.length; n < 60;')).toBe('const n = output.length; return n < 60');
    expect(functionBody('const a = 1;\nreturn a;\n')).toBe('const a = 1;\nreturn a;');
  });

  it('passes a rubric at the threshold (half when none) and inverts it with not-', () => {
    expect(rubricVerdict({ type: 'llm-rubric', value: 'r' }, 0.5, 'ok').pass).toBe(true);
    expect(rubricVerdict({ type: 'llm-rubric', value: 'r', threshold: 0.8 }, 0.7, 'meh').pass).toBe(false);
    expect(rubricVerdict({ type: 'not-llm-rubric', value: 'r' }, 0.9, 'ok').pass).toBe(false);
  });
});

describe('assertions that cannot be checked', () => {
  it('names the missing value, threshold or bad pattern', () => {
    expect(assertionProblem({ type: 'latency' })).toContain('threshold');
    expect(assertionProblem({ type: 'contains' })).toContain('needs a value');
    expect(assertionProblem({ type: 'regex', value: '(' })).toContain('regular expression');
    expect(assertionProblem({ type: 'is-json', value: { type: 'object' } })).toContain('schema');
    expect(assertionProblem({ type: 'javascript', value: 3 })).toContain('code');
    expect(assertionProblem({ type: 'icontains', value: 'x' })).toBeUndefined();
  });
});
