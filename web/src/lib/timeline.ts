// Pure transforms of run events for the views: timeline rows, step states, LLM and tool calls.
// No Vue, no fetch: unit-tested with fixtures for each terminal state.
import { stepIdOf } from '../../../core/run-story/ids.js';

export interface EventLike {
  seq: number;
  type: string;
  time: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each event type reads its own fields
  data: Record<string, any>;
}

export type StepStatus = 'running' | 'completed' | 'failed' | 'skipped' | 'cancelled';

export interface StepState {
  stepId: string;
  status: StepStatus;
  startedAt?: string;
  endedAt?: string;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  latencyMs: number;
  /** Outputs from another run (a fork's source or the step cache), or a counterfactual. */
  reused?: 'fork' | 'cache' | 'counterfactual';
}

export interface TimelineRow {
  seq: number;
  type: string;
  time: string;
  title: string;
  detail: string;
  tone: 'info' | 'success' | 'error' | 'warning' | 'default';
  callId?: string;
}

const clip = (v: unknown, n = 120) => {
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return s && s.length > n ? `${s.slice(0, n - 1)}…` : (s ?? '');
};

export function toRow(e: EventLike): TimelineRow {
  const d = e.data ?? {};
  const base = { seq: e.seq, type: e.type, time: e.time, callId: d.callId };
  switch (e.type) {
    case 'run.started':
      return { ...base, title: 'Run started', detail: clip(d.inputs), tone: 'info' };
    case 'run.completed':
      return { ...base, title: 'Run completed', detail: clip(d.outputs), tone: 'success' };
    case 'run.failed':
      return { ...base, title: 'Run failed', detail: d.error, tone: 'error' };
    case 'run.cancelled':
      return { ...base, title: 'Run cancelled', detail: d.reason ?? '', tone: 'warning' };
    case 'step.started':
      return { ...base, title: `Step ${d.stepId} started`, detail: d.items !== undefined ? `${d.items} items` : '', tone: 'info' };
    case 'step.completed':
      return { ...base, title: `Step ${d.stepId} ${d.skipped ? 'skipped' : d.counterfactual ? 'given (counterfactual)' : 'completed'}`, detail: clip(d.outputs), tone: d.skipped ? 'default' : 'success' };
    case 'step.reused':
      return { ...base, title: `Step ${d.callId ?? d.stepId} reused${d.cached ? ' from the cache' : ''}`, detail: `from ${d.source.runId} ${d.source.stepId}${d.items ? ` · items ${d.items.join(', ')}` : ''}`, tone: 'info' };
    case 'step.failed':
      return { ...base, title: `Step ${d.stepId} failed`, detail: d.error, tone: 'error' };
    case 'llm.request':
      return { ...base, title: `LLM call ${d.callId}`, detail: `${d.provider}/${d.model}${d.attempt > 1 ? ` · attempt ${d.attempt}` : ''}`, tone: 'default' };
    case 'llm.error':
      return { ...base, title: `LLM error ${d.callId}`, detail: d.error, tone: 'error' };
    case 'llm.response':
      return { ...base, title: `LLM answer ${d.callId}`, detail: `${d.usage?.inputTokens ?? 0}+${d.usage?.outputTokens ?? 0} tok · ${d.latencyMs} ms · $${(d.costUsd ?? 0).toFixed(5)}${d.parseError ? ' · unparsable' : ''}`, tone: d.parseError ? 'warning' : 'default' };
    case 'tool.call':
      return { ...base, title: `Tool ${d.tool}`, detail: clip(d.args), tone: 'default' };
    case 'policy.decision':
      return { ...base, title: `Policy: ${d.decision}`, detail: `rule ${d.rule}`, tone: d.decision === 'deny' ? 'error' : d.decision === 'ask' ? 'warning' : 'success' };
    case 'approval.requested':
      return { ...base, callId: d.approvalId, title: 'Waiting for approval', detail: `${d.tool} ${clip(d.args)}`, tone: 'warning' };
    case 'approval.resolved':
      return { ...base, callId: d.approvalId, title: `Approval: ${d.decision}`, detail: d.reason ?? '', tone: d.decision === 'approve' ? 'success' : 'error' };
    case 'tool.result':
      return { ...base, title: 'Tool result', detail: clip(d.output), tone: 'default' };
    case 'budget.exceeded':
      return { ...base, title: `Budget ${d.budget} exceeded`, detail: `${d.used} > ${d.limit}`, tone: 'error' };
    default:
      return { ...base, title: e.type, detail: clip(d), tone: 'default' };
  }
}

