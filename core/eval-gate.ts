// `harness eval gate`: a candidate's eval judged against required levels (a metric's mean at least or at most a
// bound) and against a baseline (no metric worse by the paired test on the same examples), as checks that pass
// or fail, a one-screen report and JUnit XML for CI systems.
import { metricFromText } from './metrics.js';
import type { Finding, PairedComparison } from './paired-comparison.js';

export interface Requirement {
  /** A metric key: `contains:answer`. */
  metric: string;
  op: '>=' | '<=' | '>' | '<';
  bound: number;
}

const REQUIREMENT = /^\s*([a-z_]+(?::[A-Za-z0-9_]+)?)\s*(>=|<=|>|<)\s*(\d+(?:\.\d+)?|\.\d+)\s*$/;

/** 'contains:answer>=0.8' -> a requirement; an Error naming what is wrong otherwise. */
export function parseRequirement(text: string): Requirement {
  const m = REQUIREMENT.exec(text);
  if (!m) throw new Error(`--require takes metric[:field] followed by >=, <=, > or < and a number, got '${text}'`);
  const bound = Number(m[3]);
  if (bound > 1) throw new Error(`--require '${text}': scores run from 0 to 1, so ${bound} can never be met`);
  return { metric: m[1]!, op: m[2] as Requirement['op'], bound };
}

/**
 * The metrics an eval must score for these checks: the required ones, any named outright, and the unregressed
 * ones; a bare name there (`exact_match`) covers that metric's fields already scored, so it adds one only when none is.
 */
export function gateMetrics(requirements: Requirement[], noRegression: string[], named: string[]) {
  const keys = [...new Set([...requirements.map((r) => r.metric), ...named])];
  for (const k of noRegression)
    if (!keys.includes(k) && (k.includes(':') || !keys.some((have) => have.split(':')[0] === k))) keys.push(k);
  return keys.map((k) => metricFromText(k));
}

export interface GateCheck {
  name: string;
  passed: boolean;
  /** What was measured, in a line. */
  detail: string;
}

export interface GateInput {
  /** The evals checked: an errored example scores 0, so a gate on one with errors measures the outage, not the change. */
  evals: Array<{ role: 'candidate' | 'baseline'; examples: number; errors: number }>;
  requirements: Requirement[];
  /** Metric keys, or bare metric names that cover every field of that metric. */
  noRegression: string[];
  /** The candidate's mean per metric key. */
  means: Record<string, number>;
  /** Against the baseline, per metric key: the paired test's finding and figures. */
  findings: Record<string, { finding: Finding; test: PairedComparison } | null>;
}

const holds = (value: number, { op, bound }: Requirement) =>
  op === '>=' ? value >= bound : op === '<=' ? value <= bound : op === '>' ? value > bound : value < bound;
const p = (v: number) => (v < 0.001 ? 'p < 0.001' : `p = ${v.toFixed(3)}`);
const signed = (v: number) => `${v > 0 ? '+' : ''}${v.toFixed(3)}`;

/** Every check of the gate: each eval ran every example, then the requirements, then no-regression, metric by metric. */
export function gateChecks(input: GateInput): GateCheck[] {
  const complete = input.evals.map((e): GateCheck => ({
    name: `the ${e.role} eval ran every example`,
    passed: e.errors === 0,
    detail: e.errors ? `${e.errors} of ${e.examples} examples errored` : `${e.examples} examples`,
  }));
  const required = input.requirements.map((r): GateCheck => {
    const mean = input.means[r.metric];
    const name = `${r.metric} ${r.op} ${r.bound}`;
    if (mean === undefined) return { name, passed: false, detail: `the candidate's eval has no ${r.metric} score` };
    return { name, passed: holds(mean, r), detail: `mean ${mean.toFixed(3)}` };
  });
  const unregressed = input.noRegression.flatMap((wanted) => {
    const keys = Object.keys(input.findings).filter((k) => k === wanted || k.split(':')[0] === wanted);
    if (!keys.length)
      return [{ name: `no regression on ${wanted}`, passed: false, detail: `neither eval scored ${wanted}` }];
    return keys.map((k): GateCheck => {
      const f = input.findings[k];
      const name = `no regression on ${k}`;
      if (!f) return { name, passed: false, detail: 'no example was scored by both evals' };
      const t = f.test;
      return {
        name,
        passed: f.finding !== 'worse',
        detail: `${f.finding}: Δ ${signed(t.delta)} [${signed(t.ci95[0])}, ${signed(t.ci95[1])}], ${p(t.pValue)}, n ${t.n}`,
      };
    });
  });
  return [...complete, ...required, ...unregressed];
}

/** The report a person reads: what was compared, then a line per check, then the verdict. */
export function gateReport(header: string[], checks: GateCheck[]): string {
  const failed = checks.filter((c) => !c.passed).length;
  const width = Math.max(...checks.map((c) => c.name.length), 10);
  return [
    ...header,
    '',
    ...checks.map((c) => `${c.passed ? 'PASS' : 'FAIL'}  ${c.name.padEnd(width)}  ${c.detail}`),
    '',
    failed ? `gate failed: ${failed} of ${checks.length} checks failed` : `gate passed: ${checks.length} checks`,
  ].join('\n');
}

const xml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');

/** JUnit XML (the testsuites/testsuite/testcase/failure shape CI systems read): one testcase per check. */
export function junitXml(suite: string, checks: GateCheck[], seconds: number): string {
  const failures = checks.filter((c) => !c.passed).length;
  const time = seconds.toFixed(3);
  const cases = checks.map((c) =>
    c.passed
      ? `    <testcase classname="${xml(suite)}" name="${xml(c.name)}" time="0"><system-out>${xml(c.detail)}</system-out></testcase>`
      : `    <testcase classname="${xml(suite)}" name="${xml(c.name)}" time="0"><failure message="${xml(c.detail)}" type="gate">${xml(c.detail)}</failure></testcase>`,
  );
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="harness eval gate" tests="${checks.length}" failures="${failures}" errors="0" time="${time}">`,
    `  <testsuite name="${xml(suite)}" tests="${checks.length}" failures="${failures}" errors="0" skipped="0" time="${time}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
