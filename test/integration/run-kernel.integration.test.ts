// One run kernel, through the real stack: cancellation aborts the model call in flight and nothing is
// recorded after run.cancelled; every attempt ends in llm.response or llm.error naming where it went;
// replies cut off at maxTokens say so; the user's prices apply to chats, agents and the judge; the
// judge is traced and counted; acting on an ended run or deleting a provider in use is a 409.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatPredictReply } from '../../core/adapters.js';
import { reconcileRuns } from '../../api/services/reconciler.js';
import { agentModel } from '../helpers/agent-model.js';
import { eventsOf, makeWorkspace, seedAgent, waitForStatus } from '../helpers/agent-setup.js';
import { echoModel, promptOp } from '../helpers/echo-model.js';
import { until } from '../helpers/processes.js';
import { startTestStack, waitForRun, type TestStack } from '../helpers/stack.js';
import type { FakeReply, FakeRequest } from '../fakes/script.js';

const agent = agentModel({
  price: [{ tool: 'filesystem', args: { op: 'read', path: 'notes.txt' } }, { finish: { answer: 'read' } }],
});

function script(req: FakeRequest): FakeReply {
  const system = req.messages.find((m) => m.role === 'system')?.content ?? '';
  if (system.startsWith('You grade answers.'))
    return JSON.stringify({ reasoning: 'matches the expected answer', score: 1 });
  if (req.tools) return agent(req);
  if (!system.includes('op: ')) return `chat says: ${req.messages.at(-1)!.content}`;
  switch (promptOp(req)) {
    case 'slow':
      return {
        text: formatPredictReply({ result: 'a slow answer that keeps coming, chunk after chunk, for several seconds' }),
        delayMs: 250,
      };
    case 'cut':
      return { text: '{"result": "HEL', finishReason: 'length' };
    default:
      return echoModel(req);
  }
}

