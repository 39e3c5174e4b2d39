// What the search optimizers read back from a candidate's eval: each example's score (GEPA's Pareto fronts,
// MIPROv2's minibatch means) and its traces with the metric's feedback (what GEPA's reflection reads).
import { metricFeedback } from '../core/metric-feedback.js';
import { metricKey, type MetricSpec } from '../core/metrics.js';
import { examplesById, listEvalResults } from '../db/repositories/datasets.js';
import type { Store } from '../db/knex.js';

/** A reflection reads this many traces at most, failures first, each cut to a readable length. */
const MAX_TRACES = 12;
const MAX_TRACE_CHARS = 1_500;

const text = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

export function createOptimizerActivities(deps: { store: Store }) {
  return {
    /** What these runs spent together (a search's teacher runs): their tokens and cost as their rows hold them. */
    async runsUsage(input: { runIds: string[] }): Promise<{ tokens: number; costUsd: number }> {
      const rows = (await deps.store
        .knex('runs')
        .whereIn('id', input.runIds)
        .select('inputTokens', 'outputTokens', 'costUsd')) as Array<Record<string, unknown>>;
      return rows.reduce<{ tokens: number; costUsd: number }>(
        (u, r) => ({
          tokens: u.tokens + Number(r.inputTokens ?? 0) + Number(r.outputTokens ?? 0),
          costUsd: u.costUsd + Number(r.costUsd ?? 0),
        }),
        { tokens: 0, costUsd: 0 },
      );
    },

    /** An eval's score per example under `metric`, and (`traces`) its traces with feedback, failures first. */
    async candidateTraces(input: { evalRunId: string; metric: MetricSpec; traces?: boolean }): Promise<{
      scores: Record<string, number>;
      traces: string;
    }> {
      const key = metricKey(input.metric);
      const rows = (await listEvalResults(deps.store, input.evalRunId)).filter((x) => x.repeat === 0);
      const scores = Object.fromEntries(rows.map((r) => [r.exampleId, r.scores[key] ?? 0]));
      if (!input.traces) return { scores, traces: '' };
      const examples = await examplesById(
        deps.store,
        rows.map((r) => r.exampleId),
      );
      const traces = rows.map((r) => {
        const ex = examples.get(r.exampleId);
        const feedback = metricFeedback(input.metric, r.outputs, ex?.expected ?? {}, r.details?.[key], r.error);
        const trace = `inputs: ${text(ex?.inputs ?? {})}\nanswer: ${text(r.outputs)}\nscore: ${scores[r.exampleId]}\nfeedback: ${feedback}`;
        return { score: scores[r.exampleId]!, text: trace.slice(0, MAX_TRACE_CHARS) };
      });
      traces.sort((a, b) => a.score - b.score);
      return {
        scores,
        traces: traces
          .slice(0, MAX_TRACES)
          .map((t, i) => `## trace ${i + 1}\n${t.text}`)
          .join('\n\n'),
      };
    },
  };
}
