// A chat is one long-lived workflow: each turn is an Update, handled one at a time; every N turns it
// continues as new, so its history never grows without bound. The transcript lives in the store (each
// turn's activity reads it): the workflow carries counts and message ids, whatever the conversation's length.
import { allHandlersFinished, condition, continueAsNew, defineSignal, defineUpdate, patched, proxyActivities, setHandler } from '@temporalio/workflow';
import type { Activities, ChatTurnResult } from '../activities/index.js';
import { failureType } from '../core/failures.js';
import type { ChatMessage } from '../core/messages.js';
import type { ChatTarget } from '../core/run-story/status.js';
import { runLifecycle } from './lifecycle.js';

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

export async function chatWorkflow(input: ChatRunInput): Promise<{ turns: number }> {
  const { chatTurn, chatReply } = proxyActivities<Activities>({
    startToCloseTimeout: '10 minutes',
    heartbeatTimeout: input.heartbeatTimeoutMs ?? 10_000,
    retry: { maximumAttempts: 5, nonRetryableErrorTypes: ['ProviderRejected', 'ConfigError'] },
  });
  // Chats under way before the transcript moved to the store go on carrying it.
  const inStore = !input.transcript.length && patched('chat-transcript-in-store');
  const transcript = [...input.transcript];
  // Temporal dedupes update ids within one run only; these survive continue-as-new.
  const recent = new Map(Object.entries(input.recent ?? {}));
  const carried = new Set(input.recentIds ?? []);
  let busy = false;
  let turns = 0;
  let closed = false;
  // Turns wait for run.started, so a run's story always begins with it.
  let started = false;
  // A chat whose provider or model cannot be used at all ends with that reason; other failures fail one turn.
  let unusable: unknown;

  setHandler(
    sendMessage,
    async ({ messageId, content }) => {
      await condition(() => started && (!busy || recent.has(messageId) || carried.has(messageId)));
      const known = recent.get(messageId) ?? (carried.has(messageId) ? await chatReply({ chatId: input.chatId, messageId }) : null);
      if (known) return known;
      busy = true;
      try {
        const reply = await chatTurn({ chatId: input.chatId, runId: input.runId, messageId, content, ...(inStore ? {} : { history: transcript }), target: input.target });
        if (!inStore) transcript.push({ role: 'user', content }, { role: 'assistant', content: reply.content });
        recent.set(messageId, reply);
        if (recent.size > RECENT_TURNS) recent.delete(recent.keys().next().value!);
        turns++;
        return reply;
      } catch (err) {
        // Chats that were under way before a ConfigError ended them replay as they ran (the patch marker).
        if (failureType(err) === 'ConfigError' && patched('chat-ends-when-unusable')) unusable ??= err;
        throw err;
      } finally {
        busy = false;
      }
    },
    {
      validator: ({ content }) => {
        if (typeof content !== 'string' || !content.trim()) throw new Error('a message needs some content');
        if (closed) throw new Error('this chat is closed');
      },
    },
  );
  setHandler(closeChat, () => {
    closed = true;
  });

  const live = async (): Promise<{ turns: number }> => {
    started = true;
    await condition(() => closed || unusable !== undefined || (turns >= input.turnsPerRun && !busy));
    await condition(allHandlersFinished);
    if (unusable !== undefined) throw unusable;
    if (closed) return { turns: inStore ? (input.turnsBefore ?? 0) + turns : transcript.length / 2 };
    if (!inStore) return continueAsNew<typeof chatWorkflow>({ ...input, transcript, continued: true, recent: Object.fromEntries(recent) });
    const recentIds = [...carried, ...recent.keys()].slice(-RECENT_TURNS);
    return continueAsNew<typeof chatWorkflow>({ ...input, transcript: [], continued: true, turnsBefore: (input.turnsBefore ?? 0) + turns, recentIds, recent: undefined });
  };
  return runLifecycle({ runId: input.runId, kind: 'chat', target: input.target, inputs: {}, continued: input.continued }, live);
}
