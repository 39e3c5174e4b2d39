// What every LLM provider offers the activities: one streamed completion, and its model list.
import type { ChatMessage, Usage } from '../../core/messages.js';

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
}

export interface CompletionResult {
  text: string;
  usage: Usage;
  latencyMs: number;
  model: string;
}

export interface LlmProvider {
  readonly type: 'openai' | 'anthropic' | 'ollama' | 'local';
  complete(req: CompletionRequest): Promise<CompletionResult>;
  listModels(): Promise<string[]>;
}

export interface ProviderSettings {
  baseUrl?: string | undefined;
  apiKey?: string | undefined;
  options?: Record<string, unknown> | undefined;
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
