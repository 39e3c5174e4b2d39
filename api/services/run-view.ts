// How a run looks to the API, the WebSocket and the CLI.
import type { RunRow } from '../../db/models/run.js';
import type { AppContext } from '../context.js';

export function runView(ctx: AppContext, r: RunRow) {
  const ns = encodeURIComponent(ctx.temporal.namespace);
  return {
    id: r.id,
    kind: r.kind,
    status: r.status,
    target: r.target,
    inputs: r.inputs,
    outputs: r.outputs,
    error: r.error,
    createdAt: r.createdAt,
    startedAt: r.startedAt,
    endedAt: r.endedAt,
    lastSeq: r.lastSeq,
    origin: r.origin ?? null,
    forkOf: r.forkOfRun ? { runId: r.forkOfRun, step: r.forkOfStep ?? '' } : null,
    traceId: r.traceId ?? null,
    usage: { inputTokens: Number(r.inputTokens), outputTokens: Number(r.outputTokens), costUsd: Number(r.costUsd) },
    temporal: {
      workflowId: r.workflowId,
      runId: r.temporalRunId,
      uiUrl: `${ctx.temporal.uiUrl}/namespaces/${ns}/workflows/${encodeURIComponent(r.workflowId)}${r.temporalRunId ? `/${r.temporalRunId}` : ''}/history`,
    },
  };
}
export type RunView = ReturnType<typeof runView>;
