// What MIPROv2 and GEPA share: a candidate scored in a child eval run (the step cache on, so a resumed search calls
// no completed model call again), the optimizer's own model calls as recorded steps, the budget, and the verdict on
// the held-out split (a new version only when the best candidate beats the current one there).
import {
  ActivityFailure,
  continueAsNew,
  executeChild,
  isCancellation,
  proxyActivities,
  workflowInfo,
} from '@temporalio/workflow';
import { failureMessage } from '../core/failures.js';
import type { Activities } from '../activities/index.js';
import { metricKey } from '../core/metrics.js';
import { componentPlan } from '../core/pipeline-plan.js';
import { budgetExceeded, runNote, stepCompleted, stepFailed } from '../core/run-story/events.js';
import { budgetApprovalId, trialEvalRunId, versionRef, type TrialLabel } from '../core/run-story/ids.js';
import type { ComponentSpec } from '../core/specs.js';
import { evalWorkflow, type EvalRunInput, type EvalSummary } from './eval.js';
import type { Budget, Optimization, OptimizeRunInput, SearchOptions, Spent } from './optimize-state.js';
import { historyFull } from './history-budget.js';
import { waitForPerson, type Approvals } from './approvals.js';
import type { Stop } from './steering.js';
import { record } from './run-events.js';
import type { Score } from './optimize-state.js';

export interface Scored extends Score {
  scores: Record<string, number>;
  traces: string;
}

export interface Search extends Optimization {
  options: SearchOptions;
  spent: Spent;
  /** A person's answers to the budget's asks. */
  approvals: Approvals;
  /** Set when a person stops the search early. */
  stop: Stop;
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

/**
 * Score `spec` on `exampleIds` in a child eval named by `label`: its mean, and when `read` asks, its score per example
 * (GEPA's fronts and minibatch comparisons) and its traces with feedback (what GEPA's reflection reads).
 */
export async function scoreCandidate(
  s: Search,
  label: TrialLabel,
  spec: ComponentSpec,
  exampleIds: string[],
  read: 'mean' | 'scores' | 'traces' = 'mean',
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
  const score = { mean: agg?.mean ?? 0, ci95: agg?.ci95 ?? ([0, 0] as [number, number]) };
  if (read === 'mean') return { ...score, scores: {}, traces: '' };
  return {
    ...score,
    ...(await s.lookup.candidateTraces({ evalRunId: childRunId, metric, traces: read === 'traces' })),
  };
}

/**
 * One of the optimizer's own model calls (a summary, a proposal, a reflection) as a step of its run, cached by its
 * inputs and `sample` (the iteration: the same inputs in another iteration are another draw, as a model at a
 * temperature would give). A call that fails for good fails its step and answers null: the search goes on without it.
 */
export async function ask(
  s: Search,
  step: { stepId: string; sample?: number },
  spec: ComponentSpec,
  inputs: Record<string, unknown>,
): Promise<Record<string, unknown> | null> {
  const { runId } = s.input;
  const { stepId } = step;
  try {
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
      ...(step.sample ? { sample: step.sample } : {}),
    });
    s.spent.costUsd += r.costUsd;
    s.spent.tokens += r.usage.inputTokens + r.usage.outputTokens;
    await record(runId, [stepCompleted({ stepId, outputs: r.outputs })]);
    return r.outputs;
  } catch (err) {
    if (isCancellation(err) || !(err instanceof ActivityFailure)) throw err;
    await record(runId, [stepFailed({ stepId, error: failureMessage(err) })]);
    return null;
  }
}

/**
 * The search's loop over steps `first`..`last` (MIPROv2's trials, GEPA's iterations): stopped by a person, it ends;
 * with a full history it continues as new with `carry(n)`; past its budget it asks; then it runs step n. Answers
 * the first step it did not run.
 */
export async function searchLoop(
  s: Search,
  o: { first: number; last: number; noun: string; carry: (n: number) => object; step: (n: number) => Promise<void> },
): Promise<number> {
  s.spent.setup ??= { costUsd: s.spent.costUsd, tokens: s.spent.tokens };
  let n = o.first;
  for (; n <= o.last; n++) {
    // No wait between this check and continuing as new: a stop cannot arrive in between and be left behind.
    const stopped = s.stop.reason;
    if (!stopped && historyFull(s.input.continueAfterEvents))
      await continueAsNew<(next: OptimizeRunInput) => Promise<Record<string, unknown>>>({
        ...s.input,
        state: { ...o.carry(n), spent: s.spent } as OptimizeRunInput['state'],
      });
    const why = stopped ?? (await withinBudget(s, n));
    if (why) {
      await record(s.input.runId, [
        runNote('budget', 'warn', `stopped at ${o.noun} ${n}: ${why}; keeping the best so far`),
      ]);
      break;
    }
    await o.step(n);
  }
  s.stop.over = true;
  return n;
}

