// An agent using the official MCP servers' tools under the policy: server-everything (stdio, in
// the OS sandbox) and server-filesystem rooted in the workspace. A call the policy denies never
// reaches the server; a call it asks about waits across a worker SIGKILL and runs exactly once,
// counted on the server's own input.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStackWorker } from '../helpers/stack-worker.js';
import { agentModel } from '../helpers/agent-model.js';
import { eventsOf, makeWorkspace, waitForStatus } from '../helpers/agent-setup.js';
import { until, type HarnessProcess } from '../helpers/processes.js';
import { startTestStack, waitForRun, type TestStack } from '../helpers/stack.js';

const bin = path.resolve('node_modules/.bin');

describe('agents with MCP servers as tool sources', () => {
  let stack: TestStack;
  let workspace: string;
  let worker: HarnessProcess | undefined;
  const witness = path.join(fs.realpathSync(os.tmpdir()), `mcp-fs-input-${process.pid}-${Date.now()}.log`);
  /** The JSON-RPC requests server-filesystem received, read from its own stdin. */
  const received = () =>
    fs.existsSync(witness)
      ? fs
          .readFileSync(witness, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map(
            (l) =>
              JSON.parse(l) as { method?: string; params?: { name?: string; arguments?: Record<string, unknown> } },
          )
      : [];
  const toolCalls = (name: string) => received().filter((m) => m.method === 'tools/call' && m.params?.name === name);

  const startWorker = () => startStackWorker(stack, { HARNESS_WORKSPACE: workspace });

  beforeAll(async () => {
    workspace = makeWorkspace({ 'notes.txt': 'meeting at noon\n' });
    stack = await startTestStack({
      workspace,
      withWorker: false,
      script: agentModel({
        tour: [
          { tool: 'mcp:everything/echo', args: { message: 'hello mcp' } },
          { tool: 'mcp:everything/get-sum', args: { a: 2, b: 3 } },
          { tool: 'mcp:fs/read_text_file', args: { path: path.join(workspace, 'notes.txt') } },
          { tool: 'mcp:fs/read_text_file', args: { path: '/etc/passwd' } },
          { finish: { answer: '{{last}}' } },
        ],
        write: [
          { tool: 'mcp:fs/write_file', args: { path: path.join(workspace, 'out.txt'), content: 'written once' } },
          { finish: { answer: '{{last}}' } },
        ],
      }),
    });
    const policy = {
      rules: [
        { id: 'everything', tool: 'mcp:everything/*', action: 'allow' },
        { id: 'fs-read', tool: 'mcp:fs/read_*', action: 'allow' },
      ],
      mcpServers: {
        everything: { transport: 'stdio', command: path.join(bin, 'mcp-server-everything'), sandbox: true },
        // The witness: every request the server reads passes through tee first.
        fs: {
          transport: 'stdio',
          command: 'bash',
          args: ['-c', `tee -a ${witness} | ${path.join(bin, 'mcp-server-filesystem')} ${workspace}`],
        },
      },
    };
    for (const [method, url, body] of [
      ['PUT', '/api/policy', policy],
      [
        'POST',
        '/api/providers',
        {
          name: 'fake',
          type: 'openai',
          baseUrl: stack.fake.baseUrl,
          apiKey: 'sk-test-123456789012345678',
          defaultModel: 'fake-model',
        },
      ],
      [
        'POST',
        '/api/components',
        {
          name: 'mcp-helper',
          kind: 'react',
          signature: 'task: str -> answer: str',
          provider: 'fake',
          tools: ['mcp:everything', 'mcp:fs'],
          maxSteps: 6,
        },
      ],
    ] as const)
      expect((await stack.api(method, url, body)).status, url).toBeLessThan(300);
    worker = await startWorker();
  });
  afterAll(async () => {
    await worker?.kill('SIGKILL');
    await stack?.close();
    fs.rmSync(witness, { force: true });
  });

  it('calls tools of both servers, offered natively under their pinned names, and denies a path outside the root before the server sees it', async () => {
    const { body } = await stack.api('POST', '/api/components/mcp-helper/runs', { inputs: { task: 'tour' } });
    const run = await waitForRun(stack, body.id, 90_000);
    expect(run.status).toBe('completed');
    const events = await eventsOf(stack, body.id);
    expect(events.filter((e) => e.type === 'policy.decision').map((e) => [e.data.decision, e.data.rule])).toEqual([
      ['allow', 'everything'],
      ['allow', 'everything'],
      ['allow', 'fs-read'],
      ['deny', 'builtin:outside-workspace'],
    ]);
    const results = events.filter((e) => e.type === 'tool.result').map((e) => e.data.output as string);
    expect(results[0]).toContain('hello mcp');
    expect(results[1]).toMatch(/\b5\b/);
    expect(results[2]).toBe('meeting at noon\n');
    expect(results).toHaveLength(3);
    expect(run.outputs.answer).toMatch(/^Denied by policy \(builtin:outside-workspace\)/);
    // The server never got the outside path: the policy stopped it first.
    expect(JSON.stringify(received())).not.toContain('/etc/passwd');
    expect(toolCalls('read_text_file')).toHaveLength(1);
    // The model was offered the MCP tools natively, by their provider-safe names.
    const offered = stack.fake.requests.at(-1)!.tools ?? [];
    expect(offered).toEqual(expect.arrayContaining(['mcp__everything__echo', 'mcp__fs__read_text_file', 'finish']));
  });

  it('waits for approval across a worker SIGKILL and runs the call once', async () => {
    const { body } = await stack.api('POST', '/api/components/mcp-helper/runs', { inputs: { task: 'write' } });
    await waitForStatus(stack, body.id, 'waiting_approval', 60_000);
    expect((await eventsOf(stack, body.id)).filter((e) => e.type === 'policy.decision').at(-1)!.data).toMatchObject({
      decision: 'ask',
      rule: 'default:mcp-asks',
    });
    await worker?.kill('SIGKILL');
    worker = await startWorker();
    await until(
      async () => (await stack.api('GET', '/api/approvals')).body.some((a: { runId: string }) => a.runId === body.id),
      'the new worker to answer for the waiting run',
      30_000,
    );
    expect(toolCalls('write_file')).toHaveLength(0);
    expect((await stack.api('POST', `/api/runs/${body.id}/approvals/tool[0]`, { decision: 'approve' })).status).toBe(
      200,
    );
    const run = await waitForRun(stack, body.id, 90_000);
    expect(run.status).toBe('completed');
    expect(fs.readFileSync(path.join(workspace, 'out.txt'), 'utf8')).toBe('written once');
    expect(toolCalls('write_file')).toHaveLength(1);
    expect((await eventsOf(stack, body.id)).filter((e) => e.type === 'tool.result')).toHaveLength(1);
  });
});
