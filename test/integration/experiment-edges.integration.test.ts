// Experiments and repeats at their edges, written as attacks: pipeline and label variants, listing filters, bad
// input, a cancel that lands before cells start, a chain of resumes each cancelled at its start, a cell that fails,
// errored repeats, and the same on PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeReply, FakeRequest } from '../fakes/script.js';
import { evalModel, examples, modeQuestion } from '../helpers/eval-model.js';
import { formatPredictReply } from '../../core/adapters.js';
import { until } from '../helpers/processes.js';
import { addFakeProvider, startTestStack, waitForRun, type TestStack } from '../helpers/stack.js';

const metrics = [{ name: 'exact_match', field: 'answer' }];
const component = (name: string, mode: string) => ({
  name,
  signature: 'question: str -> answer: str',
  instructions: `mode: ${mode}`,
  provider: 'fake',
});

/** A fake that counts answered calls per mode:question, can hold calls (until released) or fail them (503). */
function controlled() {
  const answered = new Map<string, number>();
  const holding = new Set<string>();
  const down = new Set<string>();
  const held: Array<(reply: FakeReply) => void> = [];
  const script = async (req: FakeRequest): Promise<FakeReply> => {
    const key = modeQuestion(req);
    if (down.has(key)) return { status: 503, error: 'the provider is overloaded' };
    const reply = holding.has(key) ? await new Promise<FakeReply>((r) => held.push(r)) : evalModel(req);
    if (typeof reply === 'string') answered.set(key, (answered.get(key) ?? 0) + 1);
    return reply;
  };
  const release = () => {
    holding.clear();
    held.splice(0).forEach((r) => r({ status: 503, error: 'cut short' }));
  };
  return { answered, holding, down, held, script, release };
}

const terminal = ['completed', 'failed', 'cancelled'];

async function seed(stack: TestStack, prefix = '') {
  await addFakeProvider(stack);
  const modes = ['sixty', 'better', 'worse', 'even', 'quarter', 'low'];
  for (const [i, mode] of modes.entries())
    await stack.ok('POST', i ? '/api/components/skill/versions' : '/api/components', component('skill', mode));
  await stack.ok('POST', '/api/components/skill/labels/production', { version: 2 });
  await stack.ok('POST', '/api/pipelines', {
    name: 'piped',
    inputs: { question: 'str' },
    steps: [{ id: 's', component: 'skill@3', inputs: { question: '$inputs.question' } }],
    outputs: { answer: '$steps.s.outputs.answer' },
  });
  await stack.ok('POST', '/api/datasets', { name: 'ten' });
  await stack.ok('POST', '/api/datasets/ten/examples', { examples: examples(10, 'dev', `${prefix}t-`) });
}

