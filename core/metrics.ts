// Eval metrics that need no model (llm_judge lives in activities), and aggregates with intervals.
import { z } from 'zod';
import { checkedAssertionSpec } from './assertions.js';

export const metricSpec = z.strictObject({
  name: z.enum([
    'exact_match',
    'contains',
    'regex',
    'json_equal',
    'numeric_close',
    'token_f1',
    'llm_judge',
    'assertions',
  ]),
  /** Score one output field against the same expected field; all outputs when absent. */
  field: z.string().optional(),
  args: z
    .strictObject({
      pattern: z.string().optional(),
      tolerance: z.number().min(0).optional(),
      caseSensitive: z.boolean().optional(),
      rubric: z.string().optional(),
      provider: z.string().optional(),
      model: z.string().optional(),
      /** assertions: checked on every example, before each example's own (promptfoo's defaultTest). */
      assert: z.array(checkedAssertionSpec).optional(),
    })
    .optional(),
});
export type MetricSpec = z.infer<typeof metricSpec>;

const norm = (v: unknown, caseSensitive = false): string => {
  // A missing field (undefined) reads as null: it matches only another missing or null value.
  const s = typeof v === 'string' ? v.trim().replace(/\s+/g, ' ') : (JSON.stringify(v) ?? 'null');
  return caseSensitive ? s : s.toLowerCase();
};

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
    );
  return v;
}

export function tokenF1(pred: string, gold: string): number {
  const toks = (s: string) => s.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  const p = toks(pred);
  const g = toks(gold);
  if (!p.length && !g.length) return 1;
  const counts = new Map<string, number>();
  for (const t of g) counts.set(t, (counts.get(t) ?? 0) + 1);
  let common = 0;
  for (const t of p) {
    const c = counts.get(t) ?? 0;
    if (c > 0) {
      common++;
      counts.set(t, c - 1);
    }
  }
  if (!common) return 0;
  const precision = common / p.length;
  const recall = common / g.length;
  return (2 * precision * recall) / (precision + recall);
}

/** A list of acceptable answers (OpenAI Evals' `ideal` list): a text answer scores as its best match among them. */
const isChoices = (v: unknown, predicted: unknown): v is string[] =>
  typeof predicted === 'string' && Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string');

/** Score one prediction against one expected value (0..1). */
export function scoreValue(m: MetricSpec, predicted: unknown, expected: unknown): number {
  if (isChoices(expected, predicted) && ['exact_match', 'contains', 'token_f1'].includes(m.name))
    return Math.max(...expected.map((choice) => scoreValue(m, predicted, choice)));
  const a = m.args ?? {};
  switch (m.name) {
    case 'exact_match':
      return norm(predicted, a.caseSensitive) === norm(expected, a.caseSensitive) ? 1 : 0;
    case 'contains':
      return norm(predicted, a.caseSensitive).includes(norm(expected, a.caseSensitive)) ? 1 : 0;
    case 'regex':
      return new RegExp(a.pattern ?? String(expected), a.caseSensitive ? '' : 'i').test(
        typeof predicted === 'string' ? predicted : JSON.stringify(predicted),
      )
        ? 1
        : 0;
    case 'json_equal':
      return JSON.stringify(canonical(predicted)) === JSON.stringify(canonical(expected)) ? 1 : 0;
    case 'numeric_close': {
      const p = Number(predicted);
      const e = Number(expected);
      return Number.isFinite(p) &&
        Number.isFinite(e) &&
        Math.abs(p - e) <= (a.tolerance ?? 1e-6) * Math.max(1, Math.abs(e))
        ? 1
        : 0;
    }
    case 'token_f1':
      return tokenF1(
        typeof predicted === 'string' ? predicted : (JSON.stringify(predicted) ?? 'null'),
        typeof expected === 'string' ? expected : (JSON.stringify(expected) ?? 'null'),
      );
    case 'llm_judge':
    case 'assertions':
      throw new Error(`${m.name} is scored in an activity (a model or the sandbox may be needed)`);
  }
}

