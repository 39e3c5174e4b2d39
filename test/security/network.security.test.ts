// Class 2 (network): a terminal command the policy lets reach the network gets it only through the
// harness's proxy, which judges each host AND port; the harness's own ports, loopback by any name and
// this machine's addresses stay out of reach whatever the rules say, and a connection that skips the
// proxy has no route. Real bubblewrap, real servers, the real registry.
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeMcpSessions } from '../../mcp/client.js';
import { startCommandProxy } from '../../sandbox/network/index.js';
import { createRunTool, type RunToolInput, type RunToolResult } from '../../activities/tools/registry.js';
import { SecretSet } from '../../core/secrets.js';
import { judgeHost, policySpec, type PolicyRule } from '../../core/policy.js';
import { makeWorkspace } from '../helpers/agent-setup.js';
import { testConfig } from '../helpers/config.js';
import { freePort } from '../helpers/ports.js';
import { until } from '../helpers/processes.js';

/** A server that names itself and echoes the path it was asked for, so each hit can be told apart. */
function canary(name: string, port: number, host: string): Promise<http.Server> {
  const server = http.createServer((req, res) => res.end(`${name} ${req.url}\n`));
  return new Promise((resolve, reject) => server.once('error', reject).listen(port, host, () => resolve(server)));
}

/** This machine's own non-loopback IPv4 address (where a server on 0.0.0.0 answers too). */
const ownAddress = Object.values(os.networkInterfaces())
  .flat()
  .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;

