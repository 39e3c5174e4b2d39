// Assertions on one answer, as promptfoo writes them (`type`, `value`, `threshold`, a `not-` prefix to invert):
// the ones that need nothing but the answer are checked here; `javascript` runs in the OS sandbox and
// `llm-rubric` asks a model, both in the scoring activity. An example passes when every assertion passes.
import { z } from 'zod';
import { canonicalJson } from './canonical-json.js';
import { renderTemplate } from './template.js';

/** The types that need only the answer (and its latency and cost). */
export const PLAIN_TYPES = [
  'equals',
  'contains',
  'icontains',
  'contains-any',
  'icontains-any',
  'contains-all',
  'icontains-all',
  'starts-with',
  'regex',
  'is-json',
  'cost',
  'latency',
] as const;
/** The types that run code (in the sandbox) or ask a model. */
export const OUTSIDE_TYPES = ['javascript', 'llm-rubric'] as const;
export const ASSERTION_TYPES = [...PLAIN_TYPES, ...OUTSIDE_TYPES] as const;
type BaseType = (typeof ASSERTION_TYPES)[number];

const TYPE_PATTERN = new RegExp(`^(not-)?(${ASSERTION_TYPES.join('|')})$`);

export const assertionSpec = z.strictObject({
  type: z
    .string()
    .regex(TYPE_PATTERN, `an assertion type is one of ${ASSERTION_TYPES.join(', ')}, optionally with "not-" before it`),
  value: z.unknown().optional(),
  threshold: z.number().optional(),
  /** promptfoo's weight and metric name: kept for the export, not used in the pass/fail. */
  weight: z.number().min(0).optional(),
  metric: z.string().optional(),
});
export type Assertion = z.infer<typeof assertionSpec>;

export interface AssertionResult {
  type: string;
  pass: boolean;
  score: number;
  reason: string;
}

/** What an assertion is checked against: the answer as text, the example's inputs, and what the call took. */
export interface AnswerFacts {
  output: string;
  vars: Record<string, unknown>;
  latencyMs?: number | undefined;
  costUsd?: number | undefined;
}

export function splitType(type: string): { base: BaseType; inverse: boolean } {
  const inverse = type.startsWith('not-');
  return { base: (inverse ? type.slice(4) : type) as BaseType, inverse };
}

/** A string value with `{{ var }}` filled in from the example's inputs (promptfoo renders values too). */
export function renderedValue(a: Assertion, vars: Record<string, unknown>): unknown {
  return typeof a.value === 'string' ? renderTemplate(a.value, vars) : a.value;
}

/** A list value: a list, or comma-separated text. */
const listOf = (v: unknown): string[] =>
  Array.isArray(v)
    ? v.map(String)
    : String(v ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);

/** A type's raw verdict before `not-`; it throws when the answer cannot be checked (no cost, no timing). */
function plainVerdict(base: BaseType, a: Assertion, value: unknown, f: AnswerFacts): boolean {
  const out = f.output;
  const lower = out.toLowerCase();
  switch (base) {
    case 'equals':
      if (value !== null && typeof value === 'object') {
        try {
          return canonicalJson(value) === canonicalJson(JSON.parse(out));
        } catch {
          return false;
        }
      }
      return String(value) === out;
    case 'contains':
      return out.includes(String(value));
    case 'icontains':
      return lower.includes(String(value).toLowerCase());
    case 'contains-any':
      return listOf(value).some((v) => out.includes(v));
    case 'icontains-any':
      return listOf(value).some((v) => lower.includes(v.toLowerCase()));
    case 'contains-all':
      return listOf(value).every((v) => out.includes(v));
    case 'icontains-all':
      return listOf(value).every((v) => lower.includes(v.toLowerCase()));
    case 'starts-with':
      return out.startsWith(String(value));
    case 'regex':
      return new RegExp(String(value)).test(out);
    case 'is-json':
      try {
        JSON.parse(out);
        return true;
      } catch {
        return false;
      }
    case 'cost':
      if (f.costUsd === undefined) throw new Error('the call has no cost');
      return f.costUsd <= a.threshold!;
    case 'latency':
      if (f.latencyMs === undefined) throw new Error('the answer was not timed (it came from the step cache)');
      return f.latencyMs <= a.threshold!;
    default:
      throw new Error(`${base} is not checked here`);
  }
}