/** A metric over outputs: one field, or the mean over every expected field. */
export function scoreExample(
  m: MetricSpec,
  outputs: Record<string, unknown> | null,
  expected: Record<string, unknown>,
): number {
  if (!outputs) return 0;
  const fields = m.field ? [m.field] : Object.keys(expected);
  if (!fields.length) return 0;
  return fields.reduce((sum, f) => sum + scoreValue(m, outputs[f], expected[f]), 0) / fields.length;
}

/** "exact_match" or "exact_match:answer" -> a metric spec (the CLI and the dashboard forms). */
export function metricFromText(text: string): { name: string; field?: string } {
  const [name, field] = text.trim().split(':');
  return field ? { name: name!, field } : { name: name! };
}

/** The provider a metric's judge calls, if it has one: llm_judge's (the default one unless named), an assertions metric's grader. */
export function judgeProvider(m: MetricSpec): string | undefined {
  if (m.name === 'llm_judge') return m.args?.provider ?? 'default';
  return m.name === 'assertions' ? m.args?.provider : undefined;
}

export const metricKey = (m: MetricSpec): string => `${m.name}${m.field ? `:${m.field}` : ''}`;

export interface Aggregate {
  n: number;
  mean: number;
  /** 95% interval: Wilson for 0/1 scores, normal approximation otherwise. */
  ci95: [number, number];
  /** When examples ran several times: how many runs each had (the most), */
  repeats?: number;
  /** and the mean standard deviation of one example's score across its runs (0: every repeat agreed). */
  spread?: number;
}

export function aggregate(scores: number[]): Aggregate {
  const n = scores.length;
  if (!n) return { n: 0, mean: 0, ci95: [0, 0] };
  const mean = scores.reduce((a, b) => a + b, 0) / n;
  const z = 1.96;
  if (scores.every((s) => s === 0 || s === 1)) {
    const denom = 1 + (z * z) / n;
    const centre = (mean + (z * z) / (2 * n)) / denom;
    const half = (z * Math.sqrt((mean * (1 - mean)) / n + (z * z) / (4 * n * n))) / denom;
    return { n, mean, ci95: [Math.max(0, centre - half), Math.min(1, centre + half)] };
  }
  const sd = n > 1 ? Math.sqrt(scores.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1)) : 0;
  const half = (z * sd) / Math.sqrt(n);
  return { n, mean, ci95: [Math.max(0, mean - half), Math.min(1, mean + half)] };
}

/** Sample standard deviation (0 for fewer than two values). */
const sampleSd = (xs: number[]): number => {
  if (xs.length < 2) return 0;
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
};

/** Each example's mean score on metric `key` over its repeats, in example order, with its repeats' scores. */
export function exampleMeans(
  results: ReadonlyArray<{ exampleId: string; scores: Record<string, number> }>,
  key: string,
): Map<string, { mean: number; scores: number[] }> {
  const byExample = new Map<string, number[]>();
  for (const r of results) {
    const scores = byExample.get(r.exampleId) ?? [];
    scores.push(r.scores[key] ?? 0);
    byExample.set(r.exampleId, scores);
  }
  return new Map(
    [...byExample].map(([id, scores]) => [id, { mean: scores.reduce((a, b) => a + b, 0) / scores.length, scores }]),
  );
}

/**
 * A metric over an eval's results: each example is one observation (its repeats' mean), so the interval counts
 * examples, not runs; with repeats, how many and the per-example spread. One result per example is `aggregate`.
 */
export function aggregateByExample(
  results: ReadonlyArray<{ exampleId: string; scores: Record<string, number> }>,
  key: string,
): Aggregate {
  const examples = [...exampleMeans(results, key).values()];
  const base = aggregate(examples.map((e) => e.mean));
  const repeats = Math.max(0, ...examples.map((e) => e.scores.length));
  if (repeats < 2) return base;
  const spread = examples.reduce((a, e) => a + sampleSd(e.scores), 0) / examples.length;
  return { ...base, repeats, spread };
}
