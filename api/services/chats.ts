// Chats: a chat row, a runs row (kind chat) and a long-lived workflow; each message is an Update.
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { z } from 'zod';
import { newId } from '../../core/ids.js';
import { SpecError } from '../../core/errors.js';
import { NUMBERED_REF, parseVersionRef, versionRef } from '../../core/run-story/ids.js';
import { terminalStatuses, type ChatTarget } from '../../core/run-story/status.js';
import { NAME } from '../../core/specs.js';
import { NotFoundError } from '../../db/errors.js';
import {
  createChat as insertChat,
  deleteChat as removeChat,
  getChat,
  listChats,
  listMessages,
  type ChatRow,
} from '../../db/repositories/chats.js';
import { audit } from '../../db/repositories/audit.js';
import { getRun } from '../../db/repositories/runs.js';
import { getProvider } from '../../db/repositories/providers.js';
import { components } from '../../db/repositories/versioned.js';
import { chatWorkflow, closeChat as closeChatSignal, sendMessage } from '../../workflows/chat.js';
import type { AppContext } from '../context.js';
import { AppError } from '../errors.js';
import { runView } from './run-view.js';
import { requireActive, startRun } from './start.js';

const newChat = z.strictObject({
  title: z.string().min(1).max(200).optional(),
  provider: NAME.optional(),
  model: z.string().min(1).optional(),
  component: z.string().regex(NUMBERED_REF, 'a component is "name" or "name@version"').optional(),
  system: z.string().optional(),
  /** Each reply stops there; a component chat takes its component's params.maxTokens unless given. */
  maxTokens: z.int().min(1).max(200_000).optional(),
});
const newMessage = z.strictObject({
  content: z.string().min(1, 'a message needs some content'),
  messageId: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/)
    .optional(),
});

async function chatTarget(ctx: AppContext, body: z.infer<typeof newChat>): Promise<ChatTarget> {
  if (body.component) {
    const { name, version: v } = parseVersionRef(body.component)!;
    const version = await components.getVersion(ctx.store, name, v);
    const maxTokens = body.maxTokens ?? version.spec.params?.maxTokens;
    return {
      provider: version.spec.provider,
      model: body.model ?? version.spec.model,
      system: body.system ?? version.spec.instructions,
      component: versionRef(version.name, version.version),
      ...(maxTokens ? { maxTokens } : {}),
    };
  }
  const provider = body.provider ?? 'default';
  try {
    await getProvider(ctx.store, provider);
  } catch (err) {
    if (err instanceof NotFoundError)
      throw new SpecError('invalid chat', [{ path: 'provider', message: `unknown provider '${provider}'` }]);
    throw err;
  }
  return { provider, model: body.model, system: body.system, ...(body.maxTokens ? { maxTokens: body.maxTokens } : {}) };
}

export async function createChat(ctx: AppContext, body: unknown) {
  const req = newChat.parse(body);
  const target = await chatTarget(ctx, req);
  const runId = newId('run');
  let chatId = '';
  await startRun(ctx, {
    id: runId,
    kind: 'chat',
    target: { type: 'chat', id: runId, name: target.component ?? target.provider, version: 0 },
    inputs: {},
    workflow: chatWorkflow,
    input: async () => {
      chatId = (await insertChat(ctx.store, { title: req.title ?? 'New chat', target, runId })).id;
      return {
        chatId,
        runId,
        target,
        transcript: [],
        turnsPerRun: ctx.chatTurnsPerRun,
        heartbeatTimeoutMs: ctx.heartbeatTimeoutMs,
      };
    },
    providers: [target.provider],
  });
  return chatView(ctx, await loadChat(ctx, chatId));
}

/** The chat a path names, loaded once per request (a 404 when there is none). */
export function loadChat(ctx: AppContext, id: string): Promise<ChatRow> {
  return getChat(ctx.store, id);
}

export async function chatView(ctx: AppContext, chat: ChatRow) {
  return { ...chat, messages: await listMessages(ctx.store, chat.id), run: await runView(ctx, chat.runId) };
}

export async function chats(ctx: AppContext) {
  return listChats(ctx.store);
}

/** Send a message and wait for the reply; the same messageId sent twice is one turn. */
export async function sendChatMessage(ctx: AppContext, chat: ChatRow, body: unknown) {
  const req = newMessage.parse(body);
  await requireActive(ctx, chat.runId, 'send a message');
  const messageId = req.messageId ?? newId('msg');
  try {
    return await ctx.temporal.client.workflow
      .getHandle(chat.runId)
      .executeUpdate(sendMessage, { args: [{ messageId, content: req.content }], updateId: messageId });
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError)
      throw new AppError(400, 'message_refused', (err.cause as Error | undefined)?.message ?? err.message);
    throw err;
  }
}

/** Delete a chat, its transcript and its run; a chat still open has its workflow terminated first. */
export async function deleteChat(ctx: AppContext, chat: ChatRow): Promise<void> {
  const id = chat.id;
  const run = await getRun(ctx.store, chat.runId);
  if (!terminalStatuses.includes(run.status)) {
    await ctx.temporal.client.workflow
      .getHandle(chat.runId)
      .terminate('chat deleted')
      .catch((err: unknown) => {
        if (!(err instanceof WorkflowNotFoundError)) throw err;
      });
  }
  await removeChat(ctx.store, id);
  await audit(ctx.store, { actor: 'api', action: 'chat.delete', subject: id, details: { runId: chat.runId } });
}

export async function closeChat(ctx: AppContext, chat: ChatRow) {
  await requireActive(ctx, chat.runId, 'close the chat');
  await ctx.temporal.client.workflow.getHandle(chat.runId).signal(closeChatSignal);
  return chatView(ctx, chat);
}
