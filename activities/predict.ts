// One Predict call as one activity: render, call the model through the one model-call path, parse.
// A reply that does not parse gets one retry that shows the model its error, then a typed failure.
import { ApplicationFailure } from '@temporalio/activity';
import { Context } from '@temporalio/activity';
import { OutputParseError, parseReply, renderCall, retryMessages, type AdapterKind } from '../core/adapters.js';
import { stepCached, stepStarted, type NewRunEvent } from '../core/run-story/events.js';
import type { Usage } from '../core/messages.js';
import { moduleSignature } from '../core/modules.js';
import { retryCallId } from '../core/run-story/ids.js';
import type { ComponentSpec } from '../core/specs.js';
import type { EventWriter } from '../db/event-writer.js';
import type { Store } from '../db/knex.js';
import type { RunPatch } from '../db/repositories/runs.js';
import { findCachedStep, putCachedStep } from '../db/repositories/step-cache.js';
import type { CallModel } from './llm/model-call.js';
import type { ResolvedProvider } from '../providers/registry.js';
import { stepCacheKey } from './step-cache.js';

export interface PredictInput {
  runId: string;
  stepId: string;
  callId: string;
  component: ComponentSpec;
  inputs: Record<string, unknown>;
  /** This call is the whole step: record step.started with its llm.request (saves a round trip). */
  recordStep?: boolean;
  /** Events the workflow decided before this call (the step that made it ready completed): appended first, in the same write. */
  carried?: NewRunEvent[];
  /** The status move that goes with `carried` (the run's start). */
  carriedPatch?: RunPatch;
  /** Look for a completed call with the same key first (the step cache); `componentRef` is part of the key. */
  cache?: 'reuse';
  componentRef?: string;
}

export interface PredictResult {
  outputs: Record<string, unknown>;
  usage: Usage;
  costUsd: number;
  latencyMs: number;
  /** A cache hit: where the outputs came from (no model was called). */
  cached?: { runId: string; stepId: string; callId: string };
}

/** `auto` uses structured output where plain instructions are unreliable (the small local model). */
export function chooseAdapter(spec: ComponentSpec, providerType: string): AdapterKind {
  if (spec.adapter === 'chat' || spec.adapter === 'json') return spec.adapter;
  return providerType === 'local' ? 'json' : 'chat';
}

export function createPredict(deps: { store: Store; events: EventWriter; callModel: CallModel; resolveProvider: (name: string) => Promise<ResolvedProvider> }) {
  return async function predict(input: PredictInput): Promise<PredictResult> {
    const attempt = Context.current().info.attempt;
    const { runId, stepId, component } = input;
    const before: NewRunEvent[] = [...(input.carried ?? []), ...(input.recordStep ? [stepStarted({ stepId, attempt })] : [])];
    const resolved = await deps.resolveProvider(component.provider).catch((err: Error) => {
      throw ApplicationFailure.nonRetryable(`provider '${component.provider}' cannot be used: ${err.message}`, 'ConfigError');
    });
    const signature = moduleSignature(component);
    const adapter = chooseAdapter(component, resolved.provider.type);
    // Every call that produced outputs is remembered; only runs that opt in look first.
    const key = stepCacheKey({ ref: input.componentRef ?? '', spec: component, model: component.model ?? resolved.defaultModel ?? undefined, adapter, inputs: input.inputs });
    if (input.cache === 'reuse' && input.componentRef) {
      const hit = await findCachedStep(deps.store, key);
      if (hit) {
        const source = { runId: hit.runId, stepId: hit.stepId, callId: hit.callId };
        await deps.events.append(runId, [
          ...before,
          stepCached({ stepId, callId: input.callId, source, cached: true }),
        ], input.carriedPatch);
        return { outputs: hit.outputs, usage: { inputTokens: 0, outputTokens: 0 }, costUsd: 0, latencyMs: 0, cached: source };
      }
    }
    const remember = (outputs: Record<string, unknown>) => (input.componentRef ? putCachedStep(deps.store, key, { runId, stepId, callId: input.callId, outputs }) : Promise.resolve());
    const rendered = renderCall(adapter, { signature, instructions: component.instructions, demos: component.demos }, input.inputs);
    let messages = rendered.messages;
    let parseError = '';
    const usage = { inputTokens: 0, outputTokens: 0 };
    let cost = 0;
    let latencyMs = 0;

    for (let round = 0; round < 2; round++) {
      let outputs: Record<string, unknown> | undefined;
      const r = await deps.callModel(
        {
          runId,
          callId: round === 0 ? input.callId : retryCallId(input.callId),
          stepId,
          provider: component.provider,
          model: component.model,
          messages,
          adapter,
          temperature: component.params?.temperature,
          maxTokens: component.params?.maxTokens,
          jsonSchema: rendered.jsonSchema,
          stream: component.params?.stream !== false,
          before: round === 0 && before.length ? before : undefined,
          beforePatch: round === 0 ? input.carriedPatch : undefined,
        },
        (res) => {
          try {
            outputs = parseReply(adapter, signature, res.text);
            return { outputs };
          } catch (err) {
            if (!(err instanceof OutputParseError)) throw err;
            return { parseError: err.message };
          }
        },
      );
      usage.inputTokens += r.usage.inputTokens;
      usage.outputTokens += r.usage.outputTokens;
      cost += r.costUsd;
      latencyMs += r.latencyMs;
      if (outputs) {
        await remember(outputs);
        return { outputs, usage, costUsd: cost, latencyMs };
      }
      parseError = r.interpretation.parseError ?? 'the reply could not be parsed';
      // A reply cut off by the token limit would be cut off again: say so instead of asking twice.
      if (r.finishReason === 'length') break;
      messages = retryMessages(messages, r.text, parseError, adapter);
    }
    throw ApplicationFailure.nonRetryable(parseError, 'OutputParseError');
  };
}
