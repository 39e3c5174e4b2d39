// Repeats within one eval (issue 32): each example runs N times, each run kept as a result of its own; the
// aggregates count examples (each one its repeats' mean) with the per-example spread; a comparison pairs examples,
// so a variant with a known 5% noise is "no detectable difference" and one with a real 20-point gain "better",
// on a sampling fake pinned by seed. Repeats keep their own answers in the step cache, and a resume runs only the
// repeats an outage cost.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { samplingModel, examples } from '../helpers/eval-model.js';
import { addFakeProvider, startTestStack, waitForRun, type TestStack } from '../helpers/stack.js';

describe('repeats within an eval', () => {
  let stack: TestStack;
  const model = samplingModel();
  const metrics = [{ name: 'exact_match', field: 'answer' }];
  const calls = () => [...model.asked.values()].reduce((a, b) => a + b, 0);
  const evalOf = async (dataset: string, version: number, more: Record<string, unknown> = {}) => {
    const run = await stack.ok('POST', '/api/evals', {
      dataset,
      target: { component: `qa@${version}` },
      metrics,
      concurrency: 8,
      ...more,
    });
    return waitForRun(stack, run.id, 180_000);
  };
  type Result = {
    exampleId: string;
    repeat: number;
    childRunId: string;
    inputs: { question: string };
    outputs: { answer: string } | null;
    error: string | null;
  };
  const resultsOf = async (id: string): Promise<Result[]> => (await stack.ok('GET', `/api/evals/${id}`)).results;

  beforeAll(async () => {
    stack = await startTestStack({ script: model.reply });
    await addFakeProvider(stack);
    const qa = { name: 'qa', signature: 'question: str -> answer: str', provider: 'fake' };
    await stack.ok('POST', '/api/components', { ...qa, instructions: 'mode: base' });
    await stack.ok('POST', '/api/components/qa/versions', { ...qa, instructions: 'mode: jitter' });
    await stack.ok('POST', '/api/components/qa/versions', { ...qa, instructions: 'mode: gain' });
    for (const [name, n] of [
      ['forty', 40],
      ['ten', 10],
      ['flaky', 10],
    ] as const) {
      await stack.ok('POST', '/api/datasets', { name });
      await stack.ok('POST', `/api/datasets/${name}/examples`, { examples: examples(n, 'dev', `${name}-`) });
    }
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('keeps every repeat, and tells a known 5% noise from a real gain by a paired test on the examples', async () => {
    const before = calls();
    const [base, jitter, gain] = await Promise.all([1, 2, 3].map((v) => evalOf('forty', v, { repeats: 5 })));
    expect(calls() - before).toBe(600);
    for (const run of [base, jitter, gain]) {
      expect(run).toMatchObject({
        status: 'completed',
        inputs: { repeats: 5 },
        outputs: { examples: 40, results: 200, errors: 0 },
      });
      const a = run.outputs.aggregates['exact_match:answer'];
      // Examples are the unit: n 40, each its five runs' mean; the runs of one example disagree somewhat.
      expect(a).toMatchObject({ n: 40, repeats: 5 });
      expect(a.spread).toBeGreaterThan(0.1);
      expect(a.spread).toBeLessThan(0.5);
    }
    const results = await resultsOf(base.id);
    expect(results).toHaveLength(200);
    expect(new Set(results.map((r) => r.childRunId)).size).toBe(200);
    for (const id of new Set(results.map((r) => r.exampleId)))
      expect(results.filter((r) => r.exampleId === id).map((r) => r.repeat)).toEqual([0, 1, 2, 3, 4]);

    const cmp = await stack.ok('GET', `/api/evals/compare?runs=${base.id},${jitter.id},${gain.id}&baseline=${base.id}`);
    const m = cmp.aggregates['exact_match:answer'];
    expect(m.verdicts).toEqual([null, 'no detectable difference', 'better']);
    expect(m.tests[1]).toMatchObject({ n: 40 });
    expect(m.tests[1].pValue).toBeGreaterThan(0.05);
    expect(Math.abs(m.tests[1].delta)).toBeLessThan(0.08);
    expect(m.tests[2]).toMatchObject({ n: 40 });
    expect(m.tests[2].pValue).toBeLessThan(0.01);
    expect(m.tests[2].delta).toBeGreaterThan(0.1);
    expect(m.tests[2].delta).toBeLessThan(0.3);
  }, 300_000);

  it('keeps one answer per repeat in the step cache: a second eval with the cache calls nothing', async () => {
    const before = calls();
    const first = await evalOf('ten', 1, { repeats: 3, cache: 'reuse' });
    // Repeats 1 and 2 are their own samples, not a cache hit on repeat 0.
    expect(calls() - before).toBe(30);
    const again = await evalOf('ten', 1, { repeats: 3, cache: 'reuse' });
    expect(calls() - before).toBe(30);
    expect(again.outputs).toMatchObject({ examples: 10, results: 30, errors: 0 });
    const answers = async (id: string) =>
      (await resultsOf(id)).map((r) => `${r.exampleId}#${r.repeat}:${r.outputs?.answer}`);
    expect(await answers(again.id)).toEqual(await answers(first.id));
    expect(again.outputs.aggregates).toEqual(first.outputs.aggregates);
  }, 180_000);

  it('resumes a repeated eval by running only the repeats an outage errored', async () => {
    // flaky-q3 answers once, then the provider is down for it: two of its three repeats error.
    model.down.set('flaky-q3', 1);
    const source = await evalOf('flaky', 1, { repeats: 3 });
    expect(source.outputs).toMatchObject({ examples: 10, results: 30, errors: 2 });
    model.down.clear();
    const answered = (q: string) => model.asked.get(`base:${q}`) ?? 0;
    const before = Array.from({ length: 10 }, (_, i) => answered(`flaky-q${i}`));
    const resumed = await stack.ok('POST', `/api/evals/${source.id}/resume`, {});
    expect(resumed.resumed).toEqual({ from: source.id, examples: 1, kept: 28 });
    const done = await waitForRun(stack, resumed.id, 120_000);
    expect(done).toMatchObject({ status: 'completed', outputs: { examples: 10, results: 30, errors: 0 } });
    const after = Array.from({ length: 10 }, (_, i) => answered(`flaky-q${i}`) - before[i]!);
    // Only q3's two errored repeats were asked again.
    expect(after).toEqual([0, 0, 0, 2, 0, 0, 0, 0, 0, 0]);
    // q3's finished repeat is kept, pointing at the run that answered it.
    const kept = (await resultsOf(source.id)).find((r) => r.error === null && r.inputs.question === 'flaky-q3')!;
    const now = (await resultsOf(resumed.id)).filter((r) => r.exampleId === kept.exampleId);
    expect(now.map((r) => [r.repeat, r.error])).toEqual([
      [0, null],
      [1, null],
      [2, null],
    ]);
    expect(now.find((r) => r.repeat === kept.repeat)!.childRunId).toBe(kept.childRunId);
  }, 180_000);

  it('refuses repeats out of range with a clear error', async () => {
    for (const repeats of [0, 101, 1.5])
      await expect(
        stack.api('POST', '/api/evals', { dataset: 'ten', target: { component: 'qa@1' }, metrics, repeats }),
      ).resolves.toMatchObject({ status: 400, body: { error: { code: 'invalid_request' } } });
  });
});
