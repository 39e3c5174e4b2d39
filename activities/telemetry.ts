// GenAI spans and metrics (OpenTelemetry's GenAI semantic conventions) for model calls, tool calls,
// eval scores and run outcomes. Through the OpenTelemetry API only: no-ops when telemetry is off.
import {
  context,
  metrics,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Counter,
  type Histogram,
  type MeterProvider,
  type Span,
} from '@opentelemetry/api';
import {
  ATTR_GEN_AI_EVALUATION_NAME,
  ATTR_GEN_AI_EVALUATION_SCORE_VALUE,
  ATTR_GEN_AI_INPUT_MESSAGES,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_OUTPUT_MESSAGES,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MAX_TOKENS,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_REQUEST_TEMPERATURE,
  ATTR_GEN_AI_RESPONSE_FINISH_REASONS,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_TOKEN_TYPE,
  ATTR_GEN_AI_TOOL_CALL_ID,
  ATTR_GEN_AI_TOOL_NAME,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
} from '@opentelemetry/semantic-conventions/incubating';
import type { ChatMessage, Usage } from '../core/messages.js';

/** What the activities need to know of telemetry. */
export interface ActivityTelemetry {
  /** Prompts and replies on model-call spans (already redacted). */
  captureContent: boolean;
}

/** Where activities say what they did (pino in the backend and workers). */
export interface ActivityLog {
  info(fields: Record<string, unknown>, message: string): void;
}

const tracer = () => trace.getTracer('vloop-harness');

/** GenAI's provider names for ours (the embedded model is llama.cpp underneath). */
const PROVIDER_NAMES: Record<string, string> = {
  openai: 'openai',
  anthropic: 'anthropic',
  ollama: 'ollama',
  local: 'llama_cpp',
};

// The metrics API's global is not a proxy: instruments come from whichever provider is in force.
let instruments: { provider: MeterProvider; tokens: Histogram; duration: Histogram; runs: Counter } | undefined;
function meters() {
  const provider = metrics.getMeterProvider();
  if (instruments?.provider !== provider) {
    const meter = provider.getMeter('vloop-harness');
    instruments = {
      provider,
      tokens: meter.createHistogram('gen_ai.client.token.usage', {
        unit: '{token}',
        description: 'Measures number of input and output tokens used',
      }),
      duration: meter.createHistogram('gen_ai.client.operation.duration', {
        unit: 's',
        description: 'GenAI operation duration',
      }),
      runs: meter.createCounter('vloop.runs', { unit: '{run}', description: 'Runs that ended, by kind and status' }),
    };
  }
  return instruments;
}

export interface ChatCall {
  providerType: string;
  model: string;
  temperature?: number | undefined;
  maxTokens?: number | undefined;
  runId: string;
  stepId?: string | undefined;
  callId: string;
  attempt: number;
  messages: ChatMessage[];
}

const asMessages = (messages: ChatMessage[]) =>
  JSON.stringify(messages.map((m) => ({ role: m.role, parts: [{ type: 'text', content: m.content }] })));

/**
 * A model call as a `chat {model}` client span, the caller's function running inside it.
 * @example const res = await chatSpan(call, telemetry, (span) => provider.complete(...), (res) => ({ ... }));
 */
export async function chatSpan<
  T extends { usage: Usage; model: string; finishReason?: string | undefined; text: string },
