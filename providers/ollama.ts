// Ollama's native /api/chat through the official client; structured output via `format` (a JSON schema).
import { Ollama } from 'ollama';
import { finishReason, isPermanentStatus, parseToolArguments, ProviderRejected, type CompletionRequest, type CompletionResult, type LlmProvider, type ProviderSettings } from './provider.js';

export const DEFAULT_OLLAMA_URL = 'http://127.0.0.1:11434';

export function createOllamaProvider(s: ProviderSettings): LlmProvider {
  const host = s.baseUrl ?? DEFAULT_OLLAMA_URL;
  return {
    type: 'ollama',
    async complete(req: CompletionRequest): Promise<CompletionResult> {
      const started = Date.now();
      // One client per call: Ollama's abort() stops every stream of a client.
      const client = new Ollama({ host });
      const onAbort = () => client.abort();
      req.signal?.addEventListener('abort', onAbort, { once: true });
      const body = {
        model: req.model,
        messages: req.messages,
        ...(req.jsonSchema ? { format: req.jsonSchema } : {}),
        ...(req.tools?.length ? { tools: req.tools.map((t) => ({ type: 'function', function: { name: t.name, description: t.description, parameters: t.parameters } })) } : {}),
        options: { ...(req.temperature !== undefined ? { temperature: req.temperature } : {}), ...(req.maxTokens ? { num_predict: req.maxTokens } : {}) },
      };
      try {
        if (!req.onDelta) {
          const res = await client.chat({ ...body, stream: false } as Parameters<Ollama['chat']>[0] & { stream: false });
          const toolCalls = (res.message.tool_calls ?? []).map((c) => ({ name: c.function.name, arguments: parseToolArguments(c.function.arguments) }));
          return { text: res.message.content, usage: { inputTokens: res.prompt_eval_count ?? 0, outputTokens: res.eval_count ?? 0 }, latencyMs: Date.now() - started, model: req.model, finishReason: finishReason(res.done_reason), ...(toolCalls.length ? { toolCalls } : {}) };
        }
        const stream = await client.chat({ ...body, stream: true } as Parameters<Ollama['chat']>[0] & { stream: true });
        const toolCalls: Array<{ name: string; arguments: Record<string, unknown> }> = [];
        let text = '';
        let usage = { inputTokens: 0, outputTokens: 0 };
        let stop: string | undefined;
        for await (const part of stream) {
          if (part.message?.content) {
            text += part.message.content;
            req.onDelta(part.message.content);
          }
          for (const c of part.message?.tool_calls ?? []) toolCalls.push({ name: c.function.name, arguments: parseToolArguments(c.function.arguments) });
          if (part.done) {
            usage = { inputTokens: part.prompt_eval_count ?? 0, outputTokens: part.eval_count ?? 0 };
            stop = part.done_reason;
          }
        }
        return { text, usage, latencyMs: Date.now() - started, model: req.model, finishReason: finishReason(stop), ...(toolCalls.length ? { toolCalls } : {}) };
      } catch (err) {
        const status = (err as { status_code?: number }).status_code;
        if (isPermanentStatus(status)) throw new ProviderRejected(`ollama: ${(err as Error).message}`, status!);
        throw err;
      } finally {
        req.signal?.removeEventListener('abort', onAbort);
      }
    },
    async listModels() {
      const { models } = await new Ollama({ host }).list();
      return models.map((m) => m.name).sort();
    },
  };
}