describe('terminal network through the policy proxy', () => {
  let ws: string;
  let allowedPort: number;
  let otherPort: number;
  let harnessPort: number;
  const servers: http.Server[] = [];
  let runTool: ReturnType<typeof createRunTool>;
  let calls = 0;
  const proxyDirs = () => fs.readdirSync(os.tmpdir()).filter((d) => d.startsWith('vloop-net-')).length;

  const policy = (network: PolicyRule[], setting: 'ask' | 'deny' | 'allow' = 'ask') =>
    fs.writeFileSync(
      path.join(ws, '.vloop', 'policy.json'),
      JSON.stringify({ network: setting, rules: [{ tool: 'terminal', action: 'allow' }, ...network] }),
    );
  const run = (command: string, approved = false): Promise<RunToolResult> =>
    new MockActivityEnvironment().run(runTool, {
      runId: 'r',
      callId: `n${calls++}`,
      call: { tool: 'terminal', args: { command } },
      approved,
    } satisfies RunToolInput);

  beforeAll(async () => {
    ws = makeWorkspace({ 'ok.txt': 'fine' });
    fs.mkdirSync(path.join(ws, '.vloop'));
    [allowedPort, otherPort, harnessPort] = [await freePort(), await freePort(), await freePort()];
    servers.push(
      await canary('CANARY-ALLOWED', allowedPort, '0.0.0.0'),
      await canary('CANARY-OTHER', otherPort, '0.0.0.0'),
    );
    // Stands where the harness API listens (HARNESS_PORT), on every address as `HARNESS_HOST=0.0.0.0` would.
    servers.push(await canary('CANARY-HARNESS', harnessPort, '::'));
    runTool = createRunTool({
      events: { append: async () => 0 },
      secrets: new SecretSet({}),
      tools: testConfig({ dir: path.join(ws, '.vloop'), workspace: ws, env: { HARNESS_PORT: String(harnessPort) } })
        .tools,
    });
  });
  afterAll(async () => {
    for (const s of servers) await new Promise((resolve) => s.close(resolve));
    fs.rmSync(ws, { recursive: true, force: true });
  });

  it('a rule naming host:port lets the command reach that port through the proxy, and no other port', async () => {
    policy([{ tool: 'network', action: 'allow', match: { url: `127.0.0.1:${allowedPort}` } }]);
    const before = proxyDirs();
    const r = await run(
      `printenv HTTPS_PROXY; curl -s http://127.0.0.1:${allowedPort}/plain; curl -s -p http://127.0.0.1:${allowedPort}/tunnel; curl -s http://127.0.0.1:${otherPort}/plain; curl -s -p http://127.0.0.1:${otherPort}/tunnel`,
    );
    expect(r.output).toContain('http://127.0.0.1:3128');
    expect(r.output).toContain('CANARY-ALLOWED /plain');
    expect(r.output).toContain('CANARY-ALLOWED /tunnel');
    expect(r.output, 'a port the rule does not name was reached').not.toContain('CANARY-OTHER');
    expect(r.output).toContain(`[network refused: 127.0.0.1:${otherPort}`);
    // The proxy lives for one command: its socket directory is gone once the command has ended.
    expect(proxyDirs()).toBe(before);
  });

  it("a rule naming the host (any port) still never reaches the harness's own port", async () => {
    policy([{ tool: 'network', action: 'allow', match: { url: '127.0.0.1' } }]);
    const r = await run(
      `curl -s http://127.0.0.1:${allowedPort}/ok; curl -s http://127.0.0.1:${harnessPort}/api/policy; curl -s -p http://127.0.0.1:${harnessPort}/tunnel`,
    );
    expect(r.output).toContain('CANARY-ALLOWED /ok');
    expect(r.output, 'the harness API port was reached').not.toContain('CANARY-HARNESS');
  });

  it("a rule naming the harness's port exactly does not open it", async () => {
    policy([{ tool: 'network', action: 'allow', match: { url: `127.0.0.1:${harnessPort}` } }]);
    const r = await run(`curl -s http://127.0.0.1:${harnessPort}/api/policy`);
    expect(r.output, 'the harness API port was reached').not.toContain('CANARY-HARNESS');
  });

  it('under a `*` rule, loopback by any name, this machine and the harness port are refused', async () => {
    policy([{ tool: 'network', action: 'allow', match: { url: '*' } }]);
    const targets = [
      '127.0.0.1',
      'localhost',
      '127.0.0.2',
      '[::1]',
      '[::ffff:127.0.0.1]',
      '0.0.0.0',
      ...(ownAddress ? [ownAddress] : []),
    ];
    const r = await run(
      targets
        .map((h) => `curl -s -m 5 'http://${h}:${harnessPort}/h'; curl -s -m 5 -p 'http://${h}:${allowedPort}/a'`)
        .join('; '),
    );
    expect(r.output, 'the harness port was reached').not.toContain('CANARY-HARNESS');
    expect(r.output, 'a loopback or own address was reached under a wildcard rule').not.toContain('CANARY-ALLOWED');
  });

  it('a connection that skips the proxy has no route', async () => {
    policy(
      ['127.0.0.1', ...(ownAddress ? [ownAddress] : [])].map((url) => ({
        tool: 'network',
        action: 'allow',
        match: { url },
      })),
    );
    const direct = [
      `curl -s -m 5 --noproxy '*' http://127.0.0.1:${allowedPort}/direct`,
      ...(ownAddress ? [`curl -s -m 5 --noproxy '*' http://${ownAddress}:${allowedPort}/own`] : []),
    ];
    const r = await run([`curl -s http://127.0.0.1:${allowedPort}/via-proxy`, ...direct].join('; '));
    expect(r.output).toContain('CANARY-ALLOWED /via-proxy');
    expect(r.output, 'a direct connection reached the server').not.toMatch(/\/direct|\/own/);
    // With the proxy variables removed, or code with its own sockets (approved): the same empty network namespace.
    const script = `node -e "require('net').connect(${allowedPort}, '${ownAddress ?? '127.0.0.1'}').on('connect', () => console.log('CONNECTED')).on('error', (e) => console.log('REFUSED', e.code))"`;
    const js = await run(
      `curl -s http://127.0.0.1:${allowedPort}/x; env -u HTTP_PROXY -u http_proxy -u ALL_PROXY -u all_proxy curl -s -m 5 http://127.0.0.1:${allowedPort}/unset; ${script}`,
      true,
    );
    expect(js.output).toContain('CANARY-ALLOWED /x');
    expect(js.output, 'a direct connection reached the server').not.toContain('/unset');
    expect(js.output).toMatch(/REFUSED E(NETUNREACH|CONNREFUSED)/);
  });

  it('a command without network has no proxy in its environment and cannot connect', async () => {
    policy([{ tool: 'network', action: 'allow', match: { url: '*' } }]);
    const script = `node -e "require('net').connect(${allowedPort}, '127.0.0.1').on('connect', () => console.log('CONNECTED')).on('error', (e) => console.log('REFUSED', e.code))"`;
    const r = await run(`printenv HTTP_PROXY https_proxy ALL_PROXY; ${script}`, true);
    expect(r.output).not.toContain('3128');
    expect(r.output).toContain('REFUSED ECONNREFUSED');
  });

  it('an approval opens the hosts it was asked for, not loopback or the harness', async () => {
    policy([]);
    const command = `curl -s -m 5 http://127.0.0.1:${allowedPort}/approved; curl -s -m 5 http://localhost:${harnessPort}/h`;
    await expect(run(command)).rejects.toThrow(/setting:network-ask/);
    const r = await run(command, true);
    expect(r.output, 'an approval opened loopback').not.toContain('CANARY-ALLOWED');
    expect(r.output, 'an approval opened the harness port').not.toContain('CANARY-HARNESS');
  });

  it('a deny rule for host:port holds inside an allowed command', async () => {
    policy([
      { tool: 'network', action: 'allow', match: { url: '127.0.0.1' } },
      { tool: 'network', action: 'deny', match: { url: `127.0.0.1:${otherPort}` } },
    ]);
    const r = await run(`curl -s http://127.0.0.1:${allowedPort}/ok; curl -s http://127.0.0.1:${otherPort}/denied`);
    expect(r.output).toContain('CANARY-ALLOWED /ok');
    expect(r.output, 'a port a deny rule names was reached').not.toContain('CANARY-OTHER');
  });
});

