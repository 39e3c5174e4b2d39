// One line per run event for the terminal.
const clip = (v: unknown, n = 100): string => {
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
};

export function formatEvent(e: { seq: number; type: string; data: unknown }): string {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each case reads its own event's fields
  const d = (e.data ?? {}) as any;
  const head = `${String(e.seq).padStart(4)}  ${e.type.padEnd(15)}`;
  switch (e.type) {
    case 'step.started':
      return `${head} ${d.stepId}${d.items !== undefined ? ` (${d.items} items)` : ''}`;
    case 'step.completed':
      return `${head} ${d.stepId} ${d.skipped ? '(skipped)' : clip(d.outputs)}${d.counterfactual ? ' (counterfactual)' : ''}`;
    case 'step.reused':
      return `${head} ${d.callId ?? d.stepId} from ${d.source.runId} ${d.source.stepId}${d.cached ? ' (cache)' : ''}${d.items ? ` items ${d.items.join(',')}` : ''}`;
    case 'step.failed':
      return `${head} ${d.stepId}: ${d.error}`;
    case 'llm.request':
      return `${head} ${d.callId} -> ${d.provider}/${d.model}${d.attempt > 1 ? ` (attempt ${d.attempt})` : ''}`;
    case 'llm.response':
      return `${head} ${d.callId} ${d.usage.inputTokens}+${d.usage.outputTokens} tok, ${d.latencyMs} ms, $${d.costUsd.toFixed(6)}`;
    case 'tool.call':
      return `${head} ${d.callId} ${d.tool} ${clip(d.args)}`;
    case 'policy.decision':
      return `${head} ${d.callId} ${d.decision} (${d.rule})`;
    case 'approval.requested':
      return `${head} ${d.approvalId} waiting for a person: ${d.tool} ${clip(d.args)}`;
    case 'approval.resolved':
      return `${head} ${d.approvalId} ${d.decision}${d.reason ? `: ${d.reason}` : ''}`;
    case 'tool.result':
      return `${head} ${d.callId} ${clip(d.output)}`;
    case 'run.completed':
      return `${head} ${clip(d.outputs, 200)}`;
    case 'run.failed':
      return `${head} ${d.error}`;
    default:
      return `${head} ${clip(d)}`;
  }
}
