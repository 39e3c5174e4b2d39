import { describe, expect, it } from 'vitest';
import { gateChecks, gateMetrics, gateReport, junitXml, parseRequirement } from '../../core/eval-gate.js';
import { pairedComparison } from '../../core/paired-comparison.js';

const test = (pairs: Array<[number, number]>) => {
  const t = pairedComparison(pairs, 'higher')!;
  return { finding: t.finding, test: t };
};
const worse = test(Array.from({ length: 10 }, () => [1, 0] as [number, number]));
const flat = test([
  [1, 0],
  [0, 1],
]);

describe('the eval gate', () => {
  it('reads a requirement, and names what is wrong with a bad one', () => {
    expect(parseRequirement('contains:answer>=0.8')).toEqual({ metric: 'contains:answer', op: '>=', bound: 0.8 });
    expect(parseRequirement(' exact_match < .5 ')).toEqual({ metric: 'exact_match', op: '<', bound: 0.5 });
    expect(() => parseRequirement('contains:answer=>0.8')).toThrow(/--require takes metric\[:field\] followed by/);
    expect(() => parseRequirement('exact_match>=80')).toThrow(/scores run from 0 to 1, so 80 can never be met/);
  });

  it('scores every metric a check names, once; a bare name covers the fields already scored', () => {
    expect(gateMetrics([parseRequirement('exact_match:answer>=0.8')], ['exact_match'], [])).toEqual([
      { name: 'exact_match', field: 'answer' },
    ]);
    expect(
      gateMetrics([parseRequirement('contains:answer>=0.8')], ['llm_judge', 'contains:answer'], ['token_f1']),
    ).toEqual([{ name: 'contains', field: 'answer' }, { name: 'token_f1' }, { name: 'llm_judge' }]);
  });

  it('passes a met level and an unregressed metric, fails a missed level, a regression and a metric nobody scored', () => {
    const checks = gateChecks({
      evals: [],
      requirements: [parseRequirement('contains:answer>=0.8'), parseRequirement('exact_match:answer>0.5')],
      noRegression: ['llm_judge', 'contains', 'token_f1'],
      means: { 'contains:answer': 0.8, 'exact_match:answer': 0.5, 'llm_judge:answer': 0.7 },
      findings: { 'contains:answer': flat, 'exact_match:answer': flat, 'llm_judge:answer': worse },
    });
    expect(checks.map((c) => [c.name, c.passed])).toEqual([
      ['contains:answer >= 0.8', true],
      ['exact_match:answer > 0.5', false],
      ['no regression on llm_judge:answer', false],
      ['no regression on contains:answer', true],
      ['no regression on token_f1', false],
    ]);
    expect(checks[2]!.detail).toBe('worse: Δ -1.000 [-1.000, -1.000], p = 0.002, n 10');
    expect(checks[4]!.detail).toBe('neither eval scored token_f1');
    const report = gateReport(['candidate qa@3'], checks);
    expect(report).toContain('FAIL  no regression on llm_judge:answer  worse: Δ -1.000');
    expect(report.split('\n').at(-1)).toBe('gate failed: 3 of 5 checks failed');
    expect(gateReport([], checks.slice(0, 1)).split('\n').at(-1)).toBe('gate passed: 1 checks');
  });

  it('fails an eval with errored examples: their zeros measure the outage, not the change', () => {
    const checks = gateChecks({
      evals: [
        { role: 'candidate', examples: 20, errors: 0 },
        { role: 'baseline', examples: 20, errors: 3 },
      ],
      requirements: [],
      noRegression: [],
      means: {},
      findings: {},
    });
    expect(checks).toEqual([
      { name: 'the candidate eval ran every example', passed: true, detail: '20 examples' },
      { name: 'the baseline eval ran every example', passed: false, detail: '3 of 20 examples errored' },
    ]);
  });

  it('writes JUnit XML with a testcase per check and the failures counted, escaping what it quotes', () => {
    const out = junitXml(
      'gate qa@3 on "qs"',
      [
        { name: 'exact_match < 0.5', passed: false, detail: 'mean 0.700 & more' },
        { name: 'contains >= 0.1', passed: true, detail: 'mean 0.200' },
      ],
      1.5,
    );
    expect(out).toContain(
      '<testsuite name="gate qa@3 on &quot;qs&quot;" tests="2" failures="1" errors="0" skipped="0" time="1.500">',
    );
    expect(out).toContain('name="exact_match &lt; 0.5" time="0"><failure message="mean 0.700 &amp; more" type="gate">');
    expect(out).toContain('name="contains &gt;= 0.1" time="0"><system-out>mean 0.200</system-out></testcase>');
  });
});
