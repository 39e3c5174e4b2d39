// Optimized programs between DSPy 3.4.1 and us (issue 33): a MIPROv2-optimized component exports as a program that
// DSPy loads and runs on the fake with the optimized instruction and demos; a program saved by DSPy the way its
// optimizers leave one imports with its instruction and demos and runs here the same way.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDspy } from '../helpers/dspy.js';
import { promptFields } from '../helpers/echo-model.js';
import { IDEA, ideaModel, seedIdeaTask } from '../helpers/idea-model.js';
import { addFakeProvider, startTestStack, waitForRun, type TestStack } from '../helpers/stack.js';

const METRIC = { name: 'exact_match', field: 'answer', args: { caseSensitive: true } };

describe('optimized programs in and out of DSPy', () => {
  let stack: TestStack;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vloop-dspy-'));
  beforeAll(async () => {
    stack = await startTestStack({ script: ideaModel });
    await addFakeProvider(stack);
    await seedIdeaTask(stack.ok);
  });
  afterAll(async () => {
    await stack?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('DSPy loads the MIPROv2-optimized component and runs it with its instruction and demos', async () => {
    const started = await stack.ok('POST', '/api/optimizations', {
      component: 'coder@1',
      dataset: 'codes',
      metric: METRIC,
      optimizer: 'mipro',
      k: 2,
      seed: 7,
      trials: 8,
      minibatch: 4,
      fullEvalEvery: 4,
    });
    const done = await waitForRun(stack, started.id, 300_000);
    expect(done.outputs).toMatchObject({ saved: true, demos: 2 });
    const version = done.outputs.version as number;
    const program = await stack.ok('GET', `/api/components/coder/dspy?version=${version}`);
    const file = path.join(dir, 'optimized.json');
    fs.writeFileSync(file, JSON.stringify(program));

    const from = stack.fake.requests.length;
    const ran = JSON.parse(await runDspy(['run', file, stack.fake.baseUrl, 'q23']));
    // The fake writes upper case only when the instruction says so: A23 is the optimized instruction at work.
    expect(ran).toEqual({ answer: 'A23', instructions: done.outputs.instruction, demos: 2 });
    const seen = stack.fake.requests.slice(from);
    expect(seen).toHaveLength(1);
    expect(seen[0]!.messages[0]!.content).toContain(IDEA);
    // system, two demos (a user and an assistant message each), then the question.
    expect(seen[0]!.messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user', 'assistant', 'user']);
    expect(promptFields(seen[0]!).question).toBe('q23');
  });

  it('a program DSPy saved after optimizing imports with its instruction and demos, and runs here', async () => {
    const file = path.join(dir, 'from-dspy.json');
    await runDspy(['save-optimized', file]);
    const program = JSON.parse(fs.readFileSync(file, 'utf8'));
    // DSPy's file does not say which fields are inputs: the signature does.
    await stack.ok('POST', '/api/components/import/dspy', {
      name: 'imported',
      program,
      provider: 'fake',
      signature: 'question -> answer',
    });
    const spec = (await stack.ok('GET', '/api/components/imported')).latest.spec;
    expect(spec.instructions).toBe(`Answer with the code. ${IDEA}`);
    expect(spec.demos).toEqual([
      { inputs: { question: 'q1' }, outputs: { answer: 'A1' }, augmented: true },
      { inputs: { question: 'q2' }, outputs: { answer: 'A2' }, augmented: true },
    ]);
    const run = await stack.ok('POST', '/api/components/imported/runs', { inputs: { question: 'q7' } });
    expect((await waitForRun(stack, run.id)).outputs).toEqual({ answer: 'A7' });
  });
});
