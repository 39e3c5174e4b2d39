// An eval run: every example is a traced child run, then scored; aggregates with intervals at the end.
// Finished examples are in the history, so a crash never runs them again. The examples are fixed in the
// store at the start and the run continues as new before its history nears Temporal's limits, carrying
// only its position: any dataset size fits.
import {
  continueAsNew,
  executeChild,
  isCancellation,
  patched,
  proxyActivities,
  proxyLocalActivities,
  type ActivityOptions,
  type LocalActivityOptions,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { EvalExampleSource } from '../core/dataset-import.js';
import { failureMessage } from '../core/failures.js';
import type { ForkRequest, StepReuse } from '../core/fork.js';
import { aggregate, metricKey, type Aggregate, type MetricSpec } from '../core/metrics.js';
import type { PipelinePlan } from '../core/pipeline-plan.js';
import { exampleCompleted } from '../core/run-story/events.js';
import { exampleRepeatId, exampleRunId } from '../core/run-story/ids.js';
import { componentWorkflow } from './component.js';
import { historyFull } from './history-budget.js';
import { HEARTBEAT_TIMEOUT_MS, runLifecycle } from './lifecycle.js';
import { asCalled, oneAtATime, type InTurn } from './in-turn.js';
import { pipelineWorkflow, type PipelineRunInput } from './pipeline.js';
import { record } from './run-events.js';

export interface EvalRunInput {
  runId: string;
  target: { type: 'component' | 'pipeline'; id: string; name: string; version: number };
  plan: PipelinePlan;
  /** Where the examples come from; fixed in the store by the first segment. */
  examples?: EvalExampleSource;
  /** How many examples the run was started with (its run.started event says so). */
  exampleCount?: number;
  /** Histories recorded before segments carry the ids themselves. */
  exampleIds?: string[];
  /** Continue as new past this many history events (Temporal stops a run at 51,200). */
  continueAfterEvents?: number;
  /** Set on a continued segment: the next example's position and how many there are. */
  segment?: { next: number; total: number };
  metrics: MetricSpec[];
  concurrency: number;
  heartbeatTimeoutMs?: number;
  /** The step cache for every example's run. */
  cache?: 'reuse' | 'off';
  /** A fork of a whole eval: each example reuses what the source eval's run of it recorded before the change. */
  fork?: { sourceRunId: string; request: ForkRequest };
  /** Run each example this many times, each run a result of its own (1 when absent). */
  repeats?: number;
  /** A resumed eval: each example first takes the steps the source's run of it recorded before it was cut short. */
  resumeOf?: string;
}

export interface EvalSummary {
  examples: number;
  errors: number;
  aggregates: Record<string, Aggregate>;
  usage: { inputTokens: number; outputTokens: number; costUsd: number };
  /** With repeats: how many results (examples × repeats, fewer where examples errored before scoring). */
  results?: number;
  /** A fork's: the steps its examples took from the source eval's records (calls not made). */
  reusedSteps?: number;
}

/** Scoring may call a judge model: it heartbeats, so a dead worker's attempt is retried within seconds. */
export const scoringOptions = (heartbeatTimeoutMs: number | undefined): ActivityOptions => ({
  startToCloseTimeout: '5 minutes',
  heartbeatTimeout: heartbeatTimeoutMs ?? HEARTBEAT_TIMEOUT_MS,
  retry: { maximumAttempts: 5, nonRetryableErrorTypes: ['ProviderRejected', 'ConfigError'] },
});

/** Local activities that only read or create rows: a missing example is final, not retried forever. */
export const lookupOptions: LocalActivityOptions = {
  startToCloseTimeout: '30s',
  retry: { maximumAttempts: 5, nonRetryableErrorTypes: ['NotFound'] },
};

/**
 * What an example's run takes instead of calling: a fork's, the steps its change does not reach from the source's
 * run of the same example and repeat; a resume's, the steps its cut-short run recorded.
 */
async function exampleReuse(
  input: EvalRunInput,
  ex: { id: string; inputs: Record<string, unknown> },
  inTurn: InTurn,
  repeat: number,
): Promise<Record<string, StepReuse>> {
  const { planExampleFork, planExampleResume } = proxyLocalActivities<Activities>(lookupOptions);
  const { fork } = input;
  const of = {
    sourceRunId: fork?.sourceRunId ?? input.resumeOf!,
    plan: input.plan,
    example: { id: ex.id, inputs: ex.inputs },
    ...(repeat ? { repeat } : {}),
  };
  const planned = await inTurn(() =>
    fork ? planExampleFork({ ...of, request: fork.request }) : planExampleResume(of),
  );
  return planned.reuse;
}

/** One example (or one repeat of it): its child run, then its scores (stored, so the summary reads every segment's). */
async function runExample(
  input: EvalRunInput,
  ex: { id: string; inputs: Record<string, unknown>; expected: Record<string, unknown> },
  inTurn: InTurn = asCalled,
  repeat = 0,
): Promise<{ scores: Record<string, number>; error: string | null }> {
  const { runId } = input;
  const { scoreExample } = proxyActivities<Activities>(scoringOptions(input.heartbeatTimeoutMs));
  const { prepareChildRun } = proxyLocalActivities<Activities>(lookupOptions);
  const childRunId = exampleRunId(runId, ex.id, repeat);
  await inTurn(() =>
    prepareChildRun({
      childRunId,
      kind: input.target.type,
      target: input.target,
      inputs: ex.inputs,
      parent: `eval:${runId}`,
    }),
  );
  let outputs: Record<string, unknown> | null = null;
  let error: string | null = null;
  try {
    // What this example takes from the source's run of it: should that fail, this example errors, not the eval.
    // Only forks and resumes look (an await more would reorder the commands of runs recorded before them).
    const reuse = input.fork || input.resumeOf ? await exampleReuse(input, ex, inTurn, repeat) : undefined;
    const args: PipelineRunInput = {
      runId: childRunId,
      kind: input.target.type,
      target: input.target,
      plan: input.plan,
      inputs: ex.inputs,
      heartbeatTimeoutMs: input.heartbeatTimeoutMs,
      ...(input.cache ? { cache: input.cache } : {}),
      ...(reuse ? { reuse } : {}),
      ...(repeat ? { sample: repeat } : {}),
    };
    outputs = await executeChild(input.target.type === 'pipeline' ? pipelineWorkflow : componentWorkflow, {
      workflowId: childRunId,
      args: [args],
    });
  } catch (err) {
    if (isCancellation(err)) throw err;
    // The child's own reason, not "Child Workflow execution failed".
    error = failureMessage(err);
  }
  const r = await scoreExample({
    evalRunId: runId,
    exampleId: ex.id,
    ...(repeat ? { repeat } : {}),
    childRunId,
    outputs,
    expected: ex.expected,
    metrics: input.metrics,
    error,
  });
  await inTurn(() =>
    record(runId, [
      exampleCompleted(exampleRepeatId(ex.id, repeat), { outputs: r.scores, ...(error ? { error } : {}) }),
    ]),
  );
  return { scores: r.scores, error };
}

/** Examples from the segment's position on, `concurrency` at a time, until all are done or the history is full. */
async function evaluateSegment(input: EvalRunInput): Promise<EvalSummary> {
  const { runId } = input;
  // They heartbeat: a worker lost mid-call costs the heartbeat timeout, not the five minutes a large dataset may need.
  const { snapshotEvalExamples, summarizeEval } = proxyActivities<Activities>({
    startToCloseTimeout: '5 minutes',
    heartbeatTimeout: input.heartbeatTimeoutMs ?? HEARTBEAT_TIMEOUT_MS,
    retry: { maximumAttempts: 5 },
  });
  const { loadEvalExample } = proxyLocalActivities<Activities>(lookupOptions);
  // The lanes' local activities in turn (in-turn.ts); runs recorded before that replay as they ran.
  const inTurn = patched('eval-local-activities-in-turn') ? oneAtATime() : asCalled;
  // With repeats, a position is one run of one example: example position / repeats, repeat position % repeats.
  const repeats = input.repeats ?? 1;
  const { next: first, total } = input.segment ?? {
    next: 0,
    total:
      (await snapshotEvalExamples({ evalRunId: runId, source: input.examples ?? { exampleIds: [] } })).total * repeats,
  };
  let next = first;
  const lane = async () => {
    while (next < total && !historyFull(input.continueAfterEvents)) {
      const position = next++;
      const repeat = position % repeats;
      const ex = await inTurn(() =>
        loadEvalExample({
          evalRunId: runId,
          position: Math.floor(position / repeats),
          ...(repeats > 1 ? { repeat } : {}),
        }),
      );
      // A resume of a repeated eval kept this repeat's finished result.
      if (!ex.done) await runExample(input, ex, inTurn, repeat);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(input.concurrency, total - first)) }, lane));
  // Every example before `next` is scored and stored: the next execution starts there with a fresh history.
  if (next < total)
    return continueAsNew<typeof evalWorkflow>({ ...input, examples: undefined, segment: { next, total } });
  return summarizeEval({ evalRunId: runId, metrics: input.metrics, ...(input.fork ? { forked: true } : {}) });
}

