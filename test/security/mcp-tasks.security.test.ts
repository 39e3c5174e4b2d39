// MCP tasks and app views are doors onto runs: a caller with the token may read or cancel only the runs it started as
// tasks, and read only the views of apps whose target is exposed. The attack: name another run's id as a task (a run
// started from the dashboard, one of an unexposed pipeline) to read its outputs or cancel it, and name an app whose
// target was never exposed.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { echoModel } from '../helpers/echo-model.js';
import { seedDiamond, startTestStack, TOKEN, waitForRun, type TestStack } from '../helpers/stack.js';

describe('MCP tasks and app views admit only what was started or exposed', () => {
  let stack: TestStack;
  let client: Client;
  beforeAll(async () => {
    stack = await startTestStack({ script: echoModel });
    await seedDiamond(stack);
    await stack.ok('POST', '/api/mcp/exposed', { kind: 'component', name: 'upper' });
    client = new Client({ name: 'attacker', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${stack.backend.url}/mcp`), {
        requestInit: { headers: { authorization: `Bearer ${TOKEN}` } },
      }),
    );
  }, 120_000);
  afterAll(async () => {
    await client?.close();
    await stack?.close();
  });

  it('neither reads nor cancels a run that is not a task, of an exposed target or not', async () => {
    const exposed = await stack.ok('POST', '/api/components/upper/runs', { inputs: { text: 'secret plan' } });
    await waitForRun(stack, exposed.id);
    const hidden = await stack.ok('POST', '/api/pipelines/diamond/runs', { inputs: { text: 'hidden' } });
    await waitForRun(stack, hidden.id);
    for (const id of [exposed.id, hidden.id]) {
      await expect(client.experimental.tasks.getTask(id)).rejects.toThrow(/not found/i);
      await expect(client.experimental.tasks.getTaskResult(id, CallToolResultSchema)).rejects.toThrow(/not found/i);
      await expect(client.experimental.tasks.cancelTask(id)).rejects.toThrow(/not found/i);
    }
    expect((await client.experimental.tasks.listTasks()).tasks).toEqual([]);
    expect((await stack.ok('GET', `/api/runs/${exposed.id}`)).status).toBe('completed');
  });

  it('serves no view of an app whose target is not exposed', async () => {
    await stack.ok('POST', '/api/apps', {
      name: 'diamond-app',
      target: { kind: 'pipeline', name: 'diamond', version: 1 },
    });
    await expect(client.readResource({ uri: 'ui://vloop/apps/diamond-app' })).rejects.toThrow(
      /no app of an exposed tool/,
    );
    expect((await client.listResources()).resources.map((r) => r.uri)).not.toContain('ui://vloop/apps/diamond-app');
  });
});
