// Anthropic Messages API through the official SDK; structured output is a forced tool call.
import Anthropic from '@anthropic-ai/sdk';
import {
  finishReason,
  isPermanentStatus,
  ProviderRejected,
  type CompletionRequest,
  type CompletionResult,
  type LlmProvider,
  type ProviderSettings,
} from './provider.js';

const OUTPUT_TOOL = 'outputs';
type Body = Anthropic.MessageCreateParamsNonStreaming;

/** Structured output as a forced call of the `outputs` tool; native tools with any one of them required. */
function toolOptions(req: CompletionRequest): Pick<Body, 'tools' | 'tool_choice'> {
  if (req.jsonSchema) {
    return {
      tools: [
        {
          name: OUTPUT_TOOL,
          description: 'Report the output fields.',
          input_schema: req.jsonSchema as Anthropic.Tool.InputSchema,
        },
      ],
      tool_choice: { type: 'tool', name: OUTPUT_TOOL },
    };
  }
  if (!req.tools?.length) return {};
  return {
    tools: req.tools.map((t) => ({
      name: t.name,
      description: t.description,
      input_schema: t.parameters as Anthropic.Tool.InputSchema,
    })),
    tool_choice: { type: 'any' },
  };
}

/** System messages go apart (Anthropic takes one system text); the rest keep their order. */
function requestBody(req: CompletionRequest): Body {
  const system = req.messages
    .filter((m) => m.role === 'system')
    .map((m) => m.content)
    .join('\n\n');
  const messages = req.messages
    .filter((m) => m.role !== 'system')
    .map((m) => ({ role: m.role as 'user' | 'assistant', content: m.content }));
  return {
    model: req.model,
    max_tokens: req.maxTokens ?? 1024,
    ...(system ? { system } : {}),
    ...(req.temperature !== undefined ? { temperature: req.temperature } : {}),
    ...toolOptions(req),
    messages,
  };
}

/** Streamed when the caller wants deltas (text and tool input as they come), else one request. */
async function send(client: Anthropic, body: Body, req: CompletionRequest): Promise<Anthropic.Message> {
  if (!req.onDelta) return client.messages.create({ ...body, stream: false }, { signal: req.signal });
  const stream = client.messages.stream(body, { signal: req.signal });
  stream.on('text', (delta) => req.onDelta?.(delta));
  stream.on('inputJson', (delta) => req.onDelta?.(delta));
  return stream.finalMessage();
}

/** With native tools: the text and every call; otherwise the forced output call's input as JSON, or the text. */
function resultOf(final: Anthropic.Message, req: CompletionRequest, started: number): CompletionResult {
  const toolUses = final.content.filter((b) => b.type === 'tool_use');
  const allText = () => final.content.map((b) => (b.type === 'text' ? b.text : '')).join('');
  const common = {
    usage: { inputTokens: final.usage.input_tokens, outputTokens: final.usage.output_tokens },
    latencyMs: Date.now() - started,
    model: req.model,
    finishReason: finishReason(final.stop_reason),
  };
  if (req.tools?.length)
    return {
      text: allText(),
      toolCalls: toolUses.map((b) => ({ name: b.name, arguments: b.input as Record<string, unknown> })),
      ...common,
    };
  const toolUse = toolUses[0];
  return { text: toolUse ? JSON.stringify(toolUse.input) : allText(), ...common };
}

export function createAnthropicProvider(s: ProviderSettings): LlmProvider {
  const client = new Anthropic({ apiKey: s.apiKey ?? 'not-set', baseURL: s.baseUrl, maxRetries: 0 });
  return {
    type: 'anthropic',
    async complete(req: CompletionRequest): Promise<CompletionResult> {
      const started = Date.now();
      try {
        return resultOf(await send(client, requestBody(req), req), req, started);
      } catch (err) {
        if (err instanceof Anthropic.APIError && isPermanentStatus(err.status))
          throw new ProviderRejected(`anthropic: ${err.message}`, err.status!);
        throw err;
      }
    },
    async listModels() {
      const page = await client.models.list();
      return page.data.map((m) => m.id).sort();
    },
  };
}
