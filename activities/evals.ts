// Side effects of evals and optimization: child-run rows, scoring (an LLM judge too), totals, new versions.
import { ApplicationFailure } from '@temporalio/activity';
import { aggregate, metricKey, scoreExample, type Aggregate, type MetricSpec } from '../core/metrics.js';
import type { EvalExampleSource } from '../core/dataset-import.js';
import { recordEvaluation } from './telemetry.js';
import type { ComponentSpec, RunKind } from '../core/specs.js';
import type { Store } from '../db/knex.js';
import type { RunTarget } from '../db/models/run.js';
import { evalExampleAt, examplesById, listEvalResults, saveEvalResult, snapshotEvalExamples, type EvalResultRow } from '../db/repositories/datasets.js';
import { ensureRun, getRun, setUsage } from '../db/repositories/runs.js';
import { components } from '../db/repositories/versioned.js';
import type { CallModel } from './llm/model-call.js';

export interface ScoreInput {
  evalRunId: string;
  exampleId: string;
  childRunId: string;
  outputs: Record<string, unknown> | null;
  expected: Record<string, unknown>;
  metrics: MetricSpec[];
  error: string | null;
}

const JUDGE_SCHEMA = { type: 'object', properties: { reasoning: { type: 'string' }, score: { type: 'number' } }, required: ['reasoning', 'score'] };

type EvalUsage = { inputTokens: number; outputTokens: number; costUsd: number };