/** Which limit the next candidate would pass, or undefined: each limit counts once per budget a person granted. */
export function overBudget(s: Search): { budget: keyof Budget; limit: number; used: number; why: string } | undefined {
  const { spent } = s;
  const grants = 1 + spent.extended;
  const limit = (v: number | undefined) => (v === undefined ? undefined : v * grants);
  const maxCandidates = limit(s.options.budget.maxCandidates);
  if (maxCandidates !== undefined && spent.candidates >= maxCandidates)
    return {
      budget: 'maxCandidates',
      limit: maxCandidates,
      used: spent.candidates,
      why: `maxCandidates ${maxCandidates} reached`,
    };
  // The next candidate is expected to cost what the average one so far did (what came before the first is no candidate's).
  const setup = spent.setup ?? { costUsd: 0, tokens: 0 };
  const per = (v: number, before: number) => (spent.candidates ? (v - before) / spent.candidates : 0);
  const next = (v: number, before: number) => v + per(v, before);
  const maxCostUsd = limit(s.options.budget.maxCostUsd);
  if (maxCostUsd !== undefined && next(spent.costUsd, setup.costUsd) > maxCostUsd) {
    const why = `the next candidate would pass maxCostUsd ${maxCostUsd} ($${spent.costUsd.toFixed(4)} spent)`;
    return { budget: 'maxCostUsd', limit: maxCostUsd, used: spent.costUsd, why };
  }
  const maxTokens = limit(s.options.budget.maxTokens);
  if (maxTokens !== undefined && next(spent.tokens, setup.tokens) > maxTokens)
    return {
      budget: 'maxTokens',
      limit: maxTokens,
      used: spent.tokens,
      why: `the next candidate would pass maxTokens ${maxTokens} (${spent.tokens} spent)`,
    };
  return undefined;
}

/**
 * Before candidate `at`: within budget, go on; past it, ask a person, who grants one more budget's worth (go on) or
 * stops the search, which keeps the best candidate so far. Undefined: go on; else why the search stops.
 */
export async function withinBudget(s: Search, at: number): Promise<string | undefined> {
  const over = overBudget(s);
  if (!over) return undefined;
  const { runId } = s.input;
  // Cents' fractions as a person reads them, not a float's tail.
  const used = usd(over.used);
  await record(runId, [budgetExceeded(at, { budget: over.budget, limit: over.limit, used })]);
  const args = {
    why: over.why,
    spent: spentShown(s.spent),
    grants: s.options.budget,
  };
  const d = await waitForPerson(runId, s.approvals, {
    approvalId: budgetApprovalId(at),
    kind: 'budget',
    call: null,
    args,
    endedBy: () => s.stop.reason,
  });
  if (d.decision !== 'approve') return `${over.why}${d.reason ? ` (${d.reason})` : ''}`;
  s.spent.extended++;
  return undefined;
}

/** What was spent as a person reads it: dollars to the millionth, not a float's tail. */
const usd = (v: number) => Math.round(v * 1e6) / 1e6;
const spentShown = (spent: Spent): Spent => ({
  ...spent,
  costUsd: usd(spent.costUsd),
  ...(spent.setup ? { setup: { ...spent.setup, costUsd: usd(spent.setup.costUsd) } } : {}),
});

/** Where a saved version came from: the optimizer run, the version it improved, the data, the metric and the scores. */
export const provenanceOf = (
  input: OptimizeRunInput,
  heldOut: 'dev' | 'test',
  scores: { before: Score; after: Score },
): Record<string, unknown> => ({
  optimizer: input.optimizer ?? 'bootstrap',
  run: input.runId,
  from: versionRef(input.component.name, input.component.version),
  ...(input.dataset ? { dataset: input.dataset } : {}),
  metric: metricKey(input.metric),
  heldOut,
  before: { mean: scores.before.mean, ci95: scores.before.ci95 },
  after: { mean: scores.after.mean, ci95: scores.after.ci95 },
});

const text = (s: Score) => `${s.mean.toFixed(3)} [${s.ci95[0].toFixed(2)}, ${s.ci95[1].toFixed(2)}]`;

/**
 * The verdict: the best candidate (chosen on dev) against the current version on the held-out test split, which the
 * search never saw; a new version is saved only when it scores higher there, and no label moves.
 */
export async function conclude(
  s: Search,
  best: { spec: ComponentSpec },
  extra: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const { runId, component, metric } = s.input;
  const held = s.options.held;
  const base = await scoreCandidate(s, 'held-base', component.spec, held);
  const candidate = await scoreCandidate(s, 'held-best', best.spec, held);
  const split = `${held.length} held-out test examples`;
  const scores = `${text(base)} → ${text(candidate)} on ${split}`;
  const common = {
    metric: metricKey(metric),
    before: base.mean,
    after: candidate.mean,
    interval: { before: base.ci95, after: candidate.ci95 },
    heldOut: 'test',
    instruction: best.spec.instructions ?? null,
    demos: best.spec.demos?.length ?? 0,
    spent: spentShown(s.spent),
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
    provenance: provenanceOf(s.input, 'test', { before: base, after: candidate }),
  });
  await record(runId, [runNote('saved', 'info', `saved ${versionRef(component.name, version)} (${scores})`)]);
  return { version, saved: true, ...common };
}
