// Datasets, durable evals, comparisons and BootstrapFewShot against a scripted fake model.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evalModel, examples } from '../helpers/eval-model.js';
import { spawnHarness } from '../helpers/processes.js';
import { startTestStack, TOKEN, waitForRun, type TestStack } from '../helpers/stack.js';
import { startFakeProvider } from '../fakes/server.js';

describe('evaluation and optimization', () => {
  let stack: TestStack;
  const post = async (p: string, body: unknown, status = [200, 201]) => {
    const r = await stack.api('POST', p, body);
    if (!status.includes(r.status)) throw new Error(`${p}: ${r.status} ${JSON.stringify(r.body)}`);
    return r.body;
  };
  beforeAll(async () => {
    stack = await startTestStack({ script: evalModel });
    await post('/api/providers', {
      name: 'fake',
      type: 'openai',
      baseUrl: stack.fake.baseUrl,
      apiKey: 'sk-test-123456789012345678',
      defaultModel: 'fake-model',
    });
    await post('/api/components', {
      name: 'qa',
      signature: 'question: str -> answer: str',
      instructions: 'mode: quarter',
      provider: 'fake',
    });
    await post('/api/datasets', { name: 'qs' });
    await post('/api/datasets/qs/examples', { examples: examples(20) });
  });
  afterAll(() => stack?.close());

  it('scores a component over 20 examples: the aggregate is the known fraction', async () => {
    const run = await post('/api/evals', {
      dataset: 'qs',
      target: { component: 'qa@1' },
      metrics: [{ name: 'exact_match', field: 'answer' }],
      concurrency: 4,
    });
    const done = await waitForRun(stack, run.id, 90_000);
    expect(done.status).toBe('completed');
    const agg = done.outputs.aggregates['exact_match:answer'];
    expect(agg.mean).toBe(5 / 20);
    expect(agg.n).toBe(20);
    expect(agg.ci95[0]).toBeLessThan(0.25);
    expect(agg.ci95[1]).toBeGreaterThan(0.25);
    const { body } = await stack.api('GET', `/api/evals/${run.id}`);
    expect(body.results).toHaveLength(20);
    const child = await stack.api('GET', `/api/runs/${body.results[0].childRunId}`);
    expect(child.body).toMatchObject({ kind: 'component', status: 'completed', origin: `eval:${run.id}` });
    expect(done.usage.inputTokens).toBeGreaterThan(0);
    // The examples are listed under their eval, not among the top-level runs.
    const top = (await stack.api('GET', '/api/runs?limit=200')).body.runs as Array<{
      id: string;
      origin: string | null;
    }>;
    expect(top.map((r) => r.id)).toContain(run.id);
    expect(top.filter((r) => r.origin?.startsWith('eval:'))).toEqual([]);
    const examplesOfEval = (await stack.api('GET', `/api/runs?origin=eval:${run.id}&limit=50`)).body.runs as Array<{
      id: string;
    }>;
    expect(examplesOfEval.map((r) => r.id).sort()).toEqual(
      body.results.map((r: { childRunId: string }) => r.childRunId).sort(),
    );
    const bad = await stack.api('GET', '/api/runs?origin=elsewhere');
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('origin is app, app:<name>@, app:<name>@<version>, eval');
  });

  it('compares two versions, listing exactly the examples that changed, regressions first', async () => {
    await post('/api/components/qa/versions', {
      name: 'qa',
      signature: 'question: str -> answer: str',
      instructions: 'mode: even',
      provider: 'fake',
    });
    await post('/api/components/qa/versions', {
      name: 'qa',
      signature: 'question: str -> answer: str',
      instructions: 'mode: low',
      provider: 'fake',
    });
    const [a, b] = await Promise.all(
      [2, 3].map((v) =>
        post('/api/evals', {
          dataset: 'qs',
          target: { component: `qa@${v}` },
          metrics: [{ name: 'exact_match', field: 'answer' }],
        }),
      ),
    );
    await Promise.all([waitForRun(stack, a.id, 90_000), waitForRun(stack, b.id, 90_000)]);
    // Started together, so neither is older: the baseline is named.
    const { body } = await stack.api('GET', `/api/evals/compare?runs=${a.id},${b.id}&baseline=${a.id}`);
    const { body: dataset } = await stack.api('GET', '/api/datasets/qs');
    const question = (exampleId: string) => dataset.examples.find((e: any) => e.id === exampleId).inputs.question;
    const changed = body.changes.map((c: any) => `${c.kind}:${question(c.exampleId)}`);
    // even (v2) vs low (v3): 10,12,14,16,18 regress; 1,3,5,7,9 improve; the rest are unchanged.
    expect(changed.slice(0, 5).sort()).toEqual([
      'regression:q10',
      'regression:q12',
      'regression:q14',
      'regression:q16',
      'regression:q18',
    ]);
    expect(changed.slice(5).sort()).toEqual([
      'improvement:q1',
      'improvement:q3',
      'improvement:q5',
      'improvement:q7',
      'improvement:q9',
    ]);
    expect(body.unchanged).toBe(10);
    // Five examples better and five worse: the same mean, and no detectable difference.
    expect(body.aggregates['exact_match:answer']).toMatchObject({
      means: [0.5, 0.5],
      deltas: [0, 0],
      verdicts: [null, 'no detectable difference'],
      tests: [null, { n: 20, delta: 0, pValue: 1 }],
    });
  });

  it("compares against a chosen baseline on every metric, with each example's inputs, expected, outputs and scores", async () => {
    // The first metric never moves (every answer matches "."); only the second one tells the versions apart.
    const metrics = [
      { name: 'regex', field: 'answer', args: { pattern: '.' } },
      { name: 'exact_match', field: 'answer' },
    ];
    const [even, low] = await Promise.all(
      [2, 3].map((v) => post('/api/evals', { dataset: 'qs', target: { component: `qa@${v}` }, metrics })),
    );
    await Promise.all([waitForRun(stack, even.id, 90_000), waitForRun(stack, low.id, 90_000)]);
    const compare = async (baseline: string) =>
      (await stack.api('GET', `/api/evals/compare?runs=${even.id},${low.id}&baseline=${baseline}`)).body;
    const againstEven = await compare(even.id);
    expect(againstEven.metrics).toEqual(['regex:answer', 'exact_match:answer']);
    expect(againstEven.changes).toHaveLength(10);
    const q10 = againstEven.changes.find((c: any) => c.inputs.question === 'q10');
    expect(q10).toMatchObject({
      kind: 'regression',
      metrics: ['exact_match:answer'],
      expected: { answer: 'a10' },
      scores: { 'regex:answer': [1, 1], 'exact_match:answer': [1, 0] },
      deltas: { 'exact_match:answer': [0, -1] },
    });
    expect(q10.outputs[0]).toEqual({ answer: 'a10' });
    expect(q10.outputs[1].answer).not.toBe('a10');
    // The same two evals, the other one as the baseline: the sign follows the baseline, not the order picked.
    const againstLow = await compare(low.id);
    expect(againstLow.runs.map((r: { id: string }) => r.id)).toEqual([low.id, even.id]);
    expect(againstLow.changes.find((c: any) => c.inputs.question === 'q10')).toMatchObject({
      kind: 'improvement',
      deltas: { 'exact_match:answer': [0, 1] },
    });
    const stray = await stack.api('GET', `/api/evals/compare?runs=${even.id},${low.id}&baseline=run_0000000000`);
    expect(stray.status).toBe(400);
    expect(stray.body.error.message).toContain("the baseline 'run_0000000000' is not one of the compared runs");
  });

  it('BootstrapFewShot saves a version with demos and records before/after on dev', async () => {
    await post('/api/components', {
      name: 'learner',
      signature: 'question: str -> answer: str',
      instructions: 'mode: learner',
      provider: 'fake',
    });
    await post('/api/datasets', { name: 'fewshot' });
    await post('/api/datasets/fewshot/examples', {
      examples: [...examples(6, 'train', 'train-'), ...examples(5, 'dev')],
    });
    const run = await post('/api/optimizations', {
      component: 'learner',
      dataset: 'fewshot',
      metric: { name: 'exact_match', field: 'answer' },
      k: 3,
    });
    const done = await waitForRun(stack, run.id, 120_000);
    expect(done.status).toBe('completed');
    expect(done.outputs).toMatchObject({ version: 2, saved: true, demos: 3, before: 0, after: 1 });
    // The header's tokens are its trials' (the teacher's runs and the evals on dev), not 0.
    const trials = (await stack.api('GET', `/api/runs?origin=optimize:${run.id}&limit=50`)).body.runs as Array<{
      usage: { inputTokens: number; outputTokens: number };
    }>;
    expect(trials.length).toBeGreaterThan(3);
    const trialTokens = trials.reduce((n, t) => n + t.usage.inputTokens + t.usage.outputTokens, 0);
    expect(trialTokens).toBeGreaterThan(0);
    expect(done.usage.inputTokens + done.usage.outputTokens).toBe(trialTokens);
    const saved = (await stack.api('GET', '/api/components/learner/versions/2')).body;
    // Where it came from: this run, the version it improved, the dataset as read, the scores on dev.
    expect(saved.provenance).toMatchObject({
      optimizer: 'bootstrap',
      run: run.id,
      from: 'learner@1',
      dataset: { name: 'fewshot', examples: { train: 6, dev: 5, test: 0 } },
      metric: 'exact_match:answer',
      heldOut: 'dev',
      before: { mean: 0 },
      after: { mean: 1 },
    });
    const v2 = saved.spec;
    expect(v2.demos).toHaveLength(3);
    expect(v2.demos[0]).toEqual({ inputs: { question: 'train-q0' }, outputs: { answer: 'a0' }, augmented: true });
    const events = (await stack.api('GET', `/api/runs/${run.id}/events`)).body.events;
    expect(
      events.filter((e: any) => e.type === 'step.completed' && e.data.stepId.startsWith('candidate:')),
    ).toHaveLength(3);
  });

  it('BootstrapFewShot saves nothing when the candidate does not beat the current version on dev, and says so', async () => {
    // "quarter" is right on q0 and q4 whatever the demos: 0.4 before, 0.4 with them.
    await post('/api/components', {
      name: 'steady',
      signature: 'question: str -> answer: str',
      instructions: 'mode: quarter',
      provider: 'fake',
    });
    await post('/api/datasets', { name: 'steady-set' });
    await post('/api/datasets/steady-set/examples', {
      examples: [...examples(6, 'train', 'train-'), ...examples(5, 'dev')],
    });
    const run = await post('/api/optimizations', {
      component: 'steady',
      dataset: 'steady-set',
      metric: { name: 'exact_match', field: 'answer' },
      k: 3,
    });
    const done = await waitForRun(stack, run.id, 120_000);
    expect(done.status).toBe('completed');
    expect(done.outputs).toMatchObject({ version: 1, saved: false, kept: 'steady@1', before: 0.4, after: 0.4 });
    expect((await stack.api('GET', '/api/components/steady')).body.versions).toHaveLength(1);
    const events = (await stack.api('GET', `/api/runs/${run.id}/events`)).body.events as Array<{
      type: string;
      data: any;
    }>;
    expect(events.find((e) => e.type === 'log' && /no improvement/.test(e.data.message))!.data.message).toMatch(
      /^no improvement: kept steady@1 \(0\.400 → 0\.400 on 5 dev examples\)/,
    );
    expect(done.usage.inputTokens).toBeGreaterThan(0);

    const cli = spawnHarness(['optimize', '-c', 'steady', '-d', 'steady-set', '-m', 'exact_match:answer', '-k', '3'], {
      HARNESS_PORT: String(stack.backend.port),
      HARNESS_TOKEN: TOKEN,
      VLOOP_PROJECT_DIR: stack.dir,
    });
    expect(await cli.exitCode, cli.output()).toBe(0);
    expect(cli.output()).toMatch(/^no improvement: kept steady@1 \(0\.400 → 0\.400/m);
  });

  it('refuses bad imports with line numbers and leaves the dataset unchanged', async () => {
    await post('/api/datasets', { name: 'strict' });
    await post('/api/datasets/strict/import', {
      format: 'jsonl',
      content: '{"inputs":{"question":"q0"},"expected":{"answer":"a0"}}\n',
    });
    const jsonl = await stack.api('POST', '/api/datasets/strict/import', {
      format: 'jsonl',
      content: '{"inputs":{"question":"q1"},"expected":{"answer":"a1"}}\n{broken\n',
    });
    expect(jsonl.status).toBe(400);
    expect(jsonl.body.error.details.problems).toEqual([expect.objectContaining({ path: 'line 2' })]);
    const csv = await stack.api('POST', '/api/datasets/strict/import', {
      format: 'csv',
      content: 'input.question,answer\nq1,a1\n',
    });
    expect(csv.status).toBe(400);
    expect(csv.body.error.message).toMatch(/line 1: missing columns/);
    expect((await stack.api('GET', '/api/datasets/strict')).body.examples).toHaveLength(1);
    const ok = await post('/api/datasets/strict/import', {
      format: 'csv',
      content: 'input.question,expected.answer,split\nq1,a1,dev\nq2,a2,test\n',
    });
    expect(ok.splits).toEqual({ train: 0, dev: 2, test: 1 });
    const first = ok.examples[0].id;
    expect(
      (
        await stack.api('PATCH', `/api/datasets/strict/examples/${first}`, {
          split: 'test',
          expected: { answer: 'A0' },
        })
      ).body.splits,
    ).toEqual({ train: 0, dev: 1, test: 2 });
    expect((await stack.api('PATCH', `/api/datasets/strict/examples/${first}`, { split: 'nope' })).status).toBe(400);
    expect((await stack.api('DELETE', `/api/datasets/strict/examples/${first}`)).status).toBe(204);
    expect((await stack.api('DELETE', `/api/datasets/strict/examples/${first}`)).status).toBe(404);
    await post('/api/datasets/strict/examples', {
      examples: [{ inputs: { question: 'q0' }, expected: { answer: 'a0' } }],
    });
    const exported = await fetch(`${stack.backend.url}/api/datasets/strict/export`, {
      headers: { authorization: 'Bearer test-token-0123456789abcdef' },
    }).then((r) => r.text());
    expect(exported.trim().split('\n')).toHaveLength(3);
  });

  it('evaluates the same prompts on another provider and model', async () => {
    const other = await startFakeProvider('ollama', (req) =>
      evalModel({
        ...req,
        messages: req.messages.map((m, i) =>
          i === 0 ? { ...m, content: m.content.replace(/mode: \w+/, 'mode: even') } : m,
        ),
      }),
    );
    try {
      await post('/api/providers', {
        name: 'other',
        type: 'ollama',
        baseUrl: other.baseUrl,
        defaultModel: 'other-model',
      });
      const run = await post('/api/evals', {
        dataset: 'qs',
        target: { component: 'qa@1' },
        override: { provider: 'other', model: 'bigger' },
        metrics: [{ name: 'exact_match', field: 'answer' }],
      });
      const done = await waitForRun(stack, run.id, 90_000);
      expect(done.outputs.aggregates['exact_match:answer'].mean).toBe(0.5);
      expect(done.inputs.override).toEqual({ provider: 'other', model: 'bigger' });
      expect(other.requests).toHaveLength(20);
      expect(new Set(other.requests.map((r) => r.model))).toEqual(new Set(['bigger']));
    } finally {
      await other.close();
    }
  });

  it('adds a completed run to a dataset', async () => {
    const run = await post('/api/components/qa/runs', { inputs: { question: 'q4' }, version: 1 });
    await waitForRun(stack, run.id);
    const d = await post(`/api/runs/${run.id}/dataset`, { dataset: 'strict', split: 'train' });
    expect(d.examples.at(-1)).toMatchObject({
      inputs: { question: 'q4' },
      expected: { answer: 'a4' },
      sourceRunId: run.id,
    });
  });
});
