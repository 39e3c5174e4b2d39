// Pure transforms of run events for the views: timeline rows, step states, LLM calls, approvals, the run at a moment.
// No Vue, no fetch: unit-tested with fixtures for each terminal state. Steps are the one fold of core/run-story.
import type { ChatMessage, Usage } from '../../../core/messages.js';
import type { RunEvent, RunEventType } from '../../../core/run-story/events.js';
import { foldSteps, type StepState } from '../../../core/run-story/fold.js';
import { renderEvent, type EventLine } from '../../../core/run-story/render.js';
import type { RunUsage } from '../../../core/run-story/view.js';

export type { StepState } from '../../../core/run-story/fold.js';

type EventOf<T extends RunEventType> = Extract<RunEvent, { type: T }>;

export interface TimelineRow extends EventLine {
  seq: number;
  type: string;
  time: string;
}

/** An event as a row of the timeline (core/run-story/render.ts tells it, as it does for the terminal). */
export function toRow(e: RunEvent): TimelineRow {
  return { seq: e.seq, type: e.type, time: e.time, ...renderEvent(e) };
}

/** Per-step state (pipeline steps, agent turns), with the LLM usage of each step summed. */
export function stepStates(events: readonly RunEvent[]): StepState[] {
  return [...foldSteps(events).values()];
}

export interface LlmCall {
  callId: string;
  attempt: number;
  /** The step the call is for (a pipeline's or a component's; an agent's calls name none). */
  stepId?: string;
  provider?: string;
  model?: string;
  messages: ChatMessage[];
  text?: string;
  outputs?: Record<string, unknown>;
  parseError?: string;
  usage?: Usage;
  latencyMs?: number;
  costUsd?: number;
  /** The attempt got no reply: why (provider, URL, model, cause). */
  error?: string;
}

type LlmEvent = EventOf<'llm.request' | 'llm.response' | 'llm.error'>;
const isLlmEvent = (e: RunEvent): e is LlmEvent =>
  e.type === 'llm.request' || e.type === 'llm.response' || e.type === 'llm.error';

/** What one event tells of its call's attempt. */
function callPart(e: LlmEvent): Partial<LlmCall> {
  if (e.type === 'llm.request')
    return { stepId: e.data.stepId, provider: e.data.provider, model: e.data.model, messages: e.data.messages };
  if (e.type === 'llm.error') return { error: e.data.error };
  const { text, outputs, parseError, usage, latencyMs, costUsd } = e.data;
  return { text, outputs, parseError, usage, latencyMs, costUsd };
}

/** Each attempt of each model call: its request, and its answer or error. */
export function llmCalls(events: readonly RunEvent[]): LlmCall[] {
  const calls = new Map<string, LlmCall>();
  for (const e of events.filter(isLlmEvent)) {
    const key = `${e.data.callId}#${e.data.attempt}`;
    const call = calls.get(key) ?? { callId: e.data.callId, attempt: e.data.attempt, messages: [] };
    calls.set(key, Object.assign(call, callPart(e)));
  }
  return [...calls.values()];
}

/** The attempt of a model call an event is part of (undefined for an event of no model call). */
export function llmCallOf(events: readonly RunEvent[], e: RunEvent | undefined): LlmCall | undefined {
  if (!e || !isLlmEvent(e)) return undefined;
  return llmCalls(events).find((c) => c.callId === e.data.callId && c.attempt === e.data.attempt);
}

/** The model call, tool call or approval an event belongs to. */
export const callIdOf = (e: RunEvent): string | undefined => ('callId' in e.data ? e.data.callId : undefined);

export interface PendingApproval {
  approvalId: string;
  tool: string;
  args: unknown;
  seq: number;
}