/** Why an assertion cannot be checked at all, before any answer: a missing value or threshold, a bad pattern. */
export function assertionProblem(a: Assertion): string | undefined {
  const { base } = splitType(a.type);
  if ((base === 'cost' || base === 'latency') && a.threshold === undefined)
    return `a ${base} assertion needs a threshold`;
  if (base === 'is-json' && a.value !== undefined) return 'is-json with a schema is not supported yet: drop the value';
  const needsValue = !['is-json', 'cost', 'latency'].includes(base);
  if (needsValue && (a.value === undefined || a.value === null || a.value === ''))
    return `a ${a.type} assertion needs a value`;
  if (base === 'javascript' && typeof a.value !== 'string') return 'a javascript assertion is code, as text';
  if (base === 'regex') {
    try {
      new RegExp(String(a.value));
    } catch (err) {
      return `not a valid regular expression: ${(err as Error).message}`;
    }
  }
  return undefined;
}

/** One assertion that needs only the answer, checked: its pass (after `not-`), score and reason. */
export function checkPlain(a: Assertion, f: AnswerFacts): AssertionResult {
  const { base, inverse } = splitType(a.type);
  const value = renderedValue(a, f.vars);
  try {
    const pass = plainVerdict(base, a, value, f) !== inverse;
    return {
      type: a.type,
      pass,
      score: pass ? 1 : 0,
      reason: pass ? 'passed' : failReason(base, inverse, value, a, f),
    };
  } catch (err) {
    return { type: a.type, pass: false, score: 0, reason: (err as Error).message };
  }
}

function failReason(base: BaseType, inverse: boolean, value: unknown, a: Assertion, f: AnswerFacts): string {
  const not = inverse ? 'not ' : '';
  const shown = typeof value === 'string' ? value : JSON.stringify(value);
  if (base === 'cost') return `cost ${f.costUsd} is ${inverse ? 'at most' : 'over'} ${a.threshold}`;
  if (base === 'latency') return `latency ${f.latencyMs} ms is ${inverse ? 'at most' : 'over'} ${a.threshold} ms`;
  if (base === 'is-json') return `the answer is ${inverse ? '' : 'not '}valid JSON`;
  if (base === 'equals') return `expected the answer to ${not}equal ${shown}`;
  if (base === 'regex') return `expected the answer to ${not}match /${shown}/`;
  return `expected the answer to ${not}${PHRASES[base] ?? base} ${shown}`;
}

/** How a failed check reads: "expected the answer to contain (any case) paris". */
const PHRASES: Partial<Record<BaseType, string>> = {
  contains: 'contain',
  icontains: 'contain (any case)',
  'contains-any': 'contain one of',
  'icontains-any': 'contain (any case) one of',
  'contains-all': 'contain all of',
  'icontains-all': 'contain (any case) all of',
  'starts-with': 'start with',
};

/** A javascript assertion's return value as a verdict (promptfoo's rules): a boolean, a number against the threshold, or {pass, score, reason}. */
export function javascriptVerdict(a: Assertion, returned: unknown): AssertionResult {
  const { inverse } = splitType(a.type);
  let raw: boolean;
  let score: number;
  let reason: string | undefined;
  if (typeof returned === 'boolean') {
    raw = returned;
    score = returned ? 1 : 0;
  } else if (typeof returned === 'number') {
    raw = a.threshold === undefined ? returned > 0 : returned >= a.threshold;
    score = returned;
  } else if (returned && typeof returned === 'object' && typeof (returned as { pass?: unknown }).pass === 'boolean') {
    const r = returned as { pass: boolean; score?: unknown; reason?: unknown };
    raw = r.pass;
    score = typeof r.score === 'number' ? r.score : r.pass ? 1 : 0;
    reason = typeof r.reason === 'string' ? r.reason : undefined;
  } else {
    return {
      type: a.type,
      pass: false,
      score: 0,
      reason: `the code must return a boolean, a number or {pass, score, reason}; it returned ${JSON.stringify(returned) ?? typeof returned}`,
    };
  }
  const pass = raw !== inverse;
  return { type: a.type, pass, score, reason: pass ? 'passed' : (reason ?? `the code returned ${String(raw)}`) };
}

/** A javascript assertion's code as a function body: one line is an expression (a `const` first is kept), more lines a body. */
export function functionBody(code: string): string {
  const text = code.trimEnd();
  if (text.includes('\n')) return text;
  const trimmed = text.trim().replace(/;+\s*$/, '');
  if (/^(const|let|var)\s/.test(trimmed)) {
    const last = trimmed.lastIndexOf(';');
    const expression = last === -1 ? '' : trimmed.slice(last + 1).trim();
    return expression ? `${trimmed.slice(0, last + 1)} return ${expression}` : trimmed;
  }
  return `return ${trimmed}`;
}

/** An llm-rubric's verdict from a judge's score: a pass at or over the threshold (half when none is given). */
export function rubricVerdict(a: Assertion, score: number, reasoning: string): AssertionResult {
  const { inverse } = splitType(a.type);
  const pass = score >= (a.threshold ?? 0.5) !== inverse;
  return { type: a.type, pass, score, reason: reasoning || (pass ? 'passed' : 'the rubric was not met') };
}
