// Side effects of evals and optimization: child-run rows, scoring (an LLM judge too), totals, new versions.
import { Context } from '@temporalio/activity';
import { metricKey, scoreExample, type MetricSpec } from '../core/metrics.js';
import type { ComponentSpec, RunKind } from '../core/specs.js';
import type { Store } from '../db/knex.js';
import type { RunTarget } from '../db/models/run.js';
import { listEvalResults, saveEvalResult } from '../db/repositories/datasets.js';
import { createRun, getRun } from '../db/repositories/runs.js';
import { components } from '../db/repositories/versioned.js';
import { callProvider } from './llm/call.js';
import type { ResolvedProvider, SecretSet } from './llm/registry.js';

export interface ScoreInput {
  evalRunId: string;
  exampleId: string;
  childRunId: string;
  outputs: Record<string, unknown> | null;
  expected: Record<string, unknown>;
  metrics: MetricSpec[];
  error: string | null;
}

export function createEvalActivities(deps: { store: Store; secrets: SecretSet; resolveProvider: (name: string) => Promise<ResolvedProvider> }) {
  /** A rubric scored 0..1 by a model, its reasoning kept. */
  async function judge(m: MetricSpec, outputs: Record<string, unknown>, expected: Record<string, unknown>): Promise<{ score: number; reasoning: string }> {
    const resolved = await deps.resolveProvider(m.args?.provider ?? 'default');
    const model = m.args?.model ?? resolved.defaultModel ?? '';
    const result = await callProvider(resolved.provider, Context.current(), deps.secrets, {
      model,
      messages: [
        { role: 'system', content: `You grade answers. Rubric: ${m.args?.rubric ?? 'Is the answer correct and complete compared with the expected answer?'} Answer with JSON {"reasoning": "...", "score": <0..1>}.` },
        { role: 'user', content: `Expected: ${JSON.stringify(m.field ? expected[m.field] : expected)}\nAnswer: ${JSON.stringify(m.field ? outputs[m.field] : outputs)}` },
      ],
      jsonSchema: { type: 'object', properties: { reasoning: { type: 'string' }, score: { type: 'number' } }, required: ['reasoning', 'score'] },
    });
    const v = JSON.parse(result.text.slice(result.text.indexOf('{'), result.text.lastIndexOf('}') + 1)) as { score: number; reasoning: string };
    return { score: Math.max(0, Math.min(1, Number(v.score) || 0)), reasoning: String(v.reasoning ?? '') };
  }

  return {
    /** The runs row of a child run (an example, or a sub-eval), created once. */
    async prepareChildRun(input: { childRunId: string; kind: RunKind; target: RunTarget; inputs: Record<string, unknown> }): Promise<void> {
      try {
        await getRun(deps.store, input.childRunId);
      } catch {
        await createRun(deps.store, { id: input.childRunId, kind: input.kind, target: input.target, inputs: input.inputs });
      }
    },

    async scoreExample(input: ScoreInput): Promise<{ scores: Record<string, number> }> {
      const scores: Record<string, number> = {};
      const details: Record<string, unknown> = {};
      for (const m of input.metrics) {
        const key = metricKey(m);
        if (!input.outputs) scores[key] = 0;
        else if (m.name === 'llm_judge') {
          const j = await judge(m, input.outputs, input.expected);
          scores[key] = j.score;
          details[key] = { reasoning: j.reasoning };
        } else scores[key] = scoreExample(m, input.outputs, input.expected);
      }
      const child = await getRun(deps.store, input.childRunId).catch(() => undefined);
      await saveEvalResult(deps.store, input.evalRunId, {
        exampleId: input.exampleId,
        childRunId: input.childRunId,
        outputs: input.outputs,
        scores,
        details: Object.keys(details).length ? details : null,
        error: input.error,
        inputTokens: Number(child?.inputTokens ?? 0),
        outputTokens: Number(child?.outputTokens ?? 0),
        costUsd: Number(child?.costUsd ?? 0),
      });
      return { scores };
    },

    /** The eval run's token and cost totals: the sum over its examples' child runs. */
    async totalEvalUsage(input: { evalRunId: string }): Promise<{ inputTokens: number; outputTokens: number; costUsd: number }> {
      const rows = await listEvalResults(deps.store, input.evalRunId);
      const usage = rows.reduce((u, r) => ({ inputTokens: u.inputTokens + r.inputTokens, outputTokens: u.outputTokens + r.outputTokens, costUsd: u.costUsd + r.costUsd }), { inputTokens: 0, outputTokens: 0, costUsd: 0 });
      await deps.store.knex('runs').where('id', input.evalRunId).update(usage);
      return usage;
    },

    /** One example by id: workflows carry ids only, so a large dataset stays within payload limits. */
    async loadExample(input: { exampleId: string }): Promise<{ id: string; inputs: Record<string, unknown>; expected: Record<string, unknown> }> {
      const row = await deps.store.knex('dataset_examples').where('id', input.exampleId).first();
      if (!row) throw new Error(`example '${input.exampleId}' no longer exists`);
      const parse = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v);
      return { id: row.id, inputs: parse(row.inputs), expected: parse(row.expected) };
    },

    async saveComponentVersion(input: { name: string; spec: ComponentSpec }): Promise<{ version: number }> {
      const saved = await components.addVersion(deps.store, input.name, input.spec);
      return { version: saved.latestVersion };
    },
  };
}