/** Before `eval-segments`: the ids in the input, the scores in memory, one history. Kept for runs under way then. */
async function evaluateInOneHistory(input: EvalRunInput, exampleIds: string[]): Promise<EvalSummary> {
  const { totalEvalUsage } = proxyActivities<Activities>({
    startToCloseTimeout: '1 minute',
    heartbeatTimeout: input.heartbeatTimeoutMs ?? HEARTBEAT_TIMEOUT_MS,
    retry: { maximumAttempts: 5 },
  });
  const { loadExample } = proxyLocalActivities<Activities>(lookupOptions);
  const total = exampleIds.length;
  const scores: Array<Record<string, number>> = new Array(total);
  let errors = 0;
  let next = 0;
  const lane = async () => {
    while (next < total) {
      const i = next++;
      const r = await runExample(input, await loadExample({ exampleId: exampleIds[i]! }));
      scores[i] = r.scores;
      if (r.error) errors++;
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(input.concurrency, total)) }, lane));
  const aggregates = Object.fromEntries(
    input.metrics.map((m) => [metricKey(m), aggregate(scores.map((s) => s[metricKey(m)] ?? 0))]),
  );
  const usage = await totalEvalUsage({ evalRunId: input.runId });
  return { examples: total, errors, aggregates, usage };
}

export async function evalWorkflow(input: EvalRunInput): Promise<EvalSummary> {
  const repeats = input.repeats ?? 1;
  const examples =
    input.exampleIds?.length ?? (input.segment ? input.segment.total / repeats : undefined) ?? input.exampleCount ?? 0;
  const header = {
    runId: input.runId,
    kind: 'eval',
    target: input.target,
    inputs: { examples, metrics: input.metrics.map(metricKey), ...(repeats > 1 ? { repeats } : {}) },
    continued: input.segment !== undefined,
  };
  // Runs started before segments (ids in their input) replay and finish as they began.
  const segmented = !input.exampleIds && patched('eval-segments');
  return runLifecycle(
    header,
    () => (segmented ? evaluateSegment(input) : evaluateInOneHistory(input, input.exampleIds ?? [])),
    { outputs: (s) => ({ ...s }) },
  );
}
