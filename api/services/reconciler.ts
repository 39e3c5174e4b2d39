// Fix runs whose workflow ended while no worker could report it (terminated, timed out, lost), and
// say so in the run's story: the correction is a final event like any other. A queued run whose start
// never reached Temporal (its backend died in between) is started now from its pending start.
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import { runCancelled, runCompleted, runFailed, type NewRunEvent } from '../../core/run-story/events.js';
import type { RunPatch, RunStatus } from '../../core/run-story/status.js';
import { createEventWriter } from '../../db/event-writer.js';
import type { RunRow } from '../../db/models/run.js';
import { dropPendingStart, dropSettledStarts, pendingStart } from '../../db/repositories/run-starts.js';
import * as runs from '../../db/repositories/runs.js';
import type { AppContext } from '../context.js';

const CLOSED: Record<string, RunStatus> = {
  COMPLETED: 'completed',
  FAILED: 'failed',
  CANCELLED: 'cancelled',
  TERMINATED: 'failed',
  TIMED_OUT: 'timed_out',
  CONTINUED_AS_NEW: 'running',
};

/** The final event and patch for a run whose workflow closed with `status` without reporting it. */
export function correction(
  status: RunStatus,
  why: string,
  outputs: Record<string, unknown> | null = null,
): { event: NewRunEvent; patch: RunPatch } {
  if (status === 'completed')
    return { event: runCompleted({ outputs: outputs ?? {}, reconciled: true }), patch: { status, outputs } };
  if (status === 'cancelled') return { event: runCancelled({ reason: why, reconciled: true }), patch: { status } };
  return { event: runFailed({ error: why, reconciled: true }), patch: { status, error: { message: why } } };
}

type Correct = (id: string, status: RunStatus, why: string) => Promise<boolean>;

/** Whether this unfinished run's workflow closed without reporting it, and was corrected. */
async function reconcileRun(ctx: AppContext, run: RunRow, correct: Correct, graceMs: number): Promise<boolean> {
  try {
    const desc = await ctx.temporal.client.workflow.getHandle(run.workflowId).describe();
    const status = CLOSED[desc.status.name];
    if (!status || status === 'running') return false;
    // Give the workflow's own final report a moment to land before overriding it.
    if (desc.closeTime && Date.now() - desc.closeTime.getTime() < graceMs) return false;
    return await correct(run.id, status, `workflow ${desc.status.name.toLowerCase()} without reporting`);
  } catch (err) {
    const lost = err instanceof WorkflowNotFoundError && Date.now() - Date.parse(run.createdAt) > 60_000;
    if (!lost) return false;
    if (run.status === 'queued' && (await startPending(ctx, run.id))) return false;
    return await correct(run.id, 'failed', 'workflow not found in Temporal');
  }
}

/** Start a queued run's workflow from its pending start; false when it has none. */
async function startPending(ctx: AppContext, runId: string): Promise<boolean> {
  const start = await pendingStart(ctx.store, runId);
  if (!start) return false;
  try {
    // Never a second execution: a workflow that ran under this id and closed is refused, not repeated.
    const handle = await ctx.temporal.client.workflow.start(start.workflow, {
      workflowId: runId,
      taskQueue: ctx.temporal.taskQueue,
      args: [start.input],
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    });
    await runs.updateRun(ctx.store, runId, { temporalRunId: handle.firstExecutionRunId });
    ctx.log.warn({ runId }, 'run started by the reconciler: its backend stopped before starting it');
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
  }
  await dropPendingStart(ctx.store, runId);
  return true;
}

/** `graceMs`: how long a closed workflow's own final report may take to land before it is overridden. */
export async function reconcileRuns(ctx: AppContext, o: { graceMs?: number } = {}): Promise<number> {
  const graceMs = o.graceMs ?? 5000;
  const events = createEventWriter(ctx.store, ctx.bus, ctx.secrets);
  const correct: Correct = async (id, status, why) => {
    const { event, patch } = correction(status, why);
    const before = await runs.getRun(ctx.store, id);
    await events.append(id, [event], patch);
    return (await runs.getRun(ctx.store, id)).status !== before.status;
  };
  let fixed = 0;
  for (const run of await runs.unfinishedRuns(ctx.store)) if (await reconcileRun(ctx, run, correct, graceMs)) fixed++;
  await dropSettledStarts(ctx.store);
  return fixed;
}
