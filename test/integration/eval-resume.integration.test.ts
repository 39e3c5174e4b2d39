// Resuming an eval (issue 32): one whose examples errored in a provider outage (`harness eval resume`) and one
// cancelled mid-run (the API) each run their missing and errored examples only; the fake provider answers every
// example exactly once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeReply, FakeRequest } from '../fakes/script.js';
import { promptFields } from '../helpers/echo-model.js';
import { evalModel, examples } from '../helpers/eval-model.js';
import { spawnHarness, until } from '../helpers/processes.js';
import { addFakeProvider, startTestStack, TOKEN, waitForRun, type TestStack } from '../helpers/stack.js';

describe('resuming an eval', () => {
  let stack: TestStack;
  /** Questions the provider is down for; questions whose calls wait for `release`. */
  const down = new Set<string>();
  const holding = new Set<string>();
  const held: Array<(reply: FakeReply) => void> = [];
  /** How many times each question got an answer (a 200, not an outage or a call cut short). */
  const answered = new Map<string, number>();
  const script = async (req: FakeRequest): Promise<FakeReply> => {
    const question = promptFields(req).question ?? '';
    if (down.has(question)) return { status: 503, error: 'the provider is overloaded' };
    const reply = holding.has(question) ? await new Promise<FakeReply>((r) => held.push(r)) : evalModel(req);
    if (typeof reply === 'string') answered.set(question, (answered.get(question) ?? 0) + 1);
    return reply;
  };
  const metrics = [{ name: 'exact_match', field: 'answer' }];
  const evalOf = async (dataset: string, concurrency = 4) =>
    (await stack.ok('POST', '/api/evals', { dataset, target: { component: 'qa@1' }, metrics, concurrency }))
      .id as string;
  const questions = (prefix: string) => Array.from({ length: 20 }, (_, i) => `${prefix}q${i}`);

  beforeAll(async () => {
    stack = await startTestStack({ script });
    await addFakeProvider(stack);
    await stack.ok('POST', '/api/components', {
      name: 'qa',
      signature: 'question: str -> answer: str',
      instructions: 'mode: even',
      provider: 'fake',
    });
    for (const prefix of ['o-', 'c-']) {
      await stack.ok('POST', '/api/datasets', { name: `${prefix}set` });
      await stack.ok('POST', `/api/datasets/${prefix}set/examples`, { examples: examples(20, 'dev', prefix) });
    }
  });
  afterAll(async () => {
    held.splice(0).forEach((r) => r({ status: 503, error: 'the test ended' }));
    await stack?.close();
  });

  it('runs only the examples a provider outage errored, keeping the rest', async () => {
    for (const q of questions('o-').slice(5, 10)) down.add(q);
    const source = await evalOf('o-set');
    const first = await waitForRun(stack, source, 90_000);
    expect(first).toMatchObject({ status: 'completed', outputs: { examples: 20, errors: 5 } });
    down.clear();
    // From the command line: it starts the resume and follows it to its end.
    const cli = spawnHarness(['eval', 'resume', source], {
      HARNESS_PORT: String(stack.backend.port),
      HARNESS_TOKEN: TOKEN,
      VLOOP_PROJECT_DIR: stack.dir,
    });
    expect(await cli.exitCode).toBe(0);
    const line = new RegExp(`eval (run_\\w+) resumes ${source}: 5 examples to run, 15 kept from it`).exec(cli.output());
    expect(line, cli.output()).not.toBeNull();
    expect(cli.output()).toContain('[##############################] 5/5');
    const resumed = { id: line![1]! };
    const done = await waitForRun(stack, resumed.id, 90_000);
    // even: right on q0, q2, …, q18.
    expect(done).toMatchObject({
      status: 'completed',
      inputs: { resumeOf: source },
      outputs: { examples: 20, errors: 0 },
    });
    expect(done.outputs.aggregates['exact_match:answer'].mean).toBe(0.5);
    expect(questions('o-').map((q) => answered.get(q))).toEqual(questions('o-').map(() => 1));
    // A kept example still points at the run that answered it.
    const before = (await stack.ok('GET', `/api/evals/${source}`)).results;
    const after = (await stack.ok('GET', `/api/evals/${resumed.id}`)).results;
    const kept = before.find((r: { error: string | null }) => r.error === null);
    expect(after.find((r: { exampleId: string }) => r.exampleId === kept.exampleId).childRunId).toBe(kept.childRunId);
    await expect(stack.api('POST', `/api/evals/${resumed.id}/resume`, {})).resolves.toMatchObject({
      status: 409,
      body: {
        error: {
          message: `nothing to resume: every example of eval '${resumed.id}' finished without an error or left its dataset`,
        },
      },
    });
  });

  it('runs only the examples a cancelled eval had not finished, and refuses a running one', async () => {
    for (const q of questions('c-').slice(10)) holding.add(q);
    const source = await evalOf('c-set', 2);
    await until(() => held.length === 2, 'both lanes waiting on the provider', 60_000);
    await until(
      async () => (await stack.ok('GET', `/api/evals/${source}`)).results.length === 10,
      'the first ten examples scored',
      60_000,
    );
    await expect(stack.api('POST', `/api/evals/${source}/resume`, {})).resolves.toMatchObject({
      status: 409,
      body: { error: { message: `eval '${source}' is still running: wait for it to end or cancel it` } },
    });
    await stack.ok('POST', `/api/runs/${source}/cancel`);
    expect((await waitForRun(stack, source, 60_000)).status).toBe('cancelled');
    // The calls in flight when it was cancelled never answer.
    holding.clear();
    held.splice(0).forEach((r) => r({ status: 503, error: 'cut short' }));
    const resumed = await stack.ok('POST', `/api/evals/${source}/resume`, {});
    expect(resumed.resumed).toEqual({ from: source, examples: 10, kept: 10 });
    expect(await waitForRun(stack, resumed.id, 90_000)).toMatchObject({
      status: 'completed',
      outputs: { examples: 20, errors: 0 },
    });
    expect(questions('c-').map((q) => answered.get(q))).toEqual(questions('c-').map(() => 1));
    const notEval = await stack.ok('POST', '/api/components/qa/runs', { inputs: { question: 'q1' } });
    await waitForRun(stack, notEval.id);
    await expect(stack.api('POST', `/api/evals/${notEval.id}/resume`, {})).resolves.toMatchObject({
      status: 400,
      body: { error: { message: `run '${notEval.id}' is a component run, not an eval` } },
    });
  });
});