/** Approvals requested and not yet resolved. */
export function pendingApprovals(events: readonly RunEvent[]): PendingApproval[] {
  const open = new Map<string, PendingApproval>();
  for (const e of events) {
    if (e.type === 'approval.requested')
      open.set(e.data.approvalId, { approvalId: e.data.approvalId, tool: e.data.tool, args: e.data.args, seq: e.seq });
    if (e.type === 'approval.resolved') open.delete(e.data.approvalId);
  }
  return [...open.values()];
}

/** Tool calls answered with an MCP App (the tool's server names a `ui://` view for it), in call order. */
export function toolAppCalls(events: readonly RunEvent[]): Array<{ callId: string; tool: string }> {
  const tools = new Map<string, string>();
  const out: Array<{ callId: string; tool: string }> = [];
  for (const e of events) {
    if (e.type === 'tool.call') tools.set(e.data.callId, e.data.tool);
    if (e.type === 'tool.result' && e.data.app)
      out.push({ callId: e.data.callId, tool: tools.get(e.data.callId) ?? '' });
  }
  return out;
}

/** Insert events keeping seq order and dropping duplicates (a resumed stream may resend). */
export function mergeEvents(into: RunEvent[], incoming: readonly RunEvent[]): RunEvent[] {
  if (!incoming.length) return into;
  const last = into.at(-1)?.seq ?? 0;
  const fresh = incoming.filter((e) => e.seq > last).sort((a, b) => a.seq - b.seq);
  const unique = fresh.filter((e, i) => i === 0 || e.seq !== fresh[i - 1]!.seq);
  return unique.length ? into.concat(unique) : into;
}

export function durationMs(from?: string | null, to?: string | null): number | undefined {
  if (!from) return undefined;
  return (to ? Date.parse(to) : Date.now()) - Date.parse(from);
}

export function formatDuration(ms?: number): string {
  if (ms === undefined) return '–';
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** What the run header shows: status, outputs, error and usage. */
export interface RunMoment {
  status: string;
  outputs: Record<string, unknown> | null;
  error: { message: string } | null;
  usage: RunUsage;
}

/** Token and cost totals of the stored model answers among `events`. */
export function usageOf(events: readonly RunEvent[]): RunUsage {
  const u = { inputTokens: 0, outputTokens: 0, costUsd: 0 };
  for (const e of events) {
    if (e.type !== 'llm.response') continue;
    u.inputTokens += Number(e.data.usage?.inputTokens ?? 0);
    u.outputTokens += Number(e.data.usage?.outputTokens ?? 0);
    u.costUsd += Number(e.data.costUsd ?? 0);
  }
  return u;
}

const larger = (a: RunUsage, b: RunUsage): RunUsage => ({
  inputTokens: Math.max(a.inputTokens, b.inputTokens),
  outputTokens: Math.max(a.outputTokens, b.outputTokens),
  costUsd: Math.max(a.costUsd, b.costUsd),
});

/**
 * The run as it was once its events up to `seq` were written (the history player), or now when `seq` is
 * undefined: then the usage counts answers that arrived since the last run frame (an eval's totals
 * come from its examples, so the larger of the two is shown).
 */
export function runAt(run: RunMoment, events: readonly RunEvent[], seq?: number): RunMoment {
  if (seq === undefined) return { ...run, usage: larger(run.usage, usageOf(events)) };
  const upTo = events.filter((e) => e.seq <= seq);
  return upTo.reduce(momentAfter, { status: 'queued', outputs: null, error: null, usage: usageOf(upTo) });
}

/** The run's moment once `e` was written. */
function momentAfter(moment: RunMoment, e: RunEvent): RunMoment {
  switch (e.type) {
    case 'run.started':
    case 'approval.resolved':
      return { ...moment, status: 'running' };
    case 'approval.requested':
      return { ...moment, status: 'waiting_approval' };
    case 'run.completed':
      return { ...moment, status: 'completed', outputs: e.data.outputs ?? null };
    case 'run.failed':
      return { ...moment, status: 'failed', error: { message: String(e.data.error) } };
    case 'run.cancelled':
      return { ...moment, status: 'cancelled' };
    default:
      return moment;
  }
}
