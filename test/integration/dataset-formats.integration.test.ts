// Datasets in the ecosystem's formats (issue 32): an OpenAI Evals file imported from the command line is evaluated
// (a list of acceptable answers matches any), Langfuse items round-trip through the API with their ids, metadata
// and source traces on SQLite and PostgreSQL, and a bad file is a 400 naming every problem with nothing imported.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evalModel } from '../helpers/eval-model.js';
import { spawnHarness } from '../helpers/processes.js';
import { addFakeProvider, cliEnv, startTestStack, TOKEN, waitForRun, type TestStack } from '../helpers/stack.js';

const fixture = (name: string) => path.resolve(import.meta.dirname, '../fixtures/formats', name);
const lines = (text: string) =>
  text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as unknown);

/** A dataset exported in `format`, as the file the API answers. */
async function exported(stack: TestStack, dataset: string, format: string): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${stack.backend.port}/api/datasets/${dataset}/export?format=${format}`, {
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  expect(res.status).toBe(200);
  return res.text();
}

for (const dialect of ['sqlite', 'postgres'] as const)
  describe(`datasets in OpenAI Evals and Langfuse formats (${dialect})`, () => {
    let stack: TestStack;
    beforeAll(async () => {
      stack = await startTestStack({ dialect, script: evalModel });
      await addFakeProvider(stack);
      await stack.ok('POST', '/api/components', {
        name: 'qa',
        signature: 'question: str -> answer: str',
        instructions: 'mode: even',
        provider: 'fake',
      });
    });
    afterAll(async () => {
      await stack?.close();
    });

    it('round-trips Langfuse items through the API, ids, metadata and source traces included', async () => {
      await stack.ok('POST', '/api/datasets', { name: 'lf' });
      const r = await stack.ok('POST', '/api/datasets/lf/import', {
        format: 'langfuse',
        content: fs.readFileSync(fixture('langfuse-items.json'), 'utf8'),
        fields: { input: 'question', expected: 'answer' },
      });
      expect(r.added).toBe(3);
      expect(r.examples.map((e: { inputs: unknown }) => e.inputs)).toEqual([
        { question: 'q0' },
        { question: 'q1' },
        { question: 'q2' },
      ]);
      const source = JSON.parse(fs.readFileSync(fixture('langfuse-items.json'), 'utf8')) as unknown[];
      expect(lines(await exported(stack, 'lf', 'langfuse'))).toEqual(source);
    });

    it('refuses a bad file whole with a 400 naming each problem', async () => {
      await stack.ok('POST', '/api/datasets', { name: 'bad' });
      const r = await stack.api('POST', '/api/datasets/bad/import', {
        format: 'openai-evals',
        content: '{"input": "q0", "ideal": "a0"}\n{"input": [], "ideal": "a1"}\n{"input": "q2"}',
      });
      expect(r.status).toBe(400);
      expect(r.body.error.details.problems.map((p: { path: string }) => p.path)).toEqual([
        'line 2.input',
        'line 3.ideal',
      ]);
      expect((await stack.ok('GET', '/api/datasets/bad')).examples).toEqual([]);
      expect((await stack.api('GET', '/api/datasets/bad/export?format=yaml')).status).toBe(400);
    });
  });

describe('an OpenAI Evals file from the command line', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({ script: evalModel });
    await addFakeProvider(stack);
    await stack.ok('POST', '/api/components', {
      name: 'qa',
      signature: 'question: str -> answer: str',
      instructions: 'mode: low',
      provider: 'fake',
    });
  });
  afterAll(async () => {
    await stack?.close();
  });

  /** `harness dataset-import <dataset> <fixture> <args…>`, which must succeed: what it printed. */
  const importFixture = async (dataset: string, file: string, args: string[]) => {
    const cli = spawnHarness(['dataset-import', dataset, fixture(file), ...args], cliEnv(stack));
    expect(await cli.exitCode, cli.output()).toBe(0);
    return cli.output();
  };

  it('imports it into the fields named, evaluates it, and exports it back', async () => {
    const printed = await importFixture('capitals', 'openai-evals.jsonl', [
      '--format',
      'openai-evals',
      '--input-field',
      'question',
      '--expected-field',
      'answer',
    ]);
    expect(printed).toContain('imported 3 examples into capitals (train 0, dev 3, test 0)');
    const run = await stack.ok('POST', '/api/evals', {
      dataset: 'capitals',
      target: { component: 'qa@1' },
      metrics: [{ name: 'exact_match', field: 'answer' }],
    });
    const done = await waitForRun(stack, run.id, 90_000);
    // low: right on every question; q1's "a1" is one of its two acceptable answers.
    expect(done.outputs.aggregates['exact_match:answer'].mean).toBe(1);
    const source = lines(fs.readFileSync(fixture('openai-evals.jsonl'), 'utf8'));
    const out = lines(await exported(stack, 'capitals', 'openai-evals'));
    expect(out.slice(0, 2)).toEqual(source.slice(0, 2));
    expect(out[2]).toEqual({ input: [{ role: 'user', content: 'q2' }], ideal: 'a2' });
  }, 120_000);

  it('imports an OpenAI Evals API eval (item_schema, string_check graders), runs its graders, and exports it back', async () => {
    await importFixture('answers', 'openai-eval-items.jsonl', [
      '--format',
      'openai-evals-api',
      '--definition',
      fixture('openai-eval.json'),
    ]);
    const d = await stack.ok('GET', '/api/datasets/answers');
    // The graders' reference is the expected answer; the rest of the item is the input.
    expect(d.examples[1]).toMatchObject({ inputs: { question: 'q1' }, expected: { answer: 'a1' } });
    await stack.ok('POST', '/api/components/qa/versions', {
      name: 'qa',
      signature: 'question: str -> answer: str',
      instructions: 'mode: even',
      provider: 'fake',
    });
    const run = await stack.ok('POST', '/api/evals', {
      dataset: 'answers',
      target: { component: 'qa@2' },
      metrics: [{ name: 'assertions' }],
    });
    const done = await waitForRun(stack, run.id, 90_000);
    // even: q1 and q3 answered "wrong", which fails both graders.
    expect(done.outputs.aggregates.assertions.mean).toBe(0.5);
    const view = await stack.ok('GET', `/api/evals/${run.id}`);
    const q1 = view.results.find((r: { inputs: { question: string } }) => r.inputs.question === 'q1');
    expect(q1.details.assertions.assertions.map((a: { pass: boolean }) => a.pass)).toEqual([false, false]);
    const doc = JSON.parse(await exported(stack, 'answers', 'openai-evals-api'));
    const definition = JSON.parse(fs.readFileSync(fixture('openai-eval.json'), 'utf8'));
    expect(doc.eval.testing_criteria).toEqual(definition.testing_criteria);
    expect(doc.items).toEqual(lines(fs.readFileSync(fixture('openai-eval-items.jsonl'), 'utf8')));
    await stack.ok('POST', '/api/datasets', { name: 'answers-again' });
    await stack.ok('POST', '/api/datasets/answers-again/import', {
      format: 'openai-evals-api',
      content: JSON.stringify(doc),
    });
    const again = await stack.ok('GET', '/api/datasets/answers-again');
    const strip = (es: Array<{ inputs: unknown; expected: unknown; metadata: unknown }>) =>
      es.map((e) => ({ inputs: e.inputs, expected: e.expected, metadata: e.metadata }));
    expect(strip(again.examples)).toEqual(strip(d.examples));
  }, 120_000);
});
