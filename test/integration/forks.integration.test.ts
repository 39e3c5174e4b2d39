// Forks of pipeline runs: reuse before the fork step, a new component version or a counterfactual
// after it, foreach items, the step cache across evals, and the diff that names the divergence.
import { trace } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { echoModel, promptOp } from '../helpers/echo-model.js';
import { spawnHarness } from '../helpers/processes.js';
import { addChain, startTestStack, TOKEN, waitForRun, type TestStack } from '../helpers/stack.js';
import type { FakeRequest } from '../fakes/script.js';

describe('forks, the step cache and run diffs', () => {
  let stack: TestStack;
  const calls: string[] = [];
  const script = (req: FakeRequest) => {
    calls.push(promptOp(req));
    return echoModel(req);
  };
  /** The ops the fake was asked for while `fn` ran. */
  const callsDuring = async <T>(fn: () => Promise<T>): Promise<{ result: T; ops: string[] }> => {
    const start = calls.length;
    const result = await fn();
    return { result, ops: calls.slice(start) };
  };
  const finished = async (run: { id: string }) => {
    const r = await waitForRun(stack, run.id);
    expect(r.status, JSON.stringify(r.error)).toBe('completed');
    return r;
  };

  beforeAll(async () => {
    stack = await startTestStack({ script });
    await stack.ok('POST', '/api/providers', {
      name: 'fake',
      type: 'openai',
      baseUrl: stack.fake.baseUrl,
      defaultModel: 'fake-model',
    });
    const text = 'text: str -> result: str';
    await addChain(stack);
    await stack.ok('POST', '/api/components', {
      name: 'side',
      signature: text,
      instructions: 'op: reverse',
      provider: 'fake',
    });
    await stack.ok('POST', '/api/components', {
      name: 'pair',
      signature: 'a: str, b: str -> combined: str',
      instructions: 'op: join',
      provider: 'fake',
    });
    await stack.ok('POST', '/api/components', {
      name: 'words',
      signature: 'text: str -> parts: list[str], many: bool',
      instructions: 'op: words',
      provider: 'fake',
    });
    await stack.ok('POST', '/api/components', {
      name: 'size',
      signature: 'text: str -> n: int',
      instructions: 'op: length',
      provider: 'fake',
    });
    await stack.ok('POST', '/api/pipelines', {
      name: 'diamond4',
      inputs: { text: 'str' },
      steps: [
        { id: 'root', component: 'shout', inputs: { text: '$inputs.text' } },
        { id: 'left', component: 'flip', inputs: { text: '$steps.root.outputs.result' } },
        { id: 'right', component: 'shout', inputs: { text: '$steps.root.outputs.result' } },
        {
          id: 'join',
          component: 'pair',
          inputs: { a: '$steps.left.outputs.result', b: '$steps.right.outputs.result' },
        },
        { id: 'aside', component: 'side', inputs: { text: '$inputs.text' } },
      ],
      outputs: { combined: '$steps.join.outputs.combined', aside: '$steps.aside.outputs.result' },
    });
    await stack.ok('POST', '/api/pipelines', {
      name: 'fan',
      inputs: { text: 'str' },
      steps: [
        { id: 'split', component: 'words', inputs: { text: '$inputs.text' } },
        { id: 'len', component: 'size', foreach: '$steps.split.outputs.parts', inputs: { text: '$item' } },
      ],
      outputs: { lengths: '$steps.len.outputs.n' },
    });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('with no OTel variables, nothing traces: no telemetry, a no-op tracer, no trace id on runs', async () => {
    expect(stack.backend.app.telemetry).toBeUndefined();
    expect(trace.getTracer('probe').startSpan('probe').isRecording()).toBe(false);
    const run = await finished(await stack.ok('POST', '/api/pipelines/chain/runs', { inputs: { text: 'off' } }));
    expect(run.traceId).toBeNull();
  });

  it('forks a 3-step chain from step 3 with a new component version: one call, new outputs, the source untouched', async () => {
    const source = await finished(await stack.ok('POST', '/api/pipelines/chain/runs', { inputs: { text: 'abc' } }));
    expect(source.outputs).toEqual({ result: 'CBA' });
    const sourceEvents = (await stack.ok('GET', `/api/runs/${source.id}/events`)).events;
    await stack.ok('POST', '/api/components/finish/versions', {
      name: 'finish',
      signature: 'text: str -> result: str',
      instructions: 'op: reverse',
      provider: 'fake',
    });

    const { result: fork, ops } = await callsDuring(async () =>
      finished(
        await stack.ok('POST', `/api/runs/${source.id}/fork`, {
          fromStep: 'c',
          overrides: { steps: { c: { component: 'finish@2' } } },
        }),
      ),
    );
    expect(ops).toEqual(['reverse']);
    expect(fork.outputs).toEqual({ result: 'ABC' });
    expect(fork.forkOf).toEqual({ runId: source.id, step: 'c' });
    expect(fork.temporal.workflowId).not.toBe(source.temporal.workflowId);

    const events = (await stack.ok('GET', `/api/runs/${fork.id}/events`)).events;
    expect(events.filter((e: any) => e.type === 'step.reused').map((e: any) => e.data)).toEqual([
      { stepId: 'a', source: { runId: source.id, stepId: 'a' } },
      { stepId: 'b', source: { runId: source.id, stepId: 'b' } },
    ]);
    expect(events.filter((e: any) => e.type === 'llm.request').map((e: any) => e.data.stepId)).toEqual(['c']);

    const diff = await stack.ok('GET', `/api/runs/compare?a=${source.id}&b=${fork.id}`);
    expect(diff.firstDivergence).toBe('c');
    const c = diff.steps.find((s: any) => s.key === 'c');
    expect(c.config).toEqual([
      expect.objectContaining({ path: 'component', op: 'changed', a: 'finish@1', b: 'finish@2' }),
      expect.objectContaining({ path: 'instructions', a: 'op: upper', b: 'op: reverse' }),
    ]);
    expect(c.outputs).toEqual([expect.objectContaining({ path: 'result', a: 'CBA', b: 'ABC' })]);
    expect(diff.steps.filter((s: any) => s.same).map((s: any) => s.key)).toEqual(['a', 'b']);
    expect(diff.steps.find((s: any) => s.key === 'b').delta.tokens).toBeLessThan(0); // reused: no tokens spent

    // The source's row and events are exactly as they were.
    expect((await stack.ok('GET', `/api/runs/${source.id}/events`)).events).toEqual(sourceEvents);
    expect(await stack.ok('GET', `/api/runs/${source.id}`)).toMatchObject({
      outputs: source.outputs,
      status: 'completed',
      usage: source.usage,
      forkOf: null,
    });
    const tree = await stack.ok('GET', `/api/runs/${fork.id}/forks`);
    expect(tree.path).toEqual([source.id, fork.id]);
    expect(tree.root.children).toEqual([expect.objectContaining({ id: fork.id, step: 'c', status: 'completed' })]);
    // The runs list finds forks: of this run, and of any run.
    expect((await stack.ok('GET', `/api/runs?origin=fork:${source.id}`)).runs.map((r: any) => r.id)).toEqual([fork.id]);
    const forks = (await stack.ok('GET', '/api/runs?origin=fork&limit=200')).runs;
    expect(forks.map((r: any) => r.id)).toContain(fork.id);
    expect(forks.every((r: any) => r.forkOf !== null)).toBe(true);
  });

  it('a counterfactual output for the root of a diamond runs every dependant and nothing else', async () => {
    const source = await finished(await stack.ok('POST', '/api/pipelines/diamond4/runs', { inputs: { text: 'ab' } }));
    expect(source.outputs).toEqual({ combined: 'BA|AB', aside: 'ba' });
    const { result: fork, ops } = await callsDuring(async () =>
      finished(
        await stack.ok('POST', `/api/runs/${source.id}/fork`, {
          fromStep: 'root',
          overrides: { steps: { root: { outputs: { result: 'xyz' } } } },
        }),
      ),
    );
    expect(ops.sort()).toEqual(['join', 'reverse', 'upper']);
    expect(fork.outputs).toEqual({ combined: 'zyx|XYZ', aside: 'ba' });
    const events = (await stack.ok('GET', `/api/runs/${fork.id}/events`)).events;
    expect(events.find((e: any) => e.type === 'step.completed' && e.data.stepId === 'root').data).toMatchObject({
      outputs: { result: 'xyz' },
      counterfactual: true,
    });
    expect(events.filter((e: any) => e.type === 'step.reused').map((e: any) => e.data.stepId)).toEqual(['aside']);
    const diff = await stack.ok('GET', `/api/runs/compare?a=${source.id}&b=${fork.id}`);
    expect(diff.firstDivergence).toBe('root');
  });

  it('forks one foreach item: the other items are reused', async () => {
    const source = await finished(
      await stack.ok('POST', '/api/pipelines/fan/runs', { inputs: { text: 'one three five' } }),
    );
    expect(source.outputs).toEqual({ lengths: [3, 5, 4] });
    const { result: fork, ops } = await callsDuring(async () =>
      finished(await stack.ok('POST', `/api/runs/${source.id}/fork`, { fromStep: 'len[1]' })),
    );
    expect(ops).toEqual(['length']);
    expect(fork.outputs).toEqual({ lengths: [3, 5, 4] });
    const reused = (await stack.ok('GET', `/api/runs/${fork.id}/events`)).events.filter(
      (e: any) => e.type === 'step.reused',
    );
    expect(reused.map((e: any) => e.data)).toEqual([
      { stepId: 'split', source: { runId: source.id, stepId: 'split' } },
      { stepId: 'len', source: { runId: source.id, stepId: 'len' }, items: [0, 2] },
    ]);
  });

  it('refuses a fork that names nothing or answers the wrong type, and stores nothing', async () => {
    const source = await finished(await stack.ok('POST', '/api/pipelines/chain/runs', { inputs: { text: 'q' } }));
    const before = (await stack.ok('GET', '/api/runs?limit=200')).runs.length;
    const bad = [
      [{ fromStep: 'zz' }, /no step 'zz'/],
      [{ fromStep: 'a', overrides: { steps: { b: { outputs: { result: 3 } } } } }, /expected str, got 3/],
      [
        { fromStep: 'a', overrides: { steps: { b: { component: 'finish@99' } } } },
        /unknown component version 'finish@99'/,
      ],
      [{ fromStep: 'a[2]' }, /has no items/],
      [{ fromStep: 'a', overrides: { inputs: { text: 5 } } }, /expected str/],
    ] as const;
    for (const [body, message] of bad) {
      const r = await stack.api('POST', `/api/runs/${source.id}/fork`, body);
      expect(r.status, JSON.stringify(r.body)).toBe(400);
      expect(JSON.stringify(r.body.error)).toMatch(message);
    }
    expect((await stack.ok('GET', '/api/runs?limit=200')).runs.length).toBe(before);
    expect((await stack.api('GET', `/api/runs/compare?a=${source.id}`)).status).toBe(400);
  });

  it('with cache: reuse, an eval run again after one step changed calls the model for that step only', async () => {
    await stack.ok('POST', '/api/datasets', { name: 'texts' });
    await stack.ok('POST', '/api/datasets/texts/examples', {
      examples: ['gh', 'ij', 'kl'].map((t) => ({ inputs: { text: t }, expected: { result: t }, split: 'dev' })),
    });
    const evalOf = async () =>
      finished(
        await stack.ok('POST', '/api/evals', {
          dataset: 'texts',
          target: { pipeline: 'chain' },
          metrics: [{ name: 'exact_match', field: 'result' }],
          cache: 'reuse',
        }),
      );
    const first = await callsDuring(evalOf);
    expect(first.ops).toHaveLength(9);
    await stack.ok('POST', '/api/components/finish/versions', {
      name: 'finish',
      signature: 'text: str -> result: str',
      instructions: 'op: upper',
      provider: 'fake',
    });
    // A saved pipeline keeps the versions it pinned (ADR 0017): saved again, it pins finish's new version.
    await stack.ok(
      'POST',
      '/api/pipelines/chain/versions',
      (await stack.ok('GET', '/api/pipelines/chain')).latest.spec,
    );
    const second = await callsDuring(evalOf);
    expect(second.ops).toEqual(['upper', 'upper', 'upper']);
    // The reused steps feed the changed one as before: gh -> GH -> HG -> HG, scored as the first eval scored it.
    const { results } = await stack.ok('GET', `/api/evals/${second.result.id}`);
    expect(results.map((r: any) => [r.inputs.text, r.outputs.result]).sort()).toEqual([
      ['gh', 'HG'],
      ['ij', 'JI'],
      ['kl', 'LK'],
    ]);
    expect(second.result.outputs.aggregates).toEqual(first.result.outputs.aggregates);
    expect(second.result.outputs.aggregates['exact_match:result']).toMatchObject({ n: 3, mean: 0 });
    const child = `${second.result.id}-${results[0].exampleId}`;
    const hits = (await stack.ok('GET', `/api/runs/${child}/events`)).events.filter(
      (e: any) => e.type === 'step.reused',
    );
    expect(hits.map((e: any) => [e.data.stepId, e.data.cached])).toEqual([
      ['a', true],
      ['b', true],
    ]);
    expect(hits[0].data.source.runId).toMatch(new RegExp(`^${first.result.id}-`));
    // Without the opt-in nothing is taken from the cache.
    const plain = await callsDuring(async () =>
      finished(await stack.ok('POST', '/api/pipelines/chain/runs', { inputs: { text: 'gh' } })),
    );
    expect(plain.ops).toHaveLength(3);
  });

  it('with cache: reuse, an optimizer run again pays for nothing it answered before, its candidate included', async () => {
    await stack.ok('POST', '/api/datasets', { name: 'shouts' });
    const ex = (t: string, split: string) => ({ inputs: { text: t }, expected: { result: t.toUpperCase() }, split });
    await stack.ok('POST', '/api/datasets/shouts/examples', {
      examples: [ex('mn', 'train'), ex('op', 'train'), ex('qr', 'dev'), ex('st', 'dev')],
    });
    const optimize = async () =>
      finished(
        await stack.ok('POST', '/api/optimizations', {
          component: 'shout@1',
          dataset: 'shouts',
          metric: { name: 'exact_match', field: 'result' },
          k: 2,
          cache: 'reuse',
        }),
      );
    const first = await callsDuring(optimize);
    expect(first.ops).toHaveLength(6); // dev before, the teacher on train, the candidate on dev
    const second = await callsDuring(optimize);
    // The same version, teacher and candidate on the same inputs were answered before; nothing better, nothing saved.
    expect(second.ops).toHaveLength(0);
    expect(second.result.outputs).toMatchObject({ before: 1, after: 1, demos: 2, saved: false, kept: 'shout@1' });
  });

  it('forks and diffs from the CLI; a bad --set is a message and exit code 1', async () => {
    const source = await finished(await stack.ok('POST', '/api/pipelines/chain/runs', { inputs: { text: 'cli' } }));
    const env = { HARNESS_PORT: String(stack.backend.port), HARNESS_TOKEN: TOKEN, VLOOP_PROJECT_DIR: stack.dir };
    const fork = spawnHarness(
      [
        'fork',
        source.id,
        '--from',
        'c',
        '--set',
        'c.component=finish@1',
        '--set',
        'c.params.temperature=0',
        '--follow',
      ],
      env,
    );
    expect(await fork.exitCode, fork.output()).toBe(0);
    expect(fork.output()).toMatch(/Step a reused {2}from run_\S+ a/);
    expect(fork.output()).toMatch(/completed: \{\n\s+"result": "ILC"/);
    const forkId = /fork (run_\S+) of/.exec(fork.output())![1]!;
    expect((await stack.ok('GET', `/api/runs/${forkId}`)).forkOf).toEqual({ runId: source.id, step: 'c' });

    const diff = spawnHarness(['diff', source.id, forkId], env);
    expect(await diff.exitCode, diff.output()).toBe(0);
    expect(diff.output()).toMatch(/> c\s+completed -> completed/);
    expect(diff.output()).toMatch(/config component: finish@\d -> finish@1/);
    expect(diff.output()).toMatch(/first divergence: c/);

    const bad = spawnHarness(['fork', source.id, '--from', 'c', '--set', 'nodot=1'], env);
    expect(await bad.exitCode).toBe(1);
    expect(bad.output()).toMatch(/--set takes <step>\.<field>=value/);
    const unknown = spawnHarness(['fork', source.id, '--from', 'nope'], env);
    expect(await unknown.exitCode).toBe(1);
    expect(unknown.output()).toMatch(/no step 'nope'/);
  });
});
