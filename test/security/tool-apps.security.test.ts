// Another server's MCP App in a run is untrusted code with a door back to an MCP server: the attack uses that door
// for more than its own server's app-visible tools and the policy allows, and asks the host for network origins. A
// call the policy denies never reaches the server; an ask runs only once a person approved it; a tool for the model
// only, a name that is not a tool of the app's server, or a call without an app are refused; the view's CSP grants
// only https origins off this machine, and only its own inline script runs; it is served on its server's own host.
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentModel } from '../helpers/agent-model.js';
import { CHART_SCRIPT, CHART_VIEW, startAppMcpServer, type AppMcpServer } from '../helpers/app-mcp-server.js';
import { toolAppHost } from '../../api/app-views/tool-app-host.js';
import { getByName } from '../helpers/localhost-name.js';
import { addFakeProvider, startTestStack, waitForRun, type TestStack } from '../helpers/stack.js';

describe('an MCP App in a run reaches only what the policy and its server allow', () => {
  let stack: TestStack;
  let charts: AppMcpServer;
  let runId: string;
  let chartCall: string;
  let plainCall: string;
  const policy = (rules: unknown[]) => ({ rules, mcpServers: { charts: { transport: 'http', url: charts.url } } });
  const appCall = (callId: string, body: unknown) =>
    stack.api('POST', `/api/runs/${runId}/tool-apps/${encodeURIComponent(callId)}/calls`, body);

  beforeAll(async () => {
    charts = await startAppMcpServer();
    stack = await startTestStack({
      script: agentModel({
        draw: [
          { tool: 'mcp:charts/chart', args: { of: 'sales' } },
          { tool: 'mcp:charts/plain', args: {} },
          { finish: { answer: '{{last}}' } },
        ],
        'draw one': [{ tool: 'mcp:charts/chart', args: { of: 'one' } }, { finish: { answer: '{{last}}' } }],
      }),
    });
    await addFakeProvider(stack);
    await stack.ok('PUT', '/api/policy', policy([{ id: 'charts', tool: 'mcp:charts/*', action: 'allow' }]));
    await stack.ok('POST', '/api/components', {
      name: 'drawer',
      kind: 'react',
      signature: 'task: str -> answer: str',
      provider: 'fake',
      tools: ['mcp:charts'],
      maxSteps: 4,
    });
    runId = (await stack.ok('POST', '/api/components/drawer/runs', { inputs: { task: 'draw' } })).id;
    const run = await waitForRun(stack, runId);
    expect(run.status, JSON.stringify(run.error)).toBe('completed');
    const { events } = await stack.ok('GET', `/api/runs/${runId}/events`);
    const calls = events.filter((e: any) => e.type === 'tool.call');
    chartCall = calls.find((e: any) => e.data.tool === 'mcp:charts/chart').data.callId;
    plainCall = calls.find((e: any) => e.data.tool === 'mcp:charts/plain').data.callId;
    const results = events.filter((e: any) => e.type === 'tool.result');
    expect(results.map((e: any) => [e.data.callId, e.data.app ?? null])).toEqual([
      [chartCall, { resourceUri: CHART_VIEW }],
      [plainCall, null],
    ]);
  }, 120_000);
  afterAll(async () => {
    await stack?.close();
    await charts?.close();
  });

  it('runs an allowed call of its own server, and nothing for a call that has no app', async () => {
    const before = charts.calls.length;
    const answer = await appCall(chartCall, { name: 'chart', arguments: { of: 'costs' } });
    expect(answer.status).toBe(200);
    expect(answer.body.content).toEqual([{ type: 'text', text: 'a chart of costs' }]);
    expect(charts.calls.slice(before)).toEqual([{ name: 'chart', args: { of: 'costs' } }]);
    const noApp = await appCall(plainCall, { name: 'chart', arguments: { of: 'x' } });
    expect(noApp.status).toBe(404);
    expect(
      (await stack.api('POST', `/api/runs/${runId}/tool-apps/${encodeURIComponent(plainCall)}/frame`)).status,
    ).toBe(404);
    expect(charts.calls.length).toBe(before + 1);
  });

  it('refuses a tool for the model only and a name that is no tool of its server', async () => {
    const before = charts.calls.length;
    const modelOnly = await appCall(chartCall, { name: 'model_only' });
    expect(modelOnly.status).toBe(409);
    expect(modelOnly.body.error.code).toBe('not_for_apps');
    for (const name of ['other/plain', '../charts/plain', 'mcp:charts/plain']) {
      const r = await appCall(chartCall, { name });
      expect(r.status, name).toBe(400);
    }
    expect(charts.calls.length).toBe(before);
  });

  it('calls no tool of its server that the run’s agent was not given', async () => {
    await stack.ok('POST', '/api/components', {
      name: 'one-chart',
      kind: 'react',
      signature: 'task: str -> answer: str',
      provider: 'fake',
      tools: ['mcp:charts/chart'],
      maxSteps: 3,
    });
    const narrow = (await stack.ok('POST', '/api/components/one-chart/runs', { inputs: { task: 'draw one' } })).id;
    expect((await waitForRun(stack, narrow)).status).toBe('completed');
    const { events } = await stack.ok('GET', `/api/runs/${narrow}/events`);
    const callId = events.find((e: any) => e.type === 'tool.result').data.callId;
    const before = charts.calls.length;
    const path = `/api/runs/${narrow}/tool-apps/${encodeURIComponent(callId)}/calls`;
    const plain = await stack.api('POST', path, { name: 'plain' });
    expect([plain.status, plain.body.error.code]).toEqual([409, 'not_offered']);
    expect(charts.calls.length).toBe(before);
    expect((await stack.api('POST', path, { name: 'chart', arguments: { of: 'ok' } })).status).toBe(200);
  });

  it('never reaches the server when the policy denies, and runs an ask only once a person approved it', async () => {
    const before = charts.calls.length;
    await stack.ok('PUT', '/api/policy', policy([{ id: 'no-charts', tool: 'mcp:charts/chart', action: 'deny' }]));
    const denied = await appCall(chartCall, { name: 'chart', arguments: { of: 'x' }, approved: true });
    expect([denied.status, denied.body.error.code]).toEqual([409, 'policy_denied']);
    await stack.ok('PUT', '/api/policy', policy([]));
    const asked = await appCall(chartCall, { name: 'chart', arguments: { of: 'y' } });
    expect([asked.status, asked.body.error.code]).toEqual([409, 'approval_needed']);
    expect(charts.calls.length).toBe(before);
    const approved = await appCall(chartCall, { name: 'chart', arguments: { of: 'y' }, approved: true });
    expect(approved.status).toBe(200);
    expect(charts.calls.slice(before)).toEqual([{ name: 'chart', args: { of: 'y' } }]);
  });

  it('serves the view with only its own script and only fair origins, each document to its own ticket', async () => {
    const frame = await stack.ok('POST', `/api/runs/${runId}/tool-apps/${encodeURIComponent(chartCall)}/frame`);
    expect(new URL(frame.src).hostname).toBe(toolAppHost('charts'));
    const proxy = await getByName(frame.src);
    expect(proxy.status).toBe(200);
    const src = /<iframe id="view"[^>]* src="([^"]+)"/.exec(proxy.text)![1]!.replace(/&amp;/g, '&');
    const viewUrl = new URL(src, frame.src);
    const view = await getByName(viewUrl);
    expect(view.status).toBe(200);
    const csp = String(view.headers['content-security-policy']);
    const directive = (name: string) => csp.split('; ').find((d) => d.startsWith(`${name} `));
    const hash = `'sha256-${crypto.createHash('sha256').update(CHART_SCRIPT).digest('base64')}'`;
    expect(directive('script-src')).toBe(`script-src ${hash} https://cdn.example.com`);
    expect(directive('connect-src')).toBe('connect-src https://api.example.com');
    expect(csp).not.toContain('127.0.0.1:9');
    expect(csp).not.toContain('https://localhost');
    expect(csp).not.toContain('unsafe-eval');
    expect(csp).not.toContain('script-src *');
    // The proxy's ticket does not open the view, nor the view's the proxy.
    const proxyPath = new URL(frame.src).pathname;
    const swapped = new URL(viewUrl);
    swapped.search = new URL(frame.src).search;
    expect((await getByName(swapped)).status).toBe(401);
    expect((await getByName(`${viewUrl.origin}${proxyPath}${viewUrl.search}`)).status).toBe(401);
    // Its own host only: not the harness's (where our views are), not another server's.
    const port = new URL(frame.src).port;
    expect((await getByName(frame.src, `127.0.0.1:${port}`)).status).toBe(404);
    expect((await getByName(frame.src, `${toolAppHost('maps')}:${port}`)).status).toBe(404);
    expect((await getByName(frame.src, `app-0123456789abcdef.localhost.evil.example:${port}`)).status).toBe(403);
  });
});
