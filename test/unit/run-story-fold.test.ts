// The one fold of a run's events into steps, and the one renderer of an event, as every reader sees them.
import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../core/run-story/events.js';
import { FOLDED_EVENT_TYPES, foldSteps } from '../../core/run-story/fold.js';
import { eventLine, renderEvent, stepHow } from '../../core/run-story/render.js';

let seq = 0;
const ev = (type: string, data: Record<string, unknown> = {}) =>
  ({ runId: 'r', seq: ++seq, type, time: `t${seq}`, data }) as RunEvent;
const answer = (callId: string, stepId: string | undefined, inputTokens: number) =>
  ev('llm.response', {
    callId,
    ...(stepId ? { stepId } : {}),
    text: '{}',
    usage: { inputTokens, outputTokens: 1 },
    latencyMs: 3,
    costUsd: 0.5,
    attempt: 1,
  });

describe('the fold of events into steps', () => {
  it('sums each step’s model calls, an agent’s agent[N] into turn[N], and keeps the order steps first appear in', () => {
    const steps = foldSteps([
      answer('agent[1]', undefined, 7),
      answer('a', 'a', 10),
      answer('agent[1]', undefined, 5),
      ev('tool.call', { callId: 'tool[1]', tool: 't', args: {} }),
    ]);
    expect([...steps.keys()]).toEqual(['turn[1]', 'a']);
    expect(steps.get('turn[1]')!.usage).toEqual({
      inputTokens: 12,
      outputTokens: 2,
      costUsd: 1,
      latencyMs: 6,
      calls: 2,
    });
  });

  it('tells a whole reused step (fork or cache) from reused foreach items, and a given counterfactual from both', () => {
    const steps = foldSteps([
      ev('step.reused', { stepId: 'a', source: { runId: 'src', stepId: 'a' } }),
      ev('step.reused', { stepId: 'b', callId: 'b', cached: true, source: { runId: 'src', stepId: 'b', callId: 'b' } }),
      ev('step.reused', { stepId: 'c', items: [0], source: { runId: 'src', stepId: 'c' } }),
      ev('step.reused', {
        stepId: 'd',
        callId: 'd[1]',
        cached: true,
        source: { runId: 'src', stepId: 'd', callId: 'd[1]' },
      }),
      ev('step.completed', { stepId: 'e', outputs: { x: 1 }, counterfactual: true }),
    ]);
    expect([...steps.values()].map((s) => [s.stepId, s.reused, s.reusedFrom?.runId, stepHow(s)])).toEqual([
      ['a', 'fork', 'src', 'reused'],
      ['b', 'cache', 'src', 'cached'],
      ['c', undefined, undefined, 'running'],
      ['d', undefined, undefined, 'running'],
      ['e', 'counterfactual', undefined, 'counterfactual'],
    ]);
    expect(stepHow(undefined)).toBe('absent');
  });

  it('ends the steps in flight with the run: cancelled when it fails or is cancelled, completed (the finishing turn answering) when it completes', () => {
    const started = () => [
      ev('step.started', { stepId: 'a' }),
      ev('step.started', { stepId: 'b' }),
      ev('step.failed', { stepId: 'b', error: 'boom' }),
    ];
    const failed = foldSteps([...started(), ev('run.failed', { error: 'boom' })]);
    expect([...failed.values()].map((s) => [s.stepId, s.status, s.error])).toEqual([
      ['a', 'cancelled', undefined],
      ['b', 'failed', 'boom'],
    ]);
    const turn0 = ev('step.completed', { stepId: 'turn[0]', outputs: { observation: 'x' } });
    const end = ev('run.completed', { outputs: { answer: 'x' } });
    const done = foldSteps([answer('agent[0]', undefined, 1), turn0, answer('agent[1]', undefined, 1), end]);
    expect([...done.values()].map((s) => [s.stepId, s.status, s.outputs, s.endedAt])).toEqual([
      ['turn[0]', 'completed', { observation: 'x' }, turn0.time],
      ['turn[1]', 'completed', { finish: { answer: 'x' } }, end.time],
    ]);
  });

  it('reads the step events, the model calls and the run’s end, nothing else', () => {
    expect([...FOLDED_EVENT_TYPES].sort()).toEqual([
      'llm.error',
      'llm.request',
      'llm.response',
      'run.cancelled',
      'run.completed',
      'run.failed',
      'step.completed',
      'step.failed',
      'step.reused',
      'step.started',
    ]);
  });
});

describe('the renderer of an event', () => {
  it('gives the dashboard a title, a detail and a tone, and the terminal the same as one line', () => {
    const done = ev('step.completed', { stepId: 'both', outputs: { combined: 'ABC|cba' } });
    expect(renderEvent(done)).toEqual({
      title: 'Step both completed',
      detail: '{"combined":"ABC|cba"}',
      tone: 'success',
    });
    expect(eventLine(done)).toBe(`${String(done.seq).padStart(4)}  Step both completed  {"combined":"ABC|cba"}`);
    expect(renderEvent(answer('a', 'a', 12))).toEqual({
      title: 'LLM answer a',
      detail: '12+1 tok · 3 ms · $0.500000',
      tone: 'default',
    });
    expect(
      renderEvent(
        ev('approval.requested', {
          approvalId: 'tool[2]',
          callId: 'tool[2]',
          tool: 'terminal',
          args: { command: 'ls' },
        }),
      ),
    ).toEqual({ title: 'Waiting for approval tool[2]', detail: 'terminal {"command":"ls"}', tone: 'warning' });
    expect(renderEvent(ev('log', { level: 'warn', message: 'careful' }))).toEqual({
      title: 'Log warn',
      detail: 'careful',
      tone: 'warning',
    });
  });

  it('clips long values and still shows an event type it does not know', () => {
    expect(renderEvent(ev('tool.result', { callId: 'tool[0]', output: 'x'.repeat(500) })).detail).toHaveLength(120);
    expect(renderEvent(ev('something.new', { a: 1 }))).toEqual({
      title: 'something.new',
      detail: '{"a":1}',
      tone: 'default',
    });
  });
});
