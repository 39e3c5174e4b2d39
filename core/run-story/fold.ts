// One fold of a run's events into per-step state (pipeline steps, an agent's turns): the dashboard's bars, the
// CLI and the run diff all read it, so they cannot disagree on a step's status, outputs or tokens.
import type { RunEvent, RunEventType } from './events.js';
import { stepIdOf, turnOf } from './ids.js';

export type StepStatus = 'running' | 'completed' | 'failed' | 'skipped' | 'cancelled';

/** A step's model calls, summed. */
export interface StepUsage {
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  latencyMs: number;
  calls: number;
}

export interface StepState {
  stepId: string;
  status: StepStatus;
  startedAt?: string;
  endedAt?: string;
  outputs: unknown;
  error?: string;
  /** Outputs from another run (a fork's source or the step cache), or given as a counterfactual. */
  reused?: 'fork' | 'cache' | 'counterfactual';
  /** The step whose outputs a reused step took. */
  reusedFrom?: { runId: string; stepId: string; callId?: string };
  usage: StepUsage;
}

type EventOf<T extends RunEventType> = Extract<RunEvent, { type: T }>;
type StepEventType =
  'step.started' | 'step.completed' | 'step.reused' | 'step.failed' | 'llm.request' | 'llm.response' | 'llm.error';

/** What each event that names a step does to it. */
const onStep: { [T in StepEventType]: (s: StepState, e: EventOf<T>) => void } = {
  'step.started': (s, e) => void (s.startedAt ??= e.time),
  'llm.request': (s, e) => void (s.startedAt ??= e.time),
  // A model call that got no answer: its step is still in flight (a retry may follow).
  'llm.error': () => {},
  'llm.response': (s, e) => {
    s.usage.inputTokens += e.data.usage?.inputTokens ?? 0;
    s.usage.outputTokens += e.data.usage?.outputTokens ?? 0;
    s.usage.costUsd += e.data.costUsd ?? 0;
    s.usage.latencyMs += e.data.latencyMs ?? 0;
    s.usage.calls++;
  },
  'step.completed': (s, e) => {
    Object.assign(s, { status: e.data.skipped ? 'skipped' : 'completed', endedAt: e.time, outputs: e.data.outputs });
    if (e.data.counterfactual) s.reused = 'counterfactual';
  },
  'step.reused': (s, e) => {
    // A whole step, not one item of a foreach (nor one call of a step).
    if (e.data.items || (e.data.callId && e.data.callId !== s.stepId)) return;
    s.reused = e.data.cached ? 'cache' : 'fork';
    s.reusedFrom = e.data.source;
  },
  'step.failed': (s, e) => void Object.assign(s, { status: 'failed', endedAt: e.time, error: e.data.error }),
};

/** The event types the fold reads; the others (tool calls, policy, logs) leave the steps as they are. */
export const FOLDED_EVENT_TYPES = [
  ...(Object.keys(onStep) as StepEventType[]),
  'run.completed',
  'run.failed',
  'run.cancelled',
] as const;

const newStep = (stepId: string): StepState => ({
  stepId,
  status: 'running',
  outputs: null,
  usage: { inputTokens: 0, outputTokens: 0, costUsd: 0, latencyMs: 0, calls: 0 },
});

/**
 * Each step's state, in the order the steps first appear, with its model calls' usage summed. An agent's model
 * call `agent[N]` names no step: it belongs to turn N (stepIdOf).
 */
export function foldSteps(events: Iterable<RunEvent>): Map<string, StepState> {
  const steps = new Map<string, StepState>();
  for (const e of events) {
    if (e.type === 'run.completed' || e.type === 'run.failed' || e.type === 'run.cancelled') endRun(steps, e);
    else if (Object.hasOwn(onStep, e.type)) foldStepEvent(steps, e as EventOf<StepEventType>);
  }
  return steps;
}

function foldStepEvent(steps: Map<string, StepState>, e: EventOf<StepEventType>): void {
  const id = stepIdOf(e.data);
  if (id === undefined) return;
  const step = steps.get(id) ?? steps.set(id, newStep(id)).get(id)!;
  (onStep[e.type] as (s: StepState, e: RunEvent) => void)(step, e);
}

/**
 * A run that ends ends the steps still in flight: a failed or cancelled run cancels them; a completed run
 * completes them, and an agent's finishing turn (which records no step of its own) answers the run's outputs.
 */
function endRun(steps: Map<string, StepState>, e: EventOf<'run.completed' | 'run.failed' | 'run.cancelled'>): void {
  const running = [...steps.values()].filter((s) => s.status === 'running');
  const status = e.type === 'run.completed' ? 'completed' : 'cancelled';
  for (const s of running) Object.assign(s, { status, endedAt: e.time });
  const finish = running.filter((s) => turnOf(s.stepId) !== undefined).at(-1);
  if (finish && e.type === 'run.completed') finish.outputs = { finish: e.data.outputs };
}
