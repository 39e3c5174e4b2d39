// Class 1: the token cannot be skipped by spelling a path differently (case, dot segments, repeated
// slashes, percent-encoding, backslashes) on any route prefix, the codec, /mcp, /ws or the apps origin.
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { queueScript } from '../fakes/script.js';
import { startTestStack, TOKEN, type TestStack } from '../helpers/stack.js';

/** A request sent with its path exactly as written (fetch would normalize it first). */
function rawRequest(
  port: number,
  method: string,
  path: string,
  body?: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        headers: {
          accept: 'application/json, text/event-stream',
          ...(body ? { 'content-type': 'application/json' } : {}),
          ...headers,
        },
      },
      (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Every way we know to write `path` so that a normalizing reader could see it as the same path. */
export function spellings(path: string): string[] {
  const segs = path.split('/').slice(1);
  const mixed = '/' + segs.map((s) => s.charAt(0).toUpperCase() + s.slice(1)).join('/');
  const rest = segs.slice(1).join('/');
  return [
    path.toUpperCase(),
    mixed,
    '/' + segs.map((s) => s.toUpperCase()).join('/'),
    '/' + segs.join('//'),
    '//' + segs.join('/'),
    '/./' + segs.join('/./'),
    `/ui/..${path}`,
    `/ui/%2e%2e${path}`,
    `/ui/%2E%2E${path}`,
    `/x/.%2e${path}`,
    `/${segs[0]}%2F${rest}`,
    `/${segs[0]}%2f${rest}`,
    `/${segs[0]}\\${rest}`,
    `\\${segs.join('\\')}`,
    `${path}/`,
    `${path}/.`,
    `${path}/x/..`,
    `/%${segs[0]!.charCodeAt(0).toString(16)}${path.slice(2)}`,
    `${path};x`,
    `/Api/..${path}`,
    `/api/%2e%2e${path}`,
    `${path}%00`,
  ];
}

// One route of each router the app mounts (and the codec, /mcp), with a body where one is needed.
const ROUTES: [string, string, unknown?][] = [
  ['GET', '/api/runs'],
  ['POST', '/api/runs/r1/cancel', {}],
  ['POST', '/api/runs/r1/approvals/a1', { approve: true }],
  ['GET', '/api/policy'],
  [
    'PUT',
    '/api/policy',
    { rules: [{ tool: 'terminal', action: 'allow' }], mcpServers: { own: { transport: 'stdio', command: 'id' } } },
  ],
  ['POST', '/api/policy/check', { call: { tool: 'terminal', args: { command: 'ls' } } }],
  ['GET', '/api/providers'],
  ['PUT', '/api/pricing', { m: { input: 1, output: 1 } }],
  ['GET', '/api/components'],
  ['POST', '/api/components', { name: 'x' }],
  ['POST', '/api/components/c/runs', { input: {} }],
  ['GET', '/api/pipelines'],
  ['POST', '/api/pipelines/p/runs', { input: {} }],
  ['GET', '/api/approvals'],
  ['GET', '/api/evals/e1'],
  ['POST', '/api/evals', {}],
  ['GET', '/api/datasets'],
  ['POST', '/api/datasets', { name: 'd' }],
  ['GET', '/api/chats'],
  ['POST', '/api/chats', {}],
  ['GET', '/api/apps'],
  ['PUT', '/api/apps/a/state', { x: 1 }],
  ['POST', '/api/optimizations', {}],
  ['POST', '/api/optimizations/r1/stop', { reason: 'x' }],
  ['POST', '/api/components/import/dspy', {}],
  ['POST', '/api/mcp/exposed', { kind: 'dataset', name: 'd' }],
  ['GET', '/api/mcp/servers'],
  ['POST', '/api/temporal/codec/decode', { payloads: [] }],
  ['POST', '/api/temporal/codec/default/decode', { payloads: [] }],
  [
    'POST',
    '/mcp',
    {
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-03-26', capabilities: {}, clientInfo: { name: 'x', version: '1' } },
    },
  ],
  ['GET', '/api/unknown-thing'],
  ['GET', '/unknown'],
];

describe('one gate for every request', () => {
  let stack: TestStack;
  let port: number;
  let policyBefore: string;
  const digest = (f: string) =>
    fs.existsSync(f) ? crypto.createHash('sha256').update(fs.readFileSync(f)).digest('hex') : 'absent';

  beforeAll(async () => {
    stack = await startTestStack({ script: queueScript([]), withWorker: false });
    port = stack.backend.port;
    policyBefore = digest(stack.backend.app.config.tools.policyPath);
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('lets no spelling of a protected route through without the token', async () => {
    const runsBefore = (await stack.ok('GET', '/api/runs?limit=200')).runs.length;
    const through: string[] = [];
    for (const [method, path, body] of ROUTES) {
      for (const p of [path, ...spellings(path)]) {
        const r = await rawRequest(port, method, p, body === undefined ? undefined : JSON.stringify(body));
        // Refused before any handler: 401 (no token) or 400 (a path not in canonical form).
        if (![400, 401].includes(r.status)) through.push(`${method} ${p} -> ${r.status} ${r.text.slice(0, 120)}`);
      }
    }
    expect(through, through.join('\n')).toEqual([]);
    expect(digest(stack.backend.app.config.tools.policyPath), 'the policy file was replaced').toBe(policyBefore);
    expect((await stack.ok('GET', '/api/runs?limit=200')).runs.length).toBe(runsBefore);
    expect((await stack.ok('GET', '/api/mcp/exposed')).exposed).toEqual([]);
  });

  it('refuses a spelled-differently path with the token too, and serves the canonical one', async () => {
    const auth = { authorization: `Bearer ${TOKEN}` };
    for (const p of [
      '/api//runs',
      '/api/./runs',
      '/ui/../api/runs',
      '/api/%2e%2e/api/runs',
      '/api%2fruns',
      '/api\\runs',
    ]) {
      expect((await rawRequest(port, 'GET', p, undefined, auth)).status, p).toBe(400);
    }
    expect((await rawRequest(port, 'GET', '/api/runs', undefined, auth)).status).toBe(200);
    expect((await rawRequest(port, 'GET', '/api/policy', undefined, auth)).status).toBe(200);
    expect(
      (
        await rawRequest(
          port,
          'POST',
          '/api/policy/check',
          JSON.stringify({ call: { tool: 'terminal', args: { command: 'ls' } } }),
          auth,
        )
      ).status,
    ).toBe(200);
    expect(
      (await rawRequest(port, 'POST', '/api/temporal/codec/decode', JSON.stringify({ payloads: [] }), auth)).status,
    ).toBe(200);
    const mcp = await rawRequest(port, 'POST', '/mcp', JSON.stringify(ROUTES.find((r) => r[1] === '/mcp')![2]), {
      ...auth,
      accept: 'application/json, text/event-stream',
    });
    expect(mcp.status, mcp.text).toBe(200);
  });

  it('keeps the short public list public', async () => {
    expect((await rawRequest(port, 'GET', '/api/health')).status).toBe(200);
    expect((await rawRequest(port, 'GET', '/favicon.ico')).status).toBe(200);
    expect((await rawRequest(port, 'GET', '/')).status).toBe(302);
    expect((await rawRequest(port, 'GET', '/ui/')).status).toBe(200);
    expect((await rawRequest(port, 'GET', '/ui/runs/r1')).status).toBe(200);
    // Public means a GET: the health path does not accept a token-less write.
    expect((await rawRequest(port, 'POST', '/api/health', '{}')).status).toBe(401);
  });

  it('opens /ws only on its canonical path and only with the token', async () => {
    const upgrade = (p: string, headers: Record<string, string> = {}) =>
      new Promise<number>((resolve) => {
        const ws = new WebSocket(`ws://127.0.0.1:${port}${p}`, { headers });
        ws.on('open', () => {
          ws.close();
          resolve(101);
        });
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.on('error', () => resolve(-1));
      });
    const opened: string[] = [];
    for (const p of ['/ws', ...spellings('/ws')]) if ((await upgrade(p)) === 101) opened.push(p);
    expect(opened).toEqual([]);
    expect(await upgrade('/ws', { authorization: `Bearer ${TOKEN}` })).toBe(101);
  });

  it('lets no spelling of a view through on the apps origin without the token', async () => {
    const appsPort = stack.backend.app.appViewsPort!;
    const through: string[] = [];
    for (const p of ['/view/a/1', ...spellings('/view/a/1')]) {
      const r = await rawRequest(appsPort, 'GET', p);
      if (![400, 401].includes(r.status)) through.push(`${p} -> ${r.status}`);
    }
    expect(through).toEqual([]);
  });
});
