// MCP tasks on the harness's own server, with the official SDK's client and the official MCP Inspector's CLI
// (mcpdo): a tools/call started as a task answers at once; the tasks outlive SIGKILLs of the worker, the backend and
// the Temporal dev server mid-call and their results are fetched afterwards, with status notifications while
// tasks/result waits; tasks/cancel ends the run as cancelled; tasks/list pages them; a task's retention is granted
// and then ends. The store's rows run on SQLite and PostgreSQL.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import {
  CallToolResultSchema,
  CreateTaskResultSchema,
  TaskStatusNotificationSchema,
  type Task,
} from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { grantedTtl, TASK_TTL } from '../../api/mcp/run-tasks.js';
import { formatPredictReply } from '../../core/adapters.js';
import { addTask, findTask, forgetExpired, listTasks } from '../../db/repositories/mcp-tasks.js';
import { createRun } from '../../db/repositories/runs.js';
import { startFakeProvider, type FakeProvider } from '../fakes/server.js';
import { dialects, freshStore } from '../helpers/db.js';
import { promptFields } from '../helpers/echo-model.js';
import { startMcpdo } from '../helpers/mcp-inspector.js';
import { until } from '../helpers/processes.js';
import { scratchSuite, startKillableStack } from '../helpers/killable-stack.js';
import { addFakeProvider } from '../helpers/stack.js';

const TOKEN = 'mcp-tasks-token-0123456789abcdef';