describe('experiments at their edges (SQLite)', () => {
  let stack: TestStack;
  const fake = controlled();
  let keptPair: [any, any] | undefined;
  const cellsOf = async (id: string) =>
    (await stack.ok('GET', `/api/experiments/${id}`)).cells as Array<{
      label: string;
      evalRunId: string;
      status: string;
    }>;

  beforeAll(async () => {
    stack = await startTestStack({ script: fake.script });
    await seed(stack);
  }, 120_000);
  afterAll(async () => {
    fake.release();
    await stack?.close();
  });

  it('an experiment of a pipeline variant and a label variant completes, labelled as asked', async () => {
    const started = await stack.ok('POST', '/api/experiments', {
      dataset: 'ten',
      variants: [{ target: { component: 'skill@production' } }, { target: { pipeline: 'piped@1' } }],
      metrics,
      repeats: 2,
    });
    const done = await waitForRun(stack, started.id, 120_000);
    expect(done.status, JSON.stringify(done.error)).toBe('completed');
    const view = await stack.ok('GET', `/api/experiments/${started.id}`);
    expect(view.cells.map((c: { label: string }) => c.label)).toEqual(['skill@production', 'piped@1']);
    expect(view.cells.map((c: { status: string }) => c.status)).toEqual(['completed', 'completed']);
    for (const c of view.cells) expect(c.outputs).toMatchObject({ examples: 10, results: 20, errors: 0 });
    // skill@2 (better) against piped@1 → skill@3 (worse).
    expect(
      view.grid.aggregates['exact_match:answer'].n ?? view.grid.aggregates['exact_match:answer'].means,
    ).toBeTruthy();
    const pipeCell = await stack.ok('GET', `/api/runs/${view.cells[1].evalRunId}`);
    expect(pipeCell.target).toMatchObject({ type: 'pipeline', name: 'piped' });
    // The label was read at the start: the cell's target is version 2.
    const labelCell = await stack.ok('GET', `/api/runs/${view.cells[0].evalRunId}`);
    expect(labelCell.target).toMatchObject({ type: 'component', name: 'skill', version: 2 });
  }, 180_000);

  it('listing filters: kind=experiment finds it, origin=experiment finds cells and nothing else', async () => {
    const exps = (await stack.ok('GET', '/api/runs?kind=experiment&limit=100')).runs;
    expect(exps.length).toBeGreaterThan(0);
    for (const r of exps) expect(r.kind).toBe('experiment');
    const cells = (await stack.ok('GET', '/api/runs?origin=experiment&limit=100')).runs;
    expect(cells.length).toBeGreaterThan(0);
    for (const r of cells) expect(r.kind).toBe('eval');
    const one = exps[0].id;
    const under = (await stack.ok('GET', `/api/runs?origin=experiment:${one}&limit=100`)).runs;
    expect(under.map((r: { id: string }) => r.id).sort()).toEqual((await cellsOf(one)).map((c) => c.evalRunId).sort());
  });

  it('bad input is a 4xx, never a 500', async () => {
    const v = (component: string) => ({ target: { component } });
    const bodies: unknown[] = [
      null,
      [],
      'x',
      { dataset: 'ten', variants: [v('skill@1'), v('skill@2')] },
      { dataset: 'ten', variants: [v('skill@1'), v('skill@2')], metrics: [] },
      { dataset: 'nope', variants: [v('skill@1'), v('skill@2')], metrics },
      { dataset: 'ten', variants: [v('skill@1'), v('skill@2')], metrics, split: 'train' },
      { dataset: 'ten', variants: [v('skill@1'), v('skill@2')], metrics, split: 'bogus' },
      { dataset: 'ten', variants: [v('skill@1'), v('skill@2')], metrics, repeats: 0 },
      { dataset: 'ten', variants: [v('skill@1'), v('skill@2')], metrics, repeats: 101 },
      { dataset: 'ten', variants: [v('skill@1'), v('skill@2')], metrics, concurrency: 0 },
      { dataset: 'ten', variants: Array.from({ length: 9 }, (_, i) => v(`skill@${(i % 6) + 1}`)), metrics },
      { dataset: 'ten', variants: [v('skill@1'), { target: { component: 'skill@1', pipeline: 'piped@1' } }], metrics },
      { dataset: 'ten', variants: [v('skill@1'), v('skill@nolabel')], metrics },
      { dataset: 'ten', variants: [v('skill@1'), v('nope@1')], metrics },
      { dataset: 'ten', variants: [v('skill@1'), { target: { pipeline: 'skill@1' } }], metrics },
      { dataset: 'ten', variants: [v('skill@1'), v('skill@0')], metrics },
      { dataset: 'ten', variants: [v('skill@1'), v('skill@99999999999')], metrics },
      { dataset: 'ten', variants: [v('skill@1'), { ...v('skill@2'), override: { provider: 'missing' } }], metrics },
      { dataset: 'ten', variants: [v('skill@1'), { ...v('skill@2'), params: { temperature: 'hot' } }], metrics },
      { dataset: 'ten', variants: [v('skill@1'), { ...v('skill@2'), label: '' }], metrics },
      { dataset: 'ten', variants: [v('skill@1'), { ...v('skill@2'), label: 'skill@1' }], metrics },
      { dataset: 'ten', variants: [v('skill@1'), v('skill@2')], metrics: [{ name: 'bogus' }] },
      {
        dataset: 'ten',
        variants: [v('skill@1'), v('skill@2')],
        metrics: [{ name: 'llm_judge', field: 'answer', args: { provider: 'nojudge' } }],
      },
    ];
    const got = [];
    for (const b of bodies) {
      const r = await stack.api('POST', '/api/experiments', b);
      got.push([JSON.stringify(b).slice(0, 90), r.status, r.body?.error?.message?.slice(0, 80)]);
    }
    const bad = got.filter(([, s]) => !(Number(s) >= 400 && Number(s) < 500));
    expect(bad, JSON.stringify(got, null, 1)).toEqual([]);
    // The other endpoints.
    const exp = (await stack.ok('GET', '/api/runs?kind=experiment&limit=1')).runs[0].id;
    const cell = (await cellsOf(exp))[0]!.evalRunId;
    const others = [
      ['GET', `/api/experiments/${exp}/examples/ex_nope`],
      ['GET', `/api/experiments/run_doesnotexist00`],
      ['POST', `/api/experiments/${cell}/resume`],
      ['POST', `/api/evals/${exp}/resume`],
      ['GET', `/api/evals/compare?runs=${exp},${cell}&baseline=${exp}`],
      ['GET', `/api/evals/${exp}`],
    ] as const;
    const res = [];
    for (const [m, p] of others) res.push([m, p, (await stack.api(m, p, m === 'POST' ? {} : undefined)).status]);
    expect(
      res.filter(([, , s]) => !(Number(s) >= 400 && Number(s) < 500)),
      JSON.stringify(res),
    ).toEqual([]);
  });

  it('a variant whose override provider does not exist is refused before anything starts', async () => {
    const before = (await stack.ok('GET', '/api/runs?kind=experiment&limit=100')).runs.length;
    const r = await stack.api('POST', '/api/experiments', {
      dataset: 'ten',
      variants: [
        { target: { component: 'skill@1' } },
        { target: { component: 'skill@2' }, override: { provider: 'ghost' } },
      ],
      metrics,
    });
    expect(r.status).toBe(400);
    expect(JSON.stringify(r.body)).toContain('ghost');
    expect((await stack.ok('GET', '/api/runs?kind=experiment&limit=100')).runs.length).toBe(before);
  });

  it('cancelled right after it starts: no cell is left queued (ADR: no queued row without a workflow)', async () => {
    const started = await stack.ok('POST', '/api/experiments', {
      dataset: 'ten',
      variants: ['sixty', 'better', 'worse', 'even', 'quarter', 'low'].map((_, i) => ({
        target: { component: `skill@${i + 1}` },
      })),
      metrics,
      concurrency: 1,
    });
    await stack.ok('POST', `/api/runs/${started.id}/cancel`);
    expect((await waitForRun(stack, started.id, 60_000)).status).toBe('cancelled');
    // Cells whose evals started end as their own cancel says; the rest as the experiment records them.
    await until(
      async () =>
        (await stack.ok('GET', `/api/runs?origin=experiment:${started.id}&limit=100`)).runs.every(
          (r: { status: string }) => terminal.includes(r.status),
        ),
      'every cell of the cancelled experiment to end',
      30_000,
    );
    const view = await stack.api('GET', `/api/experiments/${started.id}`);
    expect(view.status, JSON.stringify(view.body)).toBe(200);
    const rows = (await stack.ok('GET', `/api/runs?origin=experiment:${started.id}&limit=100`)).runs as Array<{
      id: string;
      status: string;
    }>;
    expect(
      rows.filter((r) => !terminal.includes(r.status)).map((r) => `${r.id}:${r.status}`),
      'cells not in an end state after their experiment was cancelled',
    ).toEqual([]);
  }, 120_000);

  it('a resume of a resumed experiment cancelled during its start never calls a finished example again', async () => {
    // skill@5 (quarter) waits on the provider from t-q5 on; skill@1 (sixty) finishes.
    for (let i = 5; i < 10; i++) fake.holding.add(`quarter:t-q${i}`);
    const base = new Map(fake.answered);
    const exp1 = await stack.ok('POST', '/api/experiments', {
      dataset: 'ten',
      variants: [{ target: { component: 'skill@1' } }, { target: { component: 'skill@5' } }],
      metrics,
      concurrency: 1,
    });
    const c1 = await cellsOf(exp1.id);
    await until(() => fake.held.length === 1, 'skill@5 waiting on t-q5', 60_000);
    await until(
      async () => (await stack.ok('GET', `/api/runs/${c1[0]!.evalRunId}`)).status === 'completed',
      'skill@1 to finish',
      60_000,
    );
    await stack.ok('POST', `/api/runs/${exp1.id}/cancel`);
    expect((await waitForRun(stack, exp1.id, 60_000)).status).toBe('cancelled');
    // q0..q4 of skill@5 are finished results in cell 2 of exp1. Each resume is cancelled as soon as it starts
    // (q5.. still held, so none can finish); a cancel that lands before the resumed cell fixed its examples is
    // the case under attack, so a few are tried.
    let prev = exp1.id as string;
    const path: string[] = [];
    for (let k = 0; k < 4; k++) {
      const r = await stack.ok('POST', `/api/experiments/${prev}/resume`, {});
      const c = await stack.api('POST', `/api/runs/${r.id}/cancel`);
      const ended = await waitForRun(stack, r.id, 30_000).catch(async (err: Error) => {
        const v = await stack.ok('GET', `/api/experiments/${r.id}`);
        throw new Error(
          `${err.message}; cancel answered ${c.status}; cells ${JSON.stringify(v.cells.map((x: { status: string; evalRunId: string }) => [x.evalRunId, x.status]))}`,
        );
      });
      expect(ended.status).toBe('cancelled');
      const cell = (await cellsOf(r.id))[1]!;
      path.push(`${cell.status}`);
      prev = r.id;
    }
    fake.release();
    const r3 = await stack.ok('POST', `/api/experiments/${prev}/resume`, {});
    expect((await waitForRun(stack, r3.id, 120_000)).status).toBe('completed');
    const calls = Array.from(
      { length: 10 },
      (_, i) => (fake.answered.get(`quarter:t-q${i}`) ?? 0) - (base.get(`quarter:t-q${i}`) ?? 0),
    );
    const cells3 = await stack.ok('GET', `/api/experiments/${r3.id}`);
    const lastCell = await stack.ok('GET', `/api/runs/${cells3.cells[1].evalRunId}`);
    expect(
      calls,
      `skill@5 calls per question across exp1, its resume and the resume of that; last cell inputs.resumeOf=${lastCell.inputs.resumeOf}; cell 2 after each cancelled resume: ${path.join(',')}`,
    ).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
  }, 240_000);

  it('a cell that fails (an example deleted under it) leaves a readable grid, and its resume finishes it', async () => {
    await stack.ok('POST', '/api/datasets', { name: 'shrinks' });
    await stack.ok('POST', '/api/datasets/shrinks/examples', { examples: examples(10, 'dev', 'sh-') });
    const exs = (await stack.ok('GET', '/api/datasets/shrinks')).examples as Array<{
      id: string;
      inputs: { question: string };
    }>;
    for (let i = 4; i < 10; i++) fake.holding.add(`worse:sh-q${i}`);
    const base = new Map(fake.answered);
    const exp = await stack.ok('POST', '/api/experiments', {
      dataset: 'shrinks',
      variants: [{ target: { component: 'skill@1' } }, { target: { component: 'skill@3' } }],
      metrics,
      concurrency: 1,
      repeats: 2,
    });
    const cells = await cellsOf(exp.id);
    await until(() => fake.held.length === 1, 'skill@3 waiting', 60_000);
    await until(
      async () => (await stack.ok('GET', `/api/runs/${cells[0]!.evalRunId}`)).status === 'completed',
      'skill@1 to finish',
      60_000,
    );
    const gone = exs.find((e) => e.inputs.question === 'sh-q7')!;
    await stack.ok('DELETE', `/api/datasets/shrinks/examples/${gone.id}`);
    fake.holding.clear();
    fake.held.splice(0).forEach((r) => r(formatPredictReply({ answer: 'wrong' })));
    const done = await waitForRun(stack, exp.id, 120_000);
    expect(done.status).toBe('completed');
    const view = await stack.api('GET', `/api/experiments/${exp.id}`);
    expect(view.status, JSON.stringify(view.body)).toBe(200);
    expect(view.body.cells.map((c: { status: string }) => c.status)).toEqual(['completed', 'failed']);
    expect(done.outputs.cells[1].error).toBeTruthy();
    const resumed = await stack.ok('POST', `/api/experiments/${exp.id}/resume`, {});
    expect(resumed.resumed.kept).toEqual(['skill@1']);
    keptPair = [exp, resumed];
    const end = await waitForRun(stack, resumed.id, 120_000);
    expect(end.status).toBe('completed');
    const rv = await stack.ok('GET', `/api/experiments/${resumed.id}`);
    expect(rv.cells[1].status).toBe('completed');
    // 9 examples left in the dataset; the deleted one's finished repeats count or not, but never more than 10.
    expect(rv.cells[1].outputs.examples).toBeLessThanOrEqual(10);
    // No (example, repeat) of skill@3 was called twice: q0..q3 before the hold, q4.. once each after.
    const calls = Array.from(
      { length: 10 },
      (_, i) => (fake.answered.get(`worse:sh-q${i}`) ?? 0) - (base.get(`worse:sh-q${i}`) ?? 0),
    );
    expect(
      calls.every((n, i) => (i === 7 ? n <= 2 : n === 2)),
      JSON.stringify(calls),
    ).toBe(true);
    // Usage of the resumed experiment is its resumed cell's (the kept one counts in its own experiment).
    const usage = (await stack.ok('GET', `/api/runs/${resumed.id}`)).usage;
    expect(usage.inputTokens).toBe(rv.cells[1].usage.inputTokens);
  }, 240_000);

  it("a resume that keeps the first cell keeps the experiment's target (the first variant)", async () => {
    const [exp, resumed] = keptPair!;
    expect(resumed.target).toEqual(exp.target);
  });

  it('errored repeats: counts and aggregates of an eval with repeats when one repeat errors', async () => {
    await stack.ok('POST', '/api/datasets', { name: 'four' });
    await stack.ok('POST', '/api/datasets/four/examples', { examples: examples(4, 'dev', 'f-') });
    fake.down.add('sixty:f-q0');
    const run = await stack.ok('POST', '/api/evals', {
      dataset: 'four',
      target: { component: 'skill@1' },
      metrics,
      repeats: 3,
    });
    const done = await waitForRun(stack, run.id, 120_000);
    fake.down.clear();
    expect(done.outputs).toMatchObject({ examples: 4, results: 12, errors: 3 });
    const a = done.outputs.aggregates['exact_match:answer'];
    expect(a).toMatchObject({ n: 4, repeats: 3 });
    const view = await stack.ok('GET', `/api/evals/${run.id}`);
    expect(view.results).toHaveLength(12);
    // Resume: only q0's three repeats run again.
    const before = fake.answered.get('sixty:f-q0') ?? 0;
    const others = [1, 2, 3].map((i) => fake.answered.get(`sixty:f-q${i}`) ?? 0);
    const resumed = await stack.ok('POST', `/api/evals/${run.id}/resume`, {});
    expect(resumed.resumed).toMatchObject({ examples: 1, kept: 9 });
    const end = await waitForRun(stack, resumed.id, 120_000);
    expect(end.outputs).toMatchObject({ examples: 4, results: 12, errors: 0 });
    expect((fake.answered.get('sixty:f-q0') ?? 0) - before).toBe(3);
    expect([1, 2, 3].map((i) => fake.answered.get(`sixty:f-q${i}`) ?? 0)).toEqual(others);
    // Resume of the resume: nothing left.
    const again = await stack.api('POST', `/api/evals/${resumed.id}/resume`, {});
    expect(again.status).toBe(409);
  }, 180_000);
});

