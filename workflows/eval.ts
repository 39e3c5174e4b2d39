// An eval run: every example is a traced child run, then scored; aggregates with intervals at the end.
// Finished examples are in the history, so a crash never runs them again.
import { executeChild, isCancellation, proxyActivities, proxyLocalActivities, type ActivityOptions, type LocalActivityOptions } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { failureMessage } from '../core/failures.js';
import { aggregate, metricKey, type Aggregate, type MetricSpec } from '../core/metrics.js';
import type { PipelinePlan } from '../core/pipeline-plan.js';
import { componentWorkflow } from './component.js';
import { runLifecycle } from './lifecycle.js';
import { pipelineWorkflow, type PipelineRunInput } from './pipeline.js';
import { record } from './run-events.js';

export interface EvalRunInput {
  runId: string;
  target: { type: 'component' | 'pipeline'; id: string; name: string; version: number };
  plan: PipelinePlan;
  /** Example ids; each example is loaded when its turn comes (inputs can be large, ids are small). */
  exampleIds: string[];
  metrics: MetricSpec[];
  concurrency: number;
  heartbeatTimeoutMs?: number;
  /** The step cache for every example's run. */
  cache?: 'reuse' | 'off';
}

export interface EvalSummary {
  examples: number;
  errors: number;
  aggregates: Record<string, Aggregate>;
  usage: { inputTokens: number; outputTokens: number; costUsd: number };
}

/** Scoring may call a judge model: it heartbeats, so a dead worker's attempt is retried within seconds. */
export const scoringOptions = (heartbeatTimeoutMs: number | undefined): ActivityOptions => ({
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: heartbeatTimeoutMs ?? 10_000,
  retry: { maximumAttempts: 5, nonRetryableErrorTypes: ['ProviderRejected', 'ConfigError'] },
});

/** Local activities that only read or create rows: a missing example is final, not retried forever. */
export const lookupOptions: LocalActivityOptions = { startToCloseTimeout: '30s', retry: { maximumAttempts: 5, nonRetryableErrorTypes: ['NotFound'] } };

async function evaluate(input: EvalRunInput): Promise<EvalSummary> {
  const { runId } = input;
  const { scoreExample } = proxyActivities<Activities>(scoringOptions(input.heartbeatTimeoutMs));
  const { totalEvalUsage } = proxyActivities<Activities>({ startToCloseTimeout: '1 minute', retry: { maximumAttempts: 5 } });
  const { prepareChildRun, loadExample } = proxyLocalActivities<Activities>(lookupOptions);
  const total = input.exampleIds.length;
  const scores: Array<Record<string, number>> = new Array(total);
  let errors = 0;
  let next = 0;
  const lane = async () => {
    while (next < total) {
      const i = next++;
      const ex = await loadExample({ exampleId: input.exampleIds[i]! });
      const childRunId = `${runId}-${ex.id}`;
      await prepareChildRun({ childRunId, kind: input.target.type, target: input.target, inputs: ex.inputs, parent: `eval:${runId}` });
      let outputs: Record<string, unknown> | null = null;
      let error: string | null = null;
      try {
        const args: PipelineRunInput = { runId: childRunId, kind: input.target.type, target: input.target, plan: input.plan, inputs: ex.inputs, heartbeatTimeoutMs: input.heartbeatTimeoutMs, ...(input.cache ? { cache: input.cache } : {}) };
        outputs = await executeChild(input.target.type === 'pipeline' ? pipelineWorkflow : componentWorkflow, { workflowId: childRunId, args: [args] });
      } catch (err) {
        if (isCancellation(err)) throw err;
        errors++;
        // The child's own reason, not "Child Workflow execution failed".
        error = failureMessage(err);
      }
      const r = await scoreExample({ evalRunId: runId, exampleId: ex.id, childRunId, outputs, expected: ex.expected, metrics: input.metrics, error });
      scores[i] = r.scores;
      await record(runId, [{ type: 'step.completed', key: `example:${ex.id}`, data: { stepId: `example:${ex.id}`, outputs: r.scores, ...(error ? { error } : {}) } }]);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(input.concurrency, total)) }, lane));

  const aggregates = Object.fromEntries(input.metrics.map((m) => [metricKey(m), aggregate(scores.map((s) => s[metricKey(m)] ?? 0))]));
  const usage = await totalEvalUsage({ evalRunId: runId });
  return { examples: total, errors, aggregates, usage };
}

export async function evalWorkflow(input: EvalRunInput): Promise<EvalSummary> {
  const header = { runId: input.runId, kind: 'eval', target: input.target, inputs: { examples: input.exampleIds.length, metrics: input.metrics.map(metricKey) } };
  return runLifecycle(header, () => evaluate(input), { outputs: (s) => ({ ...s }) });
}
