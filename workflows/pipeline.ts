// A pipeline run: steps in dependency order, independent steps in parallel, foreach fan-out.
import { ApplicationFailure, CancellationScope, isCancellation, patched, proxyActivities } from '@temporalio/workflow';
import type { Activities, PredictInput } from '../activities/index.js';
import { stepCompleted, stepFailed, stepReused, stepStarted, type NewRunEvent } from '../core/run-story/events.js';
import { failureMessage, failureType } from '../core/failures.js';
import type { StepReuse } from '../core/fork.js';
import { pinnedRef, resolveBinding, type PipelinePlan, type PlannedStep } from '../core/pipeline-plan.js';
import { itemId } from '../core/run-story/ids.js';
import { HEARTBEAT_TIMEOUT_MS, runLifecycle } from './lifecycle.js';
import {
  carriedInput,
  carryCompletion,
  completionRide,
  handBack,
  startMayRide,
  take,
  unbind,
} from '../core/run-story/carry.js';
import { newStory, writeStep, type RunStory } from './run-events.js';

export interface PipelineRunInput {
  runId: string;
  kind: 'pipeline' | 'component';
  target: { type: 'pipeline' | 'component'; name: string; version: number };
  plan: PipelinePlan;
  inputs: Record<string, unknown>;
  heartbeatTimeoutMs?: number;
  /** A fork: steps (or foreach items) answered by the source run's recorded outputs or a counterfactual. */
  reuse?: Record<string, StepReuse>;
  /** `reuse`: every call first looks for a completed call with the same key (the step cache). */
  cache?: 'reuse' | 'off';
  /** An eval's repeat N > 0 of an example: its calls are their own samples in the step cache. */
  sample?: number;
}

type StepOutputs = Record<string, Record<string, unknown> | null>;

/** A pipeline run's story: where a completion may ride depends on the steps already done. */
interface PipelineStory extends RunStory {
  plan: PipelinePlan;
  done: Set<string>;
}

/** The step is done; with its completion, true when that completion was left to ride with a later write (not to be written now). */
function settle(story: PipelineStory, stepId: string, completed?: NewRunEvent): boolean {
  story.done.add(stepId);
  if (!completed) return false;
  const ride = completionRide(story.plan.steps, story.done, stepId);
  if (!ride || !patched('carried-run-events')) return false;
  carryCompletion(story.carry, ride, completed);
  return true;
}

/** Run fn(i) for i in [0, n) with at most `limit` in flight (deterministic: plain promises). */
async function pool(n: number, limit: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, n) }, async () => {
    while (next < n) await fn(next++);
  });
  await Promise.all(lanes);
}

function stepActivities(step: PlannedStep, heartbeatTimeoutMs: number) {
  return proxyActivities<Activities>({
    startToCloseTimeout: step.timeoutMs ?? 10 * 60_000,
    heartbeatTimeout: heartbeatTimeoutMs,
    retry: {
      maximumAttempts: step.retry?.maxAttempts ?? 3,
      initialInterval: step.retry?.initialIntervalMs ?? 1000,
      nonRetryableErrorTypes: ['ProviderRejected', 'OutputParseError', 'ConfigError'],
    },
  });
}

/** Consumers see a foreach step's outputs as one list per field. */
function itemLists(results: Array<Record<string, unknown>>): Record<string, unknown> {
  const fields = [...new Set(results.flatMap((r) => Object.keys(r)))];
  return Object.fromEntries(fields.map((f) => [f, results.map((r) => r[f] ?? null)]));
}

/** One step of a run, and the outputs of the steps before it. */
interface StepRun {
  input: PipelineRunInput;
  story: PipelineStory;
  step: PlannedStep;
  outputs: StepOutputs;
}

type WholeReuse = Extract<StepReuse, { outputs: unknown }>;
type ItemsReuse = Extract<StepReuse, { items: unknown }>;

const stepState = (s: StepRun) => ({ inputs: s.input.inputs, outputs: s.outputs });

/** A forked step taken whole from its source run (or a counterfactual): no model call. */
async function reuseStep(s: StepRun, reuse: WholeReuse): Promise<void> {
  const stepId = s.step.id;
  s.outputs[stepId] = reuse.outputs;
  settle(s.story, stepId);
  const completed = stepCompleted({
    stepId,
    outputs: reuse.outputs,
    ...(reuse.skipped ? { skipped: true } : {}),
    ...(reuse.counterfactual ? { counterfactual: true } : { reused: true }),
  });
  await writeStep(
    s.story,
    stepId,
    reuse.counterfactual ? [completed] : [stepReused({ stepId, source: reuse.source }), completed],
  );
}

/** A step whose `when` is not true: done, with no outputs. */
async function skipStep(s: StepRun): Promise<void> {
  s.outputs[s.step.id] = null;
  settle(s.story, s.step.id);
  await writeStep(s.story, s.step.id, [stepCompleted({ stepId: s.step.id, outputs: null, skipped: true })]);
}

/**
 * The step's model call (the whole step, or one foreach item). It writes what is carried so far first;
 * should it fail, it hands them back and the next write takes them again (keys keep one copy).
 */
