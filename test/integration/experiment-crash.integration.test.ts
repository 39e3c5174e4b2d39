// Experiments across a worker crash and a cancel (issue 32): SIGKILL the worker mid-experiment and cancel another;
// the first completes on a new worker, the second's resume completes it, and the fake provider delivered one answer
// to each (example, variant, repeat): the calls the kill cut off were asked again, their answers having reached no one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeReply, FakeRequest } from '../fakes/script.js';
import { evalModel, examples, modeQuestion } from '../helpers/eval-model.js';
import { until, type HarnessProcess } from '../helpers/processes.js';
import { startStackWorker } from '../helpers/stack-worker.js';
import { addFakeProvider, startTestStack, waitForRun, type TestStack } from '../helpers/stack.js';

describe('experiments across a worker crash and a cancel', () => {
  let stack: TestStack;
  let worker: HarnessProcess | undefined;
  /** Calls that wait, per mode and question, until released. */
  const holding = new Set<string>();
  const held: Array<(reply: FakeReply) => void> = [];
  const script = async (req: FakeRequest): Promise<FakeReply> => {
    const key = modeQuestion(req);
    if (!holding.has(key)) return evalModel(req);
    holding.delete(key);
    return new Promise<FakeReply>((r) => held.push(r));
  };
  const startWorker = () => startStackWorker(stack);
  const component = (mode: string) => ({
    name: 'skill',
    signature: 'question: str -> answer: str',
    instructions: `mode: ${mode}`,
    provider: 'fake',
  });
  const experiment = (dataset: string, versions: number[]) =>
    stack.ok('POST', '/api/experiments', {
      dataset,
      variants: versions.map((v) => ({ target: { component: `skill@${v}` } })),
      metrics: [{ name: 'exact_match', field: 'answer' }],
      repeats: 2,
      // One call in flight per cell: when all four wait on held calls, those are the only calls the kill cuts.
      concurrency: 1,
    });

  beforeAll(async () => {
    stack = await startTestStack({ script, withWorker: false });
    await addFakeProvider(stack);
    for (const [i, mode] of ['sixty', 'better', 'worse', 'even'].entries())
      await stack.ok('POST', i ? '/api/components/skill/versions' : '/api/components', component(mode));
    for (const prefix of ['k-', 'c-']) {
      await stack.ok('POST', '/api/datasets', { name: `${prefix}set` });
      await stack.ok('POST', `/api/datasets/${prefix}set/examples`, { examples: examples(8, 'dev', prefix) });
    }
    worker = await startWorker();
  });
  afterAll(async () => {
    held.splice(0).forEach((r) => r({ status: 503, error: 'the test ended' }));
    await worker?.kill();
    await stack?.close();
  });

  it('completes the one whose worker died and resumes the cancelled one, each call answered once', async () => {
    // Each cell's first call on one question waits: when all four wait, the worker dies; then one is cancelled.
    const cutKeys = ['sixty:k-q3', 'better:k-q5', 'worse:c-q6', 'even:c-q2'];
    for (const k of cutKeys) holding.add(k);
    const crashed = await experiment('k-set', [1, 2]);
    const cancelled = await experiment('c-set', [3, 4]);
    await until(() => held.length === 4, 'every cell waiting on its held call', 90_000);
    const cut = stack.fake.closedEarly;
    await worker!.kill('SIGKILL');
    // The four calls in flight lose their connections with the worker; answered after, the answers reach no one.
    await until(() => stack.fake.closedEarly >= cut + 4, 'the calls in flight cut off', 30_000);
    held.splice(0).forEach((r) => r(evalModel(stack.fake.requests.at(-1)!)));
    worker = await startWorker();
    await stack.ok('POST', `/api/runs/${cancelled.id}/cancel`);
    expect((await waitForRun(stack, cancelled.id, 120_000)).status).toBe('cancelled');
    expect(await waitForRun(stack, crashed.id, 180_000)).toMatchObject({ status: 'completed' });
    const resumed = await stack.ok('POST', `/api/experiments/${cancelled.id}/resume`, {});
    expect(await waitForRun(stack, resumed.id, 180_000)).toMatchObject({ status: 'completed' });

    for (const run of [crashed, resumed]) {
      const view = await stack.ok('GET', `/api/experiments/${run.id}`);
      for (const c of view.cells) expect(c.outputs).toMatchObject({ examples: 8, results: 16, errors: 0 });
    }
    // One answer delivered per (example, variant, repeat): two repeats per question, in all four variants.
    const delivered = new Map<string, number>();
    for (const r of stack.fake.delivered) delivered.set(modeQuestion(r), (delivered.get(modeQuestion(r)) ?? 0) + 1);
    const keys = [
      ...['sixty', 'better'].flatMap((m) => Array.from({ length: 8 }, (_, i) => `${m}:k-q${i}`)),
      ...['worse', 'even'].flatMap((m) => Array.from({ length: 8 }, (_, i) => `${m}:c-q${i}`)),
    ];
    expect(keys.filter((k) => delivered.get(k) !== 2).map((k) => [k, delivered.get(k) ?? 0])).toEqual([]);
  }, 300_000);
});
