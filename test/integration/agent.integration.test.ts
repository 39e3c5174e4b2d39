// An agent scripted through a fake provider: read (allowed), a command (ask) approved over HTTP,
// denied, or timed out; the events tell the whole story in order.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentModel } from '../helpers/agent-model.js';
import { eventsOf, makeWorkspace, seedAgent, waitForStatus } from '../helpers/agent-setup.js';
import { spawnHarness } from '../helpers/processes.js';
import { startTestStack, TOKEN, waitForRun, type TestStack } from '../helpers/stack.js';
import { startFakeProvider } from '../fakes/server.js';

const plan = (command: string) => [
  { tool: 'filesystem', args: { op: 'read', path: 'notes.txt' } },
  { tool: 'terminal', args: { command } },
  { finish: { answer: '{{last}}' } },
];

/** Two calls of one kind (an echo appending to log.txt): approving the first "for this run" covers the second. */
const twice = (tag: string) => [
  { tool: 'terminal', args: { command: `echo ${tag}-one >> log.txt` } },
  { tool: 'terminal', args: { command: `echo ${tag}-two >> log.txt` } },
  { finish: { answer: '{{last}}' } },
];

describe('agent runs with policy and approvals', () => {
  let stack: TestStack;
  let workspace: string;
  beforeAll(async () => {
    workspace = makeWorkspace({ 'notes.txt': 'The answer is 42.\n' });
    stack = await startTestStack({
      workspace,
      script: agentModel({
        remember: twice('api'),
        'remember-cli': twice('cli'),
        budget: [{ tool: 'filesystem', args: { op: 'read', path: 'notes.txt' } }, { finish: { answer: 'fine' } }],
        approve: plan('echo ran >> log.txt && wc -l < notes.txt'),
        deny: plan('echo denied-ran >> log.txt'),
        timeout: plan('echo late-ran >> log.txt'),
      }),
    });
    await seedAgent(stack, {
      rules: [{ id: 'read-notes', tool: 'filesystem', action: 'allow', match: { op: 'read', path: '*.txt' } }],
    });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('reads a file, waits for approval of a command, runs it once, and answers', async () => {
    const { body } = await stack.api('POST', '/api/components/helper/runs', { inputs: { task: 'approve' } });
    expect(body.kind).toBe('agent');
    await waitForStatus(stack, body.id, 'waiting_approval');
    const inbox = (await stack.api('GET', '/api/approvals')).body;
    expect(inbox).toEqual([
      expect.objectContaining({
        runId: body.id,
        approvalId: 'tool[1]',
        kind: 'tool',
        call: { tool: 'terminal', args: { command: 'echo ran >> log.txt && wc -l < notes.txt' } },
      }),
    ]);
    expect((await stack.api('POST', `/api/runs/${body.id}/approvals/nope`, { decision: 'approve' })).status).toBe(409);
    const ok = await stack.api('POST', `/api/runs/${body.id}/approvals/tool[1]`, {
      decision: 'approve',
      reason: 'looks fine',
    });
    expect(ok.body).toMatchObject({ ok: true, decision: 'approve' });

    const run = await waitForRun(stack, body.id);
    expect(run.status).toBe('completed');
    expect(run.outputs.answer).toMatch(/^1\n\[exit code 0\]$/);
    expect(fs.readFileSync(path.join(workspace, 'log.txt'), 'utf8')).toBe('ran\n');

    const story = (await eventsOf(stack, body.id)).map((e) =>
      e.type === 'policy.decision'
        ? `${e.type}:${e.data.decision}:${e.data.rule}`
        : e.type === 'approval.resolved'
          ? `${e.type}:${e.data.decision}`
          : e.type,
    );
    expect(story).toEqual([
      'run.started',
      'llm.request',
      'llm.response',
      'tool.call',
      'policy.decision:allow:read-notes',
      'tool.result',
      'step.completed', // turn[0], what a fork from turn 1 reuses
      'llm.request',
      'llm.response',
      'tool.call',
      'policy.decision:ask:default:write-asks', // the redirect into log.txt is a write
      'approval.requested',
      'approval.resolved:approve',
      'tool.result',
      'step.completed',
      'llm.request',
      'llm.response',
      'run.completed',
    ]);
  });

  it('a denial reaches the model and the command never runs', async () => {
    const { body } = await stack.api('POST', '/api/components/helper/runs', { inputs: { task: 'deny' } });
    await waitForStatus(stack, body.id, 'waiting_approval');
    await stack.api('POST', `/api/runs/${body.id}/approvals/tool[1]`, { decision: 'deny', reason: 'not today' });
    const run = await waitForRun(stack, body.id);
    expect(run.outputs.answer).toBe('A person denied this call: not today.');
    expect(fs.readFileSync(path.join(workspace, 'log.txt'), 'utf8')).not.toContain('denied-ran');
    expect((await eventsOf(stack, body.id)).filter((e) => e.type === 'tool.result')).toHaveLength(1);
  });

  it('an approval that times out is a denial', async () => {
    await stack.api('PUT', '/api/policy', {
      rules: [{ tool: 'filesystem', action: 'allow', match: { op: 'read' } }],
      approvalTimeoutMs: 1500,
    });
    const { body } = await stack.api('POST', '/api/components/helper/runs', { inputs: { task: 'timeout' } });
    const run = await waitForRun(stack, body.id);
    expect(run.outputs.answer).toBe('A person denied this call: timed out waiting for approval.');
    const resolved = (await eventsOf(stack, body.id)).find((e) => e.type === 'approval.resolved');
    expect(resolved!.data).toMatchObject({ decision: 'deny', reason: 'timed out waiting for approval' });
    expect(fs.readFileSync(path.join(workspace, 'log.txt'), 'utf8')).not.toContain('late-ran');
  });

  it('runs from the CLI with y/n prompts for approvals', async () => {
    await stack.api('PUT', '/api/policy', { rules: [{ tool: 'filesystem', action: 'allow', match: { op: 'read' } }] });
    const p = spawnHarness(
      ['run', 'agent', 'helper', '-i', 'task=approve'],
      { HARNESS_PORT: String(stack.backend.port), HARNESS_TOKEN: TOKEN, VLOOP_PROJECT_DIR: stack.dir },
      'y\n',
    );
    expect(await p.exitCode).toBe(0);
    const out = p.output();
    expect(out).toMatch(/approve terminal \{"command":"echo ran >> log\.txt && wc -l < notes\.txt"\}\? \[y\/N\/a\] y/);
    expect(out).toMatch(/Approval: approve \(tool\[1\]\)/);
    expect(out).toMatch(/completed: \{\n\s+"answer": "1\\n\[exit code 0\]"/);
  });

  it('an approval "for this run" covers the next call of the same kind: it runs, asked once', async () => {
    await stack.api('PUT', '/api/policy', { rules: [{ tool: 'filesystem', action: 'allow', match: { op: 'read' } }] });
    const { body } = await stack.api('POST', '/api/components/helper/runs', { inputs: { task: 'remember' } });
    await waitForStatus(stack, body.id, 'waiting_approval');
    await stack.api('POST', `/api/runs/${body.id}/approvals/tool[0]`, { decision: 'approve', remember: 'run' });
    const run = await waitForRun(stack, body.id);
    expect(run.status).toBe('completed');
    expect(run.outputs.answer).toMatch(/\[exit code 0\]/);
    expect(fs.readFileSync(path.join(workspace, 'log.txt'), 'utf8')).toContain('api-one\napi-two\n');
    const events = await eventsOf(stack, body.id);
    expect(events.filter((e) => e.type === 'approval.requested')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'policy.decision').map((e) => `${e.data.decision}:${e.data.rule}`)).toEqual([
      'ask:default:write-asks',
      'allow:remembered:run',
    ]);
    expect(events.filter((e) => e.type === 'tool.result').map((e) => e.data.callId)).toEqual(['tool[0]', 'tool[1]']);
  });

  it("answers 'a' from the CLI: the same kind of call runs without a second prompt", async () => {
    await stack.api('PUT', '/api/policy', { rules: [{ tool: 'filesystem', action: 'allow', match: { op: 'read' } }] });
    const p = spawnHarness(
      ['run', 'agent', 'helper', '-i', 'task=remember-cli'],
      { HARNESS_PORT: String(stack.backend.port), HARNESS_TOKEN: TOKEN, VLOOP_PROJECT_DIR: stack.dir },
      'a\n',
    );
    expect(await p.exitCode).toBe(0);
    const out = p.output();
    expect(out.match(/\[y\/N\/a\]/g)).toHaveLength(1);
    expect(out).toMatch(/remembered:run/);
    expect(out).not.toMatch(/refused right before running/);
    expect(fs.readFileSync(path.join(workspace, 'log.txt'), 'utf8')).toContain('cli-one\ncli-two\n');
  });

  it('fails on a crossed budget, or asks a person to go on', async () => {
    await stack.api('PUT', '/api/policy', { rules: [{ tool: 'filesystem', action: 'allow', match: { op: 'read' } }] });
    const base = { kind: 'react', signature: 'task: str -> answer: str', provider: 'fake', tools: ['filesystem'] };
    await stack.api('POST', '/api/components', { ...base, name: 'frugal', budget: { maxTokens: 10 } });
    const failed = await waitForRun(
      stack,
      (await stack.api('POST', '/api/components/frugal/runs', { inputs: { task: 'budget' } })).body.id,
    );
    expect(failed.status).toBe('failed');
    expect(failed.error.message).toMatch(/budget maxTokens exceeded/);
    expect(
      (await eventsOf(stack, failed.id)).some((e) => e.type === 'budget.exceeded' && e.data.budget === 'maxTokens'),
    ).toBe(true);

    await stack.api('POST', '/api/components', { ...base, name: 'asker', budget: { maxTokens: 10, onExceed: 'ask' } });
    const { body } = await stack.api('POST', '/api/components/asker/runs', { inputs: { task: 'budget' } });
    await waitForStatus(stack, body.id, 'waiting_approval');
    await stack.api('POST', `/api/runs/${body.id}/approvals/budget-0`, { decision: 'approve' });
    const run = await waitForRun(stack, body.id);
    expect(run).toMatchObject({ status: 'completed', outputs: { answer: 'fine' } });
  });

  it('cancels an agent that waits for a person', async () => {
    const { body } = await stack.api('POST', '/api/components/helper/runs', { inputs: { task: 'deny' } });
    await waitForStatus(stack, body.id, 'waiting_approval');
    expect((await stack.api('POST', `/api/runs/${body.id}/cancel`)).status).toBe(200);
    const run = await waitForRun(stack, body.id);
    expect(run.status).toBe('cancelled');
    expect((await eventsOf(stack, body.id)).at(-1)!.type).toBe('run.cancelled');
  });

  it.each([
    ['anthropic', 'auto'],
    ['ollama', 'auto'],
    ['openai', 'json'],
  ] as const)('acts through %s (adapter %s): native tool calls, or a JSON action', async (protocol, adapter) => {
    await stack.api('PUT', '/api/policy', { rules: [{ tool: 'filesystem', action: 'allow', match: { op: 'read' } }] });
    const fake = await startFakeProvider(
      protocol,
      agentModel({
        read: [{ tool: 'filesystem', args: { op: 'read', path: 'notes.txt' } }, { finish: { answer: '{{last}}' } }],
      }),
    );
    try {
      await stack.api('POST', '/api/providers', {
        name: `p-${protocol}-${adapter}`,
        type: protocol,
        baseUrl: fake.baseUrl,
        apiKey: 'sk-test-123456789012345678',
        defaultModel: 'm',
      });
      await stack.api('POST', '/api/components', {
        name: `reader-${protocol}-${adapter}`,
        kind: 'react',
        adapter,
        signature: 'task: str -> answer: str',
        provider: `p-${protocol}-${adapter}`,
        tools: ['filesystem'],
      });
      const { body } = await stack.api('POST', `/api/components/reader-${protocol}-${adapter}/runs`, {
        inputs: { task: 'read' },
      });
      const run = await waitForRun(stack, body.id);
      expect(run).toMatchObject({ status: 'completed', outputs: { answer: 'The answer is 42.\n' } });
      const first = fake.requests[0]!;
      if (adapter === 'json')
        expect(first.jsonSchema).toMatchObject({ properties: { tool: { enum: ['filesystem'] } } });
      else expect(first.tools).toEqual(['filesystem', 'finish']);
    } finally {
      await fake.close();
    }
  });

  it('continues as new with the trajectory carried when history grows', async () => {
    const small = await startTestStack({
      workspace,
      continueAfterEvents: 12,
      script: agentModel({
        long: [1, 2, 3, 4]
          .map(() => ({ tool: 'filesystem', args: { op: 'read', path: 'notes.txt' } }))
          .concat([{ finish: { answer: '{{last}}' } }] as never),
      }),
    });
    try {
      await seedAgent(small, { rules: [{ tool: 'filesystem', action: 'allow', match: { op: 'read' } }] });
      const { body } = await small.api('POST', '/api/components/helper/runs', { inputs: { task: 'long' } });
      const run = await waitForRun(small, body.id);
      expect(run).toMatchObject({ status: 'completed', outputs: { answer: 'The answer is 42.\n' } });
      // The model saw all four observations in its last call, across the continuations.
      expect(small.fake.requests.at(-1)!.messages.filter((m) => m.content.startsWith('Observation: '))).toHaveLength(4);
      const events = await eventsOf(small, body.id);
      expect(events.filter((e) => e.type === 'run.started')).toHaveLength(1);
      const history = await small.api('GET', `/api/runs/${body.id}/history`);
      // Every execution is in the view, each continuing the one before.
      const executions = history.body.executions as Array<{ runId: string; events: number }>;
      expect(executions.length).toBeGreaterThan(1);
      let at = 0;
      executions.forEach((e, i) => {
        const started = history.body.events[at].workflowExecutionStartedEventAttributes;
        expect(started.continuedExecutionRunId ?? null).toBe(i ? executions[i - 1]!.runId : null);
        at += e.events;
      });
      expect(history.body.events).toHaveLength(at);
    } finally {
      await small.close();
    }
  });

  it('refuses a policy that does not validate, and a react component without tools', async () => {
    const bad = await stack.api('PUT', '/api/policy', { rules: [{ tool: 'terminal', action: 'maybe' }] });
    expect(bad.status).toBe(400);
    await stack.api('POST', '/api/components', {
      name: 'toolless',
      kind: 'react',
      signature: 'task -> answer',
      provider: 'fake',
    });
    const res = await stack.api('POST', '/api/components/toolless/runs', { inputs: { task: 'x' } });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/has no tools/);
  });
});