export function createEvalActivities(deps: { store: Store; callModel: CallModel }) {
  /** The eval run's token and cost totals, the sum over its examples' results, set on its run row. */
  async function storeUsage(evalRunId: string, rows: EvalResultRow[]): Promise<EvalUsage> {
    const usage = rows.reduce((u, r) => ({ inputTokens: u.inputTokens + r.inputTokens, outputTokens: u.outputTokens + r.outputTokens, costUsd: u.costUsd + r.costUsd }), { inputTokens: 0, outputTokens: 0, costUsd: 0 });
    await setUsage(deps.store, evalRunId, usage);
    return usage;
  }

  /** A rubric scored 0..1 by a model, its reasoning kept; the call is the eval run's, traced and counted. */
  async function judge(input: ScoreInput, m: MetricSpec, outputs: Record<string, unknown>) {
    let verdict: { score: number; reasoning: string } | undefined;
    const r = await deps.callModel(
      {
        runId: input.evalRunId,
        callId: `judge:${input.exampleId}:${metricKey(m)}`,
        stepId: `example:${input.exampleId}`,
        provider: m.args?.provider ?? 'default',
        model: m.args?.model,
        adapter: 'json',
        messages: [
          { role: 'system', content: `You grade answers. Rubric: ${m.args?.rubric ?? 'Is the answer correct and complete compared with the expected answer?'} Answer with JSON {"reasoning": "...", "score": <0..1>}.` },
          { role: 'user', content: `Expected: ${JSON.stringify(m.field ? input.expected[m.field] : input.expected)}\nAnswer: ${JSON.stringify(m.field ? outputs[m.field] : outputs)}` },
        ],
        jsonSchema: JUDGE_SCHEMA,
        stream: false,
      },
      (res) => {
        try {
          const v = JSON.parse(res.text.slice(res.text.indexOf('{'), res.text.lastIndexOf('}') + 1)) as { score: unknown; reasoning: unknown };
          verdict = { score: Math.max(0, Math.min(1, Number(v.score) || 0)), reasoning: String(v.reasoning ?? '') };
          return { outputs: verdict };
        } catch {
          return { parseError: 'the judge did not answer with a JSON verdict' };
        }
      },
    );
    if (!verdict) throw ApplicationFailure.retryable(r.interpretation.parseError ?? 'no verdict', 'OutputParseError');
    return { ...(verdict as { score: number; reasoning: string }), usage: r.usage, costUsd: r.costUsd };
  }

  return {
    /** The runs row of a child run (an example, or a sub-eval), created once whatever the retries. */
    /** A child run's row; `parent` (`eval:<runId>`, `optimize:<runId>`) is its origin, so listings group it under its parent. */
    async prepareChildRun(input: { childRunId: string; kind: RunKind; target: RunTarget; inputs: Record<string, unknown>; parent?: string }): Promise<void> {
      await ensureRun(deps.store, { id: input.childRunId, kind: input.kind, target: input.target, inputs: input.inputs, ...(input.parent ? { origin: input.parent } : {}) });
    },

    async scoreExample(input: ScoreInput): Promise<{ scores: Record<string, number> }> {
      const scores: Record<string, number> = {};
      const details: Record<string, unknown> = {};
      const judged = { inputTokens: 0, outputTokens: 0, costUsd: 0 };
      for (const m of input.metrics) {
        const key = metricKey(m);
        if (!input.outputs) scores[key] = 0;
        else if (m.name === 'llm_judge') {
          const j = await judge(input, m, input.outputs);
          scores[key] = j.score;
          details[key] = { reasoning: j.reasoning };
          judged.inputTokens += j.usage.inputTokens;
          judged.outputTokens += j.usage.outputTokens;
          judged.costUsd += j.costUsd;
        } else scores[key] = scoreExample(m, input.outputs, input.expected);
      }
      const child = await getRun(deps.store, input.childRunId).catch(() => undefined);
      // An example's cost is its run's plus its judging.
      await saveEvalResult(deps.store, input.evalRunId, {
        exampleId: input.exampleId,
        childRunId: input.childRunId,
        outputs: input.outputs,
        scores,
        details: Object.keys(details).length ? details : null,
        error: input.error,
        inputTokens: Number(child?.inputTokens ?? 0) + judged.inputTokens,
        outputTokens: Number(child?.outputTokens ?? 0) + judged.outputTokens,
        costUsd: Number(child?.costUsd ?? 0) + judged.costUsd,
      });
      recordEvaluation(scores, { runId: input.evalRunId, exampleId: input.exampleId });
      return { scores };
    },

    /** The eval run's token and cost totals: the sum over its examples (their runs and their judging). */
    async totalEvalUsage(input: { evalRunId: string }): Promise<EvalUsage> {
      return storeUsage(input.evalRunId, await listEvalResults(deps.store, input.evalRunId));
    },

    /** Fix the eval's examples in the store (once): its workflow then carries a position, not the ids. */
    async snapshotEvalExamples(input: { evalRunId: string; source: EvalExampleSource }): Promise<{ total: number }> {
      return { total: await snapshotEvalExamples(deps.store, input.evalRunId, input.source) };
    },

    /** The eval's example at a position. */
    async loadEvalExample(input: { evalRunId: string; position: number }): Promise<{ id: string; inputs: Record<string, unknown>; expected: Record<string, unknown> }> {
      const at = await evalExampleAt(deps.store, input.evalRunId, input.position);
      if (!at) throw ApplicationFailure.nonRetryable(`eval '${input.evalRunId}' has no example at position ${input.position}`, 'NotFound');
      if (!at.example) throw ApplicationFailure.nonRetryable(`example '${at.exampleId}' no longer exists (deleted from its dataset while the run went on)`, 'NotFound');
      return at.example;
    },

    /** The eval's result from its stored per-example results: every segment's examples count, not only the last one's. */
    async summarizeEval(input: { evalRunId: string; metrics: MetricSpec[] }): Promise<{ examples: number; errors: number; aggregates: Record<string, Aggregate>; usage: EvalUsage }> {
      const rows = await listEvalResults(deps.store, input.evalRunId);
      const aggregates = Object.fromEntries(input.metrics.map((m) => [metricKey(m), aggregate(rows.map((r) => r.scores[metricKey(m)] ?? 0))]));
      const usage = await storeUsage(input.evalRunId, rows);
      return { examples: rows.length, errors: rows.filter((r) => r.error !== null).length, aggregates, usage };
    },

    /** One example by id: workflows carry ids only, so a large dataset stays within payload limits. */
    async loadExample(input: { exampleId: string }): Promise<{ id: string; inputs: Record<string, unknown>; expected: Record<string, unknown> }> {
      const row = (await examplesById(deps.store, [input.exampleId])).get(input.exampleId);
      if (!row) throw ApplicationFailure.nonRetryable(`example '${input.exampleId}' no longer exists (deleted from its dataset while the run went on)`, 'NotFound');
      return row;
    },

    /** Keyed by the workflow: an attempt whose completion was lost finds the version it saved. */
    async saveComponentVersion(input: { name: string; spec: ComponentSpec; idempotencyKey: string }): Promise<{ version: number }> {
      return { version: await components.addVersionOnce(deps.store, input.name, input.spec, input.idempotencyKey) };
    },
  };
}
