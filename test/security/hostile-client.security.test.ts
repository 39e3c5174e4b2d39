// Class 11 (the HTTP/WS layer): one hostile client with the token cannot crash or wedge the backend:
// an oversized /ws frame closes that socket with 1009, deep JSON is a 400 naming the limit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { queueScript } from '../fakes/script.js';
import { seedDiamond, startTestStack, TOKEN, type TestStack } from '../helpers/stack.js';

const deepArray = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
const deepObject = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);

describe('a hostile client', () => {
  let stack: TestStack;
  let wsUrl: string;
  beforeAll(async () => {
    stack = await startTestStack({ script: queueScript([]), withWorker: false });
    wsUrl = `${stack.backend.url.replace('http', 'ws')}/ws`;
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('gets 1009 for an oversized /ws frame, and the backend keeps answering', async () => {
    const ws = new WebSocket(wsUrl, { headers: { authorization: `Bearer ${TOKEN}` } });
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    ws.on('error', () => {});
    ws.send(JSON.stringify({ type: 'subscribe', runId: 'x'.repeat(200 * 1024) }));
    expect(await closed).toBe(1009);
    const health = await fetch(`${stack.backend.url}/api/health`);
    expect(health.status).toBe(200);
    // And a fresh socket still works.
    const again = new WebSocket(wsUrl, { headers: { authorization: `Bearer ${TOKEN}` } });
    await new Promise((resolve, reject) => again.once('open', resolve).once('error', reject));
    again.close();
  });

  it('caps the runs one socket follows', async () => {
    const ws = new WebSocket(wsUrl, { headers: { authorization: `Bearer ${TOKEN}` } });
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const refused = new Promise<string>((resolve) =>
      ws.on('message', (raw) => {
        const frame = JSON.parse(String(raw));
        if (frame.error?.code === 'too_many_subscriptions') resolve(frame.error.message);
      }),
    );
    for (let i = 0; i < 200; i++) ws.send(JSON.stringify({ type: 'subscribe', runId: `run_${i}` }));
    expect(await refused).toMatch(/at most 64 runs/);
    ws.close();
  });

  it('answers deep JSON with a 400 naming the limit, on every route that reads a body', async () => {
    await seedDiamond(stack);
    await stack.ok('POST', '/api/apps', { name: 'mirror', target: { kind: 'pipeline', name: 'diamond', version: 1 } });
    // Each deep value sits where the route's schema takes any JSON, so nothing before it stops it.
    const routes: [string, string, (deep: string) => string][] = [
      ['PUT', '/api/apps/mirror/state', (deep) => `{"a":${deep}}`],
      ['POST', '/api/components/reverse/runs', (deep) => `{"inputs":{"text":${deep}}}`],
      ['POST', '/api/policy/check', (deep) => `{"call":{"tool":"mcp:x/y","args":{"a":${deep}}}}`],
      [
        'POST',
        '/mcp',
        (deep) => `{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x","arguments":{"a":${deep}}}}`,
      ],
    ];
    const wrong: string[] = [];
    for (const [method, path, wrap] of routes) {
      for (const body of [deepArray(1000), deepObject(5000), deepArray(3000), deepArray(500_000)].map(wrap)) {
        const r = await stack.api(method, path, body);
        if (r.status !== 400 || r.body?.error?.code !== 'too_deep' || !/64/.test(r.body.error.message))
          wrong.push(`${method} ${path} -> ${r.status} ${JSON.stringify(r.body).slice(0, 160)}`);
      }
    }
    expect(wrong, wrong.join('\n')).toEqual([]);
    // Brackets inside strings are text, not depth.
    const r = await stack.api('POST', '/api/policy/check', {
      call: { tool: 'terminal', args: { command: `echo '${'['.repeat(500)}'` } },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect((await fetch(`${stack.backend.url}/api/health`)).status).toBe(200);
  });
});
