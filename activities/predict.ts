// One Predict call as one activity: render, call the provider (streaming), parse, record usage.
// A reply that does not parse gets one retry that shows the model its error, then a typed failure.
import { ApplicationFailure, Context } from '@temporalio/activity';
import { OutputParseError, parseReply, renderCall, retryMessages, type AdapterKind } from '../core/adapters.js';
import type { Usage } from '../core/messages.js';
import { moduleSignature } from '../core/modules.js';
import { redact, redactText } from '../core/redact.js';
import { redactingStream } from '../core/redacting-stream.js';
import type { ComponentSpec } from '../core/specs.js';
import type { EventBus } from '../db/event-bus.js';
import type { Store } from '../db/knex.js';
import type { EventWriter } from './events.js';
import { costUsd } from './llm/pricing.js';
import { callProvider } from './llm/call.js';
import type { ResolvedProvider, SecretSet } from './llm/registry.js';

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
  secrets: SecretSet;
  resolveProvider: (name: string) => Promise<ResolvedProvider>;
  /** The user-editable price table (USD per million tokens), merged over the defaults. */
  prices?: () => Promise<Record<string, { input: number; output: number }>>;
}

/** `auto` uses structured output where plain instructions are unreliable (the small local model). */
export function chooseAdapter(spec: ComponentSpec, providerType: string): AdapterKind {
  if (spec.adapter === 'chat' || spec.adapter === 'json') return spec.adapter;
  return providerType === 'local' ? 'json' : 'chat';
}

export function createPredict(deps: PredictDeps) {
  return async function predict(input: PredictInput): Promise<PredictResult> {
    const ctx = Context.current();
    const attempt = ctx.info.attempt;
    const { runId, stepId, component } = input;
    const resolved = await deps.resolveProvider(component.provider);
    const model = component.model ?? resolved.defaultModel;
    if (!model) throw ApplicationFailure.nonRetryable(`component '${component.name}' names no model and provider '${resolved.name}' has no default model`, 'ConfigError');
    const signature = moduleSignature(component);
    const adapter = chooseAdapter(component, resolved.provider.type);
    const rendered = renderCall(adapter, { signature, instructions: component.instructions, demos: component.demos }, input.inputs);
    const prices = { ...(await deps.prices?.()), ...resolved.pricing };
    const stream = component.params?.stream !== false;
    // Secrets never reach a prompt, an output or a downstream step.
    let messages = redact(rendered.messages, deps.secrets.list());
    let parseError: OutputParseError | undefined;
    let usage = { inputTokens: 0, outputTokens: 0 };
    let cost = 0;
    let latencyMs = 0;

    for (let round = 0; round < 2; round++) {
      const callId = round === 0 ? input.callId : `${input.callId}#retry`;
      await deps.events.append(runId, [
        ...(input.recordStep && round === 0 ? [{ type: 'step.started' as const, key: `step:${stepId}:started`, data: { stepId, attempt } }] : []),
        { type: 'llm.request', key: `${callId}:${attempt}:request`, data: { callId, stepId, provider: resolved.name, model, adapter, messages, attempt } },
      ]);
      // A retried attempt restarts its stream: subscribers drop the partial text they had.
      if (attempt > 1) deps.bus.publish({ type: 'delta', runId, callId, text: '', reset: true });

      const deltas = redactingStream(() => deps.secrets.list());
      const publish = (text: string) => text && deps.bus.publish({ type: 'delta', runId, callId, text });
      const raw = await callProvider(resolved.provider, ctx, deps.secrets, {
        model,
        messages,
        temperature: component.params?.temperature,
        maxTokens: component.params?.maxTokens,
        jsonSchema: rendered.jsonSchema,
        onDelta: stream ? (text) => publish(deltas.push(text)) : undefined,
      });
      if (stream) publish(deltas.end());
      const result = { ...raw, text: redactText(raw.text, deps.secrets.list()) };
      const callCost = costUsd(model, result.usage, prices);
      usage = { inputTokens: usage.inputTokens + result.usage.inputTokens, outputTokens: usage.outputTokens + result.usage.outputTokens };
      cost += callCost;
      latencyMs += result.latencyMs;

      let outputs: Record<string, unknown> | undefined;
      try {
        outputs = parseReply(adapter, signature, result.text);
        parseError = undefined;
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
            data: {
              callId,
              stepId,
              text: result.text,
              ...(outputs ? { outputs } : { parseError: parseError!.message }),
              usage: result.usage,
              latencyMs: result.latencyMs,
              costUsd: callCost,
              attempt,
            },
          },
        ],
        undefined,
        { ...result.usage, costUsd: callCost },
      );
      if (outputs) return { outputs, usage, costUsd: cost, latencyMs };
      messages = retryMessages(messages, result.text, parseError!.message, adapter);
    }
    throw ApplicationFailure.nonRetryable(parseError!.message, 'OutputParseError');
  };
}
