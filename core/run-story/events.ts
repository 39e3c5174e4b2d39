// The run-event catalogue shared by DB rows, the WebSocket and the UI, and one constructor per event that owns its
// idempotency key (test/unit/run-story-keys.test.ts pins every key: they must never change form).
import type { ChatMessage, Usage } from '../messages.js';
import { turnId } from './ids.js';
import type { RunStatus } from './status.js';
import type { RunView } from './view.js';

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
  'step.reused': {
    stepId: string;
    source: { runId: string; stepId: string; callId?: string };
    items?: number[];
    callId?: string;
    cached?: boolean;
  };
  'step.failed': { stepId: string; error: string };
  'llm.request': {
    callId: string;
    stepId?: string;
    provider: string;
    model: string;
    adapter?: 'chat' | 'json' | 'text' | 'tools';
    messages: ChatMessage[];
    attempt: number;
  };
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
  'llm.error': {
    callId: string;
    stepId?: string;
    provider: string;
    endpoint: string;
    model: string;
    error: string;
    attempt: number;
  };
  'llm.delta': { callId: string; text: string };
  'tool.call': { callId: string; tool: string; args: unknown };
  'policy.decision': { callId: string; decision: 'allow' | 'deny' | 'ask'; rule: string };
  'approval.requested': { approvalId: string; callId: string; tool: string; args: unknown };
  'approval.resolved': { approvalId: string; decision: 'approve' | 'deny'; reason?: string };
  /** `app`: the MCP tool's view (a `ui://` resource of its server), which the run page shows with this answer. */
  'tool.result': { callId: string; output: string; truncated?: boolean; app?: { resourceUri: string } };
  'budget.exceeded': { budget: string; limit: number; used: number };
  log: { level: 'info' | 'warn' | 'error'; message: string };
  'run.completed': { outputs: Record<string, unknown>; reconciled?: boolean };
  'run.failed': { error: string; type?: string; reconciled?: boolean };
  'run.cancelled': { reason?: string; reconciled?: boolean };
}

export type RunEventType = keyof EventDataByType;

// Every event type at run time; a Record so the compiler refuses one missing or one too many.
const catalogue: Record<RunEventType, true> = {
  'run.started': true,
  'step.started': true,
  'step.completed': true,
  'step.reused': true,
  'step.failed': true,
  'llm.request': true,
  'llm.response': true,
  'llm.error': true,
  'llm.delta': true,
  'tool.call': true,
  'policy.decision': true,
  'approval.requested': true,
  'approval.resolved': true,
  'tool.result': true,
  'budget.exceeded': true,
  log: true,
  'run.completed': true,
  'run.failed': true,
  'run.cancelled': true,
};
export const runEventTypes = Object.keys(catalogue) as RunEventType[];

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
  | { type: 'run'; run: RunView }
  | { type: 'error'; error: { code: string; message: string } };

type Data<T extends RunEventType> = EventDataByType[T];
type Event<T extends RunEventType> = Extract<NewRunEvent, { type: T }>;

const event = <T extends RunEventType>(type: T, key: string, data: Data<T>): Event<T> =>
  ({ type, key, data }) as Event<T>;

// A run's start and end happen once each: the type is the key.
export const runStarted = (data: Data<'run.started'>) => event('run.started', 'run.started', data);
export const runCompleted = (data: Data<'run.completed'>) => event('run.completed', 'run.completed', data);
export const runFailed = (data: Data<'run.failed'>) => event('run.failed', 'run.failed', data);
export const runCancelled = (data: Data<'run.cancelled'>) => event('run.cancelled', 'run.cancelled', data);

// A pipeline's (or an app generation's) step, keyed by its step id.
export const stepStarted = (data: Data<'step.started'>) => event('step.started', `step:${data.stepId}:started`, data);
export const stepCompleted = (data: Data<'step.completed'>) =>
  event('step.completed', `step:${data.stepId}:completed`, data);
