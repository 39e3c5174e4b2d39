// What MIPROv2 and GEPA share: a candidate scored in a child eval run (the step cache on, so a resumed search calls
// no completed model call again), the optimizer's own model calls as recorded steps, the budget, and the verdict on
// the held-out split (a new version only when the best candidate beats the current one there).
import { executeChild, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { metricKey } from '../core/metrics.js';
import { componentPlan } from '../core/pipeline-plan.js';
import { runNote, stepCompleted } from '../core/run-story/events.js';
import { trialEvalRunId, versionRef, type TrialLabel } from '../core/run-story/ids.js';
import type { ComponentSpec } from '../core/specs.js';
import { evalWorkflow, type EvalRunInput, type EvalSummary } from './eval.js';
import type { Optimization, SearchOptions, Spent } from './optimize-state.js';
import { record } from './run-events.js';
import type { Score } from './optimize-state.js';

export interface Scored extends Score {
  scores: Record<string, number>;
  traces: string;
}

export interface Search extends Optimization {
  options: SearchOptions;
  spent: Spent;
  calls: ReturnType<typeof proxyActivities<Activities>>;
}

export const searchCalls = (heartbeatTimeoutMs: number | undefined) =>
  proxyActivities<Activities>({
    startToCloseTimeout: '10 minutes',
    heartbeatTimeout: heartbeatTimeoutMs ?? 60_000,
    retry: { maximumAttempts: 3, nonRetryableErrorTypes: ['ProviderRejected', 'OutputParseError', 'ConfigError'] },
  });

/** The component with a candidate's instruction and demos. */
export const candidateSpec = (
  base: ComponentSpec,
  c: { instruction: string; demos?: ComponentSpec['demos'] },
): ComponentSpec => ({ ...base, instructions: c.instruction, ...(c.demos ? { demos: c.demos } : {}) });

/** Score `spec` on `exampleIds` in a child eval named by `label`; its score per example and its traces with feedback. */
export async function scoreCandidate(
  s: Search,
  label: TrialLabel,
  spec: ComponentSpec,
  exampleIds: string[],
): Promise<Scored> {
  const { runId, component, metric } = s.input;
  const childRunId = trialEvalRunId(runId, label);
  const target = { type: 'component' as const, id: component.id, name: component.name, version: component.version };
  await s.lookup.prepareChildRun({
    childRunId,
    kind: 'eval',
    target,
    inputs: { label, examples: exampleIds.length },
    parent: `optimize:${runId}`,
  });
  const args: EvalRunInput = {
    runId: childRunId,
    target,
    plan: componentPlan(component.name, component.version, spec),
    examples: { exampleIds },
    exampleCount: exampleIds.length,
    metrics: [metric],
    concurrency: 4,
    heartbeatTimeoutMs: s.input.heartbeatTimeoutMs,
    cache: s.input.cache ?? 'reuse',
  };
  const summary: EvalSummary = await executeChild(evalWorkflow, { workflowId: childRunId, args: [args] });
  s.spent.costUsd += summary.usage.costUsd;
  s.spent.tokens += summary.usage.inputTokens + summary.usage.outputTokens;
  const agg = summary.aggregates[metricKey(metric)];
  const read = await s.lookup.candidateTraces({ evalRunId: childRunId, metric });
  return { mean: agg?.mean ?? 0, ci95: agg?.ci95 ?? [0, 0], ...read };
}

/** One of the optimizer's own model calls (a summary, a proposal, a reflection) as a step of its run, cached by its inputs. */
export async function ask(s: Search, stepId: string, spec: ComponentSpec, inputs: Record<string, unknown>) {
  const { runId } = s.input;
  const r = await s.calls.predict({
    runId,
    stepId,
    callId: stepId,
    component: spec,
    inputs,
    recordStep: true,
    // The optimizer's own calls follow its evals: cached unless the run turned the cache off.
    ...(s.input.cache === 'off' ? {} : { cache: 'reuse' as const }),
    componentRef: `optimizer:${spec.name}`,
  });
  s.spent.costUsd += r.costUsd;
  s.spent.tokens += r.usage.inputTokens + r.usage.outputTokens;
  await record(runId, [stepCompleted({ stepId, outputs: r.outputs })]);
  return r.outputs;
}

/** Why the next candidate may not be scored, or undefined: a cap reached, or a limit its expected cost would pass. */
export function overBudget(s: Search): string | undefined {
  const { budget } = s.options;
  const { spent } = s;
  if (budget.maxCandidates !== undefined && spent.candidates >= budget.maxCandidates)
    return `maxCandidates ${budget.maxCandidates} reached`;
  // The next candidate is expected to cost what the average one so far did.
  const per = (v: number) => (spent.candidates ? v / spent.candidates : 0);
  if (budget.maxCostUsd !== undefined && spent.costUsd + per(spent.costUsd) > budget.maxCostUsd)
    return `the next candidate would pass maxCostUsd ${budget.maxCostUsd} ($${spent.costUsd.toFixed(4)} spent)`;
  if (budget.maxTokens !== undefined && spent.tokens + per(spent.tokens) > budget.maxTokens)
    return `the next candidate would pass maxTokens ${budget.maxTokens} (${spent.tokens} spent)`;
  return undefined;
}

const text = (s: Score) => `${s.mean.toFixed(3)} [${s.ci95[0].toFixed(2)}, ${s.ci95[1].toFixed(2)}]`;

/**
 * The verdict: the best candidate against the current version on the held-out split (dev when there is none);
 * a new version is saved only when it scores higher there, and no label moves.
 */
export async function conclude(
  s: Search,
  best: { spec: ComponentSpec; dev: Score },
  before: Score,
  extra: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const { runId, component, metric } = s.input;
  const held = s.options.held;
  const [base, candidate] = held.length
    ? [
        await scoreCandidate(s, 'held-base', component.spec, held),
        await scoreCandidate(s, 'held-best', best.spec, held),
      ]
    : [before, best.dev];
  const split = held.length ? `${held.length} held-out test examples` : `${s.input.dev.length} dev examples`;
  const scores = `${text(base)} → ${text(candidate)} on ${split}`;
  const common = {
    metric: metricKey(metric),
    before: base.mean,
    after: candidate.mean,
    interval: { before: base.ci95, after: candidate.ci95 },
    heldOut: held.length ? 'test' : 'dev',
    instruction: best.spec.instructions ?? null,
    demos: best.spec.demos?.length ?? 0,
    spent: s.spent,
    ...extra,
  };
  if (candidate.mean <= base.mean) {
    const kept = versionRef(component.name, component.version);
    await record(runId, [runNote('kept', 'warn', `no improvement: kept ${kept} (${scores})`)]);
    return { version: component.version, saved: false, kept, ...common };
  }
  const { version } = await s.saving.saveComponentVersion({
    name: component.name,
    spec: best.spec,
    idempotencyKey: `${workflowInfo().workflowId}:optimized`,
  });
  await record(runId, [runNote('saved', 'info', `saved ${versionRef(component.name, version)} (${scores})`)]);
  return { version, saved: true, ...common };
}
