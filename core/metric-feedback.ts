// A metric's score in words, what GEPA's reflection reads: which field was wrong and how, the judge's reasoning,
// the failed assertions. Computed from what an eval result keeps, so every past eval has feedback too.
import { scoreValue, type MetricSpec } from './metrics.js';

const shown = (v: unknown): string => {
  const s = typeof v === 'string' ? JSON.stringify(v) : (JSON.stringify(v) ?? 'nothing');
  return s.length > 300 ? `${s.slice(0, 300)}…` : s;
};

/** What one field's score says: right, or what was expected and what came. */
function fieldFeedback(m: MetricSpec, field: string, predicted: unknown, expected: unknown): string | undefined {
  const score = scoreValue(m, predicted, expected);
  if (score >= 1) return undefined;
  const how =
    m.name === 'token_f1'
      ? `shares too few words with the expected ${shown(expected)} (F1 ${score.toFixed(2)})`
      : m.name === 'regex'
        ? `does not match /${m.args?.pattern ?? String(expected)}/`
        : m.name === 'numeric_close'
          ? `is not within ${m.args?.tolerance ?? 1e-6} of ${shown(expected)}`
          : m.name === 'contains'
            ? `does not contain the expected ${shown(expected)}`
            : `differs from the expected ${shown(expected)}${m.args?.caseSensitive ? ' (letter case counts)' : ''}`;
  return `${field}: the answer ${shown(predicted)} ${how}`;
}

/** Feedback from a judge's or the assertions' details, as the eval result stored them. */
function detailFeedback(detail: unknown): string | undefined {
  const d = detail as { reasoning?: unknown; assertions?: Array<{ pass: boolean; type: string; reason?: string }> };
  if (typeof d?.reasoning === 'string') return d.reasoning;
  const failed = d?.assertions?.filter((a) => !a.pass) ?? [];
  return failed.length ? failed.map((a) => `${a.type}: ${a.reason ?? 'failed'}`).join('; ') : undefined;
}

/**
 * One example's feedback under one metric: "correct" when every field scored 1, else what went wrong.
 * @example metricFeedback({ name: 'exact_match', field: 'answer' }, { answer: 'b' }, { answer: 'a' }) // 'answer: the answer "b" differs from the expected "a"'
 */
export function metricFeedback(
  m: MetricSpec,
  outputs: Record<string, unknown> | null,
  expected: Record<string, unknown>,
  detail?: unknown,
  error?: string | null,
): string {
  if (!outputs) return `the run failed${error ? `: ${error}` : ''}`;
  if (m.name === 'llm_judge' || m.name === 'assertions') return detailFeedback(detail) ?? 'correct';
  const fields = m.field ? [m.field] : Object.keys(expected);
  const wrong = fields.flatMap((f) => fieldFeedback(m, f, outputs[f], expected[f]) ?? []);
  return wrong.length ? wrong.join('; ') : 'correct';
}
