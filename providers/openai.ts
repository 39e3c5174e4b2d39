// OpenAI (and OpenAI-compatible servers) through the official SDK; SDK retries off (Temporal retries).
import OpenAI from 'openai';
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

type Chunk = OpenAI.Chat.Completions.ChatCompletionChunk;

function requestBody(req: CompletionRequest) {
  return {
    model: req.model,
    messages: req.messages,
    temperature: req.temperature,
    max_tokens: req.maxTokens,
    ...(req.jsonSchema
      ? { response_format: { type: 'json_schema' as const, json_schema: { name: 'outputs', schema: req.jsonSchema } } }
      : {}),
    ...(req.tools?.length
      ? {
          tools: req.tools.map((t) => ({
            type: 'function' as const,
            function: { name: t.name, description: t.description, parameters: t.parameters },
          })),
          tool_choice: 'required' as const,
        }
      : {}),
  };
}

/** One plain request: the reply, its usage and its function calls. */
async function completeOnce(client: OpenAI, req: CompletionRequest, started: number): Promise<CompletionResult> {
  const res = await client.chat.completions.create({ ...requestBody(req), stream: false }, { signal: req.signal });
  const usage = { inputTokens: res.usage?.prompt_tokens ?? 0, outputTokens: res.usage?.completion_tokens ?? 0 };
  const toolCalls = (res.choices[0]?.message.tool_calls ?? []).flatMap((c) =>
    c.type === 'function' ? [{ name: c.function.name, arguments: parseToolArguments(c.function.arguments) }] : [],
  );
  return {
    text: res.choices[0]?.message.content ?? '',
    usage,
    latencyMs: Date.now() - started,
    model: req.model,
    finishReason: finishReason(res.choices[0]?.finish_reason),
    ...(toolCalls.length ? { toolCalls } : {}),
  };
}

/** A streamed reply as its chunks build it: text (each piece passed on), tool calls by index, usage at the end. */
class StreamedReply {
  text = '';
  usage = { inputTokens: 0, outputTokens: 0 };
  stop: string | null | undefined;
  private readonly calls: Array<{ name: string; args: string }> = [];

  add(chunk: Chunk, onDelta: (text: string) => void): void {
    for (const tc of chunk.choices[0]?.delta?.tool_calls ?? []) {
      const slot = (this.calls[tc.index] ??= { name: '', args: '' });
      slot.name += tc.function?.name ?? '';
      slot.args += tc.function?.arguments ?? '';
    }
    this.stop = chunk.choices[0]?.finish_reason ?? this.stop;
    const delta = chunk.choices[0]?.delta?.content;
    if (delta) {
      this.text += delta;
      onDelta(delta);
    }
    if (chunk.usage)
      this.usage = { inputTokens: chunk.usage.prompt_tokens, outputTokens: chunk.usage.completion_tokens };
  }

  toolCalls() {
    return this.calls.filter(Boolean).map((c) => ({ name: c.name, arguments: parseToolArguments(c.args) }));
  }
}

async function completeStreamed(
  client: OpenAI,
  req: CompletionRequest,
  onDelta: (text: string) => void,
  started: number,
): Promise<CompletionResult> {
  const stream = await client.chat.completions.create(
    { ...requestBody(req), stream: true, stream_options: { include_usage: true } },
    { signal: req.signal },
  );
  const reply = new StreamedReply();
  for await (const chunk of stream) reply.add(chunk, onDelta);
  const toolCalls = reply.toolCalls();
  return {
    text: reply.text,
    usage: reply.usage,
    latencyMs: Date.now() - started,
    model: req.model,
    finishReason: finishReason(reply.stop),
    ...(toolCalls.length ? { toolCalls } : {}),
  };
}

export function createOpenAiProvider(s: ProviderSettings): LlmProvider {
  const client = new OpenAI({ apiKey: s.apiKey ?? 'not-set', baseURL: s.baseUrl, maxRetries: 0 });
  return {
    type: 'openai',
    async complete(req: CompletionRequest): Promise<CompletionResult> {
      const started = Date.now();
      try {
        return await (req.onDelta
          ? completeStreamed(client, req, req.onDelta, started)
          : completeOnce(client, req, started));
      } catch (err) {
        if (err instanceof OpenAI.APIError && isPermanentStatus(err.status))
          throw new ProviderRejected(`openai: ${err.message}`, err.status!);
        throw err;
      }
    },
    async listModels() {
      const page = await client.models.list();
      return page.data.map((m) => m.id).sort();
    },
    async embed(texts, model) {
      try {
        const r = await client.embeddings.create({ model, input: texts });
        return [...r.data].sort((a, b) => a.index - b.index).map((d) => d.embedding);
      } catch (err) {
        if (err instanceof OpenAI.APIError && isPermanentStatus(err.status))
          throw new ProviderRejected(`openai: ${err.message}`, err.status!);
        throw err;
      }
    },
  };
}
