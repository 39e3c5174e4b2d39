// Another server's MCP App in our run page: an agent on the fake provider calls the `get-time` tool of the official
// example server @modelcontextprotocol/server-basic-vue (from npm, under the OS sandbox); in chromium the run page
// shows the server's Vue app with the call's answer, and the app's own calls reach the server through our policy: an
// allow runs, an ask waits for the person at the page (approve or refuse), a deny never reaches the server.
import path from 'node:path';
import type { FrameLocator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeProvider, type FakeProvider } from '../fakes/server.js';
import { agentModel } from '../helpers/agent-model.js';
import { startHarnessUp, type UpSession } from '../helpers/harness-up.js';
import { getByName } from '../helpers/localhost-name.js';
import { until } from '../helpers/processes.js';

const SERVER = path.resolve('node_modules/@modelcontextprotocol/server-basic-vue/dist/index.js');
const basicVue = { transport: 'stdio', command: process.execPath, args: [SERVER, '--stdio'], sandbox: true };
const policy = (action: 'allow' | 'deny' | null) => ({
  rules: action ? [{ id: 'clock', tool: 'mcp:basic-vue/get-time', action }] : [],
  mcpServers: { 'basic-vue': basicVue },
});
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

describe('an MCP App of another server in the run page (e2e)', () => {
  let session: UpSession;
  let fake: FakeProvider;
  let page: Page;
  let runId: string;
  let firstTime: string;

  beforeAll(async () => {
    fake = await startFakeProvider(
      'openai',
      agentModel({
        'what time is it': [{ tool: 'mcp:basic-vue/get-time', args: {} }, { finish: { answer: '{{last}}' } }],
      }),
    );
    session = await startHarnessUp(fake.baseUrl);
    page = session.page;
    const { api } = session;
    await api('PUT', '/api/policy', policy('allow'));
    await api('POST', '/api/providers', {
      name: 'clockfake',
      type: 'openai',
      baseUrl: fake.baseUrl,
      apiKey: 'sk-test-123456789012345678',
      defaultModel: 'm',
    });
    await api('POST', '/api/components', {
      name: 'clock',
      kind: 'react',
      signature: 'task: str -> answer: str',
      provider: 'clockfake',
      tools: ['mcp:basic-vue/get-time'],
      maxSteps: 3,
    });
    runId = (await api('POST', '/api/components/clock/runs', { inputs: { task: 'what time is it' } })).id;
    let run: any;
    await until(
      async () => ['completed', 'failed'].includes((run = await api('GET', `/api/runs/${runId}`)).status),
      'the agent run ended',
      90_000,
    );
    expect(run.status, JSON.stringify(run.error)).toBe('completed');
    firstTime = run.outputs.answer;
    expect(firstTime).toMatch(ISO);
  }, 240_000);
  afterAll(async () => {
    await session?.close();
    await fake?.close();
  });

  // The dashboard frames the sandbox proxy, and the proxy the server's view.
  const app = (): FrameLocator => page.frameLocator('[data-test=tool-app-frame]').frameLocator('#view');
  const shownTime = () => app().locator('code.server-time');
  const timeAfter = async (before: string) => {
    await until(async () => (await shownTime().textContent()) !== before, 'the app shows a new time', 30_000);
    return (await shownTime().textContent())!;
  };

  it('records the app the tool names with its answer', async () => {
    const { events } = await session.api('GET', `/api/runs/${runId}/events`);
    const result = events.find((e: any) => e.type === 'tool.result');
    expect(result.data).toMatchObject({ output: firstTime, app: { resourceUri: 'ui://get-time/mcp-app.html' } });
  });

  it('shows the server’s app with the call’s answer, and its call reaches the server through the policy', async () => {
    await page.goto(`${session.url}/ui/runs/${runId}`);
    // The answer the run recorded, handed to the app by the bridge (ui/notifications/tool-result).
    await shownTime().filter({ hasText: firstTime }).waitFor({ timeout: 60_000 });
    await session.shot('mcp-app-in-run');
    // The app's button calls tools/call on its host: allowed, it reaches the server, which tells the time again.
    await app().getByRole('button', { name: 'Get Server Time' }).click();
    const second = await timeAfter(firstTime);
    expect(second).toMatch(ISO);
    expect(Date.parse(second)).toBeGreaterThan(Date.parse(firstTime));
  });

  it('keeps the app’s cookies on its own host, away from the dashboard’s and any other local port', async () => {
    const view = page.frames().find((f) => f.url().includes('/view?'))!;
    expect(new URL(view.url()).hostname).toMatch(/^app-[0-9a-f]{16}\.localhost$/);
    await view.evaluate(() => {
      document.cookie = 'bomb=1; path=/; max-age=600';
      document.cookie = 'wide=1; domain=localhost; path=/; max-age=600';
    });
    // Whether the browser keeps them at all (a cross-site frame's cookies may be blocked), none reaches these hosts.
    const port = new URL(session.url).port;
    for (const url of [session.url, `http://localhost:${port}`]) {
      const names = (await page.context().cookies(url)).map((c) => c.name);
      expect(names, url).not.toContain('bomb');
      expect(names, url).not.toContain('wide');
    }
  });

  it('waits for the person when the policy asks: approved it runs, refused it does not', async () => {
    await session.api('PUT', '/api/policy', policy(null));
    const before = (await shownTime().textContent())!;
    await app().getByRole('button', { name: 'Get Server Time' }).click();
    const ask = page.locator('[data-test=tool-app-approval]');
    await ask.getByText('The app asks to call mcp:basic-vue/get-time').waitFor();
    expect(await shownTime().textContent()).toBe(before);
    await session.shot('mcp-app-approval');
    await ask.locator('[data-test=tool-app-approve]').click();
    const approved = await timeAfter(before);
    expect(Date.parse(approved)).toBeGreaterThan(Date.parse(before));

    await app().getByRole('button', { name: 'Get Server Time' }).click();
    await ask.locator('[data-test=tool-app-deny]').click();
    await shownTime().filter({ hasText: '[ERROR]' }).waitFor();
  });

  it('never reaches the server when the policy denies', async () => {
    await session.api('PUT', '/api/policy', policy('deny'));
    await page.reload();
    await shownTime().filter({ hasText: firstTime }).waitFor({ timeout: 60_000 });
    await app().getByRole('button', { name: 'Get Server Time' }).click();
    await shownTime().filter({ hasText: '[ERROR]' }).waitFor();
    await page.locator('[data-tool-app-note=refused]', { hasText: 'mcp:basic-vue/get-time' }).waitFor();
    expect(await page.locator('[data-test=tool-app-approval]').count()).toBe(0);
  });

  it('serves the app under a CSP that pins its scripts and opens no network, to a ticket only', async () => {
    const { events } = await session.api('GET', `/api/runs/${runId}/events`);
    const callId = events.find((e: any) => e.type === 'tool.result').data.callId;
    const frame = await session.api('POST', `/api/runs/${runId}/tool-apps/${encodeURIComponent(callId)}/frame`);
    const proxy = await getByName(frame.src);
    expect(proxy.status).toBe(200);
    const viewSrc = new URL(
      /<iframe id="view"[^>]* src="([^"]+)"/.exec(proxy.text)![1]!.replace(/&amp;/g, '&'),
      frame.src,
    );
    const view = await getByName(viewSrc);
    expect(view.status).toBe(200);
    expect(view.text).toContain('Get Time App');
    const csp = String(view.headers['content-security-policy']);
    expect(csp).toMatch(/script-src 'sha256-[A-Za-z0-9+/=]+'( |;)/);
    expect(csp).toContain("connect-src 'none'");
    expect(csp).toContain('sandbox allow-scripts allow-same-origin allow-forms');
    expect(String(proxy.headers['content-security-policy'])).toContain("frame-src 'self'");
    // Each document opens to its own ticket only.
    const bareView = new URL(viewSrc);
    bareView.search = '';
    expect((await getByName(bareView)).status).toBe(401);
  });
});
