// What a fake provider answers: a script maps each request to a reply, and throws when it has none.
import type { ChatMessage } from '../../core/messages.js';
import { nativeToolName } from '../../core/react.js';

export interface FakeRequest {
  protocol: 'openai' | 'anthropic' | 'ollama';
  model: string;
  messages: ChatMessage[];
  stream: boolean;
  /** The structured-output schema the SDK sent (response_format / forced tool / format), if any. */
  jsonSchema?: unknown;
  /** Names of the tools offered for native tool calling, if any. */
  tools?: string[];
  /** The reply's token limit the SDK sent (max_tokens / num_predict), if any: a longer reply is cut there. */
  maxTokens?: number;
  headers: Record<string, string | string[] | undefined>;
}

/** `cutAfter`: write that many chunks of the stream, then drop the connection (a crash mid-answer). */
/** `finishReason: 'length'`: the reply stops as if cut off at the token limit. */
export type FakeReply =
  | string
  | { text: string; cutAfter?: number; delayMs?: number; finishReason?: 'stop' | 'length' }
  | { status: number; error: string };
export type Script = (req: FakeRequest) => FakeReply | Promise<FakeReply>;

/** A fixed queue of replies; running out is an error, so a test never gets a silent default. */
export function queueScript(replies: FakeReply[]): Script {
  const queue = [...replies];
  return () => {
    const next = queue.shift();
    if (next === undefined) throw new Error('fake provider script ran out of replies');
    return next;
  };
}

export function countTokens(text: string): number {
  return text.split(/\s+/).filter(Boolean).length;
}

/** A reply as a server with a token limit sends it: cut at `maxTokens` tokens, and then finished by 'length'. */
export function withinTokenLimit(text: string, maxTokens: number | undefined): { text: string; cut: boolean } {
  if (maxTokens === undefined || countTokens(text) <= maxTokens) return { text, cut: false };
  return { text: text.split(/\s+/).filter(Boolean).slice(0, maxTokens).join(' '), cut: true };
}

/** Split a reply into deltas so streaming is really exercised: small ones, as a model streams; a long text in at most
 * ~2,000 (a 1 MB answer in 80,000 SSE events was 8 s of a test spent parsing them). */
export function chunks(text: string, size = Math.max(12, Math.ceil(text.length / 2000))): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out.length ? out : [''];
}

/**
 * With native tool calling, a scripted JSON action becomes a tool call: {tool, args} or {finish}.
 * Like a real model it calls tools by the names it was offered (`mcp:fs/read` is offered as `mcp__fs__read`).
 */
export function asToolCall(text: string): { name: string; arguments: Record<string, unknown> } | undefined {
  try {
    const v = JSON.parse(text) as { tool?: string; args?: Record<string, unknown>; finish?: Record<string, unknown> };
    if (v.finish) return { name: 'finish', arguments: v.finish };
    if (v.tool) return { name: nativeToolName(v.tool), arguments: v.args ?? {} };
  } catch {
    // plain text: no tool call
  }
  return undefined;
}
