// An MCP server on the official SDK that runs its one tool, `slow_report`, as a task (streamable HTTP, stateless, one
// task store for every request): the report is ready when the test says so, however many connections come and go.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { InMemoryTaskStore } from '@modelcontextprotocol/sdk/experimental/tasks/stores/in-memory.js';
import { z } from 'zod';
import { serveMcpStateless } from './mcp-http.js';

export interface TaskMcpServer {
  url: string;
  /** The tools/call requests it received, with whether each asked for a task. */
  calls: Array<{ topic: string; asTask: boolean }>;
  /** How many tasks/get requests it answered: a client polling is a client that has its task. */
  polls(): number;
  /** Finish every report started so far and any started later. */
  finish(): void;
  close(): Promise<void>;
}

export async function startTaskMcpServer(): Promise<TaskMcpServer> {
  const taskStore = new InMemoryTaskStore();
  const calls: TaskMcpServer['calls'] = [];
  let polls = 0;
  let finish: () => void = () => {};
  const finished = new Promise<void>((r) => (finish = r));
  const serverFor = () => {
    const server = new McpServer(
      { name: 'slow-reports', version: '1.0.0' },
      { capabilities: { tasks: { list: {}, cancel: {}, requests: { tools: { call: {} } } } }, taskStore },
    );
    server.experimental.tasks.registerToolTask(
      'slow_report',
      {
        description: 'Writes a report on a topic; it takes a long time.',
        inputSchema: { topic: z.string() },
        execution: { taskSupport: 'optional' },
      },
      {
        async createTask({ topic }, { taskStore: tasks, taskRequestedTtl }) {
          const task = await tasks.createTask({ ttl: taskRequestedTtl ?? null, pollInterval: 200 });
          // Stored in the shared store, not through this request's (its connection is long gone by then).
          void finished.then(() =>
            taskStore.storeTaskResult(task.taskId, 'completed', {
              content: [{ type: 'text', text: `report on ${topic}: all quiet` }],
            }),
          );
          return { task };
        },
        getTask: (_args, { taskId, taskStore: tasks }) => tasks.getTask(taskId),
        getTaskResult: async (_args, { taskId, taskStore: tasks }) => (await tasks.getTaskResult(taskId)) as never,
      },
    );
    return server;
  };
  const served = await serveMcpStateless(serverFor, (m) => {
    if (m.method === 'tools/call')
      calls.push({ topic: String(m.params?.arguments?.topic), asTask: m.params?.task !== undefined });
    if (m.method === 'tasks/get') polls++;
  });
  return {
    url: served.url,
    calls,
    polls: () => polls,
    finish: () => finish(),
    async close() {
      finish();
      taskStore.cleanup();
      await served.close();
    },
  };
}
