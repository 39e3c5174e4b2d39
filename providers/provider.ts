// What every LLM provider offers the activities: one streamed completion, and its model list.
import type { ChatMessage, Usage } from '../core/messages.js';

export interface CompletionRequest {
  model: string;
  messages: ChatMessage[];
  temperature?: number | undefined;
  maxTokens?: number | undefined;
  signal?: AbortSignal | undefined;
  /** Streamed when set (the default for runs); a plain request otherwise. */
  onDelta?: ((text: string) => void) | undefined;
  /** Structured output: the reply must be a JSON object of this schema (text is that JSON). */
  jsonSchema?: Record<string, unknown> | undefined;
  /** Native tool calling: the model must call one of these. */
  tools?: ToolSpec[] | undefined;
}

export interface ToolSpec {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
}

export interface ToolCallOut {
  name: string;
  arguments: Record<string, unknown>;
}

export interface CompletionResult {
  text: string;
  usage: Usage;
  latencyMs: number;
  model: string;
  toolCalls?: ToolCallOut[];
  /** Why generation stopped; 'length' means the token limit cut the reply off. */
  finishReason?: 'stop' | 'length' | 'tool_calls' | undefined;
}

/** Each provider's stop reason in our words. */
export function finishReason(raw: string | null | undefined): CompletionResult['finishReason'] {
  if (!raw) return undefined;
  if (raw === 'length' || raw === 'max_tokens' || raw === 'maxTokens') return 'length';
  if (raw === 'tool_calls' || raw === 'tool_use' || raw === 'functionCalls') return 'tool_calls';
  return 'stop';
}

export interface LlmProvider {
  readonly type: 'openai' | 'anthropic' | 'ollama' | 'local';
  complete(req: CompletionRequest): Promise<CompletionResult>;
  listModels(): Promise<string[]>;
  /** Each text's embedding vector, where the provider has an embeddings API (OpenAI, Ollama). */
  embed?(texts: string[], model: string): Promise<number[][]>;
}

export interface ProviderSettings {
  baseUrl?: string | undefined;
  apiKey?: string | undefined;
  options?: Record<string, unknown> | undefined;
  /** Where the embedded model's GGUF files are (the local provider only). */
  localFiles?: { modelsDir: string; localModelPath?: string | undefined } | undefined;
}

/** An HTTP status from a provider that retrying cannot fix (bad request, auth, unknown model). */
export class ProviderRejected extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'ProviderRejected';
  }
}

export function isPermanentStatus(status: number | undefined): boolean {
  return status !== undefined && status >= 400 && status < 500 && ![408, 409, 429].includes(status);
}

/** Tool-call arguments arrive as JSON text from some providers; a malformed one is kept as raw text. */
export function parseToolArguments(raw: unknown): Record<string, unknown> {
  if (raw && typeof raw === 'object') return raw as Record<string, unknown>;
  try {
    const v = JSON.parse(String(raw || '{}'));
    return v && typeof v === 'object' ? v : { value: v };
  } catch {
    return { _unparsed: String(raw) };
  }
}
