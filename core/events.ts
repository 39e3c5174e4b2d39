// The run-event union shared by DB rows, the WebSocket and the UI.
import type { ChatMessage, Usage } from './messages.js';
import type { RunStatus } from './specs.js';

export interface EventDataByType {
  'run.started': { kind: string; target: unknown; inputs: Record<string, unknown> };
  'step.started': { stepId: string; items?: number; attempt?: number };
  'step.completed': {
    stepId: string;
    outputs: Record<string, unknown> | Array<Record<string, unknown>> | null;
    skipped?: boolean;
    error?: string;
    /** Taken from the source run of a fork (see step.reused), or given as a counterfactual. */
    reused?: boolean;
    counterfactual?: boolean;
  };
  /** Outputs not computed again: a fork's source step (whole, or the listed foreach items), or a cache hit. */
  'step.reused': { stepId: string; source: { runId: string; stepId: string; callId?: string }; items?: number[]; callId?: string; cached?: boolean };
  'step.failed': { stepId: string; error: string };
  'llm.request': { callId: string; stepId?: string; provider: string; model: string; adapter?: 'chat' | 'json' | 'tools'; messages: ChatMessage[]; attempt: number };
  'llm.response': {
    callId: string;
    stepId?: string;
    text: string;
    outputs?: Record<string, unknown>;
    parseError?: string;
    toolCalls?: Array<{ name: string; arguments: Record<string, unknown> }>;
    finishReason?: 'stop' | 'length' | 'tool_calls';
    usage: Usage;
    latencyMs: number;
    costUsd: number;
    attempt: number;
  };
  /** An attempt that got no reply: the provider, where it was called, the model and the cause. */
  'llm.error': { callId: string; stepId?: string; provider: string; endpoint: string; model: string; error: string; attempt: number };
  'llm.delta': { callId: string; text: string };
  'tool.call': { callId: string; tool: string; args: unknown };
  'policy.decision': { callId: string; decision: 'allow' | 'deny' | 'ask'; rule: string };
  'approval.requested': { approvalId: string; callId: string; tool: string; args: unknown };
  'approval.resolved': { approvalId: string; decision: 'approve' | 'deny'; reason?: string };
  'tool.result': { callId: string; output: string; truncated?: boolean };
  'budget.exceeded': { budget: string; limit: number; used: number };
  log: { level: 'info' | 'warn' | 'error'; message: string };
  'run.completed': { outputs: Record<string, unknown>; reconciled?: boolean };
  'run.failed': { error: string; type?: string; reconciled?: boolean };
  'run.cancelled': { reason?: string; reconciled?: boolean };
}

export type RunEventType = keyof EventDataByType;

/**
 * The step an event belongs to: its `stepId`, or for an agent's model call `agent[N]` (which carries none), turn N.
 * Every fold of events into steps (the dashboard's bars, run diffs) attributes usage through this.
 * @example stepIdOf({ callId: 'agent[2]' }) // 'turn[2]'
 */
export function stepIdOf(data: { stepId?: unknown; callId?: unknown } | null | undefined): string | undefined {
  if (typeof data?.stepId === 'string') return data.stepId;
  const m = /^agent\[(\d+)\]$/.exec(String(data?.callId ?? ''));
  return m ? `turn[${m[1]}]` : undefined;
}

/** An event before it is stored: `key` makes appends idempotent across activity retries and replays. */
export type NewRunEvent = {
  [T in RunEventType]: { type: T; key: string; data: EventDataByType[T] };
}[RunEventType];

export type RunEvent = {
  [T in RunEventType]: { runId: string; seq: number; type: T; data: EventDataByType[T]; time: string };
}[RunEventType];

/** What the event bus and the WebSocket carry. */
export type BusMessage =
  | { type: 'events'; runId: string; lastSeq: number }
  | { type: 'delta'; runId: string; callId: string; text: string; reset?: boolean }
  | { type: 'run'; runId: string; status: RunStatus };

/** Frames the server sends on /ws. */
export type ServerFrame =
  | { type: 'event'; runId: string; seq: number; event: RunEvent }
  | { type: 'events'; runId: string; events: RunEvent[] }
  | { type: 'delta'; runId: string; callId: string; text: string; reset?: boolean }
  | { type: 'run'; run: { id: string; status: RunStatus } & Record<string, unknown> }
  | { type: 'error'; error: { code: string; message: string } };