describe('MCP tasks backed by runs', () => {
  const { dir, stops } = scratchSuite('vloop-mcp-tasks-');

  it('a task outlives the worker, the backend and Temporal; cancel ends its run; list pages them', async () => {
    // The fake holds every call whose text starts with "hold" until released; the rest answer at once.
    let release: () => void = () => {};
    let gate = new Promise<void>((r) => (release = r));
    const held: string[] = [];
    const fake: FakeProvider = await startFakeProvider('openai', async (req) => {
      const text = promptFields(req).text ?? '';
      if (text.startsWith('hold')) {
        held.push(text);
        await gate;
      }
      return formatPredictReply({ answer: `answered ${text}` });
    });
    stops.push(() => {
      release();
      return fake.close();
    });
    const stack = await startKillableStack(dir, { token: TOKEN, queue: 'mcp-tasks' });
    stops.push(() => stack.stop());
    const { api, backend, worker } = stack;
    await addFakeProvider({ ok: api, fake });
    await api('POST', '/api/components', {
      name: 'answerer',
      signature: 'text: str -> answer: str',
      instructions: 'answer the text',
      provider: 'fake',
      params: { stream: false },
    });
    await api('POST', '/api/pipelines', {
      name: 'slow',
      inputs: { text: 'str' },
      steps: [{ id: 'answer', component: 'answerer', inputs: { text: '$inputs.text' } }],
      outputs: { answer: '$steps.answer.outputs.answer' },
    });
    await api('POST', '/api/mcp/exposed', { kind: 'pipeline', name: 'slow' });

    const connect = async () => {
      const client = new Client({ name: 'mcp-tasks-test', version: '1.0.0' });
      const transport = new StreamableHTTPClientTransport(new URL(`${stack.url}/mcp`), {
        requestInit: { headers: { authorization: `Bearer ${TOKEN}` } },
      });
      await client.connect(transport);
      stops.push(() => client.close());
      return client;
    };
    const startTask = async (client: Client, text: string, ttl?: number) =>
      (
        await client.request(
          {
            method: 'tools/call',
            params: { name: 'pipeline_slow', arguments: { text }, task: ttl === undefined ? {} : { ttl } },
          },
          CreateTaskResultSchema,
        )
      ).task;

    const client = await connect();
    const tool = (await client.listTools()).tools.find((t) => t.name === 'pipeline_slow')!;
    expect(tool.execution).toEqual({ taskSupport: 'optional' });

    // Answered at once, while the model call is still held.
    const task = await startTask(client, 'hold the first', 3_600_000);
    expect(task).toMatchObject({ status: 'working', ttl: 3_600_000, pollInterval: 1000 });
    await until(() => held.length === 1, 'the first call held at the fake', 60_000);
    expect((await client.experimental.tasks.getTask(task.taskId)).status).toBe('working');

    // The official MCP Inspector starts one too (its call waits for the result; we leave it waiting) and polls both.
    const inspector = await startMcpdo();
    stops.push(() => inspector.stop());
    // Two connections: one waits on its call (the daemon serves a connection's commands in turn), one polls.
    for (const name of ['caller', 'vloop'])
      await inspector.mcpdo(
        'connect',
        `${stack.url}/mcp`,
        '--transport',
        'http',
        '--header',
        `Authorization: Bearer ${TOKEN}`,
        '--server',
        name,
      );
    inspector.inBackground('@caller', 'tools/call', 'pipeline_slow', 'text:=hold for the inspector', '--task');
    await until(() => held.length === 2, "the inspector's call held at the fake", 60_000);
    const inspected = ((await inspector.mcpdo('@vloop', 'tasks/list')).tasks as Task[]).map((t) => [
      t.taskId,
      t.status,
    ]);
    expect(inspected).toEqual([
      [expect.not.stringMatching(task.taskId), 'working'],
      [task.taskId, 'working'],
    ]);
    const inspectorTask = inspected[0]![0]!;

    // The worker, the backend and the Temporal dev server die mid-call and come back.
    await worker.kill();
    await backend.kill();
    await stack.restartTemporal();
    await backend.start();
    await worker.start();
    // The calls the worker's death cut off are asked again by the new worker, and held again.
    await until(() => held.length === 4, 'the retried calls held at the fake', 120_000);
    expect((await inspector.mcpdo('@vloop', 'tasks/get', inspectorTask)).task).toMatchObject({ status: 'working' });

    const after = await connect();
    const statuses: Task[] = [];
    after.setNotificationHandler(TaskStatusNotificationSchema, (n) => void statuses.push(n.params as Task));
    expect(await after.experimental.tasks.getTask(task.taskId)).toMatchObject({
      taskId: task.taskId,
      status: 'working',
    });
    const result = after.experimental.tasks.getTaskResult(task.taskId, CallToolResultSchema);
    // tasks/result first tells where the task stands, so the run is known to end while it waits.
    await until(() => statuses.length > 0, 'tasks/result following the task', 30_000);
    expect(statuses[0]).toMatchObject({ taskId: task.taskId, status: 'working' });
    release();
    expect(await result).toMatchObject({
      structuredContent: { answer: 'answered hold the first' },
      _meta: { 'io.modelcontextprotocol/related-task': { taskId: task.taskId } },
    });
    expect(statuses.at(-1)).toMatchObject({ taskId: task.taskId, status: 'completed' });
    expect((await api('GET', `/api/runs/${task.taskId}`)).status).toBe('completed');
    expect(await inspector.mcpdo('@vloop', 'tasks/result', inspectorTask)).toMatchObject({
      structuredContent: { answer: 'answered hold for the inspector' },
    });
    // The model was called once per worker that tried each: the first, cut off, and the one after the restart.
    expect([...held].sort()).toEqual([
      'hold for the inspector',
      'hold for the inspector',
      'hold the first',
      'hold the first',
    ]);

    // Cancel: the task is cancelled at once and its run ends cancelled.
    gate = new Promise<void>((r) => (release = r));
    const doomed = await startTask(after, 'hold the second');
    expect(doomed.ttl).toBe(TASK_TTL.defaultMs);
    await until(() => held.length === 5, 'the second call held at the fake', 60_000);
    // Cancelled from the inspector: the task says so at once.
    await inspector.mcpdo('@vloop', 'tasks/cancel', doomed.taskId);
    expect(await after.experimental.tasks.getTask(doomed.taskId)).toMatchObject({ status: 'cancelled' });
    await until(
      async () => (await api('GET', `/api/runs/${doomed.taskId}`)).status === 'cancelled',
      'the cancelled task’s run ended cancelled',
      60_000,
    );
    release();
    expect(await after.experimental.tasks.getTaskResult(doomed.taskId, CallToolResultSchema)).toMatchObject({
      isError: true,
    });
    await expect(after.experimental.tasks.cancelTask(doomed.taskId)).rejects.toThrow(/terminal status: cancelled/);

    // A quick one, then the list: newest first, with each task's status.
    const quick = await startTask(after, 'at once');
    const listed = await after.experimental.tasks.listTasks();
    expect(listed.tasks.map((t) => [t.taskId, t.status])).toEqual([
      [quick.taskId, expect.stringMatching(/working|completed/)],
      [doomed.taskId, 'cancelled'],
      [inspectorTask, 'completed'],
      [task.taskId, 'completed'],
    ]);
    expect(
      (await after.experimental.tasks.getTaskResult(quick.taskId, CallToolResultSchema)).structuredContent,
    ).toEqual({ answer: 'answered at once' });

    // Bad inputs start nothing and name the problem; an unknown task is not found.
    await expect(
      after.request(
        { method: 'tools/call', params: { name: 'pipeline_slow', arguments: { txt: 'x' }, task: {} } },
        CreateTaskResultSchema,
      ),
    ).rejects.toThrow(/text/);
    await expect(after.experimental.tasks.getTask('no-such-run')).rejects.toThrow(/Task not found/);
    // A client without tasks still gets the plain answer.
    expect((await after.callTool({ name: 'pipeline_slow', arguments: { text: 'plain' } })).structuredContent).toEqual({
      answer: 'answered plain',
    });
  }, 600_000);
});

