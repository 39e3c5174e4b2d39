// The reasoning an agent gave with the tool call a person is asked to approve, read from the run's events.
import { agentCallId, toolCallOf } from '../../../core/run-story/ids.js';
import type { RunEvent } from '../../../core/run-story/events.js';

/**
 * The thought of the model answer that proposed the call `approvalId` waits on: tool call `tool[n]` is
 * turn n's answer `agent[n]` (its last attempt). Undefined when the approval is not a tool call's or the
 * answer is not among `events`; '' when the model gave no reasoning (a native tool call without text).
 * @example approvalThought(events, 'tool[0]') // 'The notes are untidy, so I tidy them first.'
 */
export function approvalThought(events: readonly RunEvent[], approvalId: string): string | undefined {
  const turn = toolCallOf(approvalId);
  if (turn === undefined) return undefined;
  const answer = events.findLast(
    (e): e is Extract<RunEvent, { type: 'llm.response' }> =>
      e.type === 'llm.response' && e.data.callId === agentCallId(turn),
  );
  if (!answer) return undefined;
  const text = answer.data.text;
  // The JSON action ({"thought": …, "tool": …}), as the agent reads it; otherwise the text beside a native call.
  try {
    const action = JSON.parse(text.slice(text.indexOf('{'), text.lastIndexOf('}') + 1)) as { thought?: unknown };
    if (typeof action.thought === 'string') return action.thought.trim();
  } catch {
    // not a JSON action
  }
  return text.trim();
}
