// How a workflow records its story: events (and status moves) through a cheap local activity, each write
// taking first what the carry rules (core/run-story/carry.ts) left for it.
import { proxyLocalActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { emptyCarry, take, writesAfter, type Carried, type Carry } from '../core/run-story/carry.js';
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
 * A run's story as it is written: events decided but not yet written ride with a later write (the run's
 * start and a step's completion with the next step's start, the last step's with the run's end), which
 * saves the workflow a local activity each. Every write takes them first, so order holds.
 */
export interface RunStory {
  runId: string;
  carry: Carry;
  /** run.started may ride with the body's first write: nothing the body writes can come before it. */
  startRides?: boolean;
}

export const newStory = (runId: string, startRides?: boolean): RunStory => ({
  runId,
  carry: emptyCarry(),
  ...(startRides ? { startRides } : {}),
});

async function writeAfter(story: RunStory, taken: Carried, then: Carried): Promise<number> {
  let seq = 0;
  for (const w of writesAfter(taken, then)) seq = await record(story.runId, w.events, w.patch);
  return seq;
}

/** Record `events` after whatever the run carries; two status moves are two writes, in order. */
export function write(story: RunStory, events: NewRunEvent[], patch?: RunPatch): Promise<number> {
  return writeAfter(story, take(story.carry), { events, patch });
}

/** A step's write: what the run carries, then what its dependency left for it, then `events`. */
export function writeStep(story: RunStory, stepId: string, events: NewRunEvent[]): Promise<number> {
  return writeAfter(story, take(story.carry, stepId), { events });
}