export const stepFailed = (data: Data<'step.failed'>) => event('step.failed', `step:${data.stepId}:failed`, data);
export const stepReused = (data: Data<'step.reused'>) => event('step.reused', `step:${data.stepId}:reused`, data);
/** A step cache hit, keyed by the call it answered (one step's foreach items each hit on their own). */
export const stepCached = (data: Data<'step.reused'> & { callId: string }) =>
  event('step.reused', `${data.callId}:cached`, data);

// An agent's turns are its steps: `turn[N]`, keyed `turn:N:…`.
/** Turn n of a forked agent, taken from the source run. */
export const turnReused = (n: number, sourceRunId: string) =>
  event('step.reused', `turn:${n}:reused`, { stepId: turnId(n), source: { runId: sourceRunId, stepId: turnId(n) } });
export const turnCompleted = (n: number, outputs: Record<string, unknown>, reused?: true) =>
  event('step.completed', `turn:${n}:completed`, { stepId: turnId(n), outputs, ...(reused ? { reused } : {}) });

// An eval's examples and an optimization's candidates are their steps, the step id is the key.
type Scored = Omit<Data<'step.completed'>, 'stepId'>;
export const exampleCompleted = (exampleId: string, rest: Scored) =>
  event('step.completed', `example:${exampleId}`, { stepId: `example:${exampleId}`, ...rest });
export const candidateCompleted = (exampleId: string, rest: Scored) =>
  event('step.completed', `candidate:${exampleId}`, { stepId: `candidate:${exampleId}`, ...rest });
/** A search optimizer's trial N (a MIPROv2 trial, a GEPA iteration): what it tried and how it scored. */
export const trialCompleted = (n: number, rest: Scored) =>
  event('step.completed', `trial:${n}`, { stepId: `trial:${n}`, ...rest });

// A model call: each attempt is recorded once.
export const llmRequest = (data: Data<'llm.request'>) =>
  event('llm.request', `${data.callId}:${data.attempt}:request`, data);
export const llmResponse = (data: Data<'llm.response'>) =>
  event('llm.response', `${data.callId}:${data.attempt}:response`, data);
export const llmError = (data: Data<'llm.error'>) => event('llm.error', `${data.callId}:${data.attempt}:error`, data);

// A tool call, keyed by its call id (`tool[N]`).
export const toolCalled = (data: Data<'tool.call'>) => event('tool.call', `${data.callId}:call`, data);
export const policyDecision = (data: Data<'policy.decision'>) =>
  event('policy.decision', `${data.callId}:decision`, data);
export const toolResult = (data: Data<'tool.result'>) => event('tool.result', `${data.callId}:result`, data);
export const approvalRequested = (data: Data<'approval.requested'>) =>
  event('approval.requested', `approval:${data.approvalId}:requested`, data);
export const approvalResolved = (data: Data<'approval.resolved'>) =>
  event('approval.resolved', `approval:${data.approvalId}:resolved`, data);
/** The budget an agent's step n went over. */
export const budgetExceeded = (step: number, data: Data<'budget.exceeded'>) =>
  event('budget.exceeded', `budget:${step}`, data);

/** The notes a run writes once: the name is the key. */
export type RunNote = 'scaffold' | 'before' | 'kept' | 'saved' | 'search' | 'budget';
export const runNote = (name: RunNote, level: Data<'log'>['level'], message: string) =>
  event('log', name, { level, message });
/** A browser call whose worker is gone goes on in a fresh session elsewhere. */
export const sessionLost = (callId: string) =>
  event('log', `${callId}:session-lost`, {
    level: 'warn',
    message: `the worker that held this run's browser is gone; ${callId} starts a fresh browser session on another worker`,
  });
/** A tool call the log said was allowed, refused right before it ran: `message` says why. */
export const toolRefused = (callId: string, message: string) =>
  event('log', `${callId}:refused`, { level: 'warn', message: `${callId} ${message}` });

/** A chat transcript's message, keyed by the message it answers and its role (a resent message is stored once). */
export const chatMessageKey = (messageId: string, role: 'user' | 'assistant'): string => `${messageId}:${role}`;
/** The message a transcript key belongs to. */
export const chatMessageOf = (key: string): string => key.slice(0, key.lastIndexOf(':'));