describe('the proxy socket', () => {
  let port: number;
  let server: http.Server;
  beforeAll(async () => {
    port = await freePort();
    server = await canary('CANARY-BEHIND-PROXY', port, '127.0.0.1');
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  /** Everything the socket answers to `first` before it closes. */
  const exchange = (socketPath: string, first: string) =>
    new Promise<string>((resolve) => {
      let got = '';
      const s = net.connect(socketPath, () => s.write(first));
      s.on('data', (d) => (got += d.toString()));
      s.on('close', () => resolve(got));
      s.on('error', () => s.destroy());
      setTimeout(() => s.end(), 3000);
    });

  it('answers only the command it was started for (another sandbox that sees the socket lacks the token)', async () => {
    const proxy = await startCommandProxy({
      policy: policySpec.parse({ rules: [{ tool: 'network', action: 'allow', match: { url: '127.0.0.1' } }] }),
      approved: false,
      endpoints: [],
    });
    try {
      const socketPath = proxy.sandbox.launcher[2]!;
      const token = proxy.sandbox.launcher[4]!;
      const request = `GET http://127.0.0.1:${port}/through HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\nconnection: close\r\n\r\n`;
      expect(await exchange(socketPath, `${token}\n${request}`)).toContain('CANARY-BEHIND-PROXY /through');
      expect(await exchange(socketPath, request)).not.toContain('CANARY-BEHIND-PROXY');
      expect(await exchange(socketPath, `${'0'.repeat(token.length)}\n${request}`)).not.toContain(
        'CANARY-BEHIND-PROXY',
      );
    } finally {
      await proxy.close();
    }
  });
});

describe('network rules judge host and port', () => {
  const rules = (url: string, action: 'allow' | 'deny' = 'allow') =>
    policySpec.parse({ network: 'deny', rules: [{ tool: 'network', action, match: { url } }] });
  it.each([
    ['api.example.com', 'api.example.com', 443, 'allow'],
    ['api.example.com', 'api.example.com', 8443, 'allow'],
    ['api.example.com:443', 'api.example.com', 443, 'allow'],
    ['api.example.com:443', 'api.example.com', 80, 'deny'],
    ['*.example.com:443', 'a.b.example.com', 443, 'allow'],
    ['*.example.com:443', 'a.example.com', 22, 'deny'],
    ['*.example.com:443', 'example.com.evil.net', 443, 'deny'],
    ['https://registry.npmjs.org', 'registry.npmjs.org', 443, 'allow'],
    ['https://registry.npmjs.org', 'registry.npmjs.org', 80, 'deny'],
    ['http://host.test:8080/path', 'host.test', 8080, 'allow'],
    ['http://host.test:8080/path', 'host.test', 80, 'deny'],
    ['HOST.Test:*', 'host.test', 9999, 'allow'],
    ['[::1]:8080', '[::1]', 8080, 'allow'],
    ['[::1]:8080', '::1', 8081, 'deny'],
    ['::1', '::1', 5, 'allow'],
  ] as const)('%s: %s:%i is %s', (url, host, port, expected) => {
    expect(judgeHost(rules(url), host, port).decision).toBe(expected);
  });

  it('a deny rule for one port holds at that port and leaves the others to the allow rules', () => {
    const policy = policySpec.parse({
      network: 'deny',
      rules: [
        { tool: 'network', action: 'allow', match: { url: 'h.test' } },
        { tool: 'network', action: 'deny', match: { url: 'h.test:25' } },
      ],
    });
    expect(judgeHost(policy, 'h.test', 25).decision).toBe('deny');
    expect(judgeHost(policy, 'h.test', 443).decision).toBe('allow');
    // Read from command text (no port): the command may run; the proxy holds port 25.
    expect(judgeHost(policy, 'h.test').decision).toBe('allow');
  });
});

// A stdio MCP server declared with `network: true` had the host's whole network (the harness's API
// and Temporal included); now it gets the same proxy as a terminal command, for as long as it runs.
describe('a sandboxed MCP server with network', () => {
  let ws: string;
  let allowedPort: number;
  let harnessPort: number;
  const servers: http.Server[] = [];
  let runTool: ReturnType<typeof createRunTool>;
  let calls = 0;
  const server = fileURLToPath(new URL('../fakes/mcp-shell-server.mjs', import.meta.url));
  const sh = (command: string): Promise<RunToolResult> =>
    new MockActivityEnvironment().run(runTool, {
      runId: 'm',
      callId: `m${calls++}`,
      call: { tool: 'mcp:net/sh', args: { command } },
      approved: false,
    } satisfies RunToolInput);

  beforeAll(async () => {
    ws = makeWorkspace({ 'ok.txt': 'fine' });
    fs.mkdirSync(path.join(ws, '.vloop'));
    [allowedPort, harnessPort] = [await freePort(), await freePort()];
    servers.push(
      await canary('CANARY-ALLOWED', allowedPort, '0.0.0.0'),
      await canary('CANARY-HARNESS', harnessPort, '::'),
    );
    fs.writeFileSync(
      path.join(ws, '.vloop', 'policy.json'),
      JSON.stringify({
        rules: [
          { tool: 'mcp:net/*', action: 'allow' },
          { tool: 'network', action: 'allow', match: { url: '127.0.0.1' } },
        ],
        mcpServers: {
          net: {
            transport: 'stdio',
            command: process.execPath,
            args: [server],
            sandbox: true,
            network: true,
            pathArguments: false,
          },
        },
      }),
    );
    runTool = createRunTool({
      events: { append: async () => 0 },
      secrets: new SecretSet({}),
      tools: testConfig({ dir: path.join(ws, '.vloop'), workspace: ws, env: { HARNESS_PORT: String(harnessPort) } })
        .tools,
    });
  });
  afterAll(async () => {
    await closeMcpSessions();
    for (const s of servers) await new Promise((resolve) => s.close(resolve));
    fs.rmSync(ws, { recursive: true, force: true });
  });

  it('reaches what the rules allow through the proxy, never the harness, and nothing directly', async () => {
    const proxies = () => fs.readdirSync(os.tmpdir()).filter((d) => d.startsWith('vloop-net-')).length;
    const before = proxies();
    const r = await sh(
      `curl -s http://127.0.0.1:${allowedPort}/via-proxy; curl -s http://127.0.0.1:${harnessPort}/api/policy; curl -s --max-time 5 --noproxy '*' http://127.0.0.1:${allowedPort}/direct; echo done`,
    );
    expect(r.output).toContain('done');
    expect(r.output).toContain('CANARY-ALLOWED /via-proxy');
    expect(r.output, 'the harness port was reached').not.toContain('CANARY-HARNESS');
    expect(r.output, 'a direct connection reached the server').not.toContain('/direct');
    // The server's proxy ends with its session.
    await closeMcpSessions();
    await until(() => proxies() === before, "the MCP server's proxy to end with its session", 10_000);
  });
});