>(call: ChatCall, t: ActivityTelemetry | undefined, fn: () => Promise<T>): Promise<T> {
  const provider = PROVIDER_NAMES[call.providerType] ?? call.providerType;
  const base: Attributes = {
    [ATTR_GEN_AI_OPERATION_NAME]: 'chat',
    [ATTR_GEN_AI_PROVIDER_NAME]: provider,
    [ATTR_GEN_AI_REQUEST_MODEL]: call.model,
  };
  const span = tracer().startSpan(`chat ${call.model}`, {
    kind: SpanKind.CLIENT,
    attributes: {
      ...base,
      ...(call.temperature !== undefined ? { [ATTR_GEN_AI_REQUEST_TEMPERATURE]: call.temperature } : {}),
      ...(call.maxTokens !== undefined ? { [ATTR_GEN_AI_REQUEST_MAX_TOKENS]: call.maxTokens } : {}),
      'vloop.run.id': call.runId,
      ...(call.stepId ? { 'vloop.step.id': call.stepId } : {}),
      'vloop.call.id': call.callId,
      'vloop.attempt': call.attempt,
      ...(t?.captureContent ? { [ATTR_GEN_AI_INPUT_MESSAGES]: asMessages(call.messages) } : {}),
    },
  });
  const started = performance.now();
  const seconds = () => (performance.now() - started) / 1000;
  try {
    const res = await context.with(trace.setSpan(context.active(), span), fn);
    span.setAttributes({
      [ATTR_GEN_AI_RESPONSE_MODEL]: res.model,
      [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: res.usage.inputTokens,
      [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: res.usage.outputTokens,
      ...(res.finishReason ? { [ATTR_GEN_AI_RESPONSE_FINISH_REASONS]: [res.finishReason] } : {}),
      ...(t?.captureContent
        ? { [ATTR_GEN_AI_OUTPUT_MESSAGES]: asMessages([{ role: 'assistant', content: res.text }]) }
        : {}),
    });
    const m = meters();
    const attrs = { ...base, [ATTR_GEN_AI_RESPONSE_MODEL]: res.model };
    m.tokens.record(res.usage.inputTokens, { ...attrs, [ATTR_GEN_AI_TOKEN_TYPE]: 'input' });
    m.tokens.record(res.usage.outputTokens, { ...attrs, [ATTR_GEN_AI_TOKEN_TYPE]: 'output' });
    m.duration.record(seconds(), attrs);
    return res;
  } catch (err) {
    const type = (err as { type?: string }).type ?? (err as Error).name ?? 'Error';
    span.setAttribute('error.type', type);
    span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
    meters().duration.record(seconds(), { ...base, 'error.type': type });
    throw err;
  } finally {
    span.end();
  }
}

/** A tool call as an `execute_tool {name}` span, with the policy's decision. */
export async function toolSpan<T>(
  call: { tool: string; callId: string; runId: string; decision: string; rule: string },
  fn: () => Promise<T>,
): Promise<T> {
  return tracer().startActiveSpan(
    `execute_tool ${call.tool}`,
    {
      kind: SpanKind.INTERNAL,
      attributes: {
        [ATTR_GEN_AI_OPERATION_NAME]: 'execute_tool',
        [ATTR_GEN_AI_TOOL_NAME]: call.tool,
        [ATTR_GEN_AI_TOOL_CALL_ID]: call.callId,
        'vloop.run.id': call.runId,
        'vloop.policy.decision': call.decision,
        'vloop.policy.rule': call.rule,
      },
    },
    async (span) => {
      try {
        return await fn();
      } catch (err) {
        span.setAttribute('error.type', (err as Error).name || 'Error');
        span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
        throw err;
      } finally {
        span.end();
      }
    },
  );
}

/** An eval score as a gen_ai.evaluation.result event on the span in force (the scoring activity's). */
export function recordEvaluation(scores: Record<string, number>, o: { runId: string; exampleId: string }): void {
  const span: Span | undefined = trace.getActiveSpan();
  for (const [name, score] of Object.entries(scores))
    span?.addEvent('gen_ai.evaluation.result', {
      [ATTR_GEN_AI_EVALUATION_NAME]: name,
      [ATTR_GEN_AI_EVALUATION_SCORE_VALUE]: score,
      'vloop.run.id': o.runId,
      'vloop.example.id': o.exampleId,
    });
}

/** A run that ended, counted by kind and status. */
export function countRun(kind: string, status: string): void {
  meters().runs.add(1, { 'vloop.run.kind': kind, 'vloop.run.status': status });
}
