// A tool is one object: a new one, declared here and nowhere else, is checked, judged (allow, deny,
// ask) and run by the real judge and registry, which read everything from the object.
import fs from 'node:fs';
import path from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createRunTool, type RunToolResult } from '../../activities/tools/registry.js';
import { policySpec, resolveToolPath, TOOLS, type ToolCall } from '../../core/policy.js';
import { SecretSet } from '../../core/secrets.js';
import { defineTool } from '../../core/tools/define.js';
import { judgeToolCall } from '../../judge/index.js';
import { makeWorkspace } from '../helpers/agent-setup.js';
import { testConfig } from '../helpers/config.js';

const wordCount = defineTool({
  name: 'word_count',
  description: 'Count the words of a file in the workspace.',
  args: z.strictObject({ path: z.string().min(1) }),
  facts: (args) => ({ kind: 'path', path: args.path, op: 'read', writes: false }),
  sandbox: 'none',
  shape: (args) => `word_count:${args.path}`,
  async execute(args, run) {
    const text = run.services.files(resolveToolPath(run.context, args.path), { op: 'read', path: args.path });
    return { ok: true, output: `${text.split(/\s+/).filter(Boolean).length} words` };
  },
});

describe('a tool declared as one object', () => {
  const ws = makeWorkspace({ 'notes.md': 'one two three', 'secret.md': 'four five' });
  const project = path.join(ws, '.vloop');
  fs.mkdirSync(project);
  const tools = testConfig({ dir: project, workspace: ws }).tools;
  const catalogue = [...TOOLS, wordCount];
  const runTool = createRunTool({ events: { append: async () => 0 }, secrets: new SecretSet({}), tools, catalogue });
  let n = 0;
  const call = (p: string) => ({ tool: 'word_count', args: { path: p } }) as unknown as ToolCall;
  const run = (p: string, approved = false) =>
    new MockActivityEnvironment().run(runTool, {
      runId: 'r',
      callId: `c${n++}`,
      call: call(p),
      approved,
    }) as Promise<RunToolResult>;
  const rules = (r: unknown[]) => fs.writeFileSync(path.join(project, 'policy.json'), JSON.stringify({ rules: r }));
  afterAll(() => fs.rmSync(ws, { recursive: true, force: true }));

  it('is judged by its subject and its own rules', async () => {
    rules([{ id: 'no-secrets', tool: 'word_count', action: 'deny', match: { path: 'secret*' } }]);
    const policy = policySpec.parse(JSON.parse(fs.readFileSync(path.join(project, 'policy.json'), 'utf8')));
    const judged = async (p: string) => (await judgeToolCall(policy, call(p), tools, catalogue)).decision;
    expect(await judged('notes.md')).toMatchObject({ decision: 'allow', rule: 'default:read-in-workspace' });
    expect(await judged('secret.md')).toMatchObject({ decision: 'deny', rule: 'no-secrets' });
    expect(await judged('/etc/passwd')).toMatchObject({ decision: 'deny', rule: 'builtin:outside-workspace' });
    expect(await judged('.vloop/policy.json')).toMatchObject({ decision: 'deny', rule: 'builtin:harness-dir' });
    expect((await judgeToolCall(policy, call('notes.md'), tools, catalogue)).shape).toBe('word_count:notes.md');
  });

  it('runs when allowed and is refused when denied', async () => {
    rules([{ id: 'no-secrets', tool: 'word_count', action: 'deny', match: { path: 'secret*' } }]);
    expect(await run('notes.md')).toEqual({ ok: true, output: '3 words', truncated: false });
    await expect(run('secret.md')).rejects.toThrow(/refused right before running \(no-secrets\)/);
    await expect(run('../outside.md')).rejects.toThrow(/builtin:outside-workspace/);
  });

  it('asks when a rule says so, and runs once a person approved', async () => {
    rules([{ id: 'ask-count', tool: 'word_count', action: 'ask' }]);
    await expect(run('notes.md')).rejects.toThrow(/refused right before running \(ask-count\)/);
    expect((await run('secret.md', true)).output).toBe('2 words');
  });

  it('is checked against its own schema, and unknown to a registry that does not list it', async () => {
    rules([]);
    const bad = new MockActivityEnvironment().run(runTool, {
      runId: 'r',
      callId: 'bad',
      call: { tool: 'word_count', args: { file: 'x' } } as unknown as ToolCall,
      approved: true,
    });
    await expect(bad).rejects.toThrow(/could not be checked/);
    const plain = createRunTool({ events: { append: async () => 0 }, secrets: new SecretSet({}), tools });
    await expect(
      new MockActivityEnvironment().run(plain, { runId: 'r', callId: 'x', call: call('notes.md'), approved: true }),
    ).rejects.toThrow(/no tool "word_count"/);
  });
});
