// Forking a whole eval from a step (issue 32): a 200-example, 3-step eval forked at step 3 with a new prompt calls
// the model once per example, not three times; every example reuses its own recorded steps (an example whose
// inputs were edited since runs whole); the fork compares against its source at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeRequest } from '../fakes/script.js';
import { echoModel, promptOp } from '../helpers/echo-model.js';
import { addChain, addFakeProvider, startTestStack, waitForRun, type TestStack } from '../helpers/stack.js';

describe('forking a whole eval', () => {
  let stack: TestStack;
  const calls: string[] = [];
  const script = (req: FakeRequest) => {
    calls.push(promptOp(req));
    return echoModel(req);
  };
  const metrics = [{ name: 'exact_match', field: 'result' }];
  // Never a palindrome: the chain's reversed answer is wrong, the forked one right.
  const examples = Array.from({ length: 200 }, (_, i) => ({
    inputs: { text: `w${i}z` },
    expected: { result: `W${i}Z` },
    split: 'dev',
  }));
  let source: string;

  beforeAll(async () => {
    stack = await startTestStack({ script });
    await addFakeProvider(stack);
    await addChain(stack);
    await stack.ok('POST', '/api/datasets', { name: 'words' });
    await stack.ok('POST', '/api/datasets/words/examples', { examples });
    source = (
      await stack.ok('POST', '/api/evals', {
        dataset: 'words',
        target: { pipeline: 'chain@1' },
        metrics,
        concurrency: 16,
      })
    ).id;
    expect(await waitForRun(stack, source, 180_000)).toMatchObject({
      status: 'completed',
      outputs: { examples: 200, errors: 0 },
    });
    expect(calls).toHaveLength(600);
  }, 240_000);
  afterAll(async () => {
    await stack?.close();
  });

  it('calls only the changed step for each example and compares against its source', async () => {
    await stack.ok('POST', '/api/components/finish/versions', {
      name: 'finish',
      signature: 'text: str -> result: str',
      instructions: 'op: reverse',
      provider: 'fake',
    });
    // One example's inputs edited since the source ran: its recorded steps no longer answer it.
    const edited = (await stack.ok('GET', '/api/datasets/words')).examples.find(
      (e: { inputs: { text: string } }) => e.inputs.text === 'w7z',
    );
    await stack.ok('PATCH', `/api/datasets/words/examples/${edited.id}`, { inputs: { text: 'w7y' } });
    await stack.ok('PATCH', `/api/datasets/words/examples/${edited.id}`, { expected: { result: 'W7Y' } });
    const before = calls.length;
    const fork = await stack.ok('POST', `/api/runs/${source}/fork`, {
      fromStep: 'c',
      overrides: { steps: { c: { component: 'finish@2' } } },
    });
    expect(fork).toMatchObject({
      kind: 'eval',
      forkOf: { runId: source, step: 'c' },
      inputs: { forkOf: source, fromStep: 'c', dataset: 'words' },
      forked: { from: source, fromStep: 'c', examples: 200, steps: { reused: ['a', 'b'], run: ['c'] } },
    });
    const done = await waitForRun(stack, fork.id, 180_000);
    expect(done).toMatchObject({ status: 'completed', outputs: { examples: 200, errors: 0, reusedSteps: 398 } });
    // 199 examples call only step c (the new prompt); the edited one runs its three steps.
    const ops = calls.slice(before);
    expect(ops).toHaveLength(202);
    expect(ops.filter((op) => op === 'upper')).toHaveLength(1);
    expect(done.outputs.aggregates['exact_match:result'].mean).toBe(1);

    const cmp = await stack.ok('GET', `/api/evals/compare?runs=${fork.id},${source}&baseline=${source}`);
    expect(cmp.runs.map((r: { id: string }) => r.id)).toEqual([source, fork.id]);
    const m = cmp.aggregates['exact_match:result'];
    expect(m.means).toEqual([0, 1]);
    expect(m.verdicts).toEqual([null, 'better']);
    // The edited example scored on its new inputs in the fork only; every other example pairs.
    expect(m.tests[1]).toMatchObject({ n: 200 });
    const tree = await stack.ok('GET', `/api/runs/${fork.id}/forks`);
    expect(tree.root.id).toBe(source);
    expect(tree.root.children.map((c: { id: string }) => c.id)).toContain(fork.id);
  }, 300_000);

  it('refuses what an eval fork cannot change, naming it, and starts nothing', async () => {
    const before = calls.length;
    const refused = async (body: unknown) => (await stack.api('POST', `/api/runs/${source}/fork`, body)).body;
    expect(await refused({ fromStep: 'c', overrides: { inputs: { text: 'x' } } })).toMatchObject({
      error: {
        code: 'invalid_spec',
        details: {
          problems: [
            { path: 'overrides.inputs', message: "an eval's examples bring their own inputs: change a step instead" },
          ],
        },
      },
    });
    expect(await refused({ fromStep: 'c[1]' })).toMatchObject({
      error: { details: { problems: [{ path: 'fromStep', message: expect.stringContaining('one item') }] } },
    });
    expect(await refused({ fromStep: 'zz' })).toMatchObject({
      error: { details: { problems: [{ path: 'fromStep', message: "the run has no step 'zz' (steps: a, b, c)" }] } },
    });
    expect(await refused({ fromStep: 'c', overrides: { steps: { c: { component: 'finish@9' } } } })).toMatchObject({
      error: {
        details: {
          problems: [{ path: 'overrides.steps.c.component', message: "unknown component version 'finish@9'" }],
        },
      },
    });
    expect(calls.length).toBe(before);
  });
});
