// The edges of forking a whole eval (ADR 0024), written as attacks: reuse that must not happen (an input dropped
// since), calls made twice (a resume of a fork), a source deleted mid-fork, forks of resumed, repeated, component,
// foreach and running evals, bad input, and the SQL on PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeReply, FakeRequest } from '../fakes/script.js';
import { echoModel, promptFields, promptOp } from '../helpers/echo-model.js';
import { until } from '../helpers/processes.js';
import { addChain, addFakeProvider, startTestStack, waitForRun, type TestStack } from '../helpers/stack.js';

const text = 'text: str -> result: str';
const metrics = [{ name: 'exact_match', field: 'result' }];

/** A fake provider that logs `op:text` per answered call, can be down (503) or hold a call until released. */
function recorder() {
  const calls: string[] = [];
  const down = new Set<string>();
  const holding = new Set<string>();
  const held: Array<() => void> = [];
  const script = async (req: FakeRequest): Promise<FakeReply> => {
    const key = `${promptOp(req)}:${promptFields(req).text ?? ''}`;
    if (down.has(key)) return { status: 503, error: 'the provider is overloaded' };
    if (holding.has(key)) await new Promise<void>((r) => held.push(r));
    calls.push(key);
    return echoModel(req);
  };
  return { calls, down, holding, held, script };
}

async function seed(stack: TestStack) {
  await addFakeProvider(stack);
  await addChain(stack);
  // After the pipeline: chain@1's c stays on finish@1 (upper); finish@2 reverses.
  await stack.ok('POST', '/api/components/finish/versions', {
    name: 'finish',
    signature: text,
    instructions: 'op: reverse',
    provider: 'fake',
  });
}

async function dataset(stack: TestStack, name: string, texts: string[]) {
  await stack.ok('POST', '/api/datasets', { name });
  await stack.ok('POST', `/api/datasets/${name}/examples`, {
    examples: texts.map((t) => ({ inputs: { text: t }, expected: { result: t.toUpperCase() }, split: 'dev' })),
  });
  return (await stack.ok('GET', `/api/datasets/${name}`)).examples as Array<{ id: string; inputs: { text: string } }>;
}

async function evalOf(stack: TestStack, name: string, target: Record<string, string>, concurrency = 4) {
  return (await stack.ok('POST', '/api/evals', { dataset: name, target, metrics, concurrency })).id as string;
}

async function childEvents(stack: TestStack, evalId: string, exampleId: string) {
  const { results } = await stack.ok('GET', `/api/evals/${evalId}`);
  const r = results.find((x: { exampleId: string }) => x.exampleId === exampleId);
  return (await stack.ok('GET', `/api/runs/${r.childRunId}/events`)).events as Array<{
    type: string;
    data: Record<string, unknown>;
  }>;
}