describe('experiments at their edges (PostgreSQL)', () => {
  let stack: TestStack;
  const fake = controlled();
  beforeAll(async () => {
    stack = await startTestStack({ dialect: 'postgres', script: fake.script });
    await seed(stack, 'pg');
  }, 120_000);
  afterAll(async () => {
    fake.release();
    await stack?.close();
  });

  it('a repeated experiment on PostgreSQL: grid, latency, usage, side by side, listing', async () => {
    const started = await stack.ok('POST', '/api/experiments', {
      dataset: 'ten',
      variants: [{ target: { component: 'skill@1' } }, { target: { component: 'skill@production' } }],
      metrics,
      repeats: 3,
    });
    const done = await waitForRun(stack, started.id, 120_000);
    expect(done.status, JSON.stringify(done.error)).toBe('completed');
    const view = await stack.api('GET', `/api/experiments/${started.id}`);
    expect(view.status, JSON.stringify(view.body)).toBe(200);
    for (const c of view.body.cells) {
      expect(c.outputs).toMatchObject({ examples: 10, results: 30, errors: 0 });
      expect(c.latency.runs).toBe(30);
      expect(c.latency.p50Ms).toBeGreaterThan(0);
    }
    const tokens = view.body.cells.reduce(
      (n: number, c: { usage: { inputTokens: number } }) => n + c.usage.inputTokens,
      0,
    );
    expect((await stack.ok('GET', `/api/runs/${started.id}`)).usage.inputTokens).toBe(tokens);
    const ex = view.body.examples[0];
    const side = await stack.ok('GET', `/api/experiments/${started.id}/examples/${ex.id}`);
    expect(side.cells.map((c: { results: unknown[] }) => c.results.length)).toEqual([3, 3]);
    const listed = await stack.api('GET', `/api/runs?kind=experiment&limit=10`);
    expect(listed.status).toBe(200);
    const cells = await stack.api('GET', `/api/runs?origin=experiment:${started.id}&limit=10`);
    expect(cells.body.runs).toHaveLength(2);
  }, 180_000);

  it('a repeated eval resume on PostgreSQL runs only the errored repeats', async () => {
    fake.down.add('sixty:pgt-q2');
    const run = await stack.ok('POST', '/api/evals', {
      dataset: 'ten',
      target: { component: 'skill@1' },
      metrics,
      repeats: 2,
    });
    const done = await waitForRun(stack, run.id, 120_000);
    fake.down.clear();
    expect(done.outputs).toMatchObject({ examples: 10, results: 20, errors: 2 });
    const before = fake.answered.get('sixty:pgt-q2') ?? 0;
    const resumed = await stack.api('POST', `/api/evals/${run.id}/resume`, {});
    expect(resumed.status, JSON.stringify(resumed.body)).toBe(201);
    const end = await waitForRun(stack, resumed.body.id, 120_000);
    expect(end.outputs).toMatchObject({ examples: 10, results: 20, errors: 0 });
    expect((fake.answered.get('sixty:pgt-q2') ?? 0) - before).toBe(2);
  }, 180_000);

  it('a huge version number in a variant is a 4xx on PostgreSQL, not a 500', async () => {
    const r = await stack.api('POST', '/api/experiments', {
      dataset: 'ten',
      variants: [{ target: { component: 'skill@1' } }, { target: { component: 'skill@99999999999' } }],
      metrics,
    });
    const e = await stack.api('POST', '/api/evals', {
      dataset: 'ten',
      target: { component: 'skill@99999999999' },
      metrics,
    });
    // Both: the experiment's planVariants rethrows the store's error; POST /api/evals shares targetPlan.
    expect({ experiment: r.status, eval: e.status }).toEqual({ experiment: 400, eval: 404 });
  });
});
