// Fix runs whose workflow ended while no worker could report it (terminated, timed out, lost).
import { WorkflowNotFoundError } from '@temporalio/client';
import type { RunStatus } from '../../core/specs.js';
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

export async function reconcileRuns(ctx: AppContext): Promise<number> {
  let fixed = 0;
  for (const run of await runs.unfinishedRuns(ctx.store)) {
    try {
      const desc = await ctx.temporal.client.workflow.getHandle(run.workflowId).describe();
      const status = CLOSED[desc.status.name];
      if (!status || status === 'running') continue;
      // Give the workflow's own final report a moment to land before overriding it.
      if (desc.closeTime && Date.now() - desc.closeTime.getTime() < 5000) continue;
      const error = status === 'completed' ? null : { message: `workflow ${desc.status.name.toLowerCase()} without reporting` };
      if (await runs.updateRun(ctx.store, run.id, { status, error })) fixed++;
    } catch (err) {
      if (err instanceof WorkflowNotFoundError && Date.now() - Date.parse(run.createdAt) > 60_000) {
        if (await runs.updateRun(ctx.store, run.id, { status: 'failed', error: { message: 'workflow not found in Temporal' } })) fixed++;
      }
    }
  }
  return fixed;
}
