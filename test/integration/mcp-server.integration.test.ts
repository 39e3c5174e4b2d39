// The harness as an MCP server, seen by the official MCP Inspector (CLI mode): over stdio
// (`harness mcp`) and over streamable HTTP with the token it lists only the exposed targets, calls a
// component and gets its typed outputs from a real run; without the token `/mcp` answers 401.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { echoModel } from '../helpers/echo-model.js';
import { seedDiamond, startTestStack, TOKEN, type TestStack } from '../helpers/stack.js';

const run = promisify(execFile);
const inspector = path.resolve('node_modules/.bin/mcp-inspector');
const harness = path.resolve('bin/harness.js');

describe('the harness as an MCP server', () => {
  let stack: TestStack;
  let url: string;
  beforeAll(async () => {
    stack = await startTestStack({ script: echoModel });
    await seedDiamond(stack);
    url = `${stack.backend.url}/mcp`;
    for (const e of [
      { kind: 'component', name: 'upper' },
      { kind: 'pipeline', name: 'diamond', version: 1 },
    ])
      expect((await stack.api('POST', '/api/mcp/exposed', e)).status).toBe(201);
  });
  afterAll(() => stack?.close());

  const overHttp = async (...args: string[]) =>
    JSON.parse(
      (
        await run(
          inspector,
          ['--cli', url, '--transport', 'http', '--header', `Authorization: Bearer ${TOKEN}`, ...args],
          { timeout: 90_000 },
        )
      ).stdout,
    );
  const env = () =>
    [`HARNESS_PORT=${stack.backend.port}`, `HARNESS_TOKEN=${TOKEN}`, `VLOOP_PROJECT_DIR=${stack.dir}`].flatMap((e) => [
      '-e',
      e,
    ]);
  const overStdio = async (...args: string[]) =>
    JSON.parse(
      (await run(inspector, ['--cli', ...env(), process.execPath, harness, 'mcp', ...args], { timeout: 90_000 }))
        .stdout,
    );

  it('lists only what was exposed, with input schemas from the signatures, over HTTP and stdio', async () => {
    for (const list of [await overHttp('--method', 'tools/list'), await overStdio('--method', 'tools/list')]) {
      const tools = list.tools as Array<{
        name: string;
        inputSchema: { properties: Record<string, unknown>; required: string[] };
        outputSchema?: { properties: Record<string, unknown> };
      }>;
      expect(tools.map((t) => t.name).sort()).toEqual(['component_upper', 'pipeline_diamond']);
      const upper = tools.find((t) => t.name === 'component_upper')!;
      expect(upper.inputSchema).toMatchObject({
        type: 'object',
        properties: { text: { type: 'string' } },
        required: ['text'],
      });
      expect(upper.outputSchema).toMatchObject({ properties: { result: { type: 'string' } } });
    }
  });

  it('calls a component and a pipeline as durable runs and answers with their typed outputs', async () => {
    const viaHttp = await overHttp(
      '--method',
      'tools/call',
      '--tool-name',
      'component_upper',
      '--tool-arg',
      'text=hello mcp',
    );
    expect(viaHttp.structuredContent).toEqual({ result: 'HELLO MCP' });
    const viaStdio = await overStdio(
      '--method',
      'tools/call',
      '--tool-name',
      'pipeline_diamond',
      '--tool-arg',
      'text=abc',
    );
    expect(viaStdio.structuredContent).toEqual({ combined: 'ABC|cba' });
    const runs = (await stack.api('GET', '/api/runs?limit=10')).body.runs as Array<{
      origin?: string;
      target: { name: string };
      status: string;
    }>;
    expect(runs.filter((r) => r.origin === 'mcp').map((r) => [r.target.name, r.status])).toEqual(
      expect.arrayContaining([
        ['upper', 'completed'],
        ['diamond', 'completed'],
      ]),
    );
    const resources = await overHttp('--method', 'resources/list');
    expect((resources.resources as Array<{ uri: string }>).some((r) => r.uri.startsWith('vloop://runs/'))).toBe(true);
  });

  it('refuses an unexposed tool, and answers 401 without the token', async () => {
    await expect(
      overHttp('--method', 'tools/call', '--tool-name', 'component_join', '--tool-arg', 'a=x', '--tool-arg', 'b=y'),
    ).rejects.toThrow(/no exposed tool 'component_join'/);
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(res.status).toBe(401);
    expect((await res.json()).error.code).toBe('unauthorized');
    await expect(
      run(inspector, ['--cli', url, '--transport', 'http', '--method', 'tools/list'], { timeout: 60_000 }),
    ).rejects.toThrow(/401|nauthorized/);
  });
});
