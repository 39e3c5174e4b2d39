// The dashboard's pure event transforms, with a fixture for each terminal state.
import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../core/run-story/events.js';
import {
  llmCalls,
  mergeEvents,
  pendingApprovals,
  runAt,
  stepStates,
  toolAppCalls,
  toRow,
} from '../../web/src/lib/timeline.js';

let seq = 0;
const ev = (type: string, data: Record<string, unknown> = {}) =>
  ({ runId: 'r', seq: ++seq, type, time: new Date(1_700_000_000_000 + seq * 10).toISOString(), data }) as RunEvent;
const llm = (stepId: string, attempt = 1) => [
  ev('llm.request', {
    callId: stepId,
    stepId,
    provider: 'p',
    model: 'm',
    messages: [{ role: 'user', content: 'hi' }],
    attempt,
  }),
  ev('llm.response', {
    callId: stepId,
    stepId,
    text: 'ok',
    outputs: { a: 1 },
    usage: { inputTokens: 3, outputTokens: 2 },
    latencyMs: 5,
    costUsd: 0.001,
    attempt,
  }),
];

const fixtures = {
  completed: () => [
    ev('run.started', { inputs: {} }),
    ev('step.started', { stepId: 'a' }),
    ...llm('a'),
    ev('step.completed', { stepId: 'a', outputs: { a: 1 } }),
    ev('run.completed', { outputs: { a: 1 } }),
  ],
  failed: () => [
    ev('run.started'),
    ev('step.started', { stepId: 'a' }),
    ...llm('a'),
    ...llm('a', 2),
    ev('step.failed', { stepId: 'a', error: 'boom' }),
    ev('run.failed', { error: 'boom' }),
  ],
  cancelled: () => [
    ev('run.started'),
    ev('step.started', { stepId: 'a' }),
    ev('llm.request', { callId: 'a', stepId: 'a', messages: [], attempt: 1 }),
    ev('run.cancelled', { reason: 'cancel requested' }),
  ],
  waiting: () => [
    ev('run.started'),
    ev('tool.call', { callId: 'tool[0]', tool: 'terminal', args: { command: 'ls' } }),
    ev('policy.decision', { callId: 'tool[0]', decision: 'ask', rule: 'default:terminal-asks' }),
    ev('approval.requested', { approvalId: 'tool[0]', tool: 'terminal', args: { command: 'ls' } }),
  ],
};

