// SIGKILL of the worker mid-eval: the eval completes and no finished example runs again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStackWorker } from '../helpers/stack-worker.js';
import { evalModel, examples } from '../helpers/eval-model.js';
import { promptFields } from '../helpers/echo-model.js';
import { until, type HarnessProcess } from '../helpers/processes.js';
import { startTestStack, waitForRun, type TestStack } from '../helpers/stack.js';
import { startFakeProvider, type FakeProvider } from '../fakes/server.js';
import type { FakeRequest } from '../fakes/script.js';

describe('eval across a worker crash', () => {
  let stack: TestStack;
  let worker: HarnessProcess | undefined;
  let judge: FakeProvider;
  let release: () => void = () => {};
  let hold = true;
  const script = async (req: FakeRequest) => {
    if (promptFields(req).question === 'q6' && hold) {
      hold = false;
      await new Promise<void>((r) => (release = r));
    }
    return evalModel(req);
  };
  const startWorker = () => startStackWorker(stack);

  beforeAll(async () => {
    stack = await startTestStack({ script, withWorker: false });
    judge = await startFakeProvider('anthropic', () =>
      JSON.stringify({ reasoning: 'matches the expected answer closely', score: 0.75 }),
    );
    const post = (p: string, b: unknown) => stack.api('POST', p, b);
    await post('/api/providers', {
      name: 'fake',
      type: 'openai',
      baseUrl: stack.fake.baseUrl,
      apiKey: 'sk-test-123456789012345678',
      defaultModel: 'fake-model',
    });
    await post('/api/providers', {
      name: 'judge',
      type: 'anthropic',
      baseUrl: judge.baseUrl,
      apiKey: 'sk-test-123456789012345678',
      defaultModel: 'judge-model',
    });
    await post('/api/components', {
      name: 'qa',
      signature: 'question: str -> answer: str',
      instructions: 'mode: even',
      provider: 'fake',
    });
    await post('/api/datasets', { name: 'qs' });
    await post('/api/datasets/qs/examples', { examples: examples(12) });
    worker = await startWorker();
  });
  afterAll(async () => {
    release();
    await worker?.kill();
    await judge?.close();
    await stack?.close();
  });

  it('completes, and only the interrupted example is asked twice', async () => {
    const { body: run } = await stack.api('POST', '/api/evals', {
      dataset: 'qs',
      target: { component: 'qa' },
      metrics: [
        { name: 'exact_match', field: 'answer' },
        { name: 'llm_judge', field: 'answer', args: { provider: 'judge', rubric: 'Is it the right answer?' } },
      ],
      concurrency: 2,
    });
    await until(() => stack.fake.requests.some((r) => promptFields(r).question === 'q6'), 'q6 in flight', 60_000);
    await worker!.kill('SIGKILL');
    release();
    worker = await startWorker();
    const done = await waitForRun(stack, run.id, 120_000);
    expect(done.status).toBe('completed');
    expect(done.outputs.aggregates['exact_match:answer'].mean).toBe(0.5);
    expect(done.outputs.aggregates['llm_judge:answer'].mean).toBe(0.75);
    const asked = (q: string) => stack.fake.requests.filter((r) => promptFields(r).question === q).length;
    expect(asked('q6')).toBe(2);
    for (const q of ['q0', 'q1', 'q2', 'q3', 'q4', 'q5']) expect(asked(q)).toBe(1);
    const { body } = await stack.api('GET', `/api/evals/${run.id}`);
    expect(body.results[0].details['llm_judge:answer'].reasoning).toBe('matches the expected answer closely');
    // Its own waits allow 60 s to reach q6 and 120 s to finish: a loaded CI machine needs them.
  }, 200_000);
});
