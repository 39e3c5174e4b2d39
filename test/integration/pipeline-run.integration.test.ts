import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { echoModel } from '../helpers/echo-model.js';
import { dialects } from '../helpers/db.js';
import { seedDiamond, startTestStack, waitForRun, type TestStack } from '../helpers/stack.js';
import { collectFrames, eventSeqs, untilEvent } from '../helpers/ws.js';

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe.each(dialects)('a 3-step pipeline over HTTP (%s)', (dialect) => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({ dialect, script: echoModel });
    await seedDiamond(stack);
  });
  afterAll(() => stack?.close());

  it('completes with the right outputs, and /ws streams gap-free events, also after reconnecting', async () => {
    const started = await stack.api('POST', '/api/pipelines/diamond/runs', { inputs: { text: 'abc' } });
    expect(started.status).toBe(201);
    const runId = started.body.id;
    const live = collectFrames(stack.backend.url, runId, 0, untilEvent('run.completed'));

    const run = await waitForRun(stack, runId);
    expect(run.status).toBe('completed');
    expect(run.outputs).toEqual({ combined: 'ABC|cba' });
    expect(run.usage.inputTokens).toBeGreaterThan(0);
    expect(run.temporal.workflowId).toBe(runId);

    const { body } = await stack.api('GET', `/api/runs/${runId}/events`);
    const types = body.events.map((e: { type: string }) => e.type);
    expect(types[0]).toBe('run.started');
    expect(types.at(-1)).toBe('run.completed');
    expect(types.filter((t: string) => t === 'llm.response')).toHaveLength(3);
    // The join step starts only after both parallel steps completed.
    const idx = (type: string, step: string) =>
      body.events.findIndex((e: any) => e.type === type && e.data.stepId === step);
    expect(idx('step.started', 'both')).toBeGreaterThan(idx('step.completed', 'up'));
    expect(idx('step.started', 'both')).toBeGreaterThan(idx('step.completed', 'rev'));
    expect(body.events.find((e: any) => e.type === 'llm.request').data.messages[0].role).toBe('system');

    expect(eventSeqs(await live)).toEqual(range(1, run.lastSeq));
    const resumed = await collectFrames(stack.backend.url, runId, 4, untilEvent('run.completed'));
    expect(eventSeqs(resumed)).toEqual(range(5, run.lastSeq));
    expect(stack.fake.requests.length).toBe(3);
    // Batched: the stored backlog in frames of many events, same order, no gap.
    const batched = await collectFrames(
      stack.backend.url,
      runId,
      0,
      (f) => f.some((x) => x.type === 'events' && (x.events as any[]).at(-1).seq === run.lastSeq),
      30_000,
      true,
    );
    expect(
      batched.filter((f) => f.type === 'events').flatMap((f) => (f.events as Array<{ seq: number }>).map((e) => e.seq)),
    ).toEqual(range(1, run.lastSeq));
  });
});
