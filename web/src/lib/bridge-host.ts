// The dashboard's side of the HTML app bridge: JSON-RPC 2.0 requests from the sandboxed iframe
// (MCP Apps names where they overlap). Only these methods exist, and `run` starts the app's own
// target: the API decides what that is from the manifest, never from the message.

import { runToolResult, type EndedRun } from '../../../core/run-tool-result.js';

export interface BridgeRequest {
  jsonrpc: '2.0';
  id: number | string;
  method: string;
  params?: unknown;
}

export interface BridgeDeps {
  app: { name: string; version: number; target: unknown; inputsSchema: unknown };
  startRun(inputs: Record<string, unknown>): Promise<{ id: string; status: string }>;
  listRuns(): Promise<Array<{ id: string; status: string; outputs: unknown; createdAt: string }>>;
  getState(): Promise<Record<string, unknown>>;
  setState(state: Record<string, unknown>): Promise<Record<string, unknown>>;
}

export type BridgeResponse = { jsonrpc: '2.0'; id: number | string } & (
  { result: unknown } | { error: { code: number; message: string; data?: unknown } }
);

/** The view's first message: the bridge client hands over its MessagePort (`e.ports[0]`) with it. */
export function isBridgeHello(m: unknown): boolean {
  const r = m as { jsonrpc?: unknown; method?: unknown } | null;
  return !!r && r.jsonrpc === '2.0' && r.method === 'vloop/bridge';
}

export function isBridgeRequest(m: unknown): m is BridgeRequest {
  const r = m as BridgeRequest | null;
  return (
    !!r && r.jsonrpc === '2.0' && typeof r.method === 'string' && (typeof r.id === 'number' || typeof r.id === 'string')
  );
}

const object = (v: unknown): Record<string, unknown> =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

/** The run an app started, as MCP Apps' CallToolResult, with the bridge's own `id` and `status` beside it. */
export function startedRunResult(run: { id: string; status: string }) {
  return {
    content: [{ type: 'text', text: `run ${run.id} ${run.status}` }],
    _meta: { 'vloop/run': { id: run.id, status: run.status } },
    id: run.id,
    status: run.status,
  };
}

/**
 * An ended run as the standard tool result (`ui/notifications/tool-result`'s params, as an MCP Apps host sends them),
 * with the bridge's own `runId`, `status`, `outputs` and `error` beside it (views written for those still read them).
 */
export function endedRunResult(run: EndedRun) {
  const completed = run.status === 'completed';
  return {
    ...runToolResult(run),
    runId: run.id,
    status: run.status,
    outputs: completed ? (run.outputs ?? {}) : null,
    error: completed ? null : (run.error ?? null),
  };
}

/** Answer one request; an API refusal (rate, budget, bad input) becomes a JSON-RPC error the app can read. */
export async function answerBridge(req: BridgeRequest, deps: BridgeDeps): Promise<BridgeResponse> {
  const ok = (result: unknown): BridgeResponse => ({ jsonrpc: '2.0', id: req.id, result });
  const fail = (code: number, message: string, data?: unknown): BridgeResponse => ({
    jsonrpc: '2.0',
    id: req.id,
    error: { code, message, ...(data ? { data } : {}) },
  });
  const params = object(req.params);
  try {
    switch (req.method) {
      case 'ui/initialize':
        return ok({
          protocolVersion: '2025-06-18',
          hostInfo: { name: 'vloop-harness' },
          hostContext: { theme: 'light' },
          app: deps.app,
        });
      case 'tools/call':
        if (params.name !== 'run') return fail(-32602, "the only tool is 'run': it starts this app's own target");
        return ok(startedRunResult(await deps.startRun(object(params.arguments))));
      case 'vloop/runs/list':
        return ok({ runs: await deps.listRuns() });
      case 'vloop/state/get':
        return ok({ state: await deps.getState() });
      case 'vloop/state/set':
        return ok({ state: await deps.setState(object(params.state)) });
      default:
        return fail(-32601, `method '${req.method}' does not exist`);
    }
  } catch (err) {
    const e = err as { message?: string; code?: string; status?: number };
    return fail(-32000, e.message ?? 'request failed', { code: e.code, status: e.status });
  }
}