describe('the run kernel through the real stack', () => {
  let stack: TestStack;
  const ok = (method: string, path: string, body?: unknown) => stack.ok(method, path, body);
  const price = { input: 1000, output: 2000 };
  const priced = (u: { inputTokens: number; outputTokens: number }) =>
    (u.inputTokens * price.input + u.outputTokens * price.output) / 1e6;

  beforeAll(async () => {
    stack = await startTestStack({ script, workspace: makeWorkspace({ 'notes.txt': 'the notes' }) });
    await seedAgent(stack, { rules: [{ tool: 'filesystem', action: 'allow', match: { op: 'read' } }] });
    for (const [name, op, extra] of [
      ['upper', 'upper', {}],
      ['slow', 'slow', {}],
      ['cut', 'cut', { adapter: 'json', params: { maxTokens: 5 } }],
    ] as const) {
      await ok('POST', '/api/components', {
        name,
        signature: 'text: str -> result: str',
        instructions: `op: ${op}`,
        provider: 'fake',
        ...extra,
      });
    }
    await ok('POST', '/api/providers', {
      name: 'nowhere',
      type: 'openai',
      baseUrl: 'http://127.0.0.1:1/v1',
      apiKey: 'sk-test-nowhere-123456',
      defaultModel: 'ghost-model',
    });
    await ok('POST', '/api/components', {
      name: 'lost',
      signature: 'text: str -> result: str',
      instructions: 'op: upper',
      provider: 'nowhere',
    });
  });
  afterAll(() => stack?.close());

  it('cancelling aborts the model call in flight; run.cancelled stays the last event', async () => {
    const run = await ok('POST', '/api/components/slow/runs', { inputs: { text: 'take your time' } });
    await until(() => stack.fake.slowChunksWritten >= 2, 'the slow answer to be streaming');
    const closedBefore = stack.fake.closedEarly;
    await ok('POST', `/api/runs/${run.id}/cancel`);
    expect((await waitForRun(stack, run.id)).status).toBe('cancelled');
    // The call was aborted (the provider saw its client go), and the activity has ended on the worker.
    await until(() => stack.fake.closedEarly > closedBefore, 'the provider to see the call aborted', 10_000);
    await until(() => stack.backend.worker!.getStatus().numInFlightActivities === 0, 'the activity to end', 10_000);
    const events = await eventsOf(stack, run.id);
    expect(events.at(-1)!.type).toBe('run.cancelled');
    expect(events.filter((e) => e.type === 'run.cancelled')).toHaveLength(1);
    expect(events.some((e) => e.type === 'llm.response')).toBe(false);
  });

  it('an unreachable provider: every attempt ends in llm.error naming the provider, its URL and the model', async () => {
    const run = await ok('POST', '/api/components/lost/runs', { inputs: { text: 'hello' } });
    const done = await waitForRun(stack, run.id);
    expect(done.status).toBe('failed');
    expect(done.error.message).toContain("provider 'nowhere' (openai at http://127.0.0.1:1/v1, model ghost-model)");
    const events = await eventsOf(stack, run.id);
    const requests = events.filter((e) => e.type === 'llm.request');
    const errors = events.filter((e) => e.type === 'llm.error');
    expect(requests.length).toBe(3);
    expect(errors.map((e) => e.data.attempt)).toEqual(requests.map((e) => e.data.attempt));
    for (const e of errors)
      expect(e.data).toMatchObject({
        provider: 'nowhere',
        endpoint: 'http://127.0.0.1:1/v1',
        model: 'ghost-model',
        error: expect.stringMatching(/Connection error|ECONNREFUSED|fetch failed/),
      });
    expect(events.at(-1)!.type).toBe('run.failed');
  });

  it('a reply cut off at maxTokens fails with that reason, without a second ask', async () => {
    const run = await ok('POST', '/api/components/cut/runs', { inputs: { text: 'hello' } });
    const done = await waitForRun(stack, run.id);
    expect(done.status).toBe('failed');
    expect(done.error.message).toMatch(/the reply was cut off at maxTokens 5/);
    const events = await eventsOf(stack, run.id);
    expect(events.filter((e) => e.type === 'llm.request')).toHaveLength(1);
    expect(events.find((e) => e.type === 'llm.response')!.data).toMatchObject({
      finishReason: 'length',
      parseError: expect.stringContaining('cut off at maxTokens 5'),
    });
  });

  describe('with a user price for the fake model', () => {
    beforeAll(async () => {
      await ok('PUT', '/api/pricing', { 'fake-model': price });
    });

    it('prices a chat turn from the user table', async () => {
      const chat = await ok('POST', '/api/chats', { provider: 'fake' });
      const reply = await ok('POST', `/api/chats/${chat.id}/messages`, { content: 'what does it cost?' });
      expect(reply.content).toBe('chat says: what does it cost?');
      const events = await eventsOf(stack, chat.run.id);
      const response = events.find((e) => e.type === 'llm.response')!;
      expect(response.data.costUsd).toBeGreaterThan(0);
      expect(response.data.costUsd).toBeCloseTo(priced(response.data.usage), 9);
      expect((await ok('GET', `/api/runs/${chat.run.id}`)).usage.costUsd).toBeCloseTo(response.data.costUsd, 9);
    });

    it('prices an agent step from the user table', async () => {
      const run = await ok('POST', '/api/components/helper/runs', { inputs: { task: 'price' } });
      const done = await waitForRun(stack, run.id);
      expect(done.status).toBe('completed');
      const responses = (await eventsOf(stack, run.id)).filter((e) => e.type === 'llm.response');
      expect(responses).toHaveLength(2);
      for (const r of responses) expect(r.data.costUsd).toBeCloseTo(priced(r.data.usage), 9);
      expect(done.usage.costUsd).toBeCloseTo(
        responses.reduce((s, r) => s + r.data.costUsd, 0),
        9,
      );
    });

    it('traces and counts every llm_judge call in the eval', async () => {
      await ok('POST', '/api/datasets', { name: 'judged' });
      await ok('POST', '/api/datasets/judged/examples', {
        examples: ['a', 'b', 'c'].map((t) => ({
          inputs: { text: t },
          expected: { result: t.toUpperCase() },
          split: 'dev',
        })),
      });
      const run = await ok('POST', '/api/evals', {
        dataset: 'judged',
        target: { component: 'upper' },
        metrics: [{ name: 'llm_judge', field: 'result', args: { provider: 'fake' } }],
      });
      const done = await waitForRun(stack, run.id, 60_000);
      expect(done.status).toBe('completed');
      expect(done.outputs.aggregates['llm_judge:result'].mean).toBe(1);
      const events = await eventsOf(stack, run.id);
      const judged = events.filter((e) => e.type === 'llm.response' && e.data.callId.startsWith('judge:'));
      expect(events.filter((e) => e.type === 'llm.request' && e.data.callId.startsWith('judge:'))).toHaveLength(3);
      expect(judged).toHaveLength(3);
      const judgeCost = judged.reduce((s, e) => s + e.data.costUsd, 0);
      const judgeIn = judged.reduce((s, e) => s + e.data.usage.inputTokens, 0);
      expect(judgeCost).toBeCloseTo(
        judged.reduce((s, e) => s + priced(e.data.usage), 0),
        9,
      );
      // The eval's totals are its examples' runs plus the judging.
      const { body } = await stack.api('GET', `/api/evals/${run.id}`);
      const childIn = await Promise.all(
        body.results.map(async (r: any) => (await ok('GET', `/api/runs/${r.childRunId}`)).usage),
      );
      const childrenIn = childIn.reduce((s: number, u: any) => s + u.inputTokens, 0);
      const childrenCost = childIn.reduce((s: number, u: any) => s + u.costUsd, 0);
      expect(done.usage.inputTokens).toBe(childrenIn + judgeIn);
      expect(done.usage.costUsd).toBeCloseTo(childrenCost + judgeCost, 9);
    });
  });

  it('acting on an ended run is a 409 that names its status', async () => {
    const run = await ok('POST', '/api/components/upper/runs', { inputs: { text: 'done' } });
    await waitForRun(stack, run.id);
    const approve = await stack.api('POST', `/api/runs/${run.id}/approvals/tool[0]`, { decision: 'approve' });
    expect(approve.status).toBe(409);
    expect(approve.body.error).toMatchObject({ code: 'run_ended', message: expect.stringContaining('(completed)') });
    const cancel = await stack.api('POST', `/api/runs/${run.id}/cancel`);
    expect(cancel.status).toBe(409);
    expect(cancel.body.error.code).toBe('run_ended');
  });

  it('a reconciled run gets a final event saying so', async () => {
    const run = await ok('POST', '/api/components/slow/runs', { inputs: { text: 'to be terminated' } });
    await waitForStatus(stack, run.id, 'running');
    await stack.backend.app.temporal.client.workflow.getHandle(run.id).terminate('operator stopped it');
    expect(await reconcileRuns(stack.backend.app, { graceMs: 0 })).toBeGreaterThanOrEqual(1);
    const done = await ok('GET', `/api/runs/${run.id}`);
    expect(done.status).toBe('failed');
    const last = (await eventsOf(stack, run.id)).at(-1)!;
    expect(last).toMatchObject({
      type: 'run.failed',
      data: { reconciled: true, error: 'workflow terminated without reporting' },
    });
  });

  it('a provider in use is not deleted unless forced; then its components are refused at start', async () => {
    const refused = await stack.api('DELETE', '/api/providers/nowhere');
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'provider_in_use', details: { components: ['lost@1'] } });
    expect((await stack.api('GET', '/api/providers/nowhere')).status).toBe(200);
    expect((await stack.api('DELETE', '/api/providers/nowhere?force=true')).status).toBe(204);
    const before = (await ok('GET', '/api/runs?limit=200')).runs.length;
    const start = await stack.api('POST', '/api/components/lost/runs', { inputs: { text: 'x' } });
    expect(start.status).toBe(400);
    expect(start.body.error.message).toContain("provider 'nowhere' does not exist");
    expect((await ok('GET', '/api/runs?limit=200')).runs.length).toBe(before);
  });
});
