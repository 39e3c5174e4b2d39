// An MCP task an agent's tool call started: the run waits with durable timers between short polls (no connection
// held, nothing lost when a worker, the backend or Temporal restarts), reads the result once the task has ended, and
// asks the server to cancel it when the run itself is cancelled.
import { CancellationScope, isCancellation, proxyActivities, sleep } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { McpTaskRef } from '../core/tools/define.js';

const { mcpTaskPoll, mcpTaskResult, mcpTaskCancel } = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { maximumAttempts: 5, nonRetryableErrorTypes: ['ConfigError'] },
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
    if (isCancellation(err)) await CancellationScope.nonCancellable(() => mcpTaskCancel(call).catch(() => undefined));
    throw err;
  }
  return mcpTaskResult(call);
}
