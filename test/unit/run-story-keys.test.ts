// Pins every run event's idempotency key byte for byte: events are appended with these keys across activity retries
// and workflow replays, so a key that changes form would append a second copy of an event already written.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as story from '../../core/run-story/events.js';

const root = path.resolve(import.meta.dirname, '../..');
const productDirs = [
  'workflows',
  'activities',
  'api',
  'cli',
  'core',
  'db',
  'temporal',
  'judge',
  'providers',
  'mcp',
  'sandbox',
  'config',
  'web/src',
];

/** Every product source file (not the catalogue itself, which builds events for everyone). */
function productFiles(): string[] {
  return productDirs
    .flatMap((dir) => {
      const full = path.join(root, dir);
      try {
        return readdirSync(full, { recursive: true, encoding: 'utf8' })
          .filter((f) => /\.(ts|vue)$/.test(f))
          .map((f) => path.join(dir, f));
      } catch {
        return [];
      }
    })
    .filter((f) => f !== path.join('core', 'run-story', 'events.ts'));
}

const usage = { inputTokens: 1, outputTokens: 2 };
const request = { callId: 'agent[2]', provider: 'fake', model: 'm', messages: [], attempt: 1 };
const response = { callId: 'len[0]#retry', stepId: 'len', text: 'x', usage, latencyMs: 3, costUsd: 0, attempt: 2 };
const failure = {
  callId: 'answer',
  stepId: 'answer',
  provider: 'fake',
  endpoint: 'http://x',
  model: 'm',
  error: 'boom',
  attempt: 3,
};

/** [what writes it, the event, the key that code wrote before the constructors existed]. */
const pinned: Array<[string, { type: string; key: string }, string]> = [
  ['lifecycle: run.started', story.runStarted({ kind: 'pipeline', target: {}, inputs: {} }), 'run.started'],
  ['lifecycle, reconciler: run.completed', story.runCompleted({ outputs: {} }), 'run.completed'],
  ['lifecycle, reconciler: run.failed', story.runFailed({ error: 'e' }), 'run.failed'],
  ['lifecycle, reconciler: run.cancelled', story.runCancelled({ reason: 'r' }), 'run.cancelled'],
  ['predict, pipeline foreach: step.started', story.stepStarted({ stepId: 'len', items: 2 }), 'step:len:started'],
  ['pipeline: step.completed', story.stepCompleted({ stepId: 'len', outputs: null }), 'step:len:completed'],
  [
    'app generation: step.completed',
    story.stepCompleted({ stepId: 'repair[1]', outputs: {} }),
    'step:repair[1]:completed',
  ],
  ['pipeline: step.failed', story.stepFailed({ stepId: 'len', error: 'e' }), 'step:len:failed'],
  ['app generation: step.failed', story.stepFailed({ stepId: 'draft', error: 'e' }), 'step:draft:failed'],
  [
    'pipeline fork: step.reused',
    story.stepReused({ stepId: 'len', source: { runId: 'run_a', stepId: 'len' } }),
    'step:len:reused',
  ],
  [
    'predict cache hit: step.reused',
    story.stepCached({
      stepId: 'len',
      callId: 'len[2]',
      source: { runId: 'run_a', stepId: 'len', callId: 'len[2]' },
      cached: true,
    }),
    'len[2]:cached',
  ],
  ['agent fork: step.reused of a turn', story.turnReused(0, 'run_a'), 'turn:0:reused'],
  ['agent: step.completed of a turn', story.turnCompleted(3, { thought: 't' }), 'turn:3:completed'],
  ['eval: step.completed of an example', story.exampleCompleted('ex_1', { outputs: {} }), 'example:ex_1'],
  ['optimize: step.completed of a candidate', story.candidateCompleted('ex_1', { outputs: {} }), 'candidate:ex_1'],
  ['model call: llm.request', story.llmRequest(request), 'agent[2]:1:request'],
  ['model call: llm.response', story.llmResponse(response), 'len[0]#retry:2:response'],
  ['model call: llm.error', story.llmError(failure), 'answer:3:error'],
  ['agent: tool.call', story.toolCalled({ callId: 'tool[2]', tool: 'terminal', args: {} }), 'tool[2]:call'],
  [
    'agent: policy.decision',
    story.policyDecision({ callId: 'tool[2]', decision: 'ask', rule: 'r' }),
    'tool[2]:decision',
  ],
  ['tool registry: tool.result', story.toolResult({ callId: 'tool[2]', output: '' }), 'tool[2]:result'],
  [
    'agent: approval.requested',
    story.approvalRequested({ approvalId: 'tool[2]', callId: 'tool[2]', tool: 't', args: null }),
    'approval:tool[2]:requested',
  ],
  [
    'agent: approval.requested for a budget',
    story.approvalRequested({ approvalId: 'budget-3', callId: 'budget-3', tool: 'budget', args: null }),
    'approval:budget-3:requested',
  ],
  [
    'agent: approval.resolved',
    story.approvalResolved({ approvalId: 'tool[2]', decision: 'deny' }),
    'approval:tool[2]:resolved',
  ],
  ['agent: budget.exceeded', story.budgetExceeded(3, { budget: 'maxTokens', limit: 1, used: 2 }), 'budget:3'],
  ['app generation: log scaffold', story.runNote('scaffold', 'info', 'm'), 'scaffold'],
  ['optimize: log before', story.runNote('before', 'info', 'm'), 'before'],
  ['optimize: log kept', story.runNote('kept', 'warn', 'm'), 'kept'],
  ['optimize: log saved', story.runNote('saved', 'info', 'm'), 'saved'],
  ['agent: log session lost', story.sessionLost('tool[1]'), 'tool[1]:session-lost'],
  ['tool registry: log refused', story.toolRefused('tool[1]', 'refused'), 'tool[1]:refused'],
];

