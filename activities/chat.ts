// One chat turn as one activity: store the user message, stream the reply, store it; idempotent per turn.
import type { ChatMessage, Usage } from '../core/messages.js';
import type { Store } from '../db/knex.js';
import { upsertMessage, type ChatTarget } from '../db/repositories/chats.js';
import type { CallModel } from './llm/model-call.js';

export interface ChatTurnInput {
  chatId: string;
  runId: string;
  messageId: string;
  content: string;
  history: ChatMessage[];
  target: ChatTarget;
}

export interface ChatTurnResult {
  messageId: string;
  seq: number;
  role: 'assistant';
  content: string;
  usage: Usage;
}

export interface ChatDeps {
  store: Store;
  callModel: CallModel;
}

export function createChatTurn(deps: ChatDeps) {
  return async function chatTurn(input: ChatTurnInput): Promise<ChatTurnResult> {
    const { chatId, runId, messageId, target } = input;
    await upsertMessage(deps.store, chatId, { key: `${messageId}:user`, role: 'user', content: input.content });
    const messages: ChatMessage[] = [...(target.system ? [{ role: 'system' as const, content: target.system }] : []), ...input.history, { role: 'user', content: input.content }];
    const result = await deps.callModel({ runId, callId: messageId, provider: target.provider, model: target.model, maxTokens: target.maxTokens, messages, stream: true });
    const stored = await upsertMessage(deps.store, chatId, { key: `${messageId}:assistant`, role: 'assistant', content: result.text, usage: result.usage });
    return { messageId, seq: stored.seq, role: 'assistant', content: result.text, usage: result.usage };
  };
}
