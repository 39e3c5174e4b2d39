// The harness CLI against a running backend: run --follow, chat, and bad input (a message, exit 1).
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { echoModel, promptOp } from '../helpers/echo-model.js';
import { freePort } from '../helpers/ports.js';
import { spawnHarness } from '../helpers/processes.js';
import { seedDiamond, startTestStack, TOKEN, type TestStack } from '../helpers/stack.js';
import type { FakeRequest } from '../fakes/script.js';

const script = (req: FakeRequest) =>
  promptOp(req) === 'unknown' ? `you said: ${req.messages.at(-1)!.content}` : echoModel(req);

describe('harness CLI', () => {
  let stack: TestStack;
  let env: Record<string, string>;
  beforeAll(async () => {
    stack = await startTestStack({ script });
    await seedDiamond(stack);
    env = { HARNESS_PORT: String(stack.backend.port), HARNESS_TOKEN: TOKEN, VLOOP_PROJECT_DIR: stack.dir };
  });
  afterAll(() => stack?.close());

  const harness = async (args: string[], input?: string) => {
    const p = spawnHarness(args, env, input);
    const code = await p.exitCode;
    return { code, out: p.output() };
  };

  it('runs a pipeline, printing its events live and then the outputs', async () => {
    const { code, out } = await harness(['run', 'pipeline', 'diamond', '-i', 'text=abc', '--follow']);
    expect(code).toBe(0);
    expect(out).toMatch(/run run_\w+ started/);
    expect(out).toMatch(/Step both completed/);
    expect(out).toMatch(/completed: \{\n\s+"combined": "ABC\|cba"/);
  });

  it('runs a pipeline from a YAML spec file', async () => {
    const file = path.join(stack.dir, 'shout.yaml');
    fs.writeFileSync(
      file,
      [
        'name: shout',
        'inputs:',
        '  text: str',
        'steps:',
        '  - id: up',
        '    component: upper',
        '    inputs:',
        '      text: $inputs.text',
        'outputs:',
        '  result: $steps.up.outputs.result',
        '',
      ].join('\n'),
    );
    const { code, out } = await harness(['run', 'pipeline', file, '-i', 'text=yaml', '--follow']);
    expect(code).toBe(0);
    expect(out).toMatch(/"result": "YAML"/);
    fs.writeFileSync(file, 'name: [unclosed');
    const bad = await harness(['run', 'pipeline', file]);
    expect(bad.code).toBe(1);
    expect(bad.out).toMatch(/error: .*shout\.yaml: the spec is not valid YAML/);
  });

  it('chats in the terminal, one turn per line', async () => {
    const { code, out } = await harness(['chat', '--provider', 'fake'], 'hello\n\nsecond line\n');
    expect(code).toBe(0);
    expect(out).toContain('you said: hello');
    expect(out).toContain('you said: second line');
    const chats = (await stack.api('GET', '/api/chats')).body;
    const chat = (await stack.api('GET', `/api/chats/${chats[0].id}`)).body;
    expect(chat.messages.map((m: { role: string }) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
    // It says which chat it was, and --chat with that id goes on with it.
    const id = /continue this chat: harness chat --chat (\S+)/.exec(out)?.[1];
    expect(id).toBe(chat.id);
    const again = await harness(['chat', '--chat', id!], 'third\n');
    expect(again.code).toBe(0);
    expect(again.out).toContain(`chat ${id} (fake)`);
    expect((await stack.api('GET', `/api/chats/${id}`)).body.messages).toHaveLength(6);
    const bad = await harness(['chat', '--provider', 'fake', '--max-tokens', 'lots'], 'hi\n');
    expect(bad.code).toBe(1);
    expect(bad.out).toMatch(/error: invalid request: maxTokens: /);
  });

  it('imports a dataset and evaluates on it with a progress bar', async () => {
    const file = path.join(stack.dir, 'qs.jsonl');
    fs.writeFileSync(
      file,
      ['abc', 'xyz']
        .map((t) => JSON.stringify({ inputs: { text: t }, expected: { result: t.toUpperCase() }, split: 'dev' }))
        .join('\n'),
    );
    const imported = await harness(['dataset-import', 'cli-set', file]);
    expect(imported.code).toBe(0);
    expect(imported.out).toContain('imported 2 examples into cli-set (train 0, dev 2, test 0)');
    const evaluated = await harness(['eval', '-d', 'cli-set', '-c', 'upper', '-m', 'exact_match:result']);
    expect(evaluated.code).toBe(0);
    expect(evaluated.out).toContain('[##############################] 2/2');
    expect(evaluated.out).toMatch(/"mean": 1/);
    const bad = await harness(['eval', '-d', 'cli-set']);
    expect(bad.code).toBe(1);
    expect(bad.out).toContain('error: name one target: --component or --pipeline');
  });

  it('says what is wrong and exits 1 on bad input', async () => {
    const typed = await harness(['run', 'pipeline', 'diamond', '-i', 'text=5']);
    expect(typed.code).toBe(1);
    expect(typed.out).toMatch(/error: invalid run inputs: inputs\.text: expected str, got 5/);
    const missing = await harness(['run', 'pipeline', 'nope']);
    expect(missing.code).toBe(1);
    expect(missing.out).toContain("error: pipeline 'nope' not found");
    const badPair = await harness(['run', 'pipeline', 'diamond', '-i', 'novalue']);
    expect(badPair.code).toBe(1);
    expect(badPair.out).toContain("--input takes key=value, got 'novalue'");
  });

  it('doctor asks each provider for its models and checks the API; services status exits 1 while a service is down', async () => {
    await stack.api('POST', '/api/providers', {
      name: 'gone',
      type: 'openai',
      baseUrl: 'http://127.0.0.1:9/v1',
      apiKey: 'sk-gone-0123456789',
      defaultModel: 'm',
    });
    // Doctor reads the project's store (the backend's), as it would on the user's machine.
    const inProject = { ...env, VLOOP_DB_URL: `sqlite:${stack.db.url}` };
    const check = spawnHarness(['doctor'], inProject);
    await check.exitCode;
    const doctor = { out: check.output() };
    expect(doctor.out).toMatch(/✓ provider fake\s+openai .*: answers at http:\/\/127\.0\.0\.1:\d+\/v1 \(\d+ models\)/);
    expect(doctor.out).toMatch(/! provider gone\s+openai m: cannot be reached at http:\/\/127\.0\.0\.1:9\/v1: /);
    expect(doctor.out).not.toContain('sk-gone-0123456789');
    expect(doctor.out).toMatch(/✓ api\s+http:\/\/127\.0\.0\.1:\d+ answers, and takes this project's token/);
    await stack.api('DELETE', '/api/providers/gone');

    const up = await harness(['services', 'status', 'backend']);
    expect(up.code).toBe(0);
    expect(up.out).toMatch(/backend .* healthy/);
    const elsewhere = { ...env, HARNESS_PORT: String(await freePort()) };
    const down = spawnHarness(['services', 'status', 'backend'], elsewhere);
    expect(await down.exitCode).toBe(1);
    expect(down.output()).toMatch(/backend .* down/);
    expect(down.output()).toContain("error: backend is down: 'harness services start' starts the services");
    const noApi = spawnHarness(['doctor'], elsewhere);
    await noApi.exitCode;
    expect(noApi.output()).toMatch(/! api\s+http:\/\/127\.0\.0\.1:\d+ not running/);
  });

  it('doctor reports whether the terminal sandbox is active', async () => {
    const on = await harness(['doctor']);
    expect(on.out).toMatch(/✓ terminal sandbox\s+active \(.*bwrap\)/);
    const p = spawnHarness(['doctor'], { ...env, HARNESS_SANDBOX: 'off' });
    await p.exitCode;
    expect(p.output()).toMatch(
      /! terminal sandbox\s+not active: the sandbox is turned off \(HARNESS_SANDBOX=off\); commands that may write or reach the network ask first/,
    );
  });
});
