// promptfoo parity (issue 32): one promptfoo config, run by promptfoo itself and imported here, on the same fake
// OpenAI server. Every (test, prompt, provider) passes or fails alike, assertion by assertion; the export gives back
// a config that imports to the same experiment.
import fs from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeReply, FakeRequest } from '../fakes/script.js';
import { spawnHarness } from '../helpers/processes.js';
import { runPromptfoo, type PromptfooRow } from '../helpers/promptfoo.js';
import { addFakeProvider, cliEnv, startTestStack, waitForRun, type TestStack } from '../helpers/stack.js';
import { parsePromptfoo } from '../../core/promptfoo.js';

const CONFIG = fs.readFileSync(path.resolve(import.meta.dirname, '../fixtures/promptfoo/parity.yaml'), 'utf8');

/** The answers: by question, with what differs by prompt (polite or terse) and model (gpt-4o-mini or gpt-4o). */
function answer(question: string, polite: boolean, full: boolean): FakeReply {
  switch (question) {
    case 'capital of France':
      return polite && !full ? 'As an AI, I know: Paris.' : polite ? 'The capital of France is Paris.' : 'Paris.';
    case 'two plus two':
      return polite ? 'The answer is 4.' : '4';
    case 'three plus four':
      return full ? '8' : '7';
    case 'json for Rome':
      return polite ? 'Sure: {"city": "Rome"}' : '{"city": "Rome"}';
    case 'capital of Spain':
      return polite && full ? 'Barcelona' : 'Madrid';
    case 'capital of Italy':
      return polite && full ? 'Milan is not the capital; Rome is.' : 'Rome';
    case 'slow: capital of Peru':
      return polite ? 'Lima, of course.' : 'Lima';
    case 'capital of Japan':
      return !polite && full ? 'Kyoto' : 'Tokyo';
    case 'capital of Germany':
      return polite ? 'The capital of Germany is Berlin.' : 'Berlin.';
    default:
      throw new Error(`the fake has no answer to '${question}'`);
  }
}

/** The grader's verdict (both sides ask it with the rubric and the answer in the messages): Madrid meets the rubric. */
async function script(req: FakeRequest): Promise<FakeReply> {
  const text = req.messages.map((m) => m.content).join('\n');
  if (text.includes('names the capital of Spain')) {
    const pass = /Madrid/.test(text.replace(/names the capital of Spain/g, ''));
    return JSON.stringify({ reason: pass ? 'Madrid' : 'not Madrid', reasoning: 'graded', pass, score: pass ? 1 : 0 });
  }
  const question = /Answer briefly: (.+)$/m.exec(text)?.[1] ?? /Question: (.+)$/m.exec(text)?.[1] ?? '(no question)';
  const full = req.model === 'gpt-4o';
  // gpt-4o is slow on this one, whether the answer streams (the harness) or not (promptfoo): the wait is before it.
  if (question.startsWith('slow:') && full) await new Promise((r) => setTimeout(r, 2500));
  return answer(question.trim(), text.includes('helpful assistant'), full);
}

type Verdicts = Map<string, { pass: boolean; assertions: string[] }>;
const rowKey = (test: string, prompt: string, provider: string) => `${test} | ${prompt} | ${provider}`;
/** An assertion's verdict as both sides name it: its type and pass, sorted (their orders differ). */
const named = (list: Array<{ type: string; pass: boolean }>) => list.map((a) => `${a.type}:${a.pass}`).sort();

