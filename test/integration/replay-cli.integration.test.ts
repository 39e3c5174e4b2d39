// `harness replay` on the histories people actually have: Temporal's own JSON export of a run (recorded here
// with the real CLI), the API's history JSON, and the corpus directory. One line per history, no stack traces.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { echoModel } from '../helpers/echo-model.js';
import { spawnHarness } from '../helpers/processes.js';
import { newProjectDir, seedDiamond, startTestStack, waitForRun, type TestStack } from '../helpers/stack.js';

const corpus = 'test/fixtures/histories';

describe('harness replay', () => {
  let stack: TestStack;
  let run: { id: string; workflowId: string; temporal: { workflowId: string } };
  let env: Record<string, string>;
  let exported: string;
  beforeAll(async () => {
    stack = await startTestStack({ script: echoModel });
    await seedDiamond(stack);
    const started = await stack.ok('POST', '/api/pipelines/diamond/runs', { inputs: { text: 'replay me' } });
    expect((await waitForRun(stack, started.id)).status).toBe('completed');
    run = await stack.ok('GET', `/api/runs/${started.id}`);
    run.workflowId = run.temporal.workflowId;
    env = { VLOOP_PROJECT_DIR: stack.dir, VLOOP_DB_URL: `sqlite:${stack.db.url}` };
    // The real export, with the real CLI, as a person would take it.
    exported = path.join(stack.dir, `${run.workflowId}.json`);
    fs.writeFileSync(
      exported,
      execFileSync(inject('temporalCli'), [
        'workflow',
        'show',
        '--output',
        'json',
        '--address',
        inject('temporalAddress'),
        '-w',
        run.workflowId,
      ]),
    );
  });
  afterAll(() => stack?.close());

  const replay = async (target: string, extra: Record<string, string> = {}, args: string[] = []) => {
    const p = spawnHarness(['replay', target, ...args], { ...env, ...extra });
    const code = await p.exitCode;
    // The launcher's own notice (it compiles sources edited since the last build) is not replay's output.
    return {
      code,
      lines: p
        .output()
        .trim()
        .split('\n')
        .filter((l) => !l.startsWith('harness: compiling')),
    };
  };

  it("replays Temporal's own JSON export of a run (temporal workflow show --output json): one line", async () => {
    expect(JSON.parse(fs.readFileSync(exported, 'utf8')).events[0].eventType).toBe(
      'EVENT_TYPE_WORKFLOW_EXECUTION_STARTED',
    );
    const { code, lines } = await replay(exported);
    expect(lines).toEqual([`✓ ${run.workflowId} replays against today's code`]);
    expect(code).toBe(0);
  });

  it("replays the API's history JSON (GET /api/runs/:id/history): one line", async () => {
    const file = path.join(stack.dir, 'api-history.json');
    fs.writeFileSync(file, JSON.stringify(await stack.ok('GET', `/api/runs/${run.id}/history`)));
    const { code, lines } = await replay(file);
    expect(lines).toEqual([`✓ ${run.workflowId} replays against today's code`]);
    expect(code).toBe(0);
  });

  it('replays the corpus directory in any project (its public test key is known to replay): one line each', async () => {
    const files = fs.readdirSync(corpus).filter((f) => f.endsWith('.json'));
    const { code, lines } = await replay(corpus);
    expect(lines).toHaveLength(files.length);
    for (const line of lines) expect(line).toMatch(/^✓ run_\w+ replays against today's code$/);
    expect(code).toBe(0);
  });

  it('says in one line why a history does not replay, without stack traces unless --verbose', async () => {
    // Another project's keys cannot open this run's payloads.
    const other = { VLOOP_PROJECT_DIR: newProjectDir(), VLOOP_DB_URL: '' };
    const { code, lines } = await replay(exported, other);
    expect(code).toBe(1);
    expect(lines, lines.join('\n')).toHaveLength(1);
    expect(lines[0]).toMatch(
      new RegExp(
        `^✗ ${run.workflowId} does not replay at event \\d+ \\(\\w+\\): .*encrypted with key '\\w+', which this keyring does not have$`,
      ),
    );
    const verbose = await replay(exported, other, ['--verbose']);
    expect(verbose.code).toBe(1);
    expect(verbose.lines.join('\n')).toMatch(/at EncryptionCodec\.decode/);
  });
});
