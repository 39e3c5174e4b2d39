// `harness eval gate` run as CI runs it: the candidate and its production baseline evaluated on the same
// examples, exit 0 on a real gain and 1 on a planted regression, with a report and JUnit XML that validates.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evalModel, examples } from '../helpers/eval-model.js';
import { spawnHarness } from '../helpers/processes.js';
import { addFakeProvider, startTestStack, TOKEN, type TestStack } from '../helpers/stack.js';

const SCHEMA = path.join(import.meta.dirname, '..', 'fixtures', 'junit.xsd');

/** xmllint's verdict on the file against the JUnit schema (a missing xmllint fails the test, never skips it). */
const validates = (file: string) => {
  const r = spawnSync('xmllint', ['--noout', '--schema', SCHEMA, file], { encoding: 'utf8' });
  if (r.error) throw r.error;
  return { ok: r.status === 0, output: `${r.stdout}${r.stderr}` };
};

describe('harness eval gate', () => {
  let stack: TestStack;
  let env: Record<string, string>;
  const skill = (mode: string) => ({
    name: 'skill',
    signature: 'question: str -> answer: str',
    instructions: `mode: ${mode}`,
    provider: 'fake',
  });
  const gate = async (args: string[]) => {
    const p = spawnHarness(['eval', 'gate', '-d', 'hundred', '--concurrency', '16', ...args], env);
    return { code: await p.exitCode, out: p.output() };
  };

  beforeAll(async () => {
    stack = await startTestStack({ script: evalModel });
    env = { HARNESS_PORT: String(stack.backend.port), HARNESS_TOKEN: TOKEN, VLOOP_PROJECT_DIR: stack.dir };
    await addFakeProvider(stack);
    await stack.ok('POST', '/api/datasets', { name: 'hundred' });
    await stack.ok('POST', '/api/datasets/hundred/examples', { examples: examples(100) });
    await stack.ok('POST', '/api/components', skill('sixty'));
    await stack.ok('POST', '/api/components/skill/versions', skill('better'));
    await stack.ok('POST', '/api/components/skill/versions', skill('worse'));
    await stack.ok('POST', '/api/components/skill/labels/production', { version: 1 });
  });
  afterAll(() => stack?.close());

  it('passes a real gain over production and fails a planted regression, against a label or a past eval', async () => {
    const passXml = path.join(stack.dir, 'pass.xml');
    const pass = await gate([
      '--variant',
      'skill@2',
      '--baseline',
      'production',
      '--require',
      'exact_match:answer>=0.7',
      '--no-regression',
      'exact_match',
      '--junit',
      passXml,
    ]);
    expect(pass.out).toMatch(/PASS {2}exact_match:answer >= 0.7 +mean 0\.850/);
    expect(pass.out).toMatch(/PASS {2}no regression on exact_match:answer +better: Δ \+0\.240 .*p < 0\.001, n 100/);
    expect(pass.out).toContain('PASS  the baseline eval ran every example');
    expect(pass.out).toContain('gate passed: 4 checks');
    expect(pass.code).toBe(0);
    expect(validates(passXml)).toMatchObject({ ok: true });
    expect(fs.readFileSync(passXml, 'utf8')).toContain('tests="4" failures="0"');

    // The production eval just run is the baseline of the next gate: no second baseline eval.
    const baselineRun = /baseline +skill@1 \(production\): eval (run_\w+)/.exec(pass.out)?.[1];
    expect(baselineRun).toBeDefined();
    const evalsBefore = (await stack.ok('GET', '/api/runs?kind=eval')).runs.length;
    const failXml = path.join(stack.dir, 'fail.xml');
    const fail = await gate([
      '--variant',
      'skill@3',
      '--baseline',
      baselineRun!,
      '--require',
      'exact_match:answer>=0.5',
      '--no-regression',
      'exact_match:answer',
      '--junit',
      failXml,
    ]);
    expect(fail.out).toMatch(/FAIL {2}exact_match:answer >= 0.5 +mean 0\.260/);
    expect(fail.out).toMatch(/FAIL {2}no regression on exact_match:answer +worse: Δ -0\.350 .*p < 0\.001, n 100/);
    expect(fail.out).toContain('gate failed: 2 of 4 checks failed');
    expect(fail.code).toBe(1);
    expect((await stack.ok('GET', '/api/runs?kind=eval')).runs.length).toBe(evalsBefore + 1);
    expect(validates(failXml)).toMatchObject({ ok: true });
    const xml = fs.readFileSync(failXml, 'utf8');
    expect(xml).toContain('tests="4" failures="2"');
    expect(xml.match(/<failure /g)).toHaveLength(2);
    // The schema check can fail: a report with a stray element does not validate.
    fs.writeFileSync(failXml, xml.replace('<failure ', '<oops ').replace('</failure>', '</oops>'));
    expect(validates(failXml)).toMatchObject({ ok: false, output: expect.stringContaining("Element 'oops'") });
  });

  it('says what is wrong with bad input and exits 1 without starting an eval', async () => {
    const evalsBefore = (await stack.ok('GET', '/api/runs?kind=eval')).runs.length;
    const level = await gate(['--variant', 'skill@2', '--require', 'exact_match>=lots']);
    expect(level.code).toBe(1);
    expect(level.out).toContain(
      "--require takes metric[:field] followed by >=, <=, > or < and a number, got 'exact_match>=lots'",
    );
    const none = await gate(['--variant', 'skill@2']);
    expect(none.code).toBe(1);
    expect(none.out).toContain('a gate needs at least one --require or --no-regression check');
    const alone = await gate(['--variant', 'skill@2', '--no-regression', 'exact_match']);
    expect(alone.code).toBe(1);
    expect(alone.out).toContain('--no-regression needs a --baseline');
    const label = await gate(['--variant', 'skill@staging', '--require', 'exact_match>=0.5']);
    expect(label.code).toBe(1);
    expect(label.out).toContain("no version of 'skill' is labelled 'staging': promote one first");
    const notEval = await stack.ok('POST', '/api/components/skill/runs', { inputs: { question: 'q1' } });
    const run = await gate(['--variant', 'skill@2', '--baseline', notEval.id, '--no-regression', 'exact_match']);
    expect(run.code).toBe(1);
    expect(run.out).toContain(`--baseline ${notEval.id} is a component run, not an eval`);
    expect((await stack.ok('GET', '/api/runs?kind=eval')).runs.length).toBe(evalsBefore);
  });
});
