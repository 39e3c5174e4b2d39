// MIPROv2 and GEPA against a task where only one idea scores well (test/helpers/idea-model.ts): each finds it,
// beats BootstrapFewShot on the held-out split, and follows the same trajectory for the same seed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IDEA, ideaExamples, ideaModel, seedIdeaTask } from '../helpers/idea-model.js';
import { spawnHarness } from '../helpers/processes.js';
import { addFakeProvider, cliEnv, startTestStack, waitForRun, type TestStack } from '../helpers/stack.js';

const METRIC = { name: 'exact_match', field: 'answer', args: { caseSensitive: true } };

describe('MIPROv2 and GEPA find the idea', () => {
  let stack: TestStack;

  /** What each trial tried and scored, in order: the trajectory a seed pins. */
  const trajectory = async (runId: string) =>
    ((await stack.api('GET', `/api/runs/${runId}/events`)).body.events as any[])
      .filter((e) => e.type === 'step.completed' && String(e.data.stepId).startsWith('trial:'))
      .map((e) => ({ trial: e.data.stepId, ...e.data.outputs }));
  const optimize = async (optimizer: string, extra: Record<string, unknown> = {}) => {
    const run = await stack.ok('POST', '/api/optimizations', {
      component: 'coder',
      dataset: 'codes',
      metric: METRIC,
      optimizer,
      k: 2,
      ...extra,
    });
    const done = await waitForRun(stack, run.id, 300_000);
    expect(done.status, JSON.stringify(done.error)).toBe('completed');
    return { id: run.id as string, outputs: done.outputs, usage: done.usage };
  };

  beforeAll(async () => {
    stack = await startTestStack({ script: ideaModel });
    await addFakeProvider(stack);
    await seedIdeaTask(stack.ok);
  });
  afterAll(() => stack?.close());

  /** A version's mean on the held-out test split, from an eval of its own. */
  const onTest = async (version: number) => {
    const run = await stack.ok('POST', '/api/evals', {
      dataset: 'codes',
      split: 'test',
      target: { component: `coder@${version}` },
      metrics: [METRIC],
    });
    const done = await waitForRun(stack, run.id, 120_000);
    return done.outputs.aggregates['exact_match:answer'].mean as number;
  };

  it('MIPROv2 and GEPA each find the idea, save a version only on a held-out win, and beat BootstrapFewShot', async () => {
    const boot = await optimize('bootstrap', { component: 'coder@1' });
    expect(boot.outputs).toMatchObject({ saved: true, before: 0.25, after: 0.5 });

    const mipro = await optimize('mipro', { component: 'coder@1', seed: 7, trials: 8, minibatch: 4, fullEvalEvery: 4 });
    expect(mipro.outputs).toMatchObject({
      saved: true,
      heldOut: 'test',
      before: 0.25,
      after: 1,
      best: { instruction: 2, demoSet: 1 },
    });
    expect(mipro.outputs.instruction).toBe(`Answer the question with its code. ${IDEA}`);
    // The saved version says where it came from: the run, the version it improved, the dataset as it was, the scores.
    const saved = await stack.ok('GET', `/api/components/coder/versions/${mipro.outputs.version}`);
    expect(saved.provenance).toMatchObject({
      optimizer: 'mipro',
      run: mipro.id,
      from: 'coder@1',
      dataset: { name: 'codes', examples: { train: 12, dev: 8, test: 8 } },
      metric: 'exact_match:answer',
      heldOut: 'test',
      before: { mean: 0.25 },
      after: { mean: 1 },
    });
    expect(saved.provenance.after.ci95[0]).toBeGreaterThan(saved.provenance.before.ci95[0]);
    // What the budget counted is what the run spent: its evals, its teacher runs and its own proposals.
    expect(mipro.outputs.spent.tokens).toBe(mipro.usage.inputTokens + mipro.usage.outputTokens);
    // The trajectory the seed pins: the random start finds the idea at once, and TPE keeps to the instructions that have it.
    expect((await trajectory(mipro.id)).map((t) => [t.instruction, t.demoSet, t.score])).toEqual([
      [2, 1, 1],
      [0, 1, 0.75],
      [1, 0, 1],
      [2, 1, 1],
      [2, 3, 1],
      [1, 0, 1],
      [1, 0, 1],
      [2, 1, 1],
    ]);

    const gepa = await optimize('gepa', { component: 'coder@1', seed: 7, trials: 4 });
    expect(gepa.outputs).toMatchObject({ saved: true, heldOut: 'test', before: 0.25, after: 1 });
    expect(gepa.outputs.instruction).toBe(`Answer the question. ${IDEA}`);
    // Iteration 1 reflects on the seed's case-only misses and proposes the idea; the new candidate then leads every
    // front, so it is the parent from then on, and perfect on each minibatch.
    expect(await trajectory(gepa.id)).toEqual([
      {
        trial: 'trial:1',
        parent: 0,
        old: 1 / 3,
        new: 1,
        accepted: true,
        candidate: 1,
        val: 1,
        instruction: `Answer the question. ${IDEA}`,
      },
      { trial: 'trial:2', parent: 1, old: 1, skipped: 'perfect on the minibatch' },
      { trial: 'trial:3', parent: 1, old: 1, skipped: 'perfect on the minibatch' },
      { trial: 'trial:4', parent: 1, old: 1, skipped: 'perfect on the minibatch' },
    ]);

    const [b, m, g] = [
      await onTest(boot.outputs.version),
      await onTest(mipro.outputs.version),
      await onTest(gepa.outputs.version),
    ];
    expect([b, m, g]).toEqual([0.5, 1, 1]);

    // Stopping is for a search under way: an ended one and a run of another kind are refused by name.
    const ended = await stack.api('POST', `/api/optimizations/${gepa.id}/stop`, {});
    expect([ended.status, ended.body.error.code]).toEqual([409, 'run_ended']);
    const evalRun = (await stack.api('GET', `/api/runs?origin=optimize:${gepa.id}&kind=eval&limit=1`)).body.runs[0];
    const other = await stack.api('POST', `/api/optimizations/${evalRun.id}/stop`, {});
    expect(other.body.error).toMatchObject({
      code: 'not_a_search',
      message: `run '${evalRun.id}' is not an optimization (it is an eval run)`,
    });

    // Each candidate was scored in a child eval run listed under its optimizer.
    const children = (await stack.api('GET', `/api/runs?origin=optimize:${gepa.id}&limit=100`)).body.runs as Array<{
      id: string;
      kind: string;
    }>;
    expect(children.map((c) => c.id.slice(gepa.id.length + 1)).sort()).toContain('before');
  });

  it('the same seed gives the same search, every model call answered from the step cache', async () => {
    const first = await optimize('gepa', { component: 'coder@1', seed: 3, trials: 3 });
    const calls = stack.fake.requests.length;
    const again = await optimize('gepa', { component: 'coder@1', seed: 3, trials: 3 });
    expect(await trajectory(again.id)).toEqual(await trajectory(first.id));
    expect(again.outputs.instruction).toBe(first.outputs.instruction);
    expect(stack.fake.requests.length).toBe(calls);
  });

  it('refuses settings an optimizer would ignore, and a search with nothing to hold out, by name', async () => {
    const start = (body: Record<string, unknown>) =>
      stack.api('POST', '/api/optimizations', { component: 'coder@1', dataset: 'codes', metric: METRIC, ...body });
    const problems = async (body: Record<string, unknown>) => {
      const r = await start(body);
      expect(r.status).toBe(400);
      return r.body.error.details.problems;
    };
    expect(await problems({ seed: 3, budget: { maxCandidates: 2 } })).toEqual([
      { path: 'seed', message: 'bootstrap does not take seed (MIPROv2 and GEPA do)' },
      { path: 'budget', message: 'bootstrap does not take budget (MIPROv2 and GEPA do)' },
    ]);
    expect(await problems({ optimizer: 'gepa', candidates: 6 })).toEqual([
      { path: 'candidates', message: 'gepa does not take candidates (MIPROv2 does)' },
    ]);
    await stack.ok('POST', '/api/datasets', { name: 'no-test' });
    await stack.ok('POST', '/api/datasets/no-test/examples', { examples: ideaExamples(4, 4, 0) });
    expect(await problems({ optimizer: 'mipro', dataset: 'no-test' })).toEqual([
      {
        path: 'dataset',
        message: "mipro needs a test split in dataset 'no-test' to hold out its verdict; it has train (4), dev (4)",
      },
    ]);
  });

  it('the CLI runs GEPA with a line per trial, asks past the budget, and goes on when granted', async () => {
    const env = cliEnv(stack);
    const metric = JSON.stringify(METRIC);
    const args = [
      'optimize',
      '-c',
      'coder@1',
      '-d',
      'codes',
      '-m',
      metric,
      '-o',
      'gepa',
      '--seed',
      '5',
      '--trials',
      '3',
    ];
    const cli = spawnHarness([...args, '--budget', 'candidates=1'], env, 'y\n');
    expect(await cli.exitCode, cli.output()).toBe(0);
    const out = cli.output();
    expect(out).toMatch(/^trial:1: parent 0 0\.\d{3} → proposal 1\.000, accepted as candidate 1 \(dev 1\.000\)$/m);
    // One candidate spent the budget: before iteration 2 the CLI asks, and the answer lets the search go on.
    expect(out).toContain('past the budget: maxCandidates 1 reached. Grant another budget? [y/N/a] y');
    expect(out).toMatch(/^trial:3: parent 1 1\.000, skipped: perfect on the minibatch$/m);
    expect(out).toMatch(/^saved version \d+ \(0\.250 → 1\.000\)$/m);
    const id = /optimization (\S+) started/.exec(out)![1]!;
    expect((await stack.api('GET', `/api/runs/${id}`)).body.outputs.spent).toMatchObject({
      candidates: 1,
      extended: 1,
    });

    const bad = spawnHarness(['optimize', '-c', 'coder@1', '-d', 'codes', '-o', 'gepa', '--budget', 'dollars=3'], env);
    expect(await bad.exitCode).toBe(1);
    expect(bad.output()).toContain("--budget takes candidates=N, usd=X and tokens=N; got 'dollars=3'");
  });
});
