// The carry rules in one place: which events a workflow has decided ride with which later write, so a
// run's story is written in order with fewer local activities. Pure: the workflow asks patched() and writes.
import type { NewRunEvent } from './events.js';
import type { RunPatch } from './status.js';

/** Events decided but not yet written, and the status move that goes with them (run.started's). */
export interface Carried {
  events: NewRunEvent[];
  patch?: RunPatch | undefined;
}

/** What a run carries: for its next write, whoever makes it, and for the first write of one step. */
export interface Carry {
  run: Carried;
  /** By step: the completion that made that step (and only it) ready. */
  forStep: Map<string, NewRunEvent[]>;
}

export const emptyCarry = (): Carry => ({ run: { events: [] }, forStep: new Map() });

/**
 * The run's start may ride with the body's first write when nothing the body writes can come before it:
 * a plan with one first step.
 */
export function startMayRide(steps: ReadonlyArray<{ deps: readonly string[] }>): boolean {
  return steps.filter((s) => !s.deps.length).length === 1;
}

/** The run's start (and its status move) waits for the next write. */
export function carryStart(carry: Carry, started: Carried): void {
  carry.run.events.push(...started.events);
  carry.run.patch = started.patch;
}

/** Where a completion rides: with the run's end, or with the first write of the one step it made ready. */
export type Ride = { with: 'end' } | { with: 'step'; stepId: string };

interface PlanStep {
  id: string;
  deps: readonly string[];
}

/**
 * Where the completion of `stepId` may ride, `done` holding every finished step (it too). It must come
 * after it and before anything else that must: the run's end once it was the last step, or the start of
 * the one step it made ready (a sibling started at the same moment could write first). Otherwise nowhere:
 * it is written at once.
 */
export function completionRide(
  steps: readonly PlanStep[],
  done: ReadonlySet<string>,
  stepId: string,
): Ride | undefined {
  if (done.size === steps.length) return { with: 'end' };
  const ready = steps.filter((s) => s.deps.includes(stepId) && s.deps.every((d) => done.has(d)));
  return ready.length === 1 ? { with: 'step', stepId: ready[0]!.id } : undefined;
}

/** Leave a completion to ride as decided (a step becomes ready once, so it is left one at most). */
export function carryCompletion(carry: Carry, ride: Ride, completed: NewRunEvent): void {
  if (ride.with === 'end') carry.run.events.push(completed);
  else carry.forStep.set(ride.stepId, [completed]);
}

/** What the next write takes first, now the writer's: the run's carried events, then those left for `stepId`. */
export function take(carry: Carry, stepId?: string): Carried {
  const forStep = stepId === undefined ? [] : (carry.forStep.get(stepId) ?? []);
  if (stepId !== undefined) carry.forStep.delete(stepId);
  const taken = { events: [...carry.run.events.splice(0), ...forStep], patch: carry.run.patch };
  carry.run.patch = undefined;
  return taken;
}

/** A write that failed hands back what it took, to the front of the run's list (keys keep one copy). */
export function handBack(carry: Carry, taken: Carried): void {
  carry.run.events.unshift(...taken.events);
  carry.run.patch ??= taken.patch;
}

/** At the run's end, what waited for a step that never wrote goes with the end. */
export function unbind(carry: Carry): void {
  for (const events of carry.forStep.values()) carry.run.events.push(...events);
  carry.forStep.clear();
}

/** `then` written after what was taken: one write, or two when both move the status (each move in order). */
export function writesAfter(taken: Carried, then: Carried): Carried[] {
  if (taken.patch && then.patch) return [taken, then];
  return [{ events: [...taken.events, ...then.events], patch: taken.patch ?? then.patch }];
}

/** `events` after `first`, in one write (a model call's request after what its caller writes first). */
export function followedBy(first: Carried | undefined, events: NewRunEvent[]): Carried {
  return { events: [...(first?.events ?? []), ...events], patch: first?.patch };
}

/** How a Carried travels in an activity's input: these field names are in tasks already scheduled, keep them. */
export interface CarriedInput {
  carried?: NewRunEvent[];
  carriedPatch?: RunPatch;
}

export function carriedInput(c: Carried): CarriedInput {
  return { ...(c.events.length ? { carried: c.events } : {}), ...(c.patch ? { carriedPatch: c.patch } : {}) };
}

export function carriedOf(input: CarriedInput): Carried {
  return { events: input.carried ?? [], patch: input.carriedPatch };
}
