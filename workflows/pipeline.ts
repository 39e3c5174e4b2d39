// A pipeline run: steps in dependency order, independent steps in parallel, foreach fan-out.
import { ApplicationFailure, CancellationScope, isCancellation, patched, proxyActivities } from '@temporalio/workflow';
import type { Activities, PredictInput } from '../activities/index.js';
import { stepCompleted, stepFailed, stepReused, stepStarted, type NewRunEvent } from '../core/run-story/events.js';
import { failureMessage, failureType } from '../core/failures.js';
import type { StepReuse } from '../core/fork.js';
import { pinnedRef, resolveBinding, type PipelinePlan, type PlannedStep } from '../core/pipeline-plan.js';
import { itemId } from '../core/run-story/ids.js';
import { runLifecycle } from './lifecycle.js';
import { handBack, takeCarried, write, type RunStory } from './run-events.js';

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
}

type StepOutputs = Record<string, Record<string, unknown> | null>;

/**
 * A pipeline run's story. A completion rides only with a write that must come after it and before
 * anything else that must: the start of the one step it made ready (bound to that step, so a sibling
 * started at the same moment cannot write first), or the run's end once no step runs.
 */
interface PipelineStory extends RunStory {
  /** Completions waiting for the one step they made ready, by that step: its first write takes them. */
  bound: Map<string, NewRunEvent[]>;
  /** The step is done; with its completion, true when that completion was carried (and is not to be written now). */
  settle(stepId: string, completed?: NewRunEvent): boolean;
}

/** A step's own writes: what its dependency left for it goes first (after anything carried for the whole run). */
function stepWriter(story: PipelineStory, stepId: string) {
  const pending = story.bound.get(stepId) ?? [];
  story.bound.delete(stepId);
  return {
    write: (events: NewRunEvent[]) => write(story, [...pending.splice(0), ...events]),
    /** For a call that writes them itself; handBack() returns them to the run's list if it fails. */
    take: () => {
      const carried = takeCarried(story);
      return { ...carried, events: [...carried.events, ...pending.splice(0)] };
    },
  };
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

/** A forked step taken whole from its source run (or a counterfactual): no model call. */
async function reuseStep(story: PipelineStory, own: ReturnType<typeof stepWriter>, step: PlannedStep, reuse: Extract<StepReuse, { outputs: unknown }>, outputs: StepOutputs): Promise<void> {
  const stepId = step.id;
  outputs[stepId] = reuse.outputs;
  story.settle(stepId);
  const completed = stepCompleted({ stepId, outputs: reuse.outputs, ...(reuse.skipped ? { skipped: true } : {}), ...(reuse.counterfactual ? { counterfactual: true } : { reused: true }) });
  await own.write(reuse.counterfactual ? [completed] : [stepReused({ stepId, source: reuse.source }), completed]);
}

async function runStep(input: PipelineRunInput, story: PipelineStory, step: PlannedStep, outputs: StepOutputs): Promise<void> {
  const { runId } = input;
  const reuse = input.reuse?.[step.id];
  const own = stepWriter(story, step.id);
  if (reuse && 'outputs' in reuse) return reuseStep(story, own, step, reuse, outputs);
  const state = { inputs: input.inputs, outputs };
  if (step.when !== undefined && resolveBinding(step.when, state) !== true) {
    outputs[step.id] = null;
    story.settle(step.id);
    await own.write([stepCompleted({ stepId: step.id, outputs: null, skipped: true })]);
    return;
  }
  const acts = stepActivities(step, input.heartbeatTimeoutMs ?? 10_000);
  const cache = input.cache ?? step.component.spec.cache;
  const call = (callId: string, item?: unknown): Promise<Record<string, unknown>> => {
    const bound = Object.fromEntries(Object.entries(step.inputs).map(([k, v]) => [k, resolveBinding(v, { ...state, item })]));
    // The events carried so far are written by this call; should it fail, the next write takes them again (keys keep one copy).
    const carried = own.take();
    const req: PredictInput = {
      ...{ runId, stepId: step.id, callId, component: step.component.spec, inputs: bound, recordStep: step.foreach === undefined, componentRef: pinnedRef(step.component) },
      ...(cache === 'reuse' ? { cache } : {}),
      ...(carried.events.length ? { carried: carried.events } : {}),
      ...(carried.patch ? { carriedPatch: carried.patch } : {}),
    };
    return acts.predict(req).then(
      (r) => r.outputs,
      (err: unknown) => {
        handBack(story, carried);
        throw err;
      },
    );
  };

  try {
    if (step.foreach === undefined) {
      // One call is the whole step: the activity records step.started; completion is the workflow's
      // word, because only it knows which attempt's outputs count (a finished attempt may be lost).
      const result = await call(step.id);
      outputs[step.id] = result;
      const completed: NewRunEvent = stepCompleted({ stepId: step.id, outputs: result });
      if (!story.settle(step.id, completed)) await own.write([completed]);
      return;
    }
    const reused = reuse && 'items' in reuse ? reuse.items : undefined;
    const items = resolveBinding(step.foreach, state);
    const list = reused ?? (Array.isArray(items) ? items : []);
    await own.write([
      stepStarted({ stepId: step.id, items: list.length }),
      ...(reused ? [stepReused({ stepId: step.id, source: reuse!.source, items: reused.flatMap((r, i) => (r && !r.counterfactual ? [i] : [])) })] : []),
    ]);
    const results: Array<Record<string, unknown>> = new Array(list.length);
    await pool(list.length, step.concurrency, async (i) => {
      const given = reused?.[i];
      results[i] = given ? given.outputs : await call(itemId(step.id, i), reused ? (Array.isArray(items) ? items[i] : undefined) : list[i]);
    });
    outputs[step.id] = itemLists(results);
    story.settle(step.id);
    await own.write([stepCompleted({ stepId: step.id, outputs: results, ...(reused ? { reused: true } : {}) })]);
  } catch (err) {
    if (isCancellation(err)) throw err;
    const message = failureMessage(err);
    await own.write([stepFailed({ stepId: step.id, error: message })]);
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
    for (const events of story.bound.values()) story.carried.push(...events);
    story.bound.clear();
  }
  return Object.fromEntries(Object.entries(input.plan.outputs).map(([k, v]) => [k, resolveBinding(v, { inputs: input.inputs, outputs })]));
}

/** The story of one run of `plan`. */
function runStory(runId: string, plan: PipelinePlan): PipelineStory {
  const done = new Set<string>();
  const story: PipelineStory = {
    runId,
    carried: [],
    bound: new Map(),
    // With one first step, nothing can be written before it: run.started rides with its first write.
    startRides: plan.steps.filter((s) => !s.deps.length).length === 1,
    settle(stepId, completed) {
      done.add(stepId);
      if (!completed) return false;
      const last = done.size === plan.steps.length;
      const ready = plan.steps.filter((s) => s.deps.includes(stepId) && s.deps.every((d) => done.has(d)));
      if (!(last || ready.length === 1) || !patched('carried-run-events')) return false;
      if (last) story.carried.push(completed);
      // A step becomes ready once, so it is left one completion at most.
      else story.bound.set(ready[0]!.id, [completed]);
      return true;
    },
  };
  return story;
}

export async function pipelineWorkflow(input: PipelineRunInput): Promise<Record<string, unknown>> {
  const story = runStory(input.runId, input.plan);
  return runLifecycle({ runId: input.runId, kind: input.kind, target: input.target, inputs: input.inputs }, () => executePlan(input, story), { story });
}