/** Per-step state (pipeline steps, agent turns), with the LLM usage of each step summed. */
export function stepStates(events: EventLike[]): StepState[] {
  const steps = new Map<string, StepState>();
  const get = (id: string) => steps.get(id) ?? steps.set(id, { stepId: id, status: 'running', inputTokens: 0, outputTokens: 0, costUsd: 0, latencyMs: 0 }).get(id)!;
  for (const e of events) {
    // A run that ends stops the steps still in flight: they did not finish, so they show as cancelled.
    if (e.type === 'run.cancelled' || e.type === 'run.failed') {
      for (const s of steps.values()) if (s.status === 'running') Object.assign(s, { status: 'cancelled', endedAt: e.time });
      continue;
    }
    // An agent's finishing turn records no step of its own: the run's end completes it.
    if (e.type === 'run.completed') {
      for (const s of steps.values()) if (s.status === 'running') Object.assign(s, { status: 'completed', endedAt: e.time });
      continue;
    }
    // An agent's model calls (`agent[N]`) name no step: they belong to turn N.
    const id = stepIdOf(e.data);
    if (!id) continue;
    const s = get(id);
    if (e.type === 'step.started') s.startedAt ??= e.time;
    if (e.type === 'step.completed') Object.assign(s, { status: e.data.skipped ? 'skipped' : 'completed', endedAt: e.time, ...(e.data.counterfactual ? { reused: 'counterfactual' } : {}) });
    // A whole step, not one item of a foreach.
    if (e.type === 'step.reused' && !e.data.items && (!e.data.callId || e.data.callId === id)) s.reused = e.data.cached ? 'cache' : 'fork';
    if (e.type === 'step.failed') Object.assign(s, { status: 'failed', endedAt: e.time });
    if (e.type === 'llm.request') s.startedAt ??= e.time;
    if (e.type === 'llm.response') {
      s.inputTokens += e.data.usage?.inputTokens ?? 0;
      s.outputTokens += e.data.usage?.outputTokens ?? 0;
      s.costUsd += e.data.costUsd ?? 0;
      s.latencyMs += e.data.latencyMs ?? 0;
    }
  }
  return [...steps.values()];
}

export interface LlmCall {
  callId: string;
  attempt: number;
  provider?: string;
  model?: string;
  messages: Array<{ role: string; content: string }>;
  text?: string;
  outputs?: Record<string, unknown>;
  parseError?: string;
  usage?: { inputTokens: number; outputTokens: number };
  latencyMs?: number;
  costUsd?: number;
  /** The attempt got no reply: why (provider, URL, model, cause). */
  error?: string;
}

export function llmCalls(events: EventLike[]): LlmCall[] {
  const calls = new Map<string, LlmCall>();
  for (const e of events) {
    if (e.type !== 'llm.request' && e.type !== 'llm.response' && e.type !== 'llm.error') continue;
    const key = `${e.data.callId}#${e.data.attempt}`;
    const call: LlmCall = calls.get(key) ?? { callId: e.data.callId, attempt: e.data.attempt, messages: [] };
    if (e.type === 'llm.request') Object.assign(call, { provider: e.data.provider, model: e.data.model, messages: e.data.messages });
    else if (e.type === 'llm.error') call.error = e.data.error;
    else Object.assign(call, { text: e.data.text, outputs: e.data.outputs, parseError: e.data.parseError, usage: e.data.usage, latencyMs: e.data.latencyMs, costUsd: e.data.costUsd });
    calls.set(key, call);
  }
  return [...calls.values()];
}

export interface PendingApproval {
  approvalId: string;
  tool: string;
  args: unknown;
  seq: number;
}

/** Approvals requested and not yet resolved. */
export function pendingApprovals(events: EventLike[]): PendingApproval[] {
  const open = new Map<string, PendingApproval>();
  for (const e of events) {
    if (e.type === 'approval.requested') open.set(e.data.approvalId, { approvalId: e.data.approvalId, tool: e.data.tool, args: e.data.args, seq: e.seq });
    if (e.type === 'approval.resolved') open.delete(e.data.approvalId);
  }
  return [...open.values()];
}

/** Insert events keeping seq order and dropping duplicates (a resumed stream may resend). */
export function mergeEvents(into: EventLike[], incoming: EventLike[]): EventLike[] {
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
  usage: { inputTokens: number; outputTokens: number; costUsd: number };
}

/** Token and cost totals of the stored model answers among `events`. */
export function usageOf(events: EventLike[]): RunMoment['usage'] {
  const u = { inputTokens: 0, outputTokens: 0, costUsd: 0 };
  for (const e of events) {
    if (e.type !== 'llm.response') continue;
    u.inputTokens += Number(e.data.usage?.inputTokens ?? 0);
    u.outputTokens += Number(e.data.usage?.outputTokens ?? 0);
    u.costUsd += Number(e.data.costUsd ?? 0);
  }
  return u;
}

/**
 * The run as it was once its events up to `seq` were written (the history player), or now when `seq` is
 * undefined: then the usage counts answers that arrived since the last run frame (an eval's totals
 * come from its examples, so the larger of the two is shown).
 */
export function runAt(run: RunMoment, events: EventLike[], seq?: number): RunMoment {
  if (seq === undefined) {
    const seen = usageOf(events);
    return { ...run, usage: { inputTokens: Math.max(run.usage.inputTokens, seen.inputTokens), outputTokens: Math.max(run.usage.outputTokens, seen.outputTokens), costUsd: Math.max(run.usage.costUsd, seen.costUsd) } };
  }
  const upTo = events.filter((e) => e.seq <= seq);
  const moment: RunMoment = { status: 'queued', outputs: null, error: null, usage: usageOf(upTo) };
  for (const e of upTo) {
    if (e.type === 'run.started' || e.type === 'approval.resolved') moment.status = 'running';
    else if (e.type === 'approval.requested') moment.status = 'waiting_approval';
    else if (e.type === 'run.completed') Object.assign(moment, { status: 'completed', outputs: e.data.outputs ?? null });
    else if (e.type === 'run.failed') Object.assign(moment, { status: 'failed', error: { message: String(e.data.error) } });
    else if (e.type === 'run.cancelled') moment.status = 'cancelled';
  }
  return moment;
}
