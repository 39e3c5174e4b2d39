// A run as an MCP CallToolResult: a completed run's outputs (as text and structured), or an error naming how it ended;
// `_meta["vloop/run"]` names the run. Our MCP server's tools and the app bridges answer with it.

export interface EndedRun {
  id: string;
  status: string;
  outputs?: unknown;
  error?: string | null | undefined;
}

/** @example runToolResult({ id: 'run_1', status: 'completed', outputs: { a: 1 } }).structuredContent // { a: 1 } */
export function runToolResult(run: EndedRun) {
  const _meta = { 'vloop/run': { id: run.id, status: run.status } };
  if (run.status !== 'completed')
    return {
      _meta,
      isError: true as const,
      content: [{ type: 'text' as const, text: `run ${run.id} ${run.status}: ${run.error ?? 'no reason recorded'}` }],
    };
  const outputs = (run.outputs ?? {}) as Record<string, unknown>;
  return { _meta, content: [{ type: 'text' as const, text: JSON.stringify(outputs) }], structuredContent: outputs };
}
