// The one path every model call takes (predict, agent step, chat turn, judge): render is the caller's,
// then request event, streamed call with heartbeats, price from the user's table, and exactly one
// closing event per attempt — llm.response, or llm.error naming the provider, its URL, the model and the cause.
import { ApplicationFailure, Context } from '@temporalio/activity';
import { followedBy, type Carried } from '../../core/run-story/carry.js';
import { llmError, llmRequest, llmResponse } from '../../core/run-story/events.js';
import type { ChatMessage } from '../../core/messages.js';
import { redact, redactText } from '../../core/redact.js';
import { redactingStream } from '../../core/redacting-stream.js';
import type { SecretSet } from '../../core/secrets.js';
import type { EventBus } from '../../db/event-bus.js';
import type { EventWriter } from '../../db/event-writer.js';
import { costUsd, type Price } from '../../core/pricing.js';
import { beating } from '../heartbeat.js';
import { chatSpan, type ActivityLog, type ActivityTelemetry } from '../telemetry.js';
import { answerBytes, answerTooLarge, MAX_ANSWER_BYTES } from './answer-size.js';
import { ProviderRejected, type CompletionResult, type ToolSpec } from '../../providers/provider.js';
import type { ResolvedProvider } from '../../providers/registry.js';

export interface ModelCallDeps {
  events: EventWriter;
  bus: EventBus;
  secrets: SecretSet;
  resolveProvider: (name: string) => Promise<ResolvedProvider>;
  /** The user-editable price table (USD per million tokens), merged over the defaults. */
  prices: () => Promise<Record<string, Price>>;
  telemetry?: ActivityTelemetry | undefined;
  log?: ActivityLog | undefined;
}

export interface ModelCallRequest {
  runId: string;
  /** Unique within the run; events are keyed by it and the attempt. */
  callId: string;
  stepId?: string | undefined;
  provider: string;
  model?: string | undefined;
  messages: ChatMessage[];
  adapter?: 'chat' | 'json' | 'text' | 'tools' | undefined;
  temperature?: number | undefined;
  maxTokens?: number | undefined;
  jsonSchema?: Record<string, unknown> | undefined;
  tools?: ToolSpec[] | undefined;
  /** Publish token deltas on the bus while the reply streams. */
  stream: boolean;
  /** Written first, in the same append as llm.request: the caller's, opaque here (a step's start, what its workflow carried). */
  first?: Carried | undefined;
}

/** What the caller made of the reply; it is stored with the llm.response. */
export interface Interpretation {
  outputs?: Record<string, unknown>;
  parseError?: string;
}

export interface ModelCallResult extends CompletionResult {
  costUsd: number;
  provider: string;
  interpretation: Interpretation;
}

/** "the reply was cut off at maxTokens N" is the honest reason for a reply that stops mid-structure. */
export function cutOffReason(
  result: Pick<CompletionResult, 'finishReason'>,
  maxTokens: number | undefined,
): string | undefined {
  return result.finishReason === 'length' ? `the reply was cut off at maxTokens ${maxTokens ?? 'default'}` : undefined;
}

/** One attempt of a call, under way: where it goes and what its events say about it. */
interface OpenCall {
  ctx: Context;
  runId: string;
  callId: string;
  stepId?: string | undefined;
  attempt: number;
  resolved: ResolvedProvider;
  model: string;
  /** The provider, its URL and the model, as a failure names them. */
  where: string;
  /** The messages as sent: secrets never reach a prompt. */
  messages: ChatMessage[];
  secrets: () => string[];
  /** What every event of the attempt carries. */
  common: { callId: string; stepId?: string; attempt: number };
}