describe('run event keys', () => {
  it.each(pinned)('%s', (_what, event, key) => {
    expect(event.key).toBe(key);
  });

  it('pins a key for every stored event type', () => {
    const stored = new Set(pinned.map(([, e]) => e.type));
    // llm.delta rides the bus only: it is never stored, so it has no key.
    const all: story.RunEventType[] = [
      'run.started',
      'step.started',
      'step.completed',
      'step.reused',
      'step.failed',
      'llm.request',
      'llm.response',
      'llm.error',
      'tool.call',
      'policy.decision',
      'approval.requested',
      'approval.resolved',
      'tool.result',
      'budget.exceeded',
      'log',
      'run.completed',
      'run.failed',
      'run.cancelled',
    ];
    expect([...stored].sort()).toEqual([...all].sort());
  });

  it('builds the data each writer wrote', () => {
    expect(story.turnReused(1, 'run_a')).toEqual({
      type: 'step.reused',
      key: 'turn:1:reused',
      data: { stepId: 'turn[1]', source: { runId: 'run_a', stepId: 'turn[1]' } },
    });
    expect(story.turnCompleted(1, { thought: 't' }, true)).toEqual({
      type: 'step.completed',
      key: 'turn:1:completed',
      data: { stepId: 'turn[1]', outputs: { thought: 't' }, reused: true },
    });
    expect(story.exampleCompleted('ex_1', { outputs: { f1: 1 }, error: 'e' })).toEqual({
      type: 'step.completed',
      key: 'example:ex_1',
      data: { stepId: 'example:ex_1', outputs: { f1: 1 }, error: 'e' },
    });
    expect(story.sessionLost('tool[1]').data).toEqual({
      level: 'warn',
      message:
        "the worker that held this run's browser is gone; tool[1] starts a fresh browser session on another worker",
    });
    expect(story.toolRefused('tool[1]', 'refused right before running (r): why').data).toEqual({
      level: 'warn',
      message: 'tool[1] refused right before running (r): why',
    });
    expect(story.runNote('kept', 'warn', 'm')).toEqual({
      type: 'log',
      key: 'kept',
      data: { level: 'warn', message: 'm' },
    });
  });

  it('keys a chat transcript message by its message and role, and reads the message back', () => {
    expect([story.chatMessageKey('msg_1', 'user'), story.chatMessageKey('msg_1', 'assistant')]).toEqual([
      'msg_1:user',
      'msg_1:assistant',
    ]);
    expect([story.chatMessageOf('msg_1:user'), story.chatMessageOf('a:b:assistant')]).toEqual(['msg_1', 'a:b']);
  });

  it('is built by a constructor everywhere: no event literal with a hand-made key outside the catalogue', () => {
    const literal = /\{\s*type: '(?:run|step|llm|tool|policy|approval|budget|log)\b[\w.]*'(?: as const)?,\s*key:/;
    const handMade = productFiles().filter((f) => literal.test(readFileSync(path.join(root, f), 'utf8')));
    expect(handMade).toEqual([]);
  });
});
