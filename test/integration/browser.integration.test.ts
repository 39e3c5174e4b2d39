// The browser tool on Debian's chromium against a local site: open, type, click, extract, screenshot;
// a host the policy does not allow is refused, whether opened directly or reached by a click.
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretSet } from '../../core/secrets.js';
import { closeBrowser } from '../../activities/tools/browser.js';
import {
  createRunTool,
  endToolSession,
  type RunToolInput,
  type RunToolResult,
} from '../../activities/tools/registry.js';
import type { ToolCall } from '../../core/policy.js';
import { makeWorkspace } from '../helpers/agent-setup.js';
import { testConfig } from '../helpers/config.js';

describe('browser tool', () => {
  let server: http.Server;
  let port: number;
  let project: string;
  const hosts: string[] = [];
  let runTool: ReturnType<typeof createRunTool>;
  let n = 0;
  const run = (call: ToolCall) =>
    new MockActivityEnvironment().run(runTool, {
      runId: 'run_browser',
      callId: `tool[${n++}]`,
      call,
      approved: false,
    } satisfies RunToolInput) as Promise<RunToolResult>;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      hosts.push(String(req.headers.host));
      res.writeHead(200, { 'content-type': 'text/html' });
      if (req.url === '/next') return res.end('<title>Next</title><p id="msg">You made it to the next page.</p>');
      res.end(
        `<title>Home</title><h1>Welcome to the test site</h1><input id="q"><a id="next" href="/next">next</a><a id="leak" href="http://localhost:${port}/leak">leak</a>`,
      );
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
    const ws = makeWorkspace({ 'x.txt': 'x' });
    project = path.join(ws, '.vloop');
    fs.mkdirSync(project);
    runTool = createRunTool({
      events: { append: async () => 0 },
      secrets: new SecretSet({}),
      tools: testConfig({ dir: project, workspace: ws }).tools,
    });
    fs.writeFileSync(
      path.join(project, 'policy.json'),
      JSON.stringify({ rules: [{ tool: 'browser', action: 'allow', match: { url: '127.0.0.1' } }] }),
    );
  });
  afterAll(async () => {
    await endToolSession('run_browser');
    await closeBrowser();
    server.close();
  });

  it('opens, types, clicks, extracts text and takes a screenshot', async () => {
    expect((await run({ tool: 'browser', args: { op: 'open', url: `http://127.0.0.1:${port}/` } })).output).toMatch(
      /opened http:\/\/127\.0\.0\.1:\d+\/ \(status 200, title "Home"\)/,
    );
    expect((await run({ tool: 'browser', args: { op: 'extract' } })).output).toContain('Welcome to the test site');
    expect((await run({ tool: 'browser', args: { op: 'type', selector: '#q', text: 'durable' } })).output).toBe(
      'typed into #q',
    );
    expect((await run({ tool: 'browser', args: { op: 'click', selector: '#next' } })).output).toMatch(
      /now at http:\/\/127\.0\.0\.1:\d+\/next/,
    );
    expect((await run({ tool: 'browser', args: { op: 'extract', selector: '#msg' } })).output).toBe(
      'You made it to the next page.',
    );
    const shot = await run({ tool: 'browser', args: { op: 'screenshot' } });
    const file = path.join(project, 'artifacts', 'run_browser', 'tool_5_.png');
    expect(shot.output).toContain('tool_5_.png');
    expect(fs.readFileSync(file).subarray(1, 4).toString()).toBe('PNG');
  });

  it('refuses a host the policy does not allow, opened or clicked to', async () => {
    await expect(run({ tool: 'browser', args: { op: 'open', url: `http://localhost:${port}/` } })).rejects.toThrow(
      /default:host-not-allowed/,
    );
    await run({ tool: 'browser', args: { op: 'open', url: `http://127.0.0.1:${port}/` } });
    const clicked = await run({ tool: 'browser', args: { op: 'click', selector: '#leak' } });
    expect(clicked.ok && clicked.output.includes('/leak')).toBe(false);
    expect(hosts.some((h) => h.startsWith('localhost'))).toBe(false);
  });
});
