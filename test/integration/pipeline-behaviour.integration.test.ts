// foreach fan-out with a concurrency limit, `when`, step failure, cancellation and replay.
import { decodeArrayFromPayloads } from '@temporalio/common/lib/internal-non-workflow/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { echoModel, promptFields, promptOp } from '../helpers/echo-model.js';
import { barrier } from '../helpers/latch.js';
import { until } from '../helpers/processes.js';
import { startTestStack, waitForRun, type TestStack } from '../helpers/stack.js';
import type { FakeRequest } from '../fakes/script.js';

describe('pipeline behaviour', () => {
  let stack: TestStack;
  // The first two `length` calls each wait for the other: proof that both were at the provider at once.
  const firstPair = barrier(2);
  const pairMet: boolean[] = [];
  let releaseSlow: () => void = () => {};

  const script = async (req: FakeRequest) => {
    if (promptOp(req) === 'slow') {
      await new Promise<void>((r) => (releaseSlow = r));
      return echoModel({
        ...req,
        messages: req.messages.map((m) => ({ ...m, content: m.content.replace('op: slow', 'op: upper') })),
      });
    }
    if (promptOp(req) === 'length' && firstPair.arrived < 2) pairMet.push(await firstPair.arrive(10_000));
    return echoModel(req);
  };

  beforeAll(async () => {
    stack = await startTestStack({ script });
    const post = async (path: string, body: unknown) => {
      const res = await stack.api('POST', path, body);
      if (res.status !== 201) throw new Error(JSON.stringify(res.body));
    };
    await post('/api/providers', {
      name: 'fake',
      type: 'openai',
      baseUrl: stack.fake.baseUrl,
      defaultModel: 'fake-model',
    });
    for (const [name, signature, op] of [
      ['words', 'text: str -> parts: list[str], many: bool', 'words'],
      ['length', 'text: str -> n: int', 'length'],
      ['upper', 'text: str -> result: str', 'upper'],
      ['slow', 'text: str -> result: str', 'slow'],
      ['garbage', 'text: str -> result: str', 'garbage'],
    ]) {
      await post('/api/components', { name, signature, instructions: `op: ${op}`, provider: 'fake' });
    }
    await post('/api/pipelines', {
      name: 'fan',
      inputs: { text: 'str' },
      steps: [
        { id: 'split', component: 'words', inputs: { text: '$inputs.text' } },
        {
          id: 'len',
          component: 'length',
          foreach: '$steps.split.outputs.parts',
          concurrency: 2,
          inputs: { text: '$item' },
        },
        { id: 'shout', component: 'upper', when: '$steps.split.outputs.many', inputs: { text: '$inputs.text' } },
      ],
      outputs: { lengths: '$steps.len.outputs.n', shout: '$steps.shout.outputs.result' },
    });
  });
  afterAll(async () => {
    releaseSlow();
    await stack?.close();
  });

  /** The most calls of one step that were ever scheduled and not yet closed, read from the run's history: exact, whatever the timing. */
  async function mostOpenCalls(runId: string, stepId: string): Promise<number> {
    const client = stack.backend.app.temporal.client;
    const history = await client.workflow.getHandle(runId).fetchHistory();
    const open = new Set<string>();
    let most = 0;
    for (const e of history.events ?? []) {
      const scheduled = e.activityTaskScheduledEventAttributes;
      const [input] = scheduled
        ? ((await decodeArrayFromPayloads(client.options.loadedDataConverter, scheduled.input?.payloads)) as Array<{
            stepId?: string;
          }>)
        : [];
      if (input?.stepId === stepId) open.add(String(e.eventId));
      const closed =
        e.activityTaskCompletedEventAttributes ??
        e.activityTaskFailedEventAttributes ??
        e.activityTaskTimedOutEventAttributes ??
        e.activityTaskCanceledEventAttributes;
      if (closed) open.delete(String(closed.scheduledEventId));
      most = Math.max(most, open.size);
    }
    return most;
  }

  it('fans out foreach items with at most `concurrency` in flight, and skips a false `when`', async () => {
    const { body } = await stack.api('POST', '/api/pipelines/fan/runs', { inputs: { text: 'a bb ccc dddd eeeee' } });
    const run = await waitForRun(stack, body.id);
    expect(run.outputs).toEqual({ lengths: [1, 2, 3, 4, 5], shout: 'A BB CCC DDDD EEEEE' });
    expect(pairMet).toEqual([true, true]);
    expect(await mostOpenCalls(run.id, 'len')).toBe(2);

    const one = await waitForRun(
      stack,
      (await stack.api('POST', '/api/pipelines/fan/runs', { inputs: { text: 'solo' } })).body.id,
    );
    expect(one.outputs).toEqual({ lengths: [4], shout: null });
    const { body: ev } = await stack.api('GET', `/api/runs/${one.id}/events`);
    expect(ev.events.find((e: any) => e.type === 'step.completed' && e.data.stepId === 'shout').data.skipped).toBe(
      true,
    );

    const replay = await stack.api('POST', `/api/runs/${run.id}/replay`);
    expect(replay.body).toEqual({ ok: true, executions: 1 });
  });

  it('fails the run when a step cannot parse the model reply, naming the field', async () => {
    const { body } = await stack.api('POST', '/api/components/garbage/runs', { inputs: { text: 'x' } });
    const run = await waitForRun(stack, body.id);
    expect(run.status).toBe('failed');
    expect(run.error.message).toMatch(/missing field 'result'/);
    const { body: ev } = await stack.api('GET', `/api/runs/${run.id}/events`);
    const types = ev.events.map((e: any) => e.type);
    expect(types.slice(-5)).toEqual(
      ['llm.request', 'llm.response', 'llm.request', 'llm.response', 'step.failed', 'run.failed'].slice(-5),
    );
    // One retry that shows the model its error, then a typed failure (no activity retries).
    const calls = stack.fake.requests.filter((r) => promptOp(r) === 'garbage');
    expect(calls).toHaveLength(2);
    expect(calls[1]!.messages.at(-1)!.content).toMatch(
      /could not be used: could not parse the model's reply: missing field 'result'/,
    );
    expect(calls[1]!.messages.at(-2)).toEqual({ role: 'assistant', content: 'I will not follow the format.' });
  });

  it('cancels a running run', async () => {
    const { body } = await stack.api('POST', '/api/components/slow/runs', { inputs: { text: 'x' } });
    await until(() => stack.fake.requests.some((r) => promptOp(r) === 'slow'), 'slow call in flight');
    const cancel = await stack.api('POST', `/api/runs/${body.id}/cancel`);
    expect(cancel.status).toBe(200);
    const run = await waitForRun(stack, body.id);
    expect(run.status).toBe('cancelled');
    const { body: ev } = await stack.api('GET', `/api/runs/${run.id}/events`);
    expect(ev.events.at(-1).type).toBe('run.cancelled');
    expect(promptFields(stack.fake.requests.find((r) => promptOp(r) === 'slow')!)).toEqual({ text: 'x' });
  });

  it('runs a component version over HTTP with the signature as its inputs', async () => {
    const bad = await stack.api('POST', '/api/components/upper/runs', { inputs: {} });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/missing input 'text'/);
    const { body } = await stack.api('POST', '/api/components/upper/runs', { inputs: { text: 'hey' } });
    const run = await waitForRun(stack, body.id);
    expect(run).toMatchObject({
      kind: 'component',
      status: 'completed',
      outputs: { result: 'HEY' },
      target: { name: 'upper', version: 1 },
    });
  });
});