describe('whole-eval forks at their edges (SQLite)', () => {
  let stack: TestStack;
  const rec = recorder();
  const { calls } = rec;
  const since = (n: number) => calls.slice(n);

  beforeAll(async () => {
    stack = await startTestStack({ script: rec.script });
    await seed(stack);
  }, 120_000);
  afterAll(async () => {
    rec.held.splice(0).forEach((r) => r());
    await stack?.close();
  });

  it('an example whose edited inputs dropped a field does not reuse the step that read it', async () => {
    await stack.ok('POST', '/api/pipelines', {
      name: 'hinted',
      inputs: { text: 'str', hint: 'str' },
      steps: [
        { id: 'h', component: 'shout', inputs: { text: '$inputs.hint' } },
        { id: 'c', component: 'finish', inputs: { text: '$steps.h.outputs.result' } },
      ],
      outputs: { result: '$steps.c.outputs.result' },
    });
    await stack.ok('POST', '/api/datasets', { name: 'hints' });
    await stack.ok('POST', '/api/datasets/hints/examples', {
      examples: ['h1', 'h2', 'h3'].map((h) => ({
        inputs: { text: `t-${h}`, hint: h },
        expected: { result: 'x' },
        split: 'dev',
      })),
    });
    const source = await evalOf(stack, 'hints', { pipeline: 'hinted@1' });
    const s0 = await waitForRun(stack, source, 90_000);
    expect(s0.status, JSON.stringify([s0.error, (await stack.ok('GET', `/api/evals/${source}`)).results])).toBe(
      'completed',
    );
    const ex = (await stack.ok('GET', '/api/datasets/hints')).examples.find(
      (e: { inputs: { hint: string } }) => e.inputs.hint === 'h1',
    );
    // The hint is gone from the example: step h, which read it, cannot answer with the source's 'H1'.
    await stack.ok('PATCH', `/api/datasets/hints/examples/${ex.id}`, { inputs: { text: 't-h1' } });
    const fork = await stack.ok('POST', `/api/runs/${source}/fork`, {
      fromStep: 'c',
      overrides: { steps: { c: { component: 'finish@2' } } },
    });
    const done = await waitForRun(stack, fork.id, 90_000);
    const events = await childEvents(stack, fork.id, ex.id);
    const reusedH = events.filter((e) => e.type === 'step.reused' && e.data.stepId === 'h');
    expect(reusedH, 'step h of the edited example was reused from the source').toHaveLength(0);
    expect(done.outputs.reusedSteps).toBe(2);
  });

  it('a resume of a fork keeps reusing the source: it does not call the reused steps again', async () => {
    const texts = ['r0x', 'r1x', 'r2x', 'r3x'];
    await dataset(stack, 'rf', texts);
    const source = await evalOf(stack, 'rf', { pipeline: 'chain@1' });
    expect(await waitForRun(stack, source, 90_000)).toMatchObject({ status: 'completed', outputs: { errors: 0 } });
    // The forked step c (finish@2: reverse) is down for two examples: they error in the fork.
    for (const t of texts.slice(0, 2)) rec.down.add(`reverse:${[...t].reverse().join('').toUpperCase()}`);
    const fork = await stack.ok('POST', `/api/runs/${source}/fork`, {
      fromStep: 'c',
      overrides: { steps: { c: { component: 'finish@2' } } },
    });
    expect(await waitForRun(stack, fork.id, 120_000)).toMatchObject({ outputs: { examples: 4, errors: 2 } });
    rec.down.clear();
    const before = calls.length;
    const resumed = await stack.ok('POST', `/api/evals/${fork.id}/resume`, {});
    const done = await waitForRun(stack, resumed.id, 90_000);
    expect(done).toMatchObject({ status: 'completed', outputs: { examples: 4, errors: 0 } });
    expect(done.outputs.aggregates['exact_match:result'].mean).toBe(1);
    // Only c for the two errored examples: a and b were recorded by the source eval.
    expect(
      since(before).map((k) => k.split(':')[0]),
      'calls made by the resume of the fork',
    ).toEqual(['reverse', 'reverse']);
    // The resume is a fork of the same source too: its row says so and it counts what it reused.
    expect(done).toMatchObject({ forkOf: { runId: source, step: 'c' }, inputs: { resumeOf: fork.id } });
    expect(done.outputs.reusedSteps).toBe(8);
  });

  it('a fork of a resumed eval reuses the kept results from the original eval’s runs', async () => {
    const texts = ['k0x', 'k1x', 'k2x', 'k3x'];
    await dataset(stack, 'kr', texts);
    rec.down.add('upper:k0x');
    const source = await evalOf(stack, 'kr', { pipeline: 'chain@1' });
    expect(await waitForRun(stack, source, 120_000)).toMatchObject({ outputs: { examples: 4, errors: 1 } });
    rec.down.clear();
    const resumed = await stack.ok('POST', `/api/evals/${source}/resume`, {});
    expect(await waitForRun(stack, resumed.id, 90_000)).toMatchObject({ outputs: { examples: 4, errors: 0 } });
    const before = calls.length;
    const fork = await stack.ok('POST', `/api/runs/${resumed.id}/fork`, {
      fromStep: 'c',
      overrides: { steps: { c: { component: 'finish@2' } } },
    });
    expect(fork.forked).toMatchObject({ examples: 4, steps: { reused: ['a', 'b'], run: ['c'] } });
    const done = await waitForRun(stack, fork.id, 90_000);
    expect(done).toMatchObject({ status: 'completed', outputs: { examples: 4, errors: 0, reusedSteps: 8 } });
    expect(since(before).map((k) => k.split(':')[0])).toEqual(['reverse', 'reverse', 'reverse', 'reverse']);
    expect(done.outputs.aggregates['exact_match:result'].mean).toBe(1);
  });

  it('a fork of a fork with a counterfactual keeps the counterfactual it recorded', async () => {
    const texts = ['f0x', 'f1x', 'f2x'];
    await dataset(stack, 'ff', texts);
    const source = await evalOf(stack, 'ff', { pipeline: 'chain@1' });
    await waitForRun(stack, source, 90_000);
    let before = calls.length;
    const fork1 = await stack.ok('POST', `/api/runs/${source}/fork`, {
      fromStep: 'b',
      overrides: { steps: { b: { outputs: { result: 'xy' } } } },
    });
    const done1 = await waitForRun(stack, fork1.id, 90_000);
    expect(done1).toMatchObject({ status: 'completed', outputs: { errors: 0 } });
    expect(since(before)).toEqual(['upper:xy', 'upper:xy', 'upper:xy']);
    // What the answer says it reuses: 'b' is a counterfactual, not a reuse of the source's records.
    expect(fork1.forked.steps).toEqual({ reused: ['a'], run: ['c'], counterfactual: ['b'] });
    before = calls.length;
    const fork2 = await stack.ok('POST', `/api/runs/${fork1.id}/fork`, {
      fromStep: 'c',
      overrides: { steps: { c: { component: 'finish@2' } } },
    });
    const done2 = await waitForRun(stack, fork2.id, 90_000);
    expect(done2).toMatchObject({ status: 'completed', outputs: { errors: 0, reusedSteps: 6 } });
    expect(since(before)).toEqual(['reverse:xy', 'reverse:xy', 'reverse:xy']);
  });

  it('a component eval forked with another component version evaluates that version, calling once per example', async () => {
    const texts = ['c0x', 'c1x', 'c2x'];
    await dataset(stack, 'ce', texts);
    await stack.ok('POST', '/api/components/shout/versions', {
      name: 'shout',
      signature: text,
      instructions: 'op: reverse',
      provider: 'fake',
    });
    const source = await evalOf(stack, 'ce', { component: 'shout@1' });
    expect(await waitForRun(stack, source, 90_000)).toMatchObject({ status: 'completed' });
    const before = calls.length;
    const fork = await stack.ok('POST', `/api/runs/${source}/fork`, {
      fromStep: 'shout',
      overrides: { steps: { shout: { component: 'shout@2' } } },
    });
    expect(fork).toMatchObject({
      target: { name: 'shout', version: 2 },
      forked: { steps: { reused: [], run: ['shout'] } },
    });
    const done = await waitForRun(stack, fork.id, 90_000);
    expect(done).toMatchObject({ status: 'completed', outputs: { examples: 3, errors: 0, reusedSteps: 0 } });
    expect(since(before).sort()).toEqual(['reverse:c0x', 'reverse:c1x', 'reverse:c2x']);
    const cmp = await stack.ok('GET', `/api/evals/compare?runs=${fork.id},${source}&baseline=${source}`);
    expect(cmp.runs.map((r: { id: string }) => r.id)).toEqual([source, fork.id]);
    // A component override to a component of another signature is a 400 naming it, not a 500.
    await stack.ok('POST', '/api/components', {
      name: 'other',
      signature: 'question: str -> answer: str',
      instructions: 'op: upper',
      provider: 'fake',
    });
    const bad = await stack.api('POST', `/api/runs/${source}/fork`, {
      fromStep: 'shout',
      overrides: { steps: { shout: { component: 'other@1' } } },
    });
    expect(bad.status, JSON.stringify(bad.body)).toBe(400);
    // Forking the fork with a provider-only change keeps it on shout@2.
    const fork2 = await stack.ok('POST', `/api/runs/${fork.id}/fork`, {
      fromStep: 'shout',
      overrides: { steps: { shout: { model: 'other-model' } } },
    });
    expect(fork2.target).toMatchObject({ name: 'shout', version: 2 });
    expect(await waitForRun(stack, fork2.id, 90_000)).toMatchObject({ status: 'completed', outputs: { errors: 0 } });
  });

  it('a foreach step reuses every item per example; only the changed step calls', async () => {
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
      name: 'fan',
      inputs: { text: 'str' },
      steps: [
        { id: 'split', component: 'words', inputs: { text: '$inputs.text' } },
        { id: 'len', component: 'size', foreach: '$steps.split.outputs.parts', inputs: { text: '$item' } },
        { id: 'c', component: 'finish', inputs: { text: '$inputs.text' } },
      ],
      outputs: { lengths: '$steps.len.outputs.n', result: '$steps.c.outputs.result' },
    });
    await stack.ok('POST', '/api/datasets', { name: 'fe' });
    await stack.ok('POST', '/api/datasets/fe/examples', {
      examples: ['one three', 'a bb ccc', 'zz'].map((t) => ({
        inputs: { text: t },
        expected: { result: 'x' },
        split: 'dev',
      })),
    });
    const source = await evalOf(stack, 'fe', { pipeline: 'fan@1' });
    const s0 = await waitForRun(stack, source, 90_000);
    expect(s0.status, JSON.stringify([s0.error, (await stack.ok('GET', `/api/evals/${source}`)).results])).toBe(
      'completed',
    );
    expect(s0.outputs.errors).toBe(0);
    let before = calls.length;
    const fork = await stack.ok('POST', `/api/runs/${source}/fork`, {
      fromStep: 'c',
      overrides: { steps: { c: { component: 'finish@2' } } },
    });
    const done = await waitForRun(stack, fork.id, 90_000);
    expect(done).toMatchObject({ status: 'completed', outputs: { errors: 0, reusedSteps: 6 } });
    expect(since(before).map((k) => k.split(':')[0])).toEqual(['reverse', 'reverse', 'reverse']);
    const srcResults = (await stack.ok('GET', `/api/evals/${source}`)).results;
    const forkResults = (await stack.ok('GET', `/api/evals/${fork.id}`)).results;
    for (const r of forkResults) {
      const s = srcResults.find((x: { exampleId: string }) => x.exampleId === r.exampleId);
      expect(r.outputs.lengths).toEqual(s.outputs.lengths);
    }
    // A model override on the foreach step calls every item of every example, nothing else.
    before = calls.length;
    const fork2 = await stack.ok('POST', `/api/runs/${source}/fork`, {
      fromStep: 'len',
      overrides: { steps: { len: { model: 'm2' } } },
    });
    expect(await waitForRun(stack, fork2.id, 90_000)).toMatchObject({ status: 'completed', outputs: { errors: 0 } });
    expect(since(before).map((k) => k.split(':')[0])).toEqual(Array(6).fill('length'));
    // An item counterfactual on every example (fromStep refuses items; overrides.steps does not).
    const item = await stack.api('POST', `/api/runs/${source}/fork`, {
      fromStep: 'c',
      overrides: { steps: { 'len[0]': { outputs: { n: 99 } } } },
    });
    expect(item.status, JSON.stringify(item.body)).toBe(201);
    const d = await waitForRun(stack, item.body.id, 90_000);
    expect(d.status, JSON.stringify(d.error)).toBe('completed');
  });

  it('examples deleted from the dataset are left out of the fork', async () => {
    const exs = await dataset(stack, 'del', ['d0x', 'd1x', 'd2x']);
    const source = await evalOf(stack, 'del', { pipeline: 'chain@1' });
    await waitForRun(stack, source, 90_000);
    await stack.ok('DELETE', `/api/datasets/del/examples/${exs[0]!.id}`);
    const fork = await stack.ok('POST', `/api/runs/${source}/fork`, {
      fromStep: 'c',
      overrides: { steps: { c: { component: 'finish@2' } } },
    });
    expect(fork.forked.examples).toBe(2);
    expect(await waitForRun(stack, fork.id, 90_000)).toMatchObject({
      status: 'completed',
      outputs: { examples: 2, errors: 0, reusedSteps: 4 },
    });
    for (const e of exs.slice(1)) await stack.ok('DELETE', `/api/datasets/del/examples/${e.id}`);
    const none = await stack.api('POST', `/api/runs/${source}/fork`, { fromStep: 'c' });
    expect(none.status).toBe(409);
  });

  it('a fork of a running eval completes; examples the source had not reached run whole', async () => {
    const texts = ['g0x', 'g1x', 'g2x', 'g3x'];
    await dataset(stack, 'run', texts);
    // The source's last example waits at step a.
    rec.holding.add('upper:g3x');
    const source = await evalOf(stack, 'run', { pipeline: 'chain@1' }, 1);
    await until(() => rec.held.length === 1, 'the source waiting on g3x', 60_000);
    rec.holding.clear();
    const before = calls.length;
    const fork = await stack.ok('POST', `/api/runs/${source}/fork`, {
      fromStep: 'c',
      overrides: { steps: { c: { component: 'finish@2' } } },
    });
    expect(fork.forked.examples).toBe(4);
    const done = await waitForRun(stack, fork.id, 90_000);
    rec.held.splice(0).forEach((r) => r());
    await waitForRun(stack, source, 90_000);
    expect(done).toMatchObject({ status: 'completed', outputs: { examples: 4, errors: 0, reusedSteps: 6 } });
    expect(done.outputs.aggregates['exact_match:result'].mean).toBe(1);
    expect(since(before).filter((k) => k.startsWith('reverse:')).length).toBeGreaterThanOrEqual(4);
  });

  it('a source eval deleted while its fork runs: the fork runs the rest whole (ADR 0024), it does not fail', async () => {
    const texts = ['s0x', 's1x', 's2x'];
    await dataset(stack, 'sd', texts);
    const source = await evalOf(stack, 'sd', { pipeline: 'chain@1' }, 1);
    await waitForRun(stack, source, 90_000);
    // The fork's first example waits at c.
    rec.holding.add(`reverse:${[...'s0x'].reverse().join('').toUpperCase()}`);
    const fork = await stack.ok('POST', `/api/runs/${source}/fork`, {
      fromStep: 'c',
      overrides: { steps: { c: { component: 'finish@2' } } },
    });
    await until(() => rec.held.length === 1, 'the fork waiting on its first example', 60_000);
    const del = await stack.api('DELETE', `/api/runs/${source}`);
    rec.holding.clear();
    rec.held.splice(0).forEach((r) => r());
    expect(del.status).toBe(204);
    const done = await waitForRun(stack, fork.id, 90_000);
    expect(done.status, JSON.stringify(done.error)).toBe('completed');
    expect(done.outputs).toMatchObject({ examples: 3, errors: 0 });
  });

  it('a fork of a repeated eval reuses each repeat from that repeat of the source', async () => {
    await dataset(stack, 'rep', ['e0x', 'e1x', 'e2x']);
    const started = await stack.ok('POST', '/api/evals', {
      dataset: 'rep',
      target: { pipeline: 'chain@1' },
      metrics,
      repeats: 2,
    });
    expect(await waitForRun(stack, started.id, 90_000)).toMatchObject({ outputs: { examples: 3, results: 6 } });
    const before = calls.length;
    const fork = await stack.ok('POST', `/api/runs/${started.id}/fork`, {
      fromStep: 'c',
      overrides: { steps: { c: { component: 'finish@2' } } },
    });
    const done = await waitForRun(stack, fork.id, 90_000);
    expect(done).toMatchObject({
      status: 'completed',
      inputs: { repeats: 2 },
      outputs: { examples: 3, results: 6, errors: 0, reusedSteps: 12 },
    });
    expect(since(before).map((k) => k.split(':')[0])).toEqual(Array(6).fill('reverse'));
    const events = (await stack.ok('GET', `/api/runs/${fork.id}/events`)).events as Array<{
      data: { stepId?: string };
    }>;
    const examples = events.map((e) => e.data.stepId).filter((id) => id?.startsWith('example:'));
    expect(examples.filter((id) => id!.endsWith('[1]'))).toHaveLength(3);
  });

  it('bad fork requests are 400s naming the problem, never 500, and start nothing', async () => {
    await dataset(stack, 'bad', ['b0x']);
    const source = await evalOf(stack, 'bad', { pipeline: 'chain@1' });
    await waitForRun(stack, source, 90_000);
    const before = calls.length;
    const bodies: unknown[] = [
      'x',
      null,
      {},
      { fromStep: '' },
      { fromStep: 'c', cache: 'nope' },
      { fromStep: 'c[' },
      { fromStep: 'c', overrides: { steps: { 'b[0]': { outputs: { result: 'x' } } } } },
      { fromStep: 'c', overrides: { steps: { c: { provider: 'ghost' } } } },
      { fromStep: 'c', overrides: { steps: { c: { outputs: { result: 1 } } } } },
      { fromStep: 'c', overrides: { steps: { c: { outputs: { nope: 'x' } } } } },
      { fromStep: 'c', overrides: { steps: { c: { params: { temperature: 'hot' } } } } },
      { fromStep: 'c', overrides: { steps: { c: { component: 'finish' } } } },
      { fromStep: 'c', overrides: { steps: { c: { component: 'finish@0' } } } },
      { fromStep: 'c', overrides: { steps: { c: { component: 'finish@99999999999999999999' } } } },
      { fromStep: 'c', overrides: { steps: { 'c d': {} } } },
      { fromStep: 'c', overrides: { agent: { model: 'm' } } },
      { fromStep: 'turn[1]' },
      { fromStep: 3 },
      { fromStep: 'c', overrides: { steps: { c: { component: 'words@1' } } } },
    ];
    const statuses: Array<{ body: unknown; status: number; message: unknown }> = [];
    for (const body of bodies) {
      const r = await stack.api('POST', `/api/runs/${source}/fork`, body as object);
      statuses.push({ body, status: r.status, message: r.body?.error?.message });
    }
    expect(statuses.filter((s) => s.status !== 400)).toEqual([]);
    expect(calls.length).toBe(before);
  });
});

