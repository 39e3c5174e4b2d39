// The one path every model call takes (predict, agent step, chat turn, judge): render is the caller's,
// then request event, streamed call with heartbeats, price from the user's table, and exactly one
// closing event per attempt — llm.response, or llm.error naming the provider, its URL, the model and the cause.
import { ApplicationFailure, Context } from '@temporalio/activity';
import { llmError, llmRequest, llmResponse, type NewRunEvent } from '../../core/run-story/events.js';
import type { ChatMessage } from '../../core/messages.js';
import { redact, redactText } from '../../core/redact.js';
import { redactingStream } from '../../core/redacting-stream.js';
import type { SecretSet } from '../../core/secrets.js';
import type { EventBus } from '../../db/event-bus.js';
import type { EventWriter } from '../../db/event-writer.js';
import type { RunPatch } from '../../db/repositories/runs.js';
import { costUsd, type Price } from '../../core/pricing.js';
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
  adapter?: 'chat' | 'json' | 'tools' | undefined;
  temperature?: number | undefined;
  maxTokens?: number | undefined;
  jsonSchema?: Record<string, unknown> | undefined;
  tools?: ToolSpec[] | undefined;
  /** Publish token deltas on the bus while the reply streams. */
  stream: boolean;
  /** Events that belong in the same append as llm.request (a step's start). */
  before?: NewRunEvent[] | undefined;
  /** The status move that goes with `before` (the run's start). */
  beforePatch?: RunPatch | undefined;
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
export function cutOffReason(result: Pick<CompletionResult, 'finishReason'>, maxTokens: number | undefined): string | undefined {
  return result.finishReason === 'length' ? `the reply was cut off at maxTokens ${maxTokens ?? 'default'}` : undefined;
}

export function createModelCall(deps: ModelCallDeps) {
  /**
   * One model call, recorded. `interpret` turns the reply into outputs or a parse error (stored with it).
   * @example const r = await callModel(req, (res) => ({ outputs: parse(res.text) }));
   */
  return async function callModel(req: ModelCallRequest, interpret: (r: CompletionResult) => Interpretation = () => ({})): Promise<ModelCallResult> {
    const ctx = Context.current();
    const attempt = ctx.info.attempt;
    const { runId, callId, stepId } = req;
    let resolved: ResolvedProvider;
    try {
      resolved = await deps.resolveProvider(req.provider);
    } catch (err) {
      throw ApplicationFailure.nonRetryable(`provider '${req.provider}' cannot be used: ${(err as Error).message}`, 'ConfigError');
    }
    const model = req.model ?? resolved.defaultModel;
    if (!model) throw ApplicationFailure.nonRetryable(`no model named, and provider '${resolved.name}' has no default model`, 'ConfigError');
    const where = `provider '${resolved.name}' (${resolved.provider.type} at ${resolved.endpoint}, model ${model})`;
    const secrets = () => deps.secrets.list();
    // Secrets never reach a prompt.
    const messages = redact(req.messages, secrets());
    const common = { callId, ...(stepId ? { stepId } : {}), attempt };
    await deps.events.append(runId, [
      ...(req.before ?? []),
      llmRequest({ ...common, provider: resolved.name, model, ...(req.adapter ? { adapter: req.adapter } : {}), messages }),
    ], req.beforePatch);
    // A retried attempt restarts its stream: subscribers drop the partial text they had.
    if (attempt > 1 && req.stream) deps.bus.publish({ type: 'delta', runId, callId, text: '', reset: true });
    const deltas = redactingStream(secrets);
    const publish = (text: string) => text && deps.bus.publish({ type: 'delta', runId, callId, text });
    // A streamed answer is stopped as soon as it is too large, not read to its end.
    const tooLarge = new AbortController();
    let streamedBytes = 0;
    const onDelta = (t: string) => {
      streamedBytes += Buffer.byteLength(t);
      if (streamedBytes > MAX_ANSWER_BYTES) tooLarge.abort();
      else publish(deltas.push(t));
    };

    const heartbeat = setInterval(() => ctx.heartbeat(), 1000);
    let raw: CompletionResult;
    try {
      const call = { providerType: resolved.provider.type, model, temperature: req.temperature, maxTokens: req.maxTokens, runId, stepId, callId, attempt, messages };
      raw = await chatSpan(call, deps.telemetry, () =>
        resolved.provider.complete({
          model,
          messages,
          temperature: req.temperature,
          maxTokens: req.maxTokens,
          jsonSchema: req.jsonSchema,
          tools: req.tools,
          signal: AbortSignal.any([ctx.cancellationSignal, tooLarge.signal]),
          onDelta: req.stream ? onDelta : undefined,
        }),
      );
      if (req.stream) publish(deltas.end());
      const bytes = answerBytes(raw);
      if (bytes > MAX_ANSWER_BYTES) throw answerTooLarge(bytes);
    } catch (err) {
      const cancelled = ctx.cancellationSignal.aborted;
      const oversize = tooLarge.signal.aborted ? answerTooLarge(streamedBytes, true) : err instanceof ApplicationFailure && err.type === 'PayloadTooLarge' ? err : undefined;
      const cause = cancelled ? 'cancelled' : oversize ? oversize.message : redactText((err as Error).message || String(err), secrets());
      const message = `${where}: ${cause}`;
      // After a cancelled run's final event the store takes nothing more; otherwise the attempt is closed.
      await deps.events.append(runId, [llmError({ ...common, provider: resolved.name, endpoint: resolved.endpoint, model, error: message })]);
      if (cancelled) throw err;
      if (oversize) throw ApplicationFailure.nonRetryable(message, 'PayloadTooLarge');
      if (err instanceof ProviderRejected) throw ApplicationFailure.nonRetryable(message, 'ProviderRejected');
      throw ApplicationFailure.retryable(message, 'ProviderError');
    } finally {
      clearInterval(heartbeat);
    }

    const result: CompletionResult = { ...raw, text: redactText(raw.text, secrets()), ...(raw.toolCalls ? { toolCalls: redact(raw.toolCalls, secrets()) } : {}) };
    const cost = costUsd(model, result.usage, { ...(await deps.prices()), ...resolved.pricing });
    const found = interpret(result);
    const cut = cutOffReason(result, req.maxTokens);
    const interpretation: Interpretation = found.parseError && cut ? { parseError: `${cut}: ${found.parseError}` } : found;
    await deps.events.append(
      runId,
      [
        llmResponse({
            ...common,
            text: result.text,
            ...(result.toolCalls ? { toolCalls: result.toolCalls } : {}),
            ...interpretation,
            ...(result.finishReason ? { finishReason: result.finishReason } : {}),
            usage: result.usage,
            latencyMs: result.latencyMs,
            costUsd: cost,
          }),
      ],
      undefined,
      { ...result.usage, costUsd: cost },
    );
    deps.log?.info({ runId, callId, ...(stepId ? { stepId } : {}), attempt, provider: resolved.name, model, inputTokens: result.usage.inputTokens, outputTokens: result.usage.outputTokens, latencyMs: result.latencyMs, ...(interpretation.parseError ? { parseError: interpretation.parseError } : {}) }, 'model call');
    return { ...result, costUsd: cost, provider: resolved.name, interpretation };
  };
}

export type CallModel = ReturnType<typeof createModelCall>;
