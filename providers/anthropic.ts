// Anthropic Messages API through the official SDK; structured output is a forced tool call.
import Anthropic from '@anthropic-ai/sdk';
import { finishReason, isPermanentStatus, ProviderRejected, type CompletionRequest, type CompletionResult, type LlmProvider, type ProviderSettings } from './provider.js';

const OUTPUT_TOOL = 'outputs';

export function createAnthropicProvider(s: ProviderSettings): LlmProvider {
  const client = new Anthropic({ apiKey: s.apiKey ?? 'not-set', baseURL: s.baseUrl, maxRetries: 0 });
  return {
    type: 'anthropic',
    async complete(req: CompletionRequest): Promise<CompletionResult> {
      const started = Date.now();
      const system = req.messages.filter((m) => m.role === 'system').map((m) => m.content).join('\n\n');
      const messages = req.messages.filter((m) => m.role !== 'system').map((m) => ({ role: m.role as 'user' | 'assistant', content: m.content }));
      const body = {
        model: req.model,
        max_tokens: req.maxTokens ?? 1024,
        ...(system ? { system } : {}),
        ...(req.temperature !== undefined ? { temperature: req.temperature } : {}),
        ...(req.jsonSchema
          ? {
              tools: [{ name: OUTPUT_TOOL, description: 'Report the output fields.', input_schema: req.jsonSchema as Anthropic.Tool.InputSchema }],
              tool_choice: { type: 'tool' as const, name: OUTPUT_TOOL },
            }
          : req.tools?.length
            ? {
                tools: req.tools.map((t) => ({ name: t.name, description: t.description, input_schema: t.parameters as Anthropic.Tool.InputSchema })),
                tool_choice: { type: 'any' as const },
              }
            : {}),
        messages,
      };
      try {
        let final: Anthropic.Message;
        if (req.onDelta) {
          const stream = client.messages.stream(body, { signal: req.signal });
          stream.on('text', (delta) => req.onDelta?.(delta));
          stream.on('inputJson', (delta) => req.onDelta?.(delta));
          final = await stream.finalMessage();
        } else {
          final = await client.messages.create({ ...body, stream: false }, { signal: req.signal });
        }
        const toolUses = final.content.filter((b) => b.type === 'tool_use');
        if (req.tools?.length) {
          const text = final.content.map((b) => (b.type === 'text' ? b.text : '')).join('');
          return {
            text,
            toolCalls: toolUses.map((b) => ({ name: b.name, arguments: b.input as Record<string, unknown> })),
            usage: { inputTokens: final.usage.input_tokens, outputTokens: final.usage.output_tokens },
            latencyMs: Date.now() - started,
            model: req.model,
            finishReason: finishReason(final.stop_reason),
          };
        }
        const toolUse = toolUses[0];
        const text = toolUse ? JSON.stringify(toolUse.input) : final.content.map((b) => (b.type === 'text' ? b.text : '')).join('');
        return {
          text,
          usage: { inputTokens: final.usage.input_tokens, outputTokens: final.usage.output_tokens },
          latencyMs: Date.now() - started,
          model: req.model,
          finishReason: finishReason(final.stop_reason),
        };
      } catch (err) {
        if (err instanceof Anthropic.APIError && isPermanentStatus(err.status)) throw new ProviderRejected(`anthropic: ${err.message}`, err.status!);
        throw err;
      }
    },
    async listModels() {
      const page = await client.models.list();
      return page.data.map((m) => m.id).sort();
    },
  };
}