/** The provider a call names and the model it uses; a ConfigError when either cannot be had. */
async function providerOf(
  deps: ModelCallDeps,
  req: ModelCallRequest,
): Promise<{ resolved: ResolvedProvider; model: string }> {
  let resolved: ResolvedProvider;
  try {
    resolved = await deps.resolveProvider(req.provider);
  } catch (err) {
    throw ApplicationFailure.nonRetryable(
      `provider '${req.provider}' cannot be used: ${(err as Error).message}`,
      'ConfigError',
    );
  }
  const model = req.model ?? resolved.defaultModel;
  if (!model)
    throw ApplicationFailure.nonRetryable(
      `no model named, and provider '${resolved.name}' has no default model`,
      'ConfigError',
    );
  return { resolved, model };
}

/** The attempt opened: llm.request appended after whatever the caller writes first. */
async function openCall(deps: ModelCallDeps, req: ModelCallRequest): Promise<OpenCall> {
  const ctx = Context.current();
  const attempt = ctx.info.attempt;
  const { runId, callId, stepId } = req;
  const { resolved, model } = await providerOf(deps, req);
  const secrets = () => deps.secrets.list();
  const where = `provider '${resolved.name}' (${resolved.provider.type} at ${resolved.endpoint}, model ${model})`;
  const call: OpenCall = {
    ctx,
    runId,
    callId,
    stepId,
    attempt,
    resolved,
    model,
    where,
    secrets,
    messages: redact(req.messages, secrets()),
    common: { callId, ...(stepId ? { stepId } : {}), attempt },
  };
  const request = llmRequest({
    ...call.common,
    provider: resolved.name,
    model,
    ...(req.adapter ? { adapter: req.adapter } : {}),
    messages: call.messages,
  });
  const write = followedBy(req.first, [request]);
  await deps.events.append(runId, write.events, write.patch);
  return call;
}

/** A streamed reply: its deltas published as they come (redacted), the stream stopped as soon as the answer is too large. */
function replyStream(deps: ModelCallDeps, call: OpenCall) {
  const deltas = redactingStream(call.secrets);
  const publish = (text: string) =>
    text && deps.bus.publish({ type: 'delta', runId: call.runId, callId: call.callId, text });
  const tooLarge = new AbortController();
  let bytes = 0;
  return {
    tooLarge,
    bytes: () => bytes,
    onDelta: (t: string) => {
      bytes += Buffer.byteLength(t);
      if (bytes > MAX_ANSWER_BYTES) tooLarge.abort();
      else publish(deltas.push(t));
    },
    end: () => publish(deltas.end()),
  };
}

type ReplyStream = ReturnType<typeof replyStream>;

/** Close a failed attempt with llm.error naming the provider, its URL, the model and the cause; then fail as the workflow must see it. */
async function failAttempt(deps: ModelCallDeps, call: OpenCall, err: unknown, stream: ReplyStream): Promise<never> {
  const cancelled = call.ctx.cancellationSignal.aborted;
  const oversize = stream.tooLarge.signal.aborted
    ? answerTooLarge(stream.bytes(), true)
    : err instanceof ApplicationFailure && err.type === 'PayloadTooLarge'
      ? err
      : undefined;
  const cause = cancelled
    ? 'cancelled'
    : oversize
      ? oversize.message
      : redactText((err as Error).message || String(err), call.secrets());
  const message = `${call.where}: ${cause}`;
  // After a cancelled run's final event the store takes nothing more; otherwise the attempt is closed.
  await deps.events.append(call.runId, [
    llmError({
      ...call.common,
      provider: call.resolved.name,
      endpoint: call.resolved.endpoint,
      model: call.model,
      error: message,
    }),
  ]);
  if (cancelled) throw err;
  if (oversize) throw ApplicationFailure.nonRetryable(message, 'PayloadTooLarge');
  if (err instanceof ProviderRejected) throw ApplicationFailure.nonRetryable(message, 'ProviderRejected');
  throw ApplicationFailure.retryable(message, 'ProviderError');
}

