// One chat turn as one activity: store the user message, stream the reply, store it; idempotent per turn.
import { ApplicationFailure, Context } from '@temporalio/activity';
import type { ChatMessage, Usage } from '../core/messages.js';
import { redact, redactText } from '../core/redact.js';
import { redactingStream } from '../core/redacting-stream.js';
import type { EventBus } from '../db/event-bus.js';
import type { Store } from '../db/knex.js';
import { upsertMessage, type ChatTarget } from '../db/repositories/chats.js';
import type { EventWriter } from './events.js';
import { costUsd } from './llm/pricing.js';
import { callProvider } from './llm/call.js';
import type { ResolvedProvider, SecretSet } from './llm/registry.js';

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
  bus: EventBus;
  events: EventWriter;
  secrets: SecretSet;
  resolveProvider: (name: string) => Promise<ResolvedProvider>;
}

export function createChatTurn(deps: ChatDeps) {
  return async function chatTurn(input: ChatTurnInput): Promise<ChatTurnResult> {
    const ctx = Context.current();
    const attempt = ctx.info.attempt;
    const { chatId, runId, messageId, target } = input;
    const resolved = await deps.resolveProvider(target.provider);
    const model = target.model ?? resolved.defaultModel;
    if (!model) throw ApplicationFailure.nonRetryable(`provider '${resolved.name}' has no default model; pick one for this chat`, 'ConfigError');
    await upsertMessage(deps.store, chatId, { key: `${messageId}:user`, role: 'user', content: input.content });

    const messages = redact<ChatMessage[]>(
      [...(target.system ? [{ role: 'system' as const, content: target.system }] : []), ...input.history, { role: 'user', content: input.content }],
      deps.secrets.list(),
    );
    await deps.events.append(runId, [{ type: 'llm.request', key: `${messageId}:${attempt}:request`, data: { callId: messageId, provider: resolved.name, model, messages, attempt } }]);
    if (attempt > 1) deps.bus.publish({ type: 'delta', runId, callId: messageId, text: '', reset: true });

    const stream = redactingStream(() => deps.secrets.list());
    const publish = (text: string) => text && deps.bus.publish({ type: 'delta', runId, callId: messageId, text });
    const result = await callProvider(resolved.provider, ctx, deps.secrets, { model, messages, onDelta: (t) => publish(stream.push(t)) });
    publish(stream.end());
    const content = redactText(result.text, deps.secrets.list());
    const cost = costUsd(model, result.usage, resolved.pricing);
    await deps.events.append(
      runId,
      [{ type: 'llm.response', key: `${messageId}:${attempt}:response`, data: { callId: messageId, text: content, usage: result.usage, latencyMs: result.latencyMs, costUsd: cost, attempt } }],
      undefined,
      { ...result.usage, costUsd: cost },
    );
    const stored = await upsertMessage(deps.store, chatId, { key: `${messageId}:assistant`, role: 'assistant', content, usage: result.usage });
    return { messageId, seq: stored.seq, role: 'assistant', content, usage: result.usage };
  };
}
