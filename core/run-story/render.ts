// One way to tell a run event to a person: a title, a detail and a tone, shown as a timeline row on the
// dashboard and as a line in the terminal (harness run --follow).
import type { EventDataByType, RunEvent, RunEventType } from './events.js';
import type { StepState } from './fold.js';

export type Tone = 'info' | 'success' | 'error' | 'warning' | 'default';

export interface EventLine {
  title: string;
  detail: string;
  tone: Tone;
}

const clip = (v: unknown, n = 120): string => {
  const s = typeof v === 'string' ? v : (JSON.stringify(v) ?? '');
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
};

const stepDone = (d: EventDataByType['step.completed']) =>
  d.skipped ? 'skipped' : d.counterfactual ? 'given (counterfactual)' : 'completed';
const attempt = (n: number) => (n > 1 ? ` · attempt ${n}` : '');
const usage = (d: EventDataByType['llm.response']) =>
  `${d.usage?.inputTokens ?? 0}+${d.usage?.outputTokens ?? 0} tok · ${d.latencyMs} ms · $${(d.costUsd ?? 0).toFixed(6)}`;
const verdict: Record<string, Tone> = { allow: 'success', approve: 'success', ask: 'warning', deny: 'error' };
const logTone: Record<string, Tone> = { info: 'default', warn: 'warning', error: 'error' };

/** Each event type's line. */
const lines: { [T in RunEventType]: (d: EventDataByType[T]) => EventLine } = {
  'run.started': (d) => ({ title: 'Run started', detail: clip(d.inputs), tone: 'info' }),
  'run.completed': (d) => ({ title: 'Run completed', detail: clip(d.outputs), tone: 'success' }),
  'run.failed': (d) => ({ title: 'Run failed', detail: d.error, tone: 'error' }),
  'run.cancelled': (d) => ({ title: 'Run cancelled', detail: d.reason ?? '', tone: 'warning' }),
  'step.started': (d) => ({
    title: `Step ${d.stepId} started`,
    detail: d.items !== undefined ? `${d.items} items` : '',
    tone: 'info',
  }),
  'step.completed': (d) => ({
    title: `Step ${d.stepId} ${stepDone(d)}`,
    detail: d.skipped ? '' : clip(d.outputs),
    tone: d.skipped ? 'default' : 'success',
  }),
  'step.reused': (d) => ({
    title: `Step ${d.callId ?? d.stepId} reused${d.cached ? ' from the cache' : ''}`,
    detail: `from ${d.source.runId} ${d.source.stepId}${d.items ? ` · items ${d.items.join(', ')}` : ''}`,
    tone: 'info',
  }),
  'step.failed': (d) => ({ title: `Step ${d.stepId} failed`, detail: d.error, tone: 'error' }),
  'llm.request': (d) => ({
    title: `LLM call ${d.callId}`,
    detail: `${d.provider}/${d.model}${attempt(d.attempt)}`,
    tone: 'default',
  }),
  'llm.error': (d) => ({ title: `LLM error ${d.callId}`, detail: d.error, tone: 'error' }),
  'llm.response': (d) => ({
    title: `LLM answer ${d.callId}`,
    detail: `${usage(d)}${d.parseError ? ' · unparsable' : ''}`,
    tone: d.parseError ? 'warning' : 'default',
  }),
  'llm.delta': (d) => ({ title: `LLM text ${d.callId}`, detail: clip(d.text), tone: 'default' }),
  'tool.call': (d) => ({ title: `Tool call ${d.callId}: ${d.tool}`, detail: clip(d.args), tone: 'default' }),
  'policy.decision': (d) => ({
    title: `Policy: ${d.decision} (${d.callId})`,
    detail: `rule ${d.rule}`,
    tone: verdict[d.decision] ?? 'default',
  }),
  'approval.requested': (d) => ({
    title: `Waiting for approval ${d.approvalId}`,
    detail: `${d.tool} ${clip(d.args)}`,
    tone: 'warning',
  }),
  'approval.resolved': (d) => ({
    title: `Approval: ${d.decision} (${d.approvalId})`,
    detail: d.reason ?? '',
    tone: verdict[d.decision] ?? 'default',
  }),
  'tool.result': (d) => ({
    title: `Tool result ${d.callId}`,
    detail: `${clip(d.output)}${d.truncated ? ' (truncated)' : ''}`,
    tone: 'default',
  }),
  'budget.exceeded': (d) => ({ title: `Budget ${d.budget} exceeded`, detail: `${d.used} > ${d.limit}`, tone: 'error' }),
  log: (d) => ({ title: `Log ${d.level}`, detail: d.message, tone: logTone[d.level] ?? 'default' }),
};

/** An event as a title, a detail and a tone; an event type this code does not know shows as its type and data. */
export function renderEvent(e: Pick<RunEvent, 'type' | 'data'>): EventLine {
  const line = (Object.hasOwn(lines, e.type) ? lines[e.type] : undefined) as ((d: unknown) => EventLine) | undefined;
  return line ? line(e.data ?? {}) : { title: e.type, detail: clip(e.data ?? {}), tone: 'default' };
}

/**
 * An event as one line for the terminal: its seq, title and detail.
 * @example eventLine(e) // '  12  Step both completed  {"combined":"ABC|cba"}'
 */
export function eventLine(e: Pick<RunEvent, 'seq' | 'type' | 'data'>): string {
  const { title, detail } = renderEvent(e);
  return `${String(e.seq).padStart(4)}  ${title}${detail ? `  ${detail}` : ''}`;
}

/** How a step of a run diff came by its outputs: absent from that run, given, cached, reused, or its status. */
export function stepHow(s: Pick<StepState, 'status' | 'reused'> | undefined): string {
  if (!s) return 'absent';
  return s.reused === 'fork' ? 'reused' : s.reused === 'cache' ? 'cached' : (s.reused ?? s.status);
}
