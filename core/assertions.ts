// Assertions on one answer, as promptfoo writes them (`type`, `value`, `threshold`, a `not-` prefix to invert):
// the ones that need nothing but the answer are checked here; `javascript` runs in the OS sandbox and
// `llm-rubric` asks a model and `similar` an embedding model, all in the scoring activity. An example passes when every assertion passes.
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
export const OUTSIDE_TYPES = ['javascript', 'llm-rubric', 'similar'] as const;
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
  /** similar: the harness provider and embedding model (the metric's grader and text-embedding-3-large when absent). */
  provider: z.string().optional(),
  model: z.string().optional(),
});
export type Assertion = z.infer<typeof assertionSpec>;

/** Template logic, filters or paths in a value: what only nunjucks would render. */
const UNRENDERED = /\{%|\{#|\{\{(?!\s*[A-Za-z_][A-Za-z0-9_]*\s*\}\})/;

/** An assertion as a metric's own (checked when an eval starts): it must be one that can be checked. */
export const checkedAssertionSpec = assertionSpec.superRefine((a, ctx) => {
  const problem = assertionProblem(a);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

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
  if (typeof a.value === 'string') return renderTemplate(a.value, vars);
  return Array.isArray(a.value) ? a.value.map((v) => (typeof v === 'string' ? renderTemplate(v, vars) : v)) : a.value;
}

/** A list value: a list, or comma-separated text where a "quoted, item" keeps its comma (promptfoo's reading). */
function listOf(v: unknown): string[] {
  if (Array.isArray(v)) return v.map(String);
  const items: string[] = [];
  let current = '';
  let quoted = false;
  for (const ch of String(v ?? '')) {
    if (ch === '"') quoted = !quoted;
    else if (ch === ',' && !quoted) {
      items.push(current);
      current = '';
    } else current += ch;
  }
  items.push(current);
  return items.map((x) => x.trim()).filter(Boolean);
}

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
  if (base === 'similar' && !(typeof a.value === 'string' || (Array.isArray(a.value) && a.value.length)))
    return 'a similar assertion compares with a text, or a list of texts';
  const text = ['equals', 'contains', 'icontains', 'starts-with', 'regex', 'llm-rubric', 'javascript'];
  if (text.includes(base) && base !== 'equals' && !['string', 'number'].includes(typeof a.value))
    return `a ${a.type} assertion's value is text`;
  if (typeof a.value === 'string' && /^(file|package):/.test(a.value))
    return `values from ${a.value.split(':')[0]}: are not imported: put the value in the config`;
  const construct = [a.value].flat().find((v) => typeof v === 'string' && UNRENDERED.test(v));
  if (construct) return `only {{ var }} is filled in a value; '${construct}' would be taken as it is`;
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

/** A regex assertion's verdict once the pattern was matched (with a time limit, by the caller). */
export function regexVerdict(a: Assertion, matched: boolean, pattern: string): AssertionResult {
  const { inverse } = splitType(a.type);
  const pass = matched !== inverse;
  return {
    type: a.type,
    pass,
    score: pass ? 1 : 0,
    reason: pass ? 'passed' : `expected the answer to ${inverse ? 'not ' : ''}match /${pattern}/`,
  };
}

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

/** The last `;` outside a string literal: where the last statement before the final expression ends. */
function lastStatementEnd(code: string): number {
  let quote: string | undefined;
  let last = -1;
  for (let i = 0; i < code.length; i++) {
    const ch = code[i]!;
    if (quote) {
      if (ch === '\\') i++;
      else if (ch === quote) quote = undefined;
    } else if (ch === '"' || ch === "'" || ch === '`') quote = ch;
    else if (ch === ';') last = i;
  }
  return last;
}

/** Whether an example passes: every assertion passes, except one of weight 0 (promptfoo counts it for nothing). */
export function testPassed(all: Assertion[], results: AssertionResult[]): boolean {
  return results.every((r, i) => r.pass || all[i]?.weight === 0);
}

/** A javascript assertion's code as a function body: one line is an expression (a `const` first is kept), more lines a body. */
export function functionBody(code: string): string {
  const text = code.trimEnd();
  if (text.includes('\n')) return text;
  const trimmed = text.trim().replace(/;+\s*$/, '');
  if (/^(const|let|var)\s/.test(trimmed)) {
    const last = lastStatementEnd(trimmed);
    const expression = last === -1 ? '' : trimmed.slice(last + 1).trim();
    return expression ? `${trimmed.slice(0, last + 1)} return ${expression}` : trimmed;
  }
  return `return ${trimmed}`;
}

/** promptfoo's default embedding model, and the similarity at which a similar assertion passes unless told. */
export const DEFAULT_EMBEDDING_MODEL = 'text-embedding-3-large';
const SIMILAR_THRESHOLD = 0.75;

export function cosine(a: number[], b: number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return na && nb ? dot / Math.sqrt(na * nb) : 0;
}

/** A similar assertion's verdict from the answer's and the expected texts' embeddings: the best match against the threshold. */
export function similarVerdict(a: Assertion, answer: number[], expected: number[][]): AssertionResult {
  const { inverse } = splitType(a.type);
  const best = Math.max(...expected.map((e) => cosine(answer, e)));
  const threshold = a.threshold ?? SIMILAR_THRESHOLD;
  const pass = best >= threshold !== inverse;
  const reason = `similarity ${best.toFixed(3)} is ${best >= threshold ? 'at or over' : 'under'} ${threshold}`;
  return { type: a.type, pass, score: best, reason: pass ? 'passed' : reason };
}

/** An llm-rubric's verdict from a judge's score: a pass at or over the threshold (half when none is given). */
export function rubricVerdict(a: Assertion, score: number, reasoning: string): AssertionResult {
  const { inverse } = splitType(a.type);
  const pass = score >= (a.threshold ?? 0.5) !== inverse;
  return { type: a.type, pass, score, reason: reasoning || (pass ? 'passed' : 'the rubric was not met') };
}
