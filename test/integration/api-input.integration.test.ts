// Bad input is a 400 that names the problem and stores nothing; security refuses what it must.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { echoModel } from '../helpers/echo-model.js';
import { seedDiamond, startTestStack, TOKEN, type TestStack } from '../helpers/stack.js';

const step = (id: string, component: string, inputs: Record<string, unknown>) => ({ id, component, inputs });
const spec = (steps: unknown[], extra: Record<string, unknown> = {}) => ({
  name: 'bad',
  inputs: { text: 'str', n: 'int' },
  steps,
  outputs: {},
  ...extra,
});

describe('API input validation and security', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startTestStack({ script: echoModel, withWorker: false });
    await seedDiamond(stack);
  });
  afterAll(() => stack?.close());

  const cases: Array<[string, unknown, RegExp]> = [
    [
      'a cycle',
      spec([
        step('a', 'upper', { text: '$steps.b.outputs.result' }),
        step('b', 'upper', { text: '$steps.a.outputs.result' }),
      ]),
      /cycle: (a -> b -> a|b -> a -> b)/,
    ],
    ['an unknown step', spec([step('a', 'upper', { text: '$steps.ghost.outputs.result' })]), /unknown step 'ghost'/],
    ['an unknown component', spec([step('a', 'nope', { text: '$inputs.text' })]), /unknown component 'nope'/],
    [
      'a binding to a missing input',
      spec([step('a', 'upper', { text: '$inputs.missing' })]),
      /binding to nothing: pipeline input 'missing'/,
    ],
    [
      'a binding to a missing output',
      spec([step('a', 'upper', { text: '$inputs.text' }), step('b', 'upper', { text: '$steps.a.outputs.nothing' })]),
      /binding to nothing: step 'a' has no output 'nothing'/,
    ],
    [
      'a type mismatch',
      spec([step('a', 'upper', { text: '$inputs.n' })]),
      /type mismatch: \$inputs\.n is int but 'text' needs str/,
    ],
    [
      'an unbound component input',
      spec([step('a', 'join', { a: '$inputs.text' })]),
      /input 'b' of component 'join' is not bound/,
    ],
  ];

  it.each(cases)('refuses %s with 400 and stores nothing', async (_what, body, message) => {
    const res = await stack.api('POST', '/api/pipelines', body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_spec');
    expect(res.body.error.message).toMatch(message);
    expect(res.body.error.details.problems.length).toBeGreaterThan(0);
    expect((await stack.api('GET', '/api/pipelines/bad')).status).toBe(404);
    const list = await stack.api('GET', '/api/pipelines');
    expect(list.body.map((p: { name: string }) => p.name)).toEqual(['diamond']);
  });

  it('answers a wrong method with 405 in the one error shape, and a made-up cursor with 400', async () => {
    const wrong = await stack.api('PATCH', '/api/pipelines');
    expect(wrong.status).toBe(405);
    expect(wrong.body.error).toMatchObject({ code: 'method_not_allowed' });
    const cursor = await stack.api('GET', '/api/runs?cursor=zzz');
    expect(cursor.status).toBe(400);
    expect(JSON.stringify(cursor.body.error)).toMatch(/cursor must be the nextCursor of a previous page/);
    expect((await stack.api('GET', '/api/runs?cursor=run_01zzzzzzzzzzzzzzzzzzzz')).status).toBe(200);
  });

  it('refuses a search with no word and a time that is not ISO 8601, naming the parameter', async () => {
    const empty = await stack.api('GET', `/api/runs?q=${encodeURIComponent('!!! ?')}`);
    expect(empty.status).toBe(400);
    expect(empty.body.error.message).toContain('q: q needs a word to search for');
    const since = await stack.api('GET', '/api/runs?since=yesterday');
    expect(since.status).toBe(400);
    expect(since.body.error.message).toMatch(/^invalid request: since: /);
    expect(
      (await stack.api('GET', `/api/runs?q=anything&since=${encodeURIComponent('2026-01-01T00:00:00+02:00')}`)).status,
    ).toBe(200);
  });

  it('serves a favicon, not a 404', async () => {
    const res = await fetch(`${stack.backend.url}/favicon.ico`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/image\/svg\+xml/);
    expect(await res.text()).toMatch(/^<svg /);
  });

  it('refuses malformed JSON with 400', async () => {
    const res = await stack.api('POST', '/api/pipelines', '{"name": "x", steps: [}');
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'malformed_json' });
    expect(res.body.error.message).toMatch(/malformed JSON/);
  });

  it('refuses a schema violation with 400 naming the field', async () => {
    const res = await stack.api('POST', '/api/components', { name: 'Bad Name', signature: 'a -> b', provider: 'fake' });
    expect(res.status).toBe(400);
    expect(res.body.error.details.problems[0].path).toBe('name');
  });

  it('refuses a bad signature with its position', async () => {
    const res = await stack.api('POST', '/api/components', {
      name: 'sig',
      signature: 'a: strr -> b',
      provider: 'fake',
    });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/unknown type 'strr'.*position 3/);
  });

  it('refuses run inputs of the wrong type with 400, starting nothing', async () => {
    const res = await stack.api('POST', '/api/pipelines/diamond/runs', { inputs: { text: 42 } });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/inputs\.text: expected str/);
    expect((await stack.api('GET', '/api/runs')).body.runs).toHaveLength(0);
  });

  it('answers 401 without a token, 403 for a foreign Host or Origin', async () => {
    const url = stack.backend.url;
    expect((await fetch(`${url}/api/runs`)).status).toBe(401);
    expect((await fetch(`${url}/api/runs`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    expect((await fetch(`${url}/api/health`)).status).toBe(200);
    const foreignHost = await new Promise<number>((resolve) => {
      const req = http.request(`${url}/api/health`, { headers: { host: 'evil.example:8000' } }, (res) =>
        resolve(res.statusCode ?? 0),
      );
      req.end();
    });
    expect(foreignHost).toBe(403);
    const foreignOrigin = await fetch(`${url}/api/providers`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, origin: 'http://evil.example', 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'x', type: 'openai' }),
    });
    expect(foreignOrigin.status).toBe(403);
    expect((await foreignOrigin.json()).error.code).toBe('forbidden_origin');
  });

  it('refuses a WebSocket with a foreign Origin, no token, or the token in its URL', async () => {
    const attempt = (headers: Record<string, string>, query = '', protocols: string[] = []) =>
      new Promise<number>((resolve) => {
        const ws = new WebSocket(`${stack.backend.url.replace('http', 'ws')}/ws${query}`, protocols, { headers });
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.on('open', () => {
          ws.close();
          resolve(101);
        });
        ws.on('error', () => {});
      });
    expect(await attempt({ authorization: `Bearer ${TOKEN}`, origin: 'http://evil.example' })).toBe(403);
    expect(await attempt({})).toBe(401);
    // One token rule: a header, or (a browser) a subprotocol; never the URL, never a cookie.
    expect(await attempt({}, `?token=${TOKEN}`)).toBe(401);
    expect(await attempt({ cookie: `harness_token_${stack.backend.port}=${TOKEN}`, origin: stack.backend.url })).toBe(
      401,
    );
    const offered = ['vloop.v1', `vloop.token.${Buffer.from(TOKEN).toString('base64url')}`];
    expect(await attempt({ origin: stack.backend.url }, '', offered)).toBe(101);
    expect(await attempt({ origin: 'http://127.0.0.1:1' }, '', offered)).toBe(403);
    expect(await attempt({ origin: stack.backend.url }, '', ['vloop.v1', 'vloop.token.d3Jvbmc'])).toBe(401);
    expect(await attempt({ authorization: `Bearer ${TOKEN}`, origin: stack.backend.url })).toBe(101);
    const apiWithQuery = await fetch(`${stack.backend.url}/api/runs?token=${TOKEN}`);
    expect(apiWithQuery.status).toBe(401);
  });

  it('answers 404 in the one error shape', async () => {
    const res = await stack.api('GET', '/api/runs/run_nope');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: { code: 'not_found', message: "run 'run_nope' not found", details: null } });
  });

  it('answers every resource a path names that does not exist with 404, and a malformed version with 400, in the one shape', async () => {
    const run = "run 'run_nope' not found";
    const missing: Array<[string, string, string]> = [
      ...['', '/events', '/history', '/forks', '/definition', '/versions', '/artifacts/a.png'].map(
        (p): [string, string, string] => ['GET', `/api/runs/run_nope${p}`, run],
      ),
      ...['/cancel', '/replay', '/archive', '/fork', '/dataset', '/approvals/a1'].map((p): [string, string, string] => [
        'POST',
        `/api/runs/run_nope${p}`,
        run,
      ]),
      ['DELETE', '/api/runs/run_nope', run],
      ['GET', '/api/evals/run_nope', run],
      ...['', '/versions/1', '/labels', '/dspy'].map((p): [string, string, string] => [
        'GET',
        `/api/components/nope${p}`,
        "component 'nope' not found",
      ]),
      ['POST', '/api/components/nope/runs', "component 'nope' not found"],
      ['DELETE', '/api/components/nope/versions/1', "component 'nope' not found"],
      ['GET', '/api/pipelines/nope/versions/1', "pipeline 'nope' not found"],
      ['POST', '/api/pipelines/nope/labels/production', "pipeline 'nope' not found"],
      ...['', '/state', '/runs', '/versions/1'].map((p): [string, string, string] => [
        'GET',
        `/api/apps/nope${p}`,
        "app 'nope' not found",
      ]),
      ['GET', '/api/datasets/nope', "dataset 'nope' not found"],
      ['DELETE', '/api/datasets/nope/examples/ex1', "dataset 'nope' not found"],
      ['GET', '/api/chats/nope', "chat 'nope' not found"],
      ['PATCH', '/api/providers/nope', "provider 'nope' not found"],
      ['POST', '/api/mcp/servers/nope/call', "MCP server 'nope' is not declared in the policy"],
    ];
    for (const [method, p, message] of missing) {
      const res = await stack.api(method, p, method === 'GET' || method === 'DELETE' ? undefined : {});
      expect([res.status, res.body], `${method} ${p}`).toEqual([
        404,
        { error: { code: 'not_found', message, details: null } },
      ]);
    }
    for (const p of [
      '/api/components/upper/versions/abc',
      '/api/components/upper/versions/0',
      '/api/pipelines/diamond/versions/1.5',
      '/api/components/upper/dspy?version=-1',
    ]) {
      const res = await stack.api('GET', p);
      expect([res.status, res.body.error?.code], p).toEqual([400, 'invalid_request']);
      expect(res.body.error.message, p).toMatch(/^version must be a positive whole number, got '/);
    }
    expect((await stack.api('GET', '/api/components/upper/versions/1')).status).toBe(200);
  });

  it('never answers a provider key unmasked', async () => {
    const { body } = await stack.api('GET', '/api/providers/fake');
    expect(body.apiKey).toBe('sk-…cdef');
    const row = await stack.db.store.knex('providers').where('name', 'fake').first();
    expect(row.apiKeyEnc).toMatch(/^v2:[0-9a-f]{12}:/);
    expect(row.apiKeyEnc).not.toContain('canary');
  });
});