describe('whole-eval forks at their edges (PostgreSQL)', () => {
  let stack: TestStack;
  const rec = recorder();

  beforeAll(async () => {
    stack = await startTestStack({ dialect: 'postgres', script: rec.script });
    await seed(stack);
  }, 120_000);
  afterAll(async () => {
    await stack?.close();
  });

  it('forks a resumed eval with a deleted example: the union, count and snapshot SQL work on PostgreSQL', async () => {
    const exs = await dataset(stack, 'pg', ['p0x', 'p1x', 'p2x', 'p3x']);
    rec.down.add('upper:p1x');
    const source = await evalOf(stack, 'pg', { pipeline: 'chain@1' });
    expect(await waitForRun(stack, source, 120_000)).toMatchObject({ outputs: { examples: 4, errors: 1 } });
    rec.down.clear();
    const resumed = await stack.ok('POST', '/api/evals/' + source + '/resume', {});
    expect(await waitForRun(stack, resumed.id, 90_000)).toMatchObject({ outputs: { examples: 4, errors: 0 } });
    await stack.ok('DELETE', `/api/datasets/pg/examples/${exs.find((e) => e.inputs.text === 'p2x')!.id}`);
    const before = rec.calls.length;
    const fork = await stack.ok('POST', `/api/runs/${resumed.id}/fork`, {
      fromStep: 'c',
      overrides: { steps: { c: { component: 'finish@2' } } },
    });
    expect(fork.forked.examples).toBe(3);
    const done = await waitForRun(stack, fork.id, 90_000);
    expect(done).toMatchObject({ status: 'completed', outputs: { examples: 3, errors: 0, reusedSteps: 6 } });
    expect(rec.calls.slice(before).map((k) => k.split(':')[0])).toEqual(['reverse', 'reverse', 'reverse']);
    const fork2 = await stack.ok('POST', `/api/runs/${fork.id}/fork`, {
      fromStep: 'c',
      overrides: { steps: { c: { component: 'finish@1' } } },
    });
    expect(await waitForRun(stack, fork2.id, 90_000)).toMatchObject({
      status: 'completed',
      outputs: { examples: 3, errors: 0, reusedSteps: 6 },
    });
  });
});
