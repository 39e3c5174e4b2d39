// An agent calls a long tool of an MCP server that offers tasks (written on the official SDK): the call starts a task
// and the run waits for it durably, with no connection held. The worker and the backend are SIGKILLed and started
// again while the task works; the run completes with the task's result, and the server got the call once.
import { describe, expect, it } from 'vitest';
import { pollDelay } from '../../workflows/mcp-task-wait.js';
import { startFakeProvider } from '../fakes/server.js';
import { agentModel } from '../helpers/agent-model.js';
import { scratchSuite, startKillableStack } from '../helpers/killable-stack.js';
import { addFakeProvider } from '../helpers/stack.js';
import { until } from '../helpers/processes.js';
import { startTaskMcpServer } from '../helpers/task-mcp-server.js';

const TOKEN = 'mcp-client-tasks-token-0123456789';

describe('an agent calling an MCP tool that runs as a task', () => {
  const { dir, stops } = scratchSuite('vloop-mcp-client-tasks-');

  it('waits for the task across restarts of the worker and the backend, and reads its result once', async () => {
    const reports = await startTaskMcpServer();
    stops.push(() => reports.close());
    const fake = await startFakeProvider(
      'openai',
      agentModel({
        report: [{ tool: 'mcp:reports/slow_report', args: { topic: 'q3' } }, { finish: { answer: '{{last}}' } }],
      }),
    );
    stops.push(() => fake.close());
    const stack = await startKillableStack(dir, { token: TOKEN, queue: 'mcp-client-tasks' });
    stops.push(() => stack.stop());
    const { api } = stack;
    await api('PUT', '/api/policy', {
      rules: [{ id: 'reports', tool: 'mcp:reports/*', action: 'allow' }],
      mcpServers: { reports: { transport: 'http', url: reports.url } },
    });
    await addFakeProvider({ ok: api, fake });
    await api('POST', '/api/components', {
      name: 'reporter',
      kind: 'react',
      signature: 'task: str -> answer: str',
      provider: 'fake',
      tools: ['mcp:reports/slow_report'],
      maxSteps: 4,
    });
    const { id } = await api('POST', '/api/components/reporter/runs', { inputs: { task: 'report' } });
    // Polled: the call has its task and the run waits for it (a call cut off before then fails, as any tool call does).
    await until(() => reports.polls() > 0, 'the task polled', 60_000);
    expect(reports.calls).toEqual([{ topic: 'q3', asTask: true }]);

    // The task works on while everything on our side dies and comes back.
    await stack.worker.kill();
    await stack.backend.kill();
    await stack.backend.start();
    await stack.worker.start();
    expect((await api('GET', `/api/runs/${id}`)).status).toBe('running');
    reports.finish();

    let run: any;
    await until(
      async () => ['completed', 'failed', 'cancelled'].includes((run = await api('GET', `/api/runs/${id}`)).status),
      'the agent run ended',
      120_000,
    );
    expect(run.status, JSON.stringify(run.error)).toBe('completed');
    expect(run.outputs.answer).toBe('report on q3: all quiet');
    const events = (await api('GET', `/api/runs/${id}/events`)).events as Array<{ type: string; data: any }>;
    expect(events.filter((e) => e.type === 'tool.result').map((e) => e.data.output)).toEqual([
      'report on q3: all quiet',
    ]);
    // Called once: the wait polled the task, it never called the tool again.
    expect(reports.calls).toEqual([{ topic: 'q3', asTask: true }]);
  }, 600_000);

  it('polls at the server’s interval, then less often, to once a minute', () => {
    expect([0, 1, 2, 3].map((n) => pollDelay(1000, n))).toEqual([1000, 1500, 2250, 3375]);
    expect(pollDelay(1000, 20)).toBe(60_000);
    expect(pollDelay(10, 0)).toBe(500);
    // An hour's task is polled about seventy times.
    let waited = 0;
    let polls = 0;
    while (waited < 3_600_000) waited += pollDelay(1000, polls++);
    expect(polls).toBeLessThan(75);
  });
});
