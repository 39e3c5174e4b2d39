// How a workflow records its story: events (and status moves) through a cheap local activity.
import { proxyLocalActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { NewRunEvent } from '../core/run-story/events.js';
import type { RunPatch } from '../core/run-story/status.js';

const local = proxyLocalActivities<Activities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '200ms', maximumInterval: '5s', maximumAttempts: 50 },
});

export function record(runId: string, events: NewRunEvent[], patch?: RunPatch): Promise<number> {
  return local.recordEvents({ runId, events, ...(patch ? { patch } : {}) });
}

/**
 * A run's story as it is written: events decided but not yet written ride with the next write (the
 * run's start and a step's completion with the next step's start, the last step's with the run's
 * end), which saves the workflow a local activity each. Every write takes them first, so order holds.
 */
export interface RunStory {
  runId: string;
  carried: NewRunEvent[];
  /** The status move that goes with the carried events (run.started's). */
  carriedPatch?: RunPatch | undefined;
  /** run.started may ride with the body's first write: nothing the body writes can come before it. */
  startRides?: boolean;
}

export interface Carried {
  events: NewRunEvent[];
  patch?: RunPatch | undefined;
}

/** What is carried, now the caller's to write; handBack() returns it when that write fails. */
export function takeCarried(story: RunStory): Carried {
  const taken = { events: story.carried.splice(0), patch: story.carriedPatch };
  story.carriedPatch = undefined;
  return taken;
}

export function handBack(story: RunStory, taken: Carried): void {
  story.carried.unshift(...taken.events);
  story.carriedPatch ??= taken.patch;
}

/** Record `events` after whatever is carried; two status moves are two writes, in order. */
export async function write(story: RunStory, events: NewRunEvent[], patch?: RunPatch): Promise<number> {
  const taken = takeCarried(story);
  if (taken.patch && patch) {
    await record(story.runId, taken.events, taken.patch);
    return record(story.runId, events, patch);
  }
  const merged = taken.patch ?? patch;
  return record(story.runId, [...taken.events, ...events], merged);
}