describe.each(dialects)('MCP task rows on %s', (dialect) => {
  it('grants a retention between a minute and 30 days, then forgets the task but not its run', async () => {
    expect(grantedTtl(undefined)).toBe(TASK_TTL.defaultMs);
    expect(grantedTtl(null)).toBe(TASK_TTL.maxMs);
    expect(grantedTtl(5)).toBe(TASK_TTL.minMs);
    expect(grantedTtl(10 * TASK_TTL.maxMs)).toBe(TASK_TTL.maxMs);
    const db = await freshStore(dialect);
    try {
      const t0 = new Date('2026-12-07T10:00:00Z');
      for (const id of ['run-a', 'run-b']) {
        await createRun(db.store, {
          id,
          kind: 'pipeline',
          target: { type: 'pipeline', id: 'p', name: 'p', version: 1 },
          inputs: {},
        });
      }
      await addTask(db.store, { runId: 'run-a', tool: 'pipeline_p', ttlMs: 60_000, now: t0 });
      await addTask(db.store, { runId: 'run-b', tool: 'pipeline_p', ttlMs: 120_000, now: new Date(t0.getTime() + 1) });
      const at = (ms: number) => new Date(t0.getTime() + ms);
      expect((await listTasks(db.store, { limit: 10, now: at(30_000) }))!.map((r) => r.runId)).toEqual([
        'run-b',
        'run-a',
      ]);
      expect((await listTasks(db.store, { after: 'run-b', limit: 10, now: at(30_000) }))!.map((r) => r.runId)).toEqual([
        'run-a',
      ]);
      expect(await listTasks(db.store, { after: 'nope', limit: 10 })).toBeUndefined();
      expect(await findTask(db.store, 'run-a', at(59_999))).toMatchObject({ ttlMs: 60_000 });
      expect(await findTask(db.store, 'run-a', at(60_000))).toBeUndefined();
      expect(await forgetExpired(db.store, at(90_000))).toBe(1);
      expect(await findTask(db.store, 'run-b', at(90_000))).toMatchObject({ runId: 'run-b' });
      expect(await db.store.knex('runs').where('id', 'run-a').first()).toBeDefined();
      // Deleting a run deletes its task.
      await db.store.knex('runs').where('id', 'run-b').del();
      expect(await findTask(db.store, 'run-b', at(90_000))).toBeUndefined();
    } finally {
      await db.drop();
    }
  });
});
