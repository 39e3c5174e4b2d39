// One chat turn as one activity: store the user message, stream the reply, store it; idempotent per turn.
// The conversation so far is read from the store: the workflow carries message ids, not the transcript.
import type { ChatMessage, Usage } from '../core/messages.js';
import { chatMessageKey } from '../core/run-story/events.js';
import type { Store } from '../db/knex.js';
import type { ChatTarget } from '../core/run-story/status.js';
import { answeredTranscript, storedReply, upsertMessage } from '../db/repositories/chats.js';
import { setChatBusy } from '../db/repositories/runs.js';
import type { CallModel } from './llm/model-call.js';

export interface ChatTurnInput {
  chatId: string;
  runId: string;
  messageId: string;
  content: string;
  /** Histories recorded before the transcript moved to the store carry it here. */
  history?: ChatMessage[];
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
    const { runId } = input;
    // Running while it answers, idle again while it waits for the next message.
    await setChatBusy(deps.store, runId, true);
    try {
      return await answer(input);
    } finally {
      await setChatBusy(deps.store, runId, false);
    }
  };

  async function answer(input: ChatTurnInput): Promise<ChatTurnResult> {
    const { chatId, runId, messageId, target } = input;
    await upsertMessage(deps.store, chatId, {
      key: chatMessageKey(messageId, 'user'),
      role: 'user',
      content: input.content,
    });
    const history = input.history ?? (await answeredTranscript(deps.store, chatId, messageId));
    const messages: ChatMessage[] = [
      ...(target.system ? [{ role: 'system' as const, content: target.system }] : []),
      ...history,
      { role: 'user', content: input.content },
    ];
    const result = await deps.callModel({
      runId,
      callId: messageId,
      provider: target.provider,
      model: target.model,
      maxTokens: target.maxTokens,
      messages,
      stream: true,
    });
    const stored = await upsertMessage(deps.store, chatId, {
      key: chatMessageKey(messageId, 'assistant'),
      role: 'assistant',
      content: result.text,
      usage: result.usage,
    });
    return { messageId, seq: stored.seq, role: 'assistant', content: result.text, usage: result.usage };
  }
}

/** The reply a turn already got, for a message resent after the execution that answered it continued as new. */
export function createChatReply(deps: { store: Store }) {
  return async function chatReply(input: { chatId: string; messageId: string }): Promise<ChatTurnResult | null> {
    const row = await storedReply(deps.store, input.chatId, input.messageId);
    return row
      ? {
          messageId: input.messageId,
          seq: row.seq,
          role: 'assistant',
          content: row.content,
          usage: row.usage ?? { inputTokens: 0, outputTokens: 0 },
        }
      : null;
  };
}