describe('promptfoo parity', () => {
  let stack: TestStack;
  let config: string;
  let experimentId = '';
  const cli = async (args: string[]) => {
    const p = spawnHarness(args, cliEnv(stack));
    return { code: await p.exitCode, out: p.output() };
  };
  beforeAll(async () => {
    stack = await startTestStack({ script });
    await addFakeProvider(stack, 'gpt-4o-mini');
    config = CONFIG.replaceAll('BASE_URL', stack.fake.baseUrl);
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('promptfoo and the import pass and fail the same tests, assertion by assertion', async () => {
    const parsed = parseYaml(config) as { tests: Array<{ description: string; vars: { question: string } }> };
    const tests = parsed.tests.map((t) => t.description);
    const byQuestion = new Map(parsed.tests.map((t) => [t.vars.question, t.description]));
    const theirs: Verdicts = new Map();
    const rows: PromptfooRow[] = await runPromptfoo(config, { env: { OPENAI_API_KEY: 'sk-fake-for-promptfoo' } });
    for (const r of rows) {
      // A provider error leaves no assertion graded; a failed assertion is promptfoo's `error` too.
      expect(r.assertions.length, `promptfoo graded nothing on ${JSON.stringify(r.vars)}: ${r.error}`).toBeGreaterThan(
        0,
      );
      const provider = r.provider === 'openai:chat:gpt-4o' ? 'full' : 'mini';
      theirs.set(rowKey(tests[r.testIdx]!, r.promptLabel ?? '', provider), {
        pass: r.success,
        assertions: named(r.assertions),
      });
    }
    expect(theirs.size).toBe(9 * 2 * 2);
    // Both embedded the answers for similar: the same texts, each by its own client.
    expect(stack.fake.embedded).toContain('The capital of Germany is Berlin.');

    const imported = await stack.ok('POST', '/api/experiments/promptfoo', { config, name: 'parity' });
    expect(imported).toMatchObject({ dataset: 'parity', components: ['parity-p1@1', 'parity-p2@1'], tests: 9 });
    experimentId = imported.run.id;
    const done = await waitForRun(stack, imported.run.id, 180_000);
    expect(done.status, JSON.stringify(done.error)).toBe('completed');
    const view = await stack.ok('GET', `/api/experiments/${imported.run.id}`);
    const ours: Verdicts = new Map();
    for (const cell of view.cells as Array<{ label: string; evalRunId: string }>) {
      const [prompt, provider] = cell.label.split(' · ');
      const e = await stack.ok('GET', `/api/evals/${cell.evalRunId}`);
      for (const r of e.results as Array<{
        inputs: { question: string };
        scores: Record<string, number>;
        details: { assertions: { assertions: Array<{ type: string; pass: boolean }> } } | null;
        error: string | null;
      }>) {
        expect(r.error).toBeNull();
        ours.set(rowKey(byQuestion.get(r.inputs.question)!, prompt!, provider!), {
          pass: r.scores.assertions === 1,
          assertions: named(r.details!.assertions.assertions),
        });
      }
    }
    expect([...ours.keys()].sort()).toEqual([...theirs.keys()].sort());
    for (const [key, verdict] of theirs) expect(ours.get(key), key).toEqual(verdict);
    // Both sides saw passes and failures, so the agreement is not all-pass or all-fail.
    const passes = [...theirs.values()].filter((v) => v.pass).length;
    expect(passes).toBeGreaterThan(4);
    expect(passes).toBeLessThan(32);
  }, 300_000);

  it('exports the experiment as a config that parses to the same prompts, providers, tests and assertions', async () => {
    expect(experimentId).not.toBe('');
    const out = await cli(['experiment', 'export-promptfoo', experimentId]);
    expect(out.code, out.out).toBe(0);
    const exported = parsePromptfoo(out.out);
    const source = parsePromptfoo(config);
    expect(exported.prompts.map((p) => p.template)).toEqual(source.prompts.map((p) => p.template));
    expect(exported.providers.map((p) => [p.id, p.baseUrl, p.params])).toEqual(
      source.providers.map((p) => [p.id, p.baseUrl, p.params]),
    );
    expect(exported.tests).toEqual(source.tests);
    expect(exported.defaultAssert).toEqual(source.defaultAssert);
    expect(exported.grader).toMatchObject({ id: 'openai:chat:gpt-4o-mini', baseUrl: stack.fake.baseUrl });
  });

  it('refuses a config it cannot carry, naming why, and writes nothing', async () => {
    const before = await stack.ok('GET', '/api/datasets');
    const bad = config.replace('type: equals', 'type: rouge-n').replace("'capital of Japan'", '[a, b]');
    const r = await stack.api('POST', '/api/experiments/promptfoo', { config: bad, name: 'refused' });
    expect(r.status).toBe(400);
    const paths = (r.body.error.details.problems as Array<{ path: string }>).map((p) => p.path);
    expect(paths).toEqual(expect.arrayContaining(['tests[1].assert[0].type', 'tests[7].vars.question']));
    expect(await stack.ok('GET', '/api/datasets')).toEqual(before);
    expect((await stack.api('GET', '/api/components/refused-p1')).status).toBe(404);
    // A name taken, and a second provider of the same kind at no known address: both named, nothing written.
    await stack.ok('POST', '/api/providers', { name: 'other', type: 'openai', baseUrl: 'http://127.0.0.1:9/v1' });
    const taken = await stack.api('POST', '/api/experiments/promptfoo', {
      config: config.replaceAll(stack.fake.baseUrl, 'http://elsewhere.invalid/v1'),
      name: 'parity',
    });
    expect(taken.status).toBe(400);
    expect(taken.body.error.details.problems.map((p: { message: string }) => p.message)).toEqual(
      expect.arrayContaining([
        "a dataset named 'parity' exists: choose another name",
        expect.stringContaining('several openai providers could run'),
      ]),
    );
  });

  it('runs a one-prompt, one-provider config as an eval from the CLI, on the provider it is told', async () => {
    const one = [
      "prompts: ['Answer briefly: {{question}}']",
      'providers: [openai:chat:gpt-4o-mini]',
      'tests:',
      "  - vars: {question: 'two plus two'}",
      "    assert: [{type: equals, value: '4'}]",
      "  - vars: {question: 'three plus four'}",
      "    assert: [{type: equals, value: '8'}]",
    ].join('\n');
    fs.writeFileSync(path.join(stack.dir, 'one.yaml'), one);
    const out = await cli([
      'experiment',
      'promptfoo',
      path.join(stack.dir, 'one.yaml'),
      '--name',
      'one',
      '--provider',
      'openai:chat:gpt-4o-mini=fake',
    ]);
    // One test of two fails: the eval completes, and its mean says so.
    expect(out.out).toContain('imported 2 tests into dataset one; prompts: one-p1@1');
    expect(out.code, out.out).toBe(0);
    const evals = await stack.ok('GET', '/api/runs?kind=eval&limit=200');
    const run = evals.runs.find((r: { target: { name: string } }) => r.target.name === 'one-p1');
    expect(run.outputs.aggregates.assertions.mean).toBe(0.5);
    const exported = parsePromptfoo((await cli(['experiment', 'export-promptfoo', run.id])).out);
    expect(exported.providers).toEqual([
      expect.objectContaining({ id: 'openai:chat:gpt-4o-mini', baseUrl: stack.fake.baseUrl }),
    ]);
    expect(exported.tests.map((t) => t.assert)).toEqual([
      [{ type: 'equals', value: '4' }],
      [{ type: 'equals', value: '8' }],
    ]);
  });
});
