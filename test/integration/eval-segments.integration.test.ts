// An eval longer than its history budget continues as new, carrying only its position: every example
// is run once, the result covers all of them, and the run reads as one (events, history, replay).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promptFields } from '../helpers/echo-model.js';
import { evalModel, examples } from '../helpers/eval-model.js';
import { addFakeProvider, startTestStack, waitForRun, type TestStack } from '../helpers/stack.js';

describe('an eval in segments', () => {
  let stack: TestStack;
  beforeAll(async () => {
    // 40 events hold about two examples: twelve need several executions.
    stack = await startTestStack({ script: evalModel, continueAfterEvents: 40 });
    await addFakeProvider(stack);
    await stack.ok('POST', '/api/components', {
      name: 'qa',
      signature: 'question: str -> answer: str',
      instructions: 'mode: quarter',
      provider: 'fake',
    });
    await stack.ok('POST', '/api/datasets', { name: 'qs' });
    await stack.ok('POST', '/api/datasets/qs/examples', {
      examples: [...examples(12), ...examples(3, 'train', 'train-')],
    });
  });
  afterAll(() => stack?.close());

  it('continues as new before its budget, runs every example of the split once, and scores them all', async () => {
    const run = await stack.ok('POST', '/api/evals', {
      dataset: 'qs',
      target: { component: 'qa@1' },
      metrics: [{ name: 'exact_match', field: 'answer' }],
      concurrency: 2,
    });
    const done = await waitForRun(stack, run.id, 120_000);
    expect(done.status).toBe('completed');
    // q0, q4 and q8 are right: the aggregate is over all twelve dev examples, not the last segment's.
    expect(done.outputs).toMatchObject({
      examples: 12,
      errors: 0,
      aggregates: { 'exact_match:answer': { n: 12, mean: 3 / 12 } },
    });
    expect(done.usage.inputTokens).toBeGreaterThan(0);
    // Each dev question was asked once; the train split was not evaluated.
    const asked = stack.fake.requests.map((r) => promptFields(r).question).sort();
    expect(asked).toEqual(
      examples(12)
        .map((e) => e.inputs.question)
        .sort(),
    );
    const { body } = await stack.api('GET', `/api/evals/${run.id}`);
    expect(body.results).toHaveLength(12);

    // One run: one start, one end, twelve examples, seq without gaps, across the executions.
    const events = (await stack.api('GET', `/api/runs/${run.id}/events`)).body.events as Array<{
      seq: number;
      type: string;
    }>;
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.filter((e) => e.type === 'run.started')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'step.completed')).toHaveLength(12);
    expect(events.at(-1)!.type).toBe('run.completed');

    // The run is completed once its final event is stored, a moment before Temporal closes the execution.
    await stack.backend.app.temporal.client.workflow.getHandle(run.id).result();
    const history = (await stack.api('GET', `/api/runs/${run.id}/history`)).body as {
      executions: Array<{ runId: string; events: number }>;
      events: Array<Record<string, any>>;
    };
    expect(history.executions.length).toBeGreaterThan(2);
    // Every execution but the last continued as new, none past the budget by more than the examples in flight
    // (two lanes, each example about 20 events with its workflow tasks: a lane may start one more at 39).
    let at = 0;
    history.executions.forEach((e, i) => {
      const started = history.events[at]!.workflowExecutionStartedEventAttributes;
      expect(started.continuedExecutionRunId ?? null).toBe(i ? history.executions[i - 1]!.runId : null);
      expect(e.events).toBeLessThan(40 + 2 * 30);
      at += e.events;
      const last = history.events[at - 1]!.eventType;
      expect(last).toBe(
        i < history.executions.length - 1
          ? 'EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW'
          : 'EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED',
      );
    });
    // A continued execution carries a cursor, not the examples.
    const continued =
      history.events[history.executions[0]!.events]!.workflowExecutionStartedEventAttributes.input.payloads[0].value;
    expect(continued.segment).toEqual({ next: expect.any(Number), total: 12 });
    expect(continued.examples).toBeUndefined();
    expect(continued.exampleIds).toBeUndefined();

    const replayed = (await stack.api('POST', `/api/runs/${run.id}/replay`)).body;
    // A replay that fails once in many runs (stop 42's note): the failing execution's events, to find why.
    if (!replayed.ok)
      console.log(`replay failed; the execution's events:\n${executionEvents(history, replayed.execution)}`);
    expect(replayed).toEqual({ ok: true, executions: history.executions.length });
  }, 150_000);

  it('continues a long teacher pass as new, carrying the before score, its position and the demos', async () => {
    await stack.ok('POST', '/api/datasets', { name: 'teach' });
    await stack.ok('POST', '/api/datasets/teach/examples', {
      examples: [...examples(12, 'train', 'train-'), ...examples(4)],
    });
    const run = await stack.ok('POST', '/api/optimizations', {
      component: 'qa',
      dataset: 'teach',
      metric: { name: 'exact_match', field: 'answer' },
      k: 10,
    });
    const done = await waitForRun(stack, run.id, 120_000);
    // Quarter mode: train-q0, -q4 and -q8 pass, so all twelve candidates are tried and three become demos.
    // The demos were carried across executions (three, from the first, middle and last); they do not beat qa@1, so nothing is saved.
    expect(done).toMatchObject({
      status: 'completed',
      outputs: { version: 1, saved: false, kept: 'qa@1', demos: 3, before: 0.25, after: 0.25 },
    });
    const events = (await stack.api('GET', `/api/runs/${run.id}/events`)).body.events as Array<{
      type: string;
      data: { stepId?: string; message?: string };
    }>;
    expect(
      events.some(
        (e) => e.type === 'log' && e.data.message === 'no improvement: kept qa@1 (0.250 → 0.250 on 4 dev examples)',
      ),
    ).toBe(true);
    expect(events.filter((e) => e.type === 'run.started')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'step.completed' && e.data.stepId!.startsWith('candidate:'))).toHaveLength(
      12,
    );
    const history = (await stack.api('GET', `/api/runs/${run.id}/history`)).body as { executions: unknown[] };
    expect(history.executions.length).toBeGreaterThan(1);
    // The before eval ran once: its child run is the only one of its kind.
    const children = (await stack.api('GET', `/api/runs?origin=optimize:${run.id}&limit=100`)).body.runs as Array<{
      id: string;
      kind: string;
    }>;
    expect(
      children
        .filter((c) => c.kind === 'eval')
        .map((c) => c.id)
        .sort(),
    ).toEqual([`${run.id}-before`, `${run.id}-candidate`]);
  }, 150_000);

  it('refuses an eval of a split with no examples, starting nothing', async () => {
    const r = await stack.api('POST', '/api/evals', {
      dataset: 'qs',
      split: 'test',
      target: { component: 'qa@1' },
      metrics: [{ name: 'exact_match', field: 'answer' }],
    });
    expect(r.status).toBe(400);
    expect(r.body.error.details.problems[0]).toMatchObject({
      path: 'split',
      message: "dataset 'qs' has no test examples; it has train (3), dev (12)",
    });
  });
});

/** One execution's events, a line each: id, type and the attributes that say which command it answers. */
function executionEvents(
  history: { executions: Array<{ runId: string; events: number }>; events: Array<Record<string, any>> },
  runId: string,
): string {
  let at = 0;
  for (const e of history.executions) {
    if (e.runId === runId)
      return history.events
        .slice(at, at + e.events)
        .map((ev) => {
          const attrs = Object.entries(ev).find(([k]) => k.endsWith('EventAttributes'))?.[1];
          // A local activity's marker: its sequence number and type are what replay matches.
          const marker = attrs?.details?.data?.payloads?.[0]?.value;
          const said = marker ? { seq: marker.seq, type: marker.activity_type } : attrs;
          return `${ev.eventId} ${ev.eventType} ${JSON.stringify(said ?? {}).slice(0, 300)}`;
        })
        .join('\n');
    at += e.events;
  }
  return `(no execution ${runId})`;
}
