// An MCP task an agent's tool call started: the run waits with durable timers between short polls (no connection
// held, nothing lost when a worker, the backend or Temporal restarts), reads the result once the task has ended, and
// asks the server to cancel it when the run stops waiting.
import { CancellationScope, proxyActivities, sleep } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { McpTaskRef } from '../core/tools/define.js';

// Reading a task is safe to repeat: a server out for a while is waited out (to an hour a read), not the call failed.
const { mcpTaskPoll, mcpTaskResult, mcpTaskCancel } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  scheduleToCloseTimeout: '1 hour',
  retry: {
    initialInterval: '1s',
    backoffCoefficient: 2,
    maximumInterval: '1 minute',
    nonRetryableErrorTypes: ['ConfigError'],
  },
});

/** The server's interval, then half as long again each time, to a minute: an hour's job costs ~70 polls. */
export function pollDelay(pollMs: number, n: number): number {
  return Math.min(60_000, Math.round(Math.max(pollMs, 500) * 1.5 ** n));
}

export async function awaitMcpTask(runId: string, callId: string, task: McpTaskRef) {
  const call = { runId, callId, task };
  try {
    for (let n = 0; ; n++) {
      await sleep(pollDelay(task.pollMs, n));
      if ((await mcpTaskPoll(call)).ended) break;
    }
  } catch (err) {
    // The run stops waiting (cancelled, or the server could not be read for an hour): the server stops working.
    await CancellationScope.nonCancellable(() => mcpTaskCancel(call).catch(() => undefined));
    throw err;
  }
  return mcpTaskResult(call);
}
