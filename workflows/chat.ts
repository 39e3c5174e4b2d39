// A chat is one long-lived workflow: each turn is an Update, handled one at a time; every N turns it
// continues as new, so its history never grows without bound. The transcript lives in the store (each
// turn's activity reads it): the workflow carries counts and message ids, whatever the conversation's length.
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  defineSignal,
  defineUpdate,
  patched,
  proxyActivities,
  setHandler,
  type ActivityInterfaceFor,
} from '@temporalio/workflow';
import type { Activities, ChatTurnResult } from '../activities/index.js';
import { failureType } from '../core/failures.js';
import type { ChatMessage } from '../core/messages.js';
import type { ChatTarget } from '../core/run-story/status.js';
import { HEARTBEAT_TIMEOUT_MS, runLifecycle } from './lifecycle.js';

export interface ChatRunInput {
  chatId: string;
  runId: string;
  target: ChatTarget;
  /** Histories recorded before `chat-transcript-in-store` carry the transcript; newer runs leave it empty. */
  transcript: ChatMessage[];
  turnsPerRun: number;
  /** Turns answered by earlier executions of the run. */
  turnsBefore?: number;
  /** Ids of recent turns answered by earlier executions: a resent one is answered from the store. */
  recentIds?: string[];
  heartbeatTimeoutMs?: number;
  continued?: boolean;
  /** Replies of recent turns by messageId (carried before `chat-transcript-in-store`): a resent message is answered, not taken as a new turn. */
  recent?: Record<string, ChatTurnResult>;
}

const RECENT_TURNS = 50;

export interface ChatMessageInput {
  messageId: string;
  content: string;
}

export const sendMessage = defineUpdate<ChatTurnResult, [ChatMessageInput]>('sendMessage');
export const closeChat = defineSignal('closeChat');

/** What a chat's execution keeps between its handlers and its end. */
interface ChatState {
  input: ChatRunInput;
  acts: ActivityInterfaceFor<Activities>;
  /** Chats under way before the transcript moved to the store go on carrying it. */
  inStore: boolean;
  transcript: ChatMessage[];
  /** Temporal dedupes update ids within one run only; these survive continue-as-new. */
  recent: Map<string, ChatTurnResult>;
  carried: Set<string>;
  busy: boolean;
  turns: number;
  closed: boolean;
  /** Turns wait for run.started, so a run's story always begins with it. */
  started: boolean;
  /** A chat whose provider or model cannot be used at all ends with that reason; other failures fail one turn. */
  unusable: unknown;
}

export async function chatWorkflow(input: ChatRunInput): Promise<{ turns: number }> {
  const acts = proxyActivities<Activities>({
    startToCloseTimeout: '10 minutes',
    heartbeatTimeout: input.heartbeatTimeoutMs ?? HEARTBEAT_TIMEOUT_MS,
    retry: { maximumAttempts: 5, nonRetryableErrorTypes: ['ProviderRejected', 'ConfigError'] },
  });
  const inStore = !input.transcript.length && patched('chat-transcript-in-store');
  const chat: ChatState = {
    input,
    acts,
    inStore,
    transcript: [...input.transcript],
    recent: new Map(Object.entries(input.recent ?? {})),
    carried: new Set(input.recentIds ?? []),
    busy: false,
    turns: 0,
    closed: false,
    started: false,
    unusable: undefined,
  };
  setHandler(sendMessage, (message) => answer(chat, message), { validator: (message) => acceptable(chat, message) });
  setHandler(closeChat, () => {
    chat.closed = true;
  });
  return runLifecycle(
    { runId: input.runId, kind: 'chat', target: input.target, inputs: {}, continued: input.continued },
    () => live(chat),
  );
}

/** Refuses an empty message, or any once the chat is closed. */
function acceptable(chat: ChatState, { content }: ChatMessageInput): void {
  if (typeof content !== 'string' || !content.trim()) throw new Error('a message needs some content');
  if (chat.closed) throw new Error('this chat is closed');
}

/** One turn, after the one before it: a message already answered (here or before continuing as new) gets its reply again. */
async function answer(chat: ChatState, { messageId, content }: ChatMessageInput): Promise<ChatTurnResult> {
  const { input, recent, carried } = chat;
  await condition(() => chat.started && (!chat.busy || recent.has(messageId) || carried.has(messageId)));
  const known =
    recent.get(messageId) ??
    (carried.has(messageId) ? await chat.acts.chatReply({ chatId: input.chatId, messageId }) : null);
  if (known) return known;
  chat.busy = true;
  try {
    const reply = await chat.acts.chatTurn({
      chatId: input.chatId,
      runId: input.runId,
      messageId,
      content,
      ...(chat.inStore ? {} : { history: chat.transcript }),
      target: input.target,
    });
    if (!chat.inStore) chat.transcript.push({ role: 'user', content }, { role: 'assistant', content: reply.content });
    recent.set(messageId, reply);
    if (recent.size > RECENT_TURNS) recent.delete(recent.keys().next().value!);
    chat.turns++;
    return reply;
  } catch (err) {
    // Chats that were under way before a ConfigError ended them replay as they ran (the patch marker).
    if (failureType(err) === 'ConfigError' && patched('chat-ends-when-unusable')) chat.unusable ??= err;
    throw err;
  } finally {
    chat.busy = false;
  }
}

/** The run once started: it ends when closed or unusable, and continues as new every `turnsPerRun` turns. */
async function live(chat: ChatState): Promise<{ turns: number }> {
  const { input, transcript, recent } = chat;
  chat.started = true;
  await condition(() => chat.closed || chat.unusable !== undefined || (chat.turns >= input.turnsPerRun && !chat.busy));
  await condition(allHandlersFinished);
  if (chat.unusable !== undefined) throw chat.unusable;
  if (chat.closed) return { turns: chat.inStore ? (input.turnsBefore ?? 0) + chat.turns : transcript.length / 2 };
  if (!chat.inStore)
    return continueAsNew<typeof chatWorkflow>({
      ...input,
      transcript,
      continued: true,
      recent: Object.fromEntries(recent),
    });
  const recentIds = [...chat.carried, ...recent.keys()].slice(-RECENT_TURNS);
  return continueAsNew<typeof chatWorkflow>({
    ...input,
    transcript: [],
    continued: true,
    turnsBefore: (input.turnsBefore ?? 0) + chat.turns,
    recentIds,
    recent: undefined,
  });
}
