// DSPy programs through the API and the CLI: a ChainOfThought saved by DSPy becomes a component whose
// prompt carries its demos, and comes back out as DSPy saved it; bad input is refused, nothing stored.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatPredictReply } from '../../core/adapters.js';
import { spawnHarness } from '../helpers/processes.js';
import { startTestStack, TOKEN, waitForRun, type TestStack } from '../helpers/stack.js';

const COT = 'test/fixtures/dspy/program-cot.json';
const program = JSON.parse(fs.readFileSync(COT, 'utf8'));
const SIGNATURE = 'question: str, context: list[str] -> answer: str';

describe('DSPy programs in and out', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({ script: () => formatPredictReply({ reasoning: 'It says so.', answer: '1999' }) });
    await stack.ok('POST', '/api/providers', {
      name: 'fake',
      type: 'openai',
      baseUrl: stack.fake.baseUrl,
      defaultModel: 'fake-model',
    });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('imports a saved ChainOfThought, runs it with its demos in the prompt, and exports it unchanged', async () => {
    const imported = await stack.api('POST', '/api/components/import/dspy', {
      name: 'qa',
      program,
      provider: 'fake',
      signature: SIGNATURE,
    });
    expect(imported.status).toBe(201);
    expect(imported.body).toEqual({ components: [{ name: 'qa', version: 1, kind: 'chain_of_thought' }] });
    const latest = (await stack.ok('GET', '/api/components/qa')).latest.spec;
    expect(latest).toMatchObject({
      kind: 'chain_of_thought',
      instructions: 'Answer the question from the context.',
      signature: SIGNATURE,
    });
    expect(latest.demos).toHaveLength(2);

    const run = await waitForRun(
      stack,
      (
        await stack.ok('POST', '/api/components/qa/runs', {
          inputs: { question: 'When?', context: ['It happened in 1999.'] },
        })
      ).id,
    );
    expect(run.outputs).toEqual({ answer: '1999' }); // the reasoning stays in the call's events
    const seen = stack.fake.requests.at(-1)!.messages;
    // system, the incomplete demo (no reasoning), the complete one, the question.
    expect(seen.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user', 'assistant', 'user']);
    expect(seen[1]!.content).toMatch(
      /^This is an example of the task, though some input or output fields are not supplied\./,
    );
    expect(seen[4]!.content).toContain('[[ ## reasoning ## ]]\nThe context says Ann wrote it.');

    expect(await stack.ok('GET', '/api/components/qa/dspy')).toEqual(program);
    expect(
      (
        await stack.ok('POST', '/api/components/import/dspy', {
          name: 'qa',
          program,
          provider: 'fake',
          signature: SIGNATURE,
        })
      ).components[0].version,
    ).toBe(2);
  });

  it('refuses a broken program, an unknown provider or a signature that does not fit, and stores nothing', async () => {
    const before = (await stack.ok('GET', '/api/components')).length;
    for (const [body, message] of [
      [{ name: 'bad', program: { predict: { demos: 'no' } }, provider: 'fake' }, /invalid DSPy program/],
      [{ name: 'bad', program, provider: 'nobody', signature: SIGNATURE }, /unknown provider 'nobody'/],
      [
        { name: 'bad', program, provider: 'fake', signature: 'question -> answer' },
        /has 4 fields; the signature names 2/,
      ],
      [{ name: 'Bad Name', program, provider: 'fake' }, /name/],
    ] as const) {
      const r = await stack.api('POST', '/api/components/import/dspy', body);
      expect(r.status, JSON.stringify(r.body)).toBe(400);
      expect(JSON.stringify(r.body.error)).toMatch(message);
    }
    expect((await stack.ok('GET', '/api/components')).length).toBe(before);
    expect((await stack.api('GET', '/api/components/qa/dspy?version=zero')).status).toBe(400);
  });

  it('imports and exports from the CLI; a missing file is a message and exit code 1', async () => {
    const env = { HARNESS_PORT: String(stack.backend.port), HARNESS_TOKEN: TOKEN, VLOOP_PROJECT_DIR: stack.dir };
    const imp = spawnHarness(['component', 'import-dspy', COT, '--provider', 'fake', '--signature', SIGNATURE], env);
    expect(await imp.exitCode, imp.output()).toBe(0);
    expect(imp.output()).toContain('imported program-cot@1 (chain_of_thought)');
    const out = path.join(stack.dir, 'exported.json');
    const exp = spawnHarness(['component', 'export-dspy', 'program-cot@1', '-o', out], env);
    expect(await exp.exitCode, exp.output()).toBe(0);
    expect(JSON.parse(fs.readFileSync(out, 'utf8'))).toEqual(program);
    const missing = spawnHarness(['component', 'import-dspy', 'nope.json', '--provider', 'fake'], env);
    expect(await missing.exitCode).toBe(1);
    expect(missing.output()).toMatch(/nope\.json: no such file/);
  });
});