describe('timeline transforms', () => {
  it('completed: steps done with usage summed', () => {
    const events = fixtures.completed();
    expect(stepStates(events)).toEqual([
      expect.objectContaining({
        stepId: 'a',
        status: 'completed',
        usage: { inputTokens: 3, outputTokens: 2, costUsd: 0.001, latencyMs: 5, calls: 1 },
      }),
    ]);
    expect(toRow(events.at(-1)!)).toMatchObject({ title: 'Run completed', tone: 'success' });
    expect(llmCalls(events)).toEqual([
      expect.objectContaining({ callId: 'a', attempt: 1, text: 'ok', outputs: { a: 1 } }),
    ]);
  });
  it('failed: each attempt is its own call, the step is failed', () => {
    const events = fixtures.failed();
    expect(stepStates(events)[0]).toMatchObject({
      status: 'failed',
      error: 'boom',
      usage: { inputTokens: 6, calls: 2 },
    });
    expect(llmCalls(events).map((c) => c.attempt)).toEqual([1, 2]);
    expect(toRow(events.at(-1)!)).toMatchObject({ title: 'Run failed', detail: 'boom', tone: 'error' });
  });
  it('failed elsewhere: a sibling step in flight ends cancelled, an attempt without a reply shows its error', () => {
    const events = [
      ev('run.started'),
      ev('step.started', { stepId: 'a' }),
      ev('step.started', { stepId: 'b' }),
      ev('llm.error', {
        callId: 'b',
        stepId: 'b',
        attempt: 1,
        error: "provider 'p' (openai at http://x, model m): Connection error.",
      }),
      ev('step.failed', { stepId: 'b', error: 'boom' }),
      ev('run.failed', { error: 'boom' }),
    ];
    expect(stepStates(events).map((s) => [s.stepId, s.status])).toEqual([
      ['a', 'cancelled'],
      ['b', 'failed'],
    ]);
    expect(toRow(events[3]!)).toMatchObject({
      title: 'LLM error b',
      tone: 'error',
      detail: expect.stringContaining('http://x'),
    });
    expect(llmCalls(events)).toEqual([
      expect.objectContaining({ callId: 'b', error: expect.stringContaining('Connection error') }),
    ]);
  });
  it('cancelled: the step in flight ends cancelled, the call has no answer', () => {
    const events = fixtures.cancelled();
    expect(stepStates(events.slice(0, -1))[0]!.status).toBe('running');
    expect(stepStates(events)[0]).toMatchObject({ status: 'cancelled', endedAt: events.at(-1)!.time });
    expect(llmCalls(events)[0]!.text).toBeUndefined();
    expect(toRow(events.at(-1)!).tone).toBe('warning');
  });
  it('waiting: the approval is pending until resolved', () => {
    const events = fixtures.waiting();
    expect(pendingApprovals(events)).toEqual([expect.objectContaining({ approvalId: 'tool[0]', tool: 'terminal' })]);
    expect(toRow(events[2]!)).toMatchObject({
      title: 'Policy: ask (tool[0])',
      detail: 'rule default:terminal-asks',
      tone: 'warning',
    });
    expect(
      pendingApprovals([...events, ev('approval.resolved', { approvalId: 'tool[0]', decision: 'approve' })]),
    ).toEqual([]);
  });
  it('agent turns: each turn counts the tokens of its model call (agent[N] belongs to turn[N]), the finishing turn too', () => {
    const turn = (n: number, tokens: [number, number]) => [
      ev('llm.request', { callId: `agent[${n}]`, provider: 'p', model: 'm', messages: [], attempt: 1 }),
      ev('llm.response', {
        callId: `agent[${n}]`,
        text: '{}',
        usage: { inputTokens: tokens[0], outputTokens: tokens[1] },
        latencyMs: 4,
        costUsd: 0.002,
        attempt: 1,
      }),
    ];
    const events = [
      ev('run.started'),
      ...turn(0, [1200, 100]),
      ev('step.completed', { stepId: 'turn[0]', outputs: { thought: '', observation: 'x' } }),
      ...turn(1, [1500, 90]),
      ev('run.completed', { outputs: { answer: 'x' } }),
    ];
    expect(
      stepStates(events).map((s) => [s.stepId, s.status, s.usage.inputTokens, s.usage.outputTokens, s.outputs]),
    ).toEqual([
      ['turn[0]', 'completed', 1200, 100, { thought: '', observation: 'x' }],
      ['turn[1]', 'completed', 1500, 90, { finish: { answer: 'x' } }],
    ]);
  });
  it('tool apps: only calls whose answer names an MCP App, with their tool, in order', () => {
    const events = [
      ev('tool.call', { callId: 'tool[0]', tool: 'mcp:charts/chart', args: {} }),
      ev('tool.result', { callId: 'tool[0]', output: 'a', app: { resourceUri: 'ui://charts/a' } }),
      ev('tool.call', { callId: 'tool[1]', tool: 'mcp:charts/plain', args: {} }),
      ev('tool.result', { callId: 'tool[1]', output: 'b' }),
      ev('tool.call', { callId: 'tool[2]', tool: 'mcp:maps/map', args: {} }),
      ev('tool.result', { callId: 'tool[2]', output: 'c', app: { resourceUri: 'ui://maps/m' } }),
    ];
    expect(toolAppCalls(events)).toEqual([
      { callId: 'tool[0]', tool: 'mcp:charts/chart' },
      { callId: 'tool[2]', tool: 'mcp:maps/map' },
    ]);
  });

  it('merges a resumed stream without duplicates or disorder', () => {
    const events = fixtures.completed();
    const merged = mergeEvents(events.slice(0, 3), [events[2]!, events[4]!, events[3]!]);
    expect(merged.map((e) => e.seq)).toEqual(events.slice(0, 5).map((e) => e.seq));
  });

  it('runAt: the run as it was at a seq (status, outputs, tokens), and live usage that does not wait for the end', () => {
    const events = fixtures.completed();
    const final = {
      status: 'completed',
      outputs: { a: 1 },
      error: null,
      usage: { inputTokens: 3, outputTokens: 2, costUsd: 0.001 },
    };
    const first = events[0]!.seq;
    expect(runAt(final, events, first)).toEqual({
      status: 'running',
      outputs: null,
      error: null,
      usage: { inputTokens: 0, outputTokens: 0, costUsd: 0 },
    });
    const answered = events.find((e) => e.type === 'llm.response')!.seq;
    expect(runAt(final, events, answered)).toMatchObject({
      status: 'running',
      outputs: null,
      usage: { inputTokens: 3, outputTokens: 2 },
    });
    expect(runAt(final, events, events.at(-1)!.seq)).toEqual(final);
    expect(runAt(final, events, first - 1).status).toBe('queued');
    const failed = fixtures.failed();
    expect(runAt(final, failed, failed.at(-1)!.seq)).toMatchObject({
      status: 'failed',
      error: { message: 'boom' },
      usage: { inputTokens: 6, outputTokens: 4 },
    });
    const waiting = fixtures.waiting();
    expect(runAt(final, waiting, waiting.at(-1)!.seq).status).toBe('waiting_approval');
    // Live: a running run whose row the page last saw at 0 tokens shows the answers already stored.
    const running = {
      status: 'running',
      outputs: null,
      error: null,
      usage: { inputTokens: 0, outputTokens: 0, costUsd: 0 },
    };
    expect(runAt(running, events.slice(0, 4)).usage).toEqual({ inputTokens: 3, outputTokens: 2, costUsd: 0.001 });
    expect(runAt({ ...running, usage: { inputTokens: 50, outputTokens: 9, costUsd: 1 } }, events).usage).toEqual({
      inputTokens: 50,
      outputTokens: 9,
      costUsd: 1,
    });
  });
});
