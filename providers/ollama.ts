// Ollama's native /api/chat through the official client; structured output via `format` (a JSON schema).
import { Ollama, type ChatResponse } from 'ollama';
import {
  finishReason,
  isPermanentStatus,
  parseToolArguments,
  ProviderRejected,
  type CompletionRequest,
  type CompletionResult,
  type LlmProvider,
  type ProviderSettings,
} from './provider.js';

export const DEFAULT_OLLAMA_URL = 'http://127.0.0.1:11434';

type ChatRequest = Parameters<Ollama['chat']>[0];

function requestBody(req: CompletionRequest) {
  return {
    model: req.model,
    messages: req.messages,
    ...(req.jsonSchema ? { format: req.jsonSchema } : {}),
    ...(req.tools?.length
      ? {
          tools: req.tools.map((t) => ({
            type: 'function',
            function: { name: t.name, description: t.description, parameters: t.parameters },
          })),
        }
      : {}),
    options: {
      ...(req.temperature !== undefined ? { temperature: req.temperature } : {}),
      ...(req.maxTokens ? { num_predict: req.maxTokens } : {}),
    },
  };
}

const toolCallsOf = (res: Pick<ChatResponse, 'message'>) =>
  (res.message?.tool_calls ?? []).map((c) => ({
    name: c.function.name,
    arguments: parseToolArguments(c.function.arguments),
  }));

async function completeOnce(client: Ollama, req: CompletionRequest, started: number): Promise<CompletionResult> {
  const res = await client.chat({ ...requestBody(req), stream: false } as ChatRequest & { stream: false });
  const toolCalls = toolCallsOf(res);
  return {
    text: res.message.content,
    usage: { inputTokens: res.prompt_eval_count ?? 0, outputTokens: res.eval_count ?? 0 },
    latencyMs: Date.now() - started,
    model: req.model,
    finishReason: finishReason(res.done_reason),
    ...(toolCalls.length ? { toolCalls } : {}),
  };
}

/** Text passed on as it comes, tool calls gathered from every part, usage and the stop reason from the last. */
async function completeStreamed(
  client: Ollama,
  req: CompletionRequest,
  onDelta: (text: string) => void,
  started: number,
): Promise<CompletionResult> {
  const stream = await client.chat({ ...requestBody(req), stream: true } as ChatRequest & { stream: true });
  const toolCalls: Array<{ name: string; arguments: Record<string, unknown> }> = [];
  let text = '';
  let last: ChatResponse | undefined;
  for await (const part of stream) {
    if (part.message?.content) {
      text += part.message.content;
      onDelta(part.message.content);
    }
    toolCalls.push(...toolCallsOf(part));
    if (part.done) last = part;
  }
  const usage = { inputTokens: last?.prompt_eval_count ?? 0, outputTokens: last?.eval_count ?? 0 };
  return {
    text,
    usage,
    latencyMs: Date.now() - started,
    model: req.model,
    finishReason: finishReason(last?.done_reason),
    ...(toolCalls.length ? { toolCalls } : {}),
  };
}

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
      try {
        return await (req.onDelta
          ? completeStreamed(client, req, req.onDelta, started)
          : completeOnce(client, req, started));
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
    async embed(texts, model) {
      return (await new Ollama({ host }).embed({ model, input: texts })).embeddings;
    },
  };
}
