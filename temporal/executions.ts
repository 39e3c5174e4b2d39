// A run is one workflow id, but continue-as-new splits it into executions: each one's start event
// names the execution it continues, so the chain is read back from the latest.
import type { Client } from '@temporalio/client';
import type proto from '@temporalio/proto';

export interface Execution {
  runId: string;
  history: proto.temporal.api.history.v1.IHistory;
}

/** Every execution of the workflow, oldest first. */
export async function runExecutions(client: Client, workflowId: string): Promise<Execution[]> {
  const latest = client.workflow.getHandle(workflowId);
  const out: Execution[] = [{ runId: (await latest.describe()).runId, history: await latest.fetchHistory() }];
  for (;;) {
    const previous = out[0]!.history.events?.[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId;
    if (!previous) return out;
    out.unshift({ runId: previous, history: await client.workflow.getHandle(workflowId, previous).fetchHistory() });
  }
}
