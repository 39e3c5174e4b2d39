// The terminal's OS sandbox, for real: a command that the policy let through still cannot read
// the user's keys, the harness's token or the policy file, write outside the workspace, or open a
// TCP connection when the network is denied. Each refusal has a control that shows it could pass.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxArgv, sandboxStatus } from '../../sandbox/index.js';
import { runTerminal } from '../../activities/tools/terminal.js';
import { until } from '../helpers/processes.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'vloop-sandbox-'));
const ws = path.join(root, 'ws');
const home = path.join(root, 'home');
const projectDir = path.join(ws, '.vloop');
const outside = path.join(root, 'outside');
const tools = { workspace: ws, home, projectDir, policyPath: path.join(projectDir, 'policy.json') };
const env = { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: home };
const status = { sandbox: 'auto' as const, env, ...tools };
let server: net.Server;
let port = 0;

beforeAll(async () => {
  for (const d of [ws, path.join(home, '.ssh'), projectDir, outside]) fs.mkdirSync(d, { recursive: true });
  fs.writeFileSync(path.join(home, '.ssh', 'id_rsa'), 'CANARY-SSH-KEY');
  fs.writeFileSync(path.join(projectDir, 'token'), 'CANARY-TOKEN');
  fs.writeFileSync(tools.policyPath, '{"rules":[],"canary":"CANARY-POLICY"}');
  server = net.createServer((s) => s.end('CANARY-NET\n'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as net.AddressInfo).port;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  fs.rmSync(root, { recursive: true, force: true });
});

const inSandbox = (command: string, network = false) =>
  runTerminal(command, ws, {
    env,
    timeoutMs: 10_000,
    maxBytes: 10_000,
    sandbox: sandboxArgv(sandboxStatus(status), tools, { network }),
  });
const bare = (command: string) => runTerminal(command, ws, { env, timeoutMs: 10_000, maxBytes: 10_000 });

describe('the terminal sandbox (bubblewrap)', () => {
  it('is active on this machine (CI installs bubblewrap)', () => {
    expect(sandboxStatus(status)).toMatchObject({ active: true });
  });

  it.each([
    ['the ssh key in home', `cat ${home}/.ssh/id_rsa`, 'CANARY-SSH-KEY'],
    ['the harness token', `cat ${projectDir}/token`, 'CANARY-TOKEN'],
    ['the policy file', `cat ${tools.policyPath}`, 'CANARY-POLICY'],
  ])('cannot read %s', async (_what, command, canary) => {
    expect((await bare(command)).output).toContain(canary);
    const r = await inSandbox(command);
    expect(r.output).not.toContain(canary);
    expect(r.exitCode).not.toBe(0);
  });

  it('writes the workspace but nothing outside it', async () => {
    const r = await inSandbox(
      `echo inside > ${ws}/made.txt; echo x > ${outside}/escaped.txt; touch /usr/escaped; f=$(mktemp) && echo scratch > "$f" && echo "scratch at $f"; echo done`,
    );
    expect(r.output).toContain('done');
    // Scratch space is private: mktemp works, and what it made is not on the host.
    const scratch = /scratch at (\S+)/.exec(r.output)?.[1];
    expect(scratch).toMatch(/^\/var\/tmp\//);
    expect(fs.existsSync(scratch!)).toBe(false);
    expect(fs.readFileSync(path.join(ws, 'made.txt'), 'utf8')).toBe('inside\n');
    expect(fs.existsSync(path.join(outside, 'escaped.txt'))).toBe(false);
    expect(fs.existsSync('/usr/escaped')).toBe(false);
  });

  it('cannot open a TCP connection when the network is denied, and can when it is allowed', async () => {
    const connect = `exec 3<>/dev/tcp/127.0.0.1/${port} && head -n1 <&3`;
    expect((await inSandbox(connect, true)).output).toContain('CANARY-NET');
    const denied = await inSandbox(connect, false);
    expect(denied.output).not.toContain('CANARY-NET');
    expect(denied.exitCode).not.toBe(0);
  });

  it('kills everything it started on timeout', async () => {
    const marker = `sleep 3${Date.now() % 1000}.5`;
    const r = await runTerminal(`(${marker}) & ${marker}`, ws, {
      env,
      timeoutMs: 500,
      maxBytes: 1000,
      sandbox: sandboxArgv(sandboxStatus(status), tools, { network: false }),
    });
    expect(r.timedOut).toBe(true);
    expect(r.output).toBe('');
    const alive = () =>
      fs
        .readdirSync('/proc')
        .filter((p) => /^\d+$/.test(p))
        .some((p) => {
          try {
            return fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(marker.replace(' ', '\0'));
          } catch {
            return false;
          }
        });
    await until(() => !alive(), `every sandboxed ${marker} to be gone`, 20_000);
  });
});
