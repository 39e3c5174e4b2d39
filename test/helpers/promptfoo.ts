// promptfoo itself, for the parity tests: the pinned 0.123.1 that `npm run setup:test-tools` installs under
// .vloop/tools (an installed tool like .vloop/bin, never a test's state), run on the Node 24 installed beside it
// (promptfoo 0.123 refuses Node 20). Each run is in a fresh temp dir, cache and results store off.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { NODE24, testToolModule } from './test-tools.js';
import { spawnGroup, stopGroup } from './process-groups.js';

const PROMPTFOO = testToolModule('promptfoo', 'promptfoo', 'dist', 'src', 'entrypoint.js');

/** One result of an eval: a test case on a prompt and a provider. */
export interface PromptfooRow {
  testIdx: number;
  promptIdx: number;
  /** The provider's id (`openai:chat:gpt-4o-mini`), or its label when it has no id. */
  provider: string;
  promptLabel: string | undefined;
  vars: Record<string, unknown>;
  success: boolean;
  error?: string;
  assertions: Array<{ type: string; pass: boolean; reason: string }>;
}

/**
 * Run `promptfoo eval` on a YAML config and return its results, in promptfoo's order. A config's relative paths
 * resolve against the temp dir it is written to. The call is async so a fake provider in this process keeps serving.
 *
 * @example
 * const rows = await runPromptfoo(`prompts: ['Answer: {{q}}']\nproviders: [{id: 'openai:chat:gpt-4o-mini', config: {apiBaseUrl: '${fake.baseUrl}'}}]\ntests: [{vars: {q: hi}}]`);
 */
export async function runPromptfoo(
  configYaml: string,
  o: { env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<PromptfooRow[]> {
  if (!fs.existsSync(NODE24) || !fs.existsSync(PROMPTFOO))
    throw new Error('promptfoo is not installed: run `npm run setup:test-tools` (CI does)');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vloop-promptfoo-'));
  try {
    fs.writeFileSync(path.join(dir, 'promptfooconfig.yaml'), configYaml);
    const args = ['eval', '-c', 'promptfooconfig.yaml', '--no-cache', '--no-write', '--no-table', '--no-progress-bar'];
    // Only what promptfoo needs: a developer's own keys, proxies or NODE_OPTIONS never reach it.
    const env = {
      PATH: process.env.PATH ?? '',
      HOME: dir,
      OPENAI_API_KEY: 'sk-fake',
      PROMPTFOO_DISABLE_TELEMETRY: '1',
      PROMPTFOO_DISABLE_UPDATE: '1',
      PROMPTFOO_CONFIG_DIR: path.join(dir, 'promptfoo-home'),
      ...o.env,
    };
    // stdin ignored: with a pipe left open promptfoo waits on it and never ends.
    const child = spawnGroup('promptfoo eval', NODE24, [PROMPTFOO, ...args, '-o', 'out.json'], {
      cwd: dir,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    const timeoutMs = o.timeoutMs ?? 90_000;
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([
      new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c))),
      new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs))),
    ]);
    clearTimeout(timer);
    await stopGroup(child);
    if (code === 'timeout') throw new Error(`promptfoo eval did not end in ${timeoutMs} ms:\n${output}`);
    // Exit 100 is promptfoo's "ran, and some test failed": the rows say which.
    const outFile = path.join(dir, 'out.json');
    if ((code !== 0 && code !== 100) || !fs.existsSync(outFile))
      throw new Error(`promptfoo eval exited ${code} without results:\n${output}`);
    const out = JSON.parse(fs.readFileSync(outFile, 'utf8'));
    return out.results.results.map((r: any) => rowOf(r));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function rowOf(r: any): PromptfooRow {
  return {
    testIdx: r.testIdx,
    promptIdx: r.promptIdx,
    provider: r.provider?.id ?? r.provider?.label,
    promptLabel: r.prompt?.label,
    vars: r.vars ?? {},
    success: r.success === true,
    ...(r.error ? { error: String(r.error) } : {}),
    assertions: (r.gradingResult?.componentResults ?? []).map((c: any) => ({
      type: c.assertion?.type,
      pass: c.pass === true,
      reason: c.reason,
    })),
  };
}
