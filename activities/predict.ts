// One Predict call as one activity: render, call the model through the one model-call path, parse.
// A reply that does not parse gets one retry that shows the model its error, then a typed failure.
import { ApplicationFailure } from '@temporalio/activity';
import { Context } from '@temporalio/activity';
import { OutputParseError, parseReply, renderCall, retryMessages, type AdapterKind } from '../core/adapters.js';
import { carriedOf, followedBy, type Carried, type CarriedInput } from '../core/run-story/carry.js';
import { stepCached, stepStarted } from '../core/run-story/events.js';
import type { ChatMessage, Usage } from '../core/messages.js';
import { moduleSignature } from '../core/modules.js';
import { retryCallId } from '../core/run-story/ids.js';
import type { ComponentSpec } from '../core/specs.js';
import type { EventWriter } from '../db/event-writer.js';
import type { Store } from '../db/knex.js';
import { findCachedStep, putCachedStep } from '../db/repositories/step-cache.js';
import type { CallModel, ModelCallResult } from './llm/model-call.js';
import type { ResolvedProvider } from '../providers/registry.js';
import { stepCacheKey } from './step-cache.js';

/** `carried`: what the workflow decided before this call (the run's start, the completion that made the step ready), written first. */
export interface PredictInput extends CarriedInput {
  runId: string;
  stepId: string;
  callId: string;
  component: ComponentSpec;
  inputs: Record<string, unknown>;
  /** This call is the whole step: record step.started with its llm.request (saves a round trip). */
  recordStep?: boolean;
  /** Look for a completed call with the same key first (the step cache); `componentRef` is part of the key. */
  cache?: 'reuse';
  componentRef?: string;
  /** An eval's repeat N > 0 of an example: its own sample, so the step cache keeps one answer per repeat. */
  sample?: number;
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
  if (spec.adapter !== 'auto') return spec.adapter;
  return providerType === 'local' ? 'json' : 'chat';
}

type PredictDeps = {
  store: Store;
  events: EventWriter;
  callModel: CallModel;
  resolveProvider: (name: string) => Promise<ResolvedProvider>;
};

/** One call of a component: how it is asked, its step-cache key, and what is written before it. */
interface PredictCall {
  input: PredictInput;
  signature: ReturnType<typeof moduleSignature>;
  adapter: AdapterKind;
  key: string;
  /** What the workflow carried, then step.started when this call is the whole step: in the same write as the call's first event. */
  first: Carried;
}

async function prepare(deps: PredictDeps, input: PredictInput): Promise<PredictCall> {
  const attempt = Context.current().info.attempt;
  const { stepId, component } = input;
  const first = followedBy(carriedOf(input), input.recordStep ? [stepStarted({ stepId, attempt })] : []);
  const resolved = await deps.resolveProvider(component.provider).catch((err: Error) => {
    throw ApplicationFailure.nonRetryable(
      `provider '${component.provider}' cannot be used: ${err.message}`,
      'ConfigError',
    );
  });
  const adapter = chooseAdapter(component, resolved.provider.type);
  if (adapter === 'text' && component.template === undefined)
    throw ApplicationFailure.nonRetryable(
      `component '${component.name}' has adapter 'text' but no template`,
      'ConfigError',
    );
  // Every call that produced outputs is remembered; only runs that opt in look first.
  const key = stepCacheKey({
    ref: input.componentRef ?? '',
    spec: component,
    model: component.model ?? resolved.defaultModel ?? undefined,
    adapter,
    inputs: input.inputs,
    ...(input.sample ? { sample: input.sample } : {}),
  });
  return { input, signature: moduleSignature(component), adapter, key, first };
}

/** A completed call with the same key, when the run opts in: recorded as reused, no model called. */
async function fromCache(deps: PredictDeps, call: PredictCall): Promise<PredictResult | undefined> {
  const { input } = call;
  if (input.cache !== 'reuse' || !input.componentRef) return undefined;
  const hit = await findCachedStep(deps.store, call.key);
  if (!hit) return undefined;
  const source = { runId: hit.runId, stepId: hit.stepId, callId: hit.callId };
  const write = followedBy(call.first, [
    stepCached({ stepId: input.stepId, callId: input.callId, source, cached: true }),
  ]);
  await deps.events.append(input.runId, write.events, write.patch);
  return { outputs: hit.outputs, usage: { inputTokens: 0, outputTokens: 0 }, costUsd: 0, latencyMs: 0, cached: source };
}

/** One round of asking the model (the second shows it the first's parse error): its reply and the outputs parsed from it. */
async function ask(
  deps: PredictDeps,
  call: PredictCall,
  round: number,
  rendered: { messages: ChatMessage[]; jsonSchema?: Record<string, unknown> | undefined },
) {
  const { input, adapter, signature } = call;
  const component = input.component;
  let outputs: Record<string, unknown> | undefined;
  const request = {
    runId: input.runId,
    callId: round === 0 ? input.callId : retryCallId(input.callId),
    stepId: input.stepId,
    provider: component.provider,
    model: component.model,
    messages: rendered.messages,
    adapter,
    temperature: component.params?.temperature,
    maxTokens: component.params?.maxTokens,
    jsonSchema: rendered.jsonSchema,
    stream: component.params?.stream !== false,
    first: round === 0 ? call.first : undefined,
  };
  const r = await deps.callModel(request, (res) => {
    try {
      outputs = parseReply(adapter, signature, res.text);
      return { outputs };
    } catch (err) {
      if (!(err instanceof OutputParseError)) throw err;
      return { parseError: err.message };
    }
  });
  return { r, outputs };
}

type Totals = Omit<PredictResult, 'outputs' | 'cached'>;

function addUp(totals: Totals, r: ModelCallResult): void {
  totals.usage.inputTokens += r.usage.inputTokens;
  totals.usage.outputTokens += r.usage.outputTokens;
  totals.costUsd += r.costUsd;
  totals.latencyMs += r.latencyMs;
}

/** Ask the model, and once more showing it its parse error; outputs (remembered in the step cache), or a typed failure. */
async function askModel(deps: PredictDeps, call: PredictCall): Promise<PredictResult> {
  const { input, adapter } = call;
  const rendered = renderCall(
    adapter,
    {
      signature: call.signature,
      instructions: input.component.instructions,
      demos: input.component.demos,
      template: input.component.template,
    },
    input.inputs,
  );
  let messages = rendered.messages;
  let parseError = '';
  const totals: Totals = { usage: { inputTokens: 0, outputTokens: 0 }, costUsd: 0, latencyMs: 0 };
  for (let round = 0; round < 2; round++) {
    const { r, outputs } = await ask(deps, call, round, { messages, jsonSchema: rendered.jsonSchema });
    addUp(totals, r);
    if (outputs) {
      if (input.componentRef)
        await putCachedStep(deps.store, call.key, {
          runId: input.runId,
          stepId: input.stepId,
          callId: input.callId,
          outputs,
        });
      return { outputs, ...totals };
    }
    parseError = r.interpretation.parseError ?? 'the reply could not be parsed';
    // A reply cut off by the token limit would be cut off again: say so instead of asking twice.
    if (r.finishReason === 'length') break;
    messages = retryMessages(messages, r.text, parseError, adapter);
  }
  throw ApplicationFailure.nonRetryable(parseError, 'OutputParseError');
}

export function createPredict(deps: PredictDeps) {
  return async function predict(input: PredictInput): Promise<PredictResult> {
    const call = await prepare(deps, input);
    return (await fromCache(deps, call)) ?? askModel(deps, call);
  };
}
