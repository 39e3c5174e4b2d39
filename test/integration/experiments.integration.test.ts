// Experiments (issue 32): a dataset × variants × metrics as one durable run whose cells are evals; its grid labels
// each variant against the first by a paired test, with usage and latency per cell and any example side by side;
// cancelled mid-run, a resume keeps the finished cell and runs only what the other missed, so the fake provider
// answers each (example, variant) exactly once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeReply, FakeRequest } from '../fakes/script.js';
import { evalModel, examples, modeQuestion } from '../helpers/eval-model.js';
import { spawnHarness, until } from '../helpers/processes.js';
import { addFakeProvider, startTestStack, TOKEN, waitForRun, type TestStack } from '../helpers/stack.js';

describe('experiments', () => {
  let stack: TestStack;
  /** Calls answered, per mode and question; questions whose calls wait for release, per mode. */
  const answered = new Map<string, number>();
  const holding = new Set<string>();
  const held: Array<(reply: FakeReply) => void> = [];
  const script = async (req: FakeRequest): Promise<FakeReply> => {
    const key = modeQuestion(req);
    const reply = holding.has(key) ? await new Promise<FakeReply>((r) => held.push(r)) : evalModel(req);
    if (typeof reply === 'string') answered.set(key, (answered.get(key) ?? 0) + 1);
    return reply;
  };
  const metrics = [{ name: 'exact_match', field: 'answer' }];
  const component = (name: string, mode: string) => ({
    name,
    signature: 'question: str -> answer: str',
    instructions: `mode: ${mode}`,
    provider: 'fake',
  });

  beforeAll(async () => {
    stack = await startTestStack({ script });
    await addFakeProvider(stack);
    for (const [i, mode] of ['sixty', 'better', 'worse'].entries())
      await stack.ok('POST', i ? '/api/components/skill/versions' : '/api/components', component('skill', mode));
    await stack.ok('POST', '/api/components', component('slow', 'sixty'));
    await stack.ok('POST', '/api/components/slow/versions', component('slow', 'even'));
    await stack.ok('POST', '/api/datasets', { name: 'hundred' });
    await stack.ok('POST', '/api/datasets/hundred/examples', { examples: examples(100) });
    await stack.ok('POST', '/api/datasets', { name: 'twenty' });
    await stack.ok('POST', '/api/datasets/twenty/examples', { examples: examples(20, 'dev', 't-') });
  });
  afterAll(async () => {
    held.splice(0).forEach((r) => r({ status: 503, error: 'the test ended' }));
    await stack?.close();
  });

  it('runs every variant as a cell and labels each against the first in its grid', async () => {
    const started = await stack.ok('POST', '/api/experiments', {
      dataset: 'hundred',
      variants: [
        { target: { component: 'skill@1' } },
        { target: { component: 'skill@2' } },
        { target: { component: 'skill@3' } },
        // The first version with other params: the fake answers the same, so nothing to detect.
        { target: { component: 'skill@1' }, params: { temperature: 0.5 }, label: 'skill@1 warm' },
      ],
      metrics,
      concurrency: 16,
    });
    expect(started).toMatchObject({ kind: 'experiment', inputs: { dataset: 'hundred', split: 'dev' } });
    const done = await waitForRun(stack, started.id, 180_000);
    expect(done.status, JSON.stringify(done.error)).toBe('completed');
    const view = await stack.ok('GET', `/api/experiments/${started.id}`);
    expect(view.cells.map((c: { label: string }) => c.label)).toEqual([
      'skill@1',
      'skill@2',
      'skill@3',
      'skill@1 warm',
    ]);
    type Cell = { evalRunId: string; status: string; usage: { inputTokens: number }; latency: { p50Ms: number } };
    for (const c of view.cells as Cell[]) {
      expect(c.status).toBe('completed');
      expect(c.usage.inputTokens).toBeGreaterThan(0);
      expect(c.latency.p50Ms).toBeGreaterThan(0);
    }
    const row = view.grid.aggregates['exact_match:answer'];
    const verdictOf = (label: string) =>
      row.verdicts[view.grid.runs.indexOf(view.cells.find((c: { label: string }) => c.label === label).evalRunId)];
    expect(view.grid.runs[0]).toBe(view.cells[0].evalRunId);
    expect(['skill@1', 'skill@2', 'skill@3', 'skill@1 warm'].map(verdictOf)).toEqual([
      null,
      'better',
      'worse',
      'no detectable difference',
    ]);
    // Every cell ran at its own settings: the warm one at temperature 0.5.
    const warm = view.cells[3].evalRunId;
    const plan = (await stack.ok('GET', `/api/runs/${warm}/definition`)).plan;
    expect(plan.steps[0].component.spec.params).toEqual({ temperature: 0.5 });
    // The experiment's usage is its cells'.
    const tokens = (view.cells as Cell[]).reduce((n, c) => n + c.usage.inputTokens, 0);
    expect((await stack.ok('GET', `/api/runs/${started.id}`)).usage.inputTokens).toBe(tokens);
    // One example across the four variants.
    const q3 = view.examples.find((e: { inputs: { question: string } }) => e.inputs.question === 'q3');
    const side = await stack.ok('GET', `/api/experiments/${started.id}/examples/${q3.id}`);
    expect(side.cells.map((c: { results: unknown[] }) => c.results.length)).toEqual([1, 1, 1, 1]);
    // The cells sit under the experiment, not among top-level evals.
    const top = (await stack.ok('GET', '/api/runs?kind=eval&limit=100')).runs.map((r: { id: string }) => r.id);
    expect(top).not.toContain(warm);
    const under = (await stack.ok('GET', '/api/runs?origin=experiment&limit=100')).runs.map(
      (r: { id: string }) => r.id,
    );
    expect(under).toContain(warm);
  }, 240_000);

  it('prints the grid from the command line and exits 0', async () => {
    const cli = spawnHarness(
      ['experiment', '-d', 'hundred', '--variant', 'skill@1', '--variant', 'skill@2', '-m', 'exact_match:answer'],
      { HARNESS_PORT: String(stack.backend.port), HARNESS_TOKEN: TOKEN, VLOOP_PROJECT_DIR: stack.dir },
    );
    expect(await cli.exitCode, cli.output()).toBe(0);
    expect(cli.output()).toMatch(/experiment run_\w+ started: 2 variants on hundred\/dev/);
    expect(cli.output()).toMatch(
      /exact_match:answer\s+0\.\d+ \[0\.\d+, 0\.\d+\] baseline\s+0\.\d+ \[[\d., ]+\] better p=0\.\d+/,
    );
    expect(cli.output()).toContain('completed: /ui/experiments/run_');
  }, 180_000);

  it('resumes a cancelled experiment: the finished cell is kept, the other runs only what it missed', async () => {
    // slow@2 (even) waits on the provider from t-q10 on; slow@1 finishes.
    for (let i = 10; i < 20; i++) holding.add(`even:t-q${i}`);
    const source = await stack.ok('POST', '/api/experiments', {
      dataset: 'twenty',
      variants: [{ target: { component: 'slow@1' } }, { target: { component: 'slow@2' } }],
      metrics,
      concurrency: 2,
    });
    const cells = (await stack.ok('GET', `/api/experiments/${source.id}`)).cells as Array<{ evalRunId: string }>;
    await until(() => held.length === 2, 'both lanes of slow@2 waiting on the provider', 60_000);
    await until(
      async () => (await stack.ok('GET', `/api/runs/${cells[0]!.evalRunId}`)).status === 'completed',
      'slow@1 to finish',
      60_000,
    );
    await stack.ok('POST', `/api/runs/${source.id}/cancel`);
    expect((await waitForRun(stack, source.id, 60_000)).status).toBe('cancelled');
    expect((await waitForRun(stack, cells[1]!.evalRunId, 60_000)).status).toBe('cancelled');
    holding.clear();
    held.splice(0).forEach((r) => r({ status: 503, error: 'cut short' }));

    const resumed = await stack.ok('POST', `/api/experiments/${source.id}/resume`, {});
    expect(resumed.resumed).toEqual({ from: source.id, kept: ['slow@1'] });
    expect(await waitForRun(stack, resumed.id, 120_000)).toMatchObject({ status: 'completed' });
    const view = await stack.ok('GET', `/api/experiments/${resumed.id}`);
    expect(view.cells[0].evalRunId).toBe(cells[0]!.evalRunId);
    expect(view.cells[1].evalRunId).not.toBe(cells[1]!.evalRunId);
    expect(view.cells.map((c: { status: string }) => c.status)).toEqual(['completed', 'completed']);
    expect((await stack.ok('GET', `/api/runs/${view.cells[1].evalRunId}`)).inputs.resumeOf).toBe(cells[1]!.evalRunId);
    // Each example answered exactly once in each variant, across the cancelled run and its resume.
    for (const mode of ['sixty', 'even'])
      for (let i = 0; i < 20; i++) expect(answered.get(`${mode}:t-q${i}`), `${mode} t-q${i}`).toBe(1);
    expect(view.grid.aggregates['exact_match:answer'].means).toHaveLength(2);
    await expect(stack.api('POST', `/api/experiments/${resumed.id}/resume`, {})).resolves.toMatchObject({
      status: 409,
      body: { error: { code: 'not_resumable' } },
    });
  }, 240_000);

  it('refuses what it cannot run, naming each problem, and starts nothing', async () => {
    const refused = async (body: unknown) => (await stack.api('POST', '/api/experiments', body)).body.error;
    expect(
      await refused({ dataset: 'twenty', variants: [{ target: { component: 'slow@1' } }], metrics }),
    ).toMatchObject({
      code: 'invalid_request',
      message: expect.stringContaining('an experiment compares two or more variants'),
    });
    expect(
      await refused({
        dataset: 'twenty',
        variants: [{ target: { component: 'slow@1' } }, { target: { component: 'slow@9' } }],
        metrics,
      }),
    ).toMatchObject({
      details: { problems: [{ path: 'variants.1.target', message: expect.stringContaining('slow') }] },
    });
    expect(
      await refused({
        dataset: 'twenty',
        variants: [{ target: { component: 'slow@1' } }, { target: { component: 'slow@1' } }],
        metrics,
      }),
    ).toMatchObject({ details: { problems: [{ path: 'variants.1.label' }] } });
    // A cell is an eval run, not an experiment.
    const cell = (await stack.ok('GET', '/api/runs?origin=experiment&limit=1')).runs[0].id;
    const notOne = await stack.api('GET', `/api/experiments/${cell}`);
    expect(notOne.status).toBe(404);
  });
});
