// How a workflow records its story: events (and status moves) through a cheap local activity.
import { proxyLocalActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { NewRunEvent } from '../core/events.js';
import type { RunPatch } from '../db/repositories/runs.js';

const local = proxyLocalActivities<Activities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '200ms', maximumInterval: '5s', maximumAttempts: 50 },
});

export function record(runId: string, events: NewRunEvent[], patch?: RunPatch): Promise<number> {
  return local.recordEvents({ runId, events, ...(patch ? { patch } : {}) });
}
