// tasks/result for run-backed tasks: answers the run's result once it has ended, and while it waits tells the client
// where the task stands and then each move (notifications/tasks/status on this request's stream) as the run's
// events arrive.
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { isTerminal } from '@modelcontextprotocol/sdk/experimental/tasks/interfaces.js';
import {
  ErrorCode,
  GetTaskPayloadRequestSchema,
  McpError,
  RELATED_TASK_META_KEY,
  type Task,
} from '@modelcontextprotocol/sdk/types.js';
import type { AppContext } from '../context.js';
import { TASK_POLL_MS, type RunTaskStore } from './run-tasks.js';

type Notify = (task: Task) => Promise<void>;

export function serveTaskResults(server: Server, ctx: AppContext, tasks: RunTaskStore): void {
  server.setRequestHandler(GetTaskPayloadRequestSchema, async (req, extra) => {
    const { taskId } = req.params;
    const task = await tasks.getTask(taskId);
    if (!task) throw new McpError(ErrorCode.InvalidParams, `Task not found: ${taskId}`);
    const notify: Notify = (t) => extra.sendNotification({ method: 'notifications/tasks/status', params: t } as never);
    if (!isTerminal(task.status)) await followTask(ctx, tasks, task, notify, extra.signal);
    const result = await tasks.getTaskResult(taskId);
    return { ...result, _meta: { [RELATED_TASK_META_KEY]: { taskId } } };
  });
}

/** Wait for the task to end, woken by the run's bus messages (and at the poll interval, should one be missed). */
async function followTask(ctx: AppContext, tasks: RunTaskStore, task: Task, notify: Notify, signal: AbortSignal) {
  let wake = () => {};
  const off = ctx.bus.subscribe(task.taskId, () => wake());
  const onAbort = () => wake();
  signal.addEventListener('abort', onAbort, { once: true });
  const unwatch = ctx.tailer.watch(task.taskId);
  try {
    // Where it stands now, then each move: a client knows it is followed before anything changes.
    await notify(task);
    for (let seen = task; ;) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, TASK_POLL_MS);
        wake = () => (clearTimeout(timer), resolve());
      });
      if (signal.aborted) throw new McpError(ErrorCode.InvalidRequest, 'Request cancelled');
      const now = await tasks.getTask(task.taskId);
      if (!now) throw new McpError(ErrorCode.InvalidParams, `Task not found: ${task.taskId}`);
      if (now.status !== seen.status || now.statusMessage !== seen.statusMessage) await notify(now);
      if (isTerminal(now.status)) return;
      seen = now;
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
    off();
    unwatch();
  }
}
