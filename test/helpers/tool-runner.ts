// A tool registry on a real workspace with a real .vloop inside it (token, secret key, store, logs,
// policy), as `harness up` lays it out: for attacks on the tools under a policy the test writes.
import fs from 'node:fs';
import path from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { SecretSet } from '../../core/secrets.js';
import { createRunTool, type RunToolInput, type RunToolResult } from '../../activities/tools/registry.js';
import type { ToolCall } from '../../core/policy.js';
import { makeWorkspace } from './agent-setup.js';
import { testConfig } from './config.js';

export const TOKEN = 'tok_3f9a1c77e2b84d05a6c1';
export const SECRET_KEY = 'key_9b2e44c0d17a4f3e8e55';

export interface ToolRunner {
  ws: string;
  project: string;
  tools: ReturnType<typeof testConfig>['tools'];
  /** `remembered`: the shape a person approved for the run, as the agent workflow passes it. */
  run: (call: ToolCall, approved?: boolean, remembered?: string) => Promise<RunToolResult>;
  setPolicy: (policy: unknown) => void;
}

export function toolRunner(o: { files?: Record<string, string>; env?: Record<string, string> } = {}): ToolRunner {
  const ws = makeWorkspace({ 'readme.md': 'hello', ...o.files });
  const project = path.join(ws, '.vloop');
  for (const [name, content] of Object.entries({
    token: TOKEN,
    'secret.key': SECRET_KEY,
    'harness.db': `store ${TOKEN}`,
    'logs/harness.log': `log ${TOKEN}`,
  })) {
    fs.mkdirSync(path.dirname(path.join(project, name)), { recursive: true });
    fs.writeFileSync(path.join(project, name), content);
  }
  fs.mkdirSync(path.join(ws, '.git', 'hooks'), { recursive: true });
  fs.writeFileSync(path.join(ws, '.git', 'HEAD'), 'ref: refs/heads/main\n');
  const tools = testConfig({ dir: project, workspace: ws, env: o.env }).tools;
  const runTool = createRunTool({ events: { append: async () => 0 }, secrets: new SecretSet({}), tools });
  let n = 0;
  return {
    ws,
    project,
    tools,
    run: (call, approved = false, remembered) =>
      new MockActivityEnvironment().run(runTool, {
        runId: 'run_attack',
        callId: `c${n++}`,
        call,
        approved,
        remembered,
      } satisfies RunToolInput) as Promise<RunToolResult>,
    setPolicy: (policy) => fs.writeFileSync(path.join(project, 'policy.json'), JSON.stringify(policy)),
  };
}

/** Rules that allow everything a rule can allow: the built-in denials must hold under them. */
export const ALLOW_ALL = [
  { tool: '*', action: 'allow' },
  { tool: 'filesystem', action: 'allow', match: { path: '**' } },
];