function predictCall(s: StepRun): (callId: string, item?: unknown) => Promise<Record<string, unknown>> {
  const { input, story, step } = s;
  const acts = stepActivities(step, input.heartbeatTimeoutMs ?? HEARTBEAT_TIMEOUT_MS);
  const cache = input.cache ?? step.component.spec.cache;
  return (callId, item) => {
    const inputs = Object.fromEntries(
      Object.entries(step.inputs).map(([k, v]) => [k, resolveBinding(v, { ...stepState(s), item })]),
    );
    const carried = take(story.carry, step.id);
    const req: PredictInput = {
      ...{
        runId: input.runId,
        stepId: step.id,
        callId,
        component: step.component.spec,
        inputs,
        recordStep: step.foreach === undefined,
        componentRef: pinnedRef(step.component),
      },
      ...(cache === 'reuse' ? { cache } : {}),
      ...(input.sample ? { sample: input.sample } : {}),
      ...carriedInput(carried),
    };
    return acts.predict(req).then(
      (r) => r.outputs,
      (err: unknown) => {
        handBack(story.carry, carried);
        throw err;
      },
    );
  };
}

/**
 * One call is the whole step: the activity records step.started; completion is the workflow's word,
 * because only it knows which attempt's outputs count (a finished attempt may be lost).
 */
async function singleStep(s: StepRun): Promise<void> {
  const stepId = s.step.id;
  const result = await predictCall(s)(stepId);
  s.outputs[stepId] = result;
  const completed: NewRunEvent = stepCompleted({ stepId, outputs: result });
  if (!settle(s.story, stepId, completed)) await writeStep(s.story, stepId, [completed]);
}

/** A foreach step: one call per item, `concurrency` at a time; a fork's reused items are taken as they were. */
async function foreachStep(s: StepRun, reuse: ItemsReuse | undefined): Promise<void> {
  const { step } = s;
  const reused = reuse?.items;
  const items = resolveBinding(step.foreach!, stepState(s));
  const list = reused ?? (Array.isArray(items) ? items : []);
  await writeStep(s.story, step.id, [
    stepStarted({ stepId: step.id, items: list.length }),
    ...(reuse
      ? [
          stepReused({
            stepId: step.id,
            source: reuse.source,
            items: reuse.items.flatMap((r, i) => (r && !r.counterfactual ? [i] : [])),
          }),
        ]
      : []),
  ]);
  const call = predictCall(s);
  const results: Array<Record<string, unknown>> = new Array(list.length);
  await pool(list.length, step.concurrency, async (i) => {
    const given = reused?.[i];
    results[i] = given
      ? given.outputs
      : await call(itemId(step.id, i), reused ? (Array.isArray(items) ? items[i] : undefined) : list[i]);
  });
  s.outputs[step.id] = itemLists(results);
  settle(s.story, step.id);
  await writeStep(s.story, step.id, [
    stepCompleted({ stepId: step.id, outputs: results, ...(reused ? { reused: true } : {}) }),
  ]);
}

async function runStep(
  input: PipelineRunInput,
  story: PipelineStory,
  step: PlannedStep,
  outputs: StepOutputs,
): Promise<void> {
  const s: StepRun = { input, story, step, outputs };
  const reuse = input.reuse?.[step.id];
  if (reuse && 'outputs' in reuse) return reuseStep(s, reuse);
  if (step.when !== undefined && resolveBinding(step.when, stepState(s)) !== true) return skipStep(s);
  try {
    if (step.foreach === undefined) await singleStep(s);
    else await foreachStep(s, reuse && 'items' in reuse ? reuse : undefined);
  } catch (err) {
    if (isCancellation(err)) throw err;
    const message = failureMessage(err);
    await writeStep(story, step.id, [stepFailed({ stepId: step.id, error: message })]);
    // The run's error names the step and keeps the innermost reason and its type.
    throw ApplicationFailure.nonRetryable(`step '${step.id}' failed: ${message}`, failureType(err) ?? 'StepFailed');
  }
}

/** Start each step once all its dependencies are done; the first failure cancels the rest. */
async function executePlan(input: PipelineRunInput, story: PipelineStory): Promise<Record<string, unknown>> {
  const outputs: StepOutputs = {};
  const byId = new Map(input.plan.steps.map((s) => [s.id, s]));
  const started = new Map<string, Promise<void>>();
  let firstError: unknown;
  const scope = new CancellationScope();

  const start = (id: string): Promise<void> => {
    let p = started.get(id);
    if (!p) {
      const step = byId.get(id)!;
      p = Promise.all(step.deps.map(start)).then(() => runStep(input, story, step, outputs));
      started.set(id, p);
    }
    return p;
  };

  try {
    await scope.run(() =>
      Promise.all(
        input.plan.steps.map((s) =>
          start(s.id).catch((err) => {
            if (firstError === undefined) {
              firstError = err;
              if (!isCancellation(err)) scope.cancel();
            }
            throw err;
          }),
        ),
      ),
    );
  } catch (err) {
    throw firstError ?? err;
  } finally {
    // Whatever was left for a step that never wrote goes with the run's end.
    unbind(story.carry);
  }
  return Object.fromEntries(
    Object.entries(input.plan.outputs).map(([k, v]) => [k, resolveBinding(v, { inputs: input.inputs, outputs })]),
  );
}

/** The story of one run of `plan`: with one first step, run.started rides with its first write. */
function runStory(runId: string, plan: PipelinePlan): PipelineStory {
  return { ...newStory(runId, startMayRide(plan.steps)), plan, done: new Set() };
}

export async function pipelineWorkflow(input: PipelineRunInput): Promise<Record<string, unknown>> {
  const story = runStory(input.runId, input.plan);
  return runLifecycle(
    { runId: input.runId, kind: input.kind, target: input.target, inputs: input.inputs },
    () => executePlan(input, story),
    { story },
  );
}
