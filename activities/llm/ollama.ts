// Ollama's native /api/chat through the official client; structured output via `format` (a JSON schema).
import { Ollama } from 'ollama';
import { isPermanentStatus, ProviderRejected, type CompletionRequest, type CompletionResult, type LlmProvider, type ProviderSettings } from './provider.js';

export function createOllamaProvider(s: ProviderSettings): LlmProvider {
  const host = s.baseUrl ?? process.env.OLLAMA_BASE_URL ?? 'http://127.0.0.1:11434';
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
        options: { ...(req.temperature !== undefined ? { temperature: req.temperature } : {}), ...(req.maxTokens ? { num_predict: req.maxTokens } : {}) },
      };
      try {
        if (!req.onDelta) {
          const res = await client.chat({ ...body, stream: false });
          return { text: res.message.content, usage: { inputTokens: res.prompt_eval_count ?? 0, outputTokens: res.eval_count ?? 0 }, latencyMs: Date.now() - started, model: req.model };
        }
        const stream = await client.chat({ ...body, stream: true });
        let text = '';
        let usage = { inputTokens: 0, outputTokens: 0 };
        for await (const part of stream) {
          if (part.message?.content) {
            text += part.message.content;
            req.onDelta(part.message.content);
          }
          if (part.done) usage = { inputTokens: part.prompt_eval_count ?? 0, outputTokens: part.eval_count ?? 0 };
        }
        return { text, usage, latencyMs: Date.now() - started, model: req.model };
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
