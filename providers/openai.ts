// OpenAI (and OpenAI-compatible servers) through the official SDK; SDK retries off (Temporal retries).
import OpenAI from 'openai';
import { finishReason, isPermanentStatus, parseToolArguments, ProviderRejected, type CompletionRequest, type CompletionResult, type LlmProvider, type ProviderSettings } from './provider.js';

export function createOpenAiProvider(s: ProviderSettings): LlmProvider {
  const client = new OpenAI({ apiKey: s.apiKey ?? 'not-set', baseURL: s.baseUrl, maxRetries: 0 });
  return {
    type: 'openai',
    async complete(req: CompletionRequest): Promise<CompletionResult> {
      const started = Date.now();
      const body = {
        model: req.model,
        messages: req.messages,
        temperature: req.temperature,
        max_tokens: req.maxTokens,
        ...(req.jsonSchema ? { response_format: { type: 'json_schema' as const, json_schema: { name: 'outputs', schema: req.jsonSchema } } } : {}),
        ...(req.tools?.length
          ? { tools: req.tools.map((t) => ({ type: 'function' as const, function: { name: t.name, description: t.description, parameters: t.parameters } })), tool_choice: 'required' as const }
          : {}),
      };
      try {
        if (!req.onDelta) {
          const res = await client.chat.completions.create({ ...body, stream: false }, { signal: req.signal });
          const usage = { inputTokens: res.usage?.prompt_tokens ?? 0, outputTokens: res.usage?.completion_tokens ?? 0 };
          const toolCalls = (res.choices[0]?.message.tool_calls ?? []).flatMap((c) => (c.type === 'function' ? [{ name: c.function.name, arguments: parseToolArguments(c.function.arguments) }] : []));
          return { text: res.choices[0]?.message.content ?? '', usage, latencyMs: Date.now() - started, model: req.model, finishReason: finishReason(res.choices[0]?.finish_reason), ...(toolCalls.length ? { toolCalls } : {}) };
        }
        const stream = await client.chat.completions.create({ ...body, stream: true, stream_options: { include_usage: true } }, { signal: req.signal });
        let text = '';
        let usage = { inputTokens: 0, outputTokens: 0 };
        const calls: Array<{ name: string; args: string }> = [];
        let stop: string | null | undefined;
        for await (const chunk of stream) {
          for (const tc of chunk.choices[0]?.delta?.tool_calls ?? []) {
            const slot = (calls[tc.index] ??= { name: '', args: '' });
            slot.name += tc.function?.name ?? '';
            slot.args += tc.function?.arguments ?? '';
          }
          stop = chunk.choices[0]?.finish_reason ?? stop;
          const delta = chunk.choices[0]?.delta?.content;
          if (delta) {
            text += delta;
            req.onDelta(delta);
          }
          if (chunk.usage) usage = { inputTokens: chunk.usage.prompt_tokens, outputTokens: chunk.usage.completion_tokens };
        }
        const toolCalls = calls.filter(Boolean).map((c) => ({ name: c.name, arguments: parseToolArguments(c.args) }));
        return { text, usage, latencyMs: Date.now() - started, model: req.model, finishReason: finishReason(stop), ...(toolCalls.length ? { toolCalls } : {}) };
      } catch (err) {
        if (err instanceof OpenAI.APIError && isPermanentStatus(err.status)) throw new ProviderRejected(`openai: ${err.message}`, err.status!);
        throw err;
      }
    },
    async listModels() {
      const page = await client.models.list();
      return page.data.map((m) => m.id).sort();
    },
  };
}