/** The provider's reply, heartbeating while it comes (streamed when asked); a failed attempt is closed by failAttempt. */
async function complete(deps: ModelCallDeps, call: OpenCall, req: ModelCallRequest): Promise<CompletionResult> {
  const { ctx, resolved, model, messages } = call;
  // A retried attempt restarts its stream: subscribers drop the partial text they had.
  if (call.attempt > 1 && req.stream)
    deps.bus.publish({ type: 'delta', runId: call.runId, callId: call.callId, text: '', reset: true });
  const stream = replyStream(deps, call);
  try {
    const span = {
      providerType: resolved.provider.type,
      model,
      temperature: req.temperature,
      maxTokens: req.maxTokens,
      runId: call.runId,
      stepId: call.stepId,
      callId: call.callId,
      attempt: call.attempt,
      messages,
    };
    const signal = AbortSignal.any([ctx.cancellationSignal, stream.tooLarge.signal]);
    const raw = await beating(
      () =>
        chatSpan(span, deps.telemetry, () =>
          resolved.provider.complete({
            model,
            messages,
            temperature: req.temperature,
            maxTokens: req.maxTokens,
            jsonSchema: req.jsonSchema,
            tools: req.tools,
            signal,
            onDelta: req.stream ? stream.onDelta : undefined,
          }),
        ),
      ctx,
    );
    if (req.stream) stream.end();
    const bytes = answerBytes(raw);
    if (bytes > MAX_ANSWER_BYTES) throw answerTooLarge(bytes);
    return raw;
  } catch (err) {
    return await failAttempt(deps, call, err, stream);
  }
}

/** What the caller made of the reply; a parse error of a reply cut off at maxTokens says so. */
function interpretReply(
  result: CompletionResult,
  maxTokens: number | undefined,
  interpret: (r: CompletionResult) => Interpretation,
): Interpretation {
  const found = interpret(result);
  const cut = cutOffReason(result, maxTokens);
  return found.parseError && cut ? { parseError: `${cut}: ${found.parseError}` } : found;
}

/** The reply redacted, priced from the user's table, interpreted, and recorded as the attempt's llm.response. */
async function recordReply(
  deps: ModelCallDeps,
  call: OpenCall,
  req: ModelCallRequest,
  raw: CompletionResult,
  interpret: (r: CompletionResult) => Interpretation,
): Promise<ModelCallResult> {
  const { runId, resolved, model } = call;
  const result: CompletionResult = {
    ...raw,
    text: redactText(raw.text, call.secrets()),
    ...(raw.toolCalls ? { toolCalls: redact(raw.toolCalls, call.secrets()) } : {}),
  };
  const cost = costUsd(model, result.usage, { ...(await deps.prices()), ...resolved.pricing });
  const interpretation = interpretReply(result, req.maxTokens, interpret);
  const response = llmResponse({
    ...call.common,
    text: result.text,
    ...(result.toolCalls ? { toolCalls: result.toolCalls } : {}),
    ...interpretation,
    ...(result.finishReason ? { finishReason: result.finishReason } : {}),
    usage: result.usage,
    latencyMs: result.latencyMs,
    costUsd: cost,
  });
  await deps.events.append(runId, [response], undefined, { ...result.usage, costUsd: cost });
  deps.log?.info(
    {
      runId,
      ...call.common,
      provider: resolved.name,
      model,
      inputTokens: result.usage.inputTokens,
      outputTokens: result.usage.outputTokens,
      latencyMs: result.latencyMs,
      ...(interpretation.parseError ? { parseError: interpretation.parseError } : {}),
    },
    'model call',
  );
  return { ...result, costUsd: cost, provider: resolved.name, interpretation };
}

export function createModelCall(deps: ModelCallDeps) {
  /**
   * One model call, recorded. `interpret` turns the reply into outputs or a parse error (stored with it).
   * @example const r = await callModel(req, (res) => ({ outputs: parse(res.text) }));
   */
  return async function callModel(
    req: ModelCallRequest,
    interpret: (r: CompletionResult) => Interpretation = () => ({}),
  ): Promise<ModelCallResult> {
    const call = await openCall(deps, req);
    const raw = await complete(deps, call, req);
    return recordReply(deps, call, req, raw, interpret);
  };
}

export type CallModel = ReturnType<typeof createModelCall>;
