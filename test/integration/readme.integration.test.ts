// The README's promise, kept: with no key at all, every `harness run` command it shows completes on
// the embedded model (SmolLM2-135M on the CPU), against the examples `npm start` seeds.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unloadLocalModels } from '../../providers/local.js';
import { seedExamples } from '../../api/services/seed.js';
import { readShellCommand } from '../../judge/shell.js';
import { queueScript } from '../fakes/script.js';
import { makeWorkspace } from '../helpers/agent-setup.js';
import { localModelPath } from '../helpers/local-model.js';
import { spawnHarness } from '../helpers/processes.js';
import { startTestStack, TOKEN, type TestStack } from '../helpers/stack.js';

/** The `harness run …` lines of the README's code blocks, as argument lists (comments dropped). */
function readmeRunCommands(): string[][] {
  const blocks = [...fs.readFileSync('README.md', 'utf8').matchAll(/```[a-z]*\n([\s\S]*?)```/g)].map((m) => m[1]!);
  return blocks
    .flatMap((b) => b.split('\n'))
    .map((line) => line.replace(/\s+#.*$/, '').trim())
    .filter((line) => line.startsWith('harness run '))
    .map((line) =>
      readShellCommand(line, { vars: {} })
        .commands[0]!.words.slice(1)
        .map((w) => w.value ?? w.text),
    );
}

describe('the README on the embedded model', () => {
  let stack: TestStack;
  const commands = readmeRunCommands();
  beforeAll(async () => {
    stack = await startTestStack({
      script: queueScript([]),
      workspace: makeWorkspace({ 'README.md': '# Notes\nA small project.\n', 'todo.txt': 'buy milk\n' }),
      env: { LOCAL_MODEL_PATH: localModelPath() },
      // The product's own heartbeat timeout (not the crash tests' 3 s): the embedded model shares these cores.
      heartbeatTimeoutMs: 10_000,
    });
    expect((await seedExamples(stack.backend.app)).message).toMatch(/'local' provider/);
  });
  afterAll(async () => {
    await stack?.close();
    await unloadLocalModels();
  });

  it('shows a run command for pipelines, components and agents', () => {
    expect(commands.map((c) => c.slice(0, 2).join(' ')).sort()).toEqual(
      expect.arrayContaining(['run agent', 'run component', 'run pipeline']),
    );
  });

  it.each(commands.map((c) => [c.join(' '), c]))(
    'harness %s completes',
    async (_line, args) => {
      // An agent may ask before writing: the person answers no, and the run goes on to its answer.
      const p = spawnHarness(
        args as string[],
        { HARNESS_PORT: String(stack.backend.port), HARNESS_TOKEN: TOKEN, VLOOP_PROJECT_DIR: stack.dir },
        'n\n'.repeat(8),
      );
      const code = await p.exitCode;
      expect(p.output()).toMatch(/\ncompleted: \{/);
      expect(code).toBe(0);
    },
    180_000,
  );
});
