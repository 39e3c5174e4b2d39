// The approval card's "why": the agent's thought behind the call waiting for a person.
import { describe, expect, it } from 'vitest';
import { approvalThought } from '../../web/src/lib/agent-thought.js';
import type { RunEvent } from '../../core/run-story/events.js';

let seq = 0;
const usage = { inputTokens: 1, outputTokens: 1 };
const answer = (callId: string, text: string, attempt = 1): RunEvent => ({
  runId: 'run_a',
  seq: ++seq,
  type: 'llm.response',
  time: '',
  data: { callId, text, attempt, usage, latencyMs: 1, costUsd: 0 },
});

describe('approval thought', () => {
  it("reads the thought of the turn's last answer, in a JSON action or beside a native call", () => {
    const events = [
      answer('agent[0]', '{"thought": "look first", "tool": "terminal", "args": {}}'),
      answer('agent[1]', 'not json', 1),
      answer('agent[1]', '```json\n{"thought": "then tidy", "tool": "terminal", "args": {}}\n```', 2),
      answer('agent[2]', 'I will list the files.'),
    ];
    expect(approvalThought(events, 'tool[0]')).toBe('look first');
    expect(approvalThought(events, 'tool[1]')).toBe('then tidy');
    expect(approvalThought(events, 'tool[2]')).toBe('I will list the files.');
  });

  it('is empty when the model gave none, and unknown for a budget approval or an answer not yet loaded', () => {
    expect(approvalThought([answer('agent[0]', '')], 'tool[0]')).toBe('');
    expect(approvalThought([answer('agent[0]', '{"thought": "x"}')], 'budget-0')).toBeUndefined();
    expect(approvalThought([], 'tool[0]')).toBeUndefined();
  });
});
