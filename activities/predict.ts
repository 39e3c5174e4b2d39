// One Predict call as one activity: render, call the provider (streaming), parse, record usage.
import { ApplicationFailure, Context } from '@temporalio/activity';
import { OutputParseError, parsePredict, renderPredict } from '../core/adapters.js';
import type { Usage } from '../core/messages.js';
import { parseSignature } from '../core/signature.js';
import type { ComponentSpec } from '../core/specs.js';
import type { EventBus } from '../db/event-bus.js';
import type { Store } from '../db/knex.js';
import type { EventWriter } from './events.js';
import { costUsd } from './llm/pricing.js';
import { ProviderRejected } from './llm/provider.js';
import type { ResolvedProvider } from './llm/registry.js';

export interface PredictInput {
  runId: string;
  stepId: string;
  callId: string;
  component: ComponentSpec;
  inputs: Record<string, unknown>;
  /** This call is the whole step: record step.started with its llm.request (saves a round trip). */
  recordStep?: boolean;
}

export interface PredictResult {
  outputs: Record<string, unknown>;
  usage: Usage;
  costUsd: number;
  latencyMs: number;
}

export interface PredictDeps {
  store: Store;
  bus: EventBus;
  events: EventWriter;
  resolveProvider: (name: string) => Promise<ResolvedProvider>;
}

export function createPredict(deps: PredictDeps) {
  return async function predict(input: PredictInput): Promise<PredictResult> {
    const ctx = Context.current();
    const attempt = ctx.info.attempt;
    const { runId, stepId, callId, component } = input;
    const resolved = await deps.resolveProvider(component.provider);
    const model = component.model ?? resolved.defaultModel;
    if (!model) throw ApplicationFailure.nonRetryable(`component '${component.name}' names no model and provider '${resolved.name}' has no default model`, 'ConfigError');
    const signature = parseSignature(component.signature);
    const messages = renderPredict({ signature, instructions: component.instructions, demos: component.demos }, input.inputs);

    await deps.events.append(runId, [
      ...(input.recordStep ? [{ type: 'step.started' as const, key: `step:${stepId}:started`, data: { stepId, attempt } }] : []),
      { type: 'llm.request', key: `${callId}:${attempt}:request`, data: { callId, stepId, provider: resolved.name, model, messages, attempt } },
    ]);
    // A retried attempt restarts its stream: subscribers drop the partial text they had.
    if (attempt > 1) deps.bus.publish({ type: 'delta', runId, callId, text: '', reset: true });

    const heartbeat = setInterval(() => ctx.heartbeat({ callId }), 1000);
    let result;
    try {
      result = await resolved.provider.complete({
        model,
        messages,
        temperature: component.params?.temperature,
        maxTokens: component.params?.maxTokens,
        signal: ctx.cancellationSignal,
        onDelta: (text) => deps.bus.publish({ type: 'delta', runId, callId, text }),
      });
    } catch (err) {
      if (err instanceof ProviderRejected) throw ApplicationFailure.nonRetryable(err.message, 'ProviderRejected');
      throw err;
    } finally {
      clearInterval(heartbeat);
    }

    const cost = costUsd(model, result.usage, resolved.pricing);
    let outputs: Record<string, unknown> | undefined;
    let parseError: OutputParseError | undefined;
    try {
      outputs = parsePredict(signature, result.text);
    } catch (err) {
      if (!(err instanceof OutputParseError)) throw err;
      parseError = err;
    }
    await deps.events.append(
      runId,
      [
        {
          type: 'llm.response',
          key: `${callId}:${attempt}:response`,
          data: { callId, stepId, text: result.text, ...(outputs ? { outputs } : {}), usage: result.usage, latencyMs: result.latencyMs, costUsd: cost, attempt },
        },
      ],
      undefined,
      { ...result.usage, costUsd: cost },
    );
    if (parseError) throw ApplicationFailure.nonRetryable(parseError.message, 'OutputParseError');
    return { outputs: outputs!, usage: result.usage, costUsd: cost, latencyMs: result.latencyMs };
  };
}
