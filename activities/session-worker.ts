// Whether the worker holding a run's browser still polls its session queue: one slow under load keeps the browser.
import { Context } from '@temporalio/activity';
import { optionalTsToMs } from '@temporalio/common/lib/time.js';
import proto from '@temporalio/proto';

const { TaskQueueKind, TaskQueueType } = proto.temporal.api.enums.v1;

/** The newest poll any worker started on the queue (server time, ms; 0 when none is known). */
async function newestPoll(queue: string): Promise<number> {
  const ctx = Context.current();
  const { pollers } = await ctx.client.workflowService.describeTaskQueue({
    namespace: ctx.info.workflowNamespace,
    taskQueue: { name: queue, kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
    taskQueueType: TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
  });
  return Math.max(0, ...(pollers ?? []).map((p) => optionalTsToMs(p.lastAccessTime) ?? 0));
}

/**
 * Did the session's worker poll after `sinceMs` (the failed call's schedule time), waiting up to `waitMs`?
 * A worker that was polling would have taken the call; one that polls again only now was slow (stopped, starved),
 * not gone. A killed one never polls again.
 */
export async function sessionWorkerPolled(input: { queue: string; sinceMs: number; waitMs: number }): Promise<boolean> {
  const ctx = Context.current();
  const until = Date.now() + input.waitMs;
  for (;;) {
    if ((await newestPoll(input.queue)) > input.sinceMs) return true;
    if (Date.now() >= until) return false;
    ctx.heartbeat();
    await ctx.sleep(1_000);
  }
}
