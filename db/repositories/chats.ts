// Chats and transcripts. A turn's messages are upserted by key, so a retried turn leaves one copy,
// holding what the workflow finally used.
import { newId } from '../../core/ids.js';
import type { ChatMessage } from '../../core/messages.js';
import { chatMessageKey, chatMessageOf } from '../../core/run-story/events.js';
import type { ChatTarget } from '../../core/run-story/status.js';
import { NotFoundError } from '../errors.js';
import type { Store } from '../knex.js';
import { deleteRuns } from './runs.js';

export interface ChatRow {
  id: string;
  title: string;
  target: ChatTarget;
  runId: string;
  createdAt: string;
  updatedAt: string;
}

export interface ChatMessageRow {
  seq: number;
  key: string;
  role: 'user' | 'assistant';
  content: string;
  usage: { inputTokens: number; outputTokens: number } | null;
  createdAt: string;
}

const parse = <T>(v: unknown): T => (typeof v === 'string' ? JSON.parse(v) : v) as T;

export async function createChat(
  store: Store,
  chat: { title: string; target: ChatTarget; runId: string },
): Promise<ChatRow> {
  const at = new Date().toISOString();
  const row = {
    id: newId('chat'),
    title: chat.title,
    target: JSON.stringify(chat.target),
    runId: chat.runId,
    createdAt: at,
    updatedAt: at,
  };
  await store.knex('chats').insert(row);
  return { ...row, target: chat.target };
}

export async function getChat(store: Store, id: string): Promise<ChatRow> {
  const row = await store.knex('chats').where('id', id).first();
  if (!row) throw new NotFoundError('chat', id);
  return { ...row, target: parse<ChatTarget>(row.target) };
}

export async function listChats(store: Store): Promise<ChatRow[]> {
  const rows = await store.knex('chats').orderBy('id', 'desc').limit(200);
  return rows.map((r: ChatRow & { target: string }) => ({ ...r, target: parse<ChatTarget>(r.target) }));
}

/**
 * Delete a chat with its transcript and its run (the run's events hold the transcript too); the
 * step cache forgets the run's calls. Audit entries stay.
 */
export async function deleteChat(store: Store, id: string): Promise<void> {
  const chat = await store.knex('chats').where('id', id).first('runId');
  if (!chat) throw new NotFoundError('chat', id);
  // Deleting its run deletes the chat, its transcript and its large payloads with it.
  await deleteRuns(store, [chat.runId]);
}

export async function listMessages(store: Store, chatId: string): Promise<ChatMessageRow[]> {
  const rows = await store.knex('chat_messages').where('chatId', chatId).orderBy('seq');
  return rows.map(messageRow);
}

/** A stored message as the API shows it (seq a number, usage parsed). */
const messageRow = (r: ChatMessageRow & { usage: string | null; seq: number | string }): ChatMessageRow => ({
  seq: Number(r.seq),
  key: r.key,
  role: r.role,
  content: r.content,
  usage: r.usage ? parse(r.usage) : null,
  createdAt: r.createdAt,
});

/** Insert a message, or replace the content stored under its key (a later attempt of the same turn). */
export async function upsertMessage(
  store: Store,
  chatId: string,
  m: { key: string; role: 'user' | 'assistant'; content: string; usage?: ChatMessageRow['usage'] },
): Promise<ChatMessageRow> {
  return store.knex.transaction(async (trx) => {
    await trx('chats').where('id', chatId).forUpdate().first('id');
    const existing = await trx('chat_messages').where({ chatId, key: m.key }).first();
    const at = new Date().toISOString();
    if (existing) {
      await trx('chat_messages')
        .where({ chatId, key: m.key })
        .update({ content: m.content, usage: m.usage ? JSON.stringify(m.usage) : null });
      return {
        seq: Number(existing.seq),
        key: m.key,
        role: m.role,
        content: m.content,
        usage: m.usage ?? null,
        createdAt: existing.createdAt,
      };
    }
    const max = await trx('chat_messages').where('chatId', chatId).max({ seq: 'seq' }).first();
    const seq = Number(max?.seq ?? 0) + 1;
    await trx('chat_messages').insert({
      chatId,
      seq,
      key: m.key,
      role: m.role,
      content: m.content,
      usage: m.usage ? JSON.stringify(m.usage) : null,
      createdAt: at,
    });
    await trx('chats').where('id', chatId).update({ updatedAt: at });
    return { seq, key: m.key, role: m.role, content: m.content, usage: m.usage ?? null, createdAt: at };
  });
}

/**
 * The conversation before a turn, as the model sees it: every answered turn (its user message and its
 * reply) in order. A turn that failed has no reply and is left out, as the workflow left it out.
 */
export async function answeredTranscript(
  store: Store,
  chatId: string,
  exceptMessageId: string,
): Promise<ChatMessage[]> {
  const rows = (await store
    .knex('chat_messages')
    .where('chatId', chatId)
    .orderBy('seq')
    .select('key', 'role', 'content')) as Array<{ key: string; role: 'user' | 'assistant'; content: string }>;
  const replied = new Set(rows.filter((r) => r.role === 'assistant').map((r) => chatMessageOf(r.key)));
  replied.delete(exceptMessageId);
  return rows.filter((r) => replied.has(chatMessageOf(r.key))).map((r) => ({ role: r.role, content: r.content }));
}

/** A turn's stored reply (a message resent after continue-as-new is answered from here). */
export async function storedReply(
  store: Store,
  chatId: string,
  messageId: string,
): Promise<ChatMessageRow | undefined> {
  const row = await store
    .knex('chat_messages')
    .where({ chatId, key: chatMessageKey(messageId, 'assistant') })
    .first();
  return row ? messageRow(row) : undefined;
}
