// MCP servers on the Policy page, in a real browser: the declared server (sandboxed) answers with
// its tools, and a test call runs through the policy and shows its output.
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { echoModel } from '../helpers/echo-model.js';
import { startHarnessUp, type UpSession } from '../helpers/harness-up.js';
import { startFakeProvider, type FakeProvider } from '../fakes/server.js';

describe('MCP servers on the Policy page (e2e)', () => {
  let session: UpSession;
  let page: Page;
  let fake: FakeProvider;

  beforeAll(async () => {
    fake = await startFakeProvider('openai', echoModel);
    session = await startHarnessUp(fake.baseUrl);
    page = session.page;
    await session.api('PUT', '/api/policy', {
      rules: [{ tool: 'mcp:everything/*', action: 'allow' }],
      mcpServers: {
        everything: {
          transport: 'stdio',
          command: path.resolve('node_modules/.bin/mcp-server-everything'),
          sandbox: true,
        },
      },
    });
  }, 120_000);
  afterAll(async () => {
    await session?.close();
    await fake?.close();
  });

  it('lists the server and its tools, and runs a test call', async () => {
    await page.goto(`${session.url}/ui/policy`);
    const servers = page.locator('[data-test=mcp-servers]');
    // Exact: once the panel opens, its tools' names (mcp:everything/echo, …) hold the server's name too.
    const server = servers.getByText('mcp:everything', { exact: true });
    await server.waitFor({ timeout: 60_000 });
    await server.click();
    const echo = servers.locator('tr', { hasText: 'mcp:everything/echo' });
    await echo.waitFor();
    await echo.getByRole('button', { name: 'Test call', exact: true }).click();
    const form = page.locator('[data-test=mcp-test-call]');
    await form.locator('textarea').fill('{"message": "hello from the dashboard"}');
    await form.getByRole('button', { name: 'Call', exact: true }).click();
    await form.getByText('hello from the dashboard').waitFor();
    await form.getByText('policy allow').waitFor();
    await session.shot('policy-mcp');
  });
});
