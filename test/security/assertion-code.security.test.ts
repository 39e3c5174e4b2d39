// A javascript assertion is code from an imported config: it runs in its own process inside the OS sandbox, and
// must not read the user's workspace, home or project directory, write anywhere that outlives it, reach the
// network (the harness's API included), see the worker's environment, or run forever. Each refusal has a control:
// the same code in an unconfined node does what the sandbox stops.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAssertionCode } from '../../activities/assertion-code.js';
import { functionBody } from '../../core/assertions.js';
import { until } from '../helpers/processes.js';

// Outside /tmp, which every sandbox hides anyway: where a user's checkout and its .env really are.
const root = fs.mkdtempSync(path.join(process.cwd(), 'assert-attack-'));
const ws = path.join(root, 'ws');
const home = path.join(root, 'home');
const projectDir = path.join(ws, '.vloop');
const tools = {
  sandbox: 'auto' as const,
  env: { PATH: '/usr/bin:/bin', OPENAI_API_KEY: 'sk-worker-secret-123' },
  workspace: ws,
  home,
  projectDir,
  policyPath: path.join(projectDir, 'policy.json'),
};
const SECRET = 'the-users-secret-4242';

/** The same body in a plain node, with the worker's environment: what the code could do unconfined. */
async function unconfined(code: string): Promise<string> {
  const runner = `Promise.resolve(new Function('output','context',${JSON.stringify(functionBody(code))})('', {})).then(v => process.stdout.write(JSON.stringify(v)), e => process.stdout.write('ERR ' + e.message))`;
  // Async: the listening server in this process must keep accepting while the child runs.
  const { stdout } = await promisify(execFile)(process.execPath, ['-e', runner], {
    encoding: 'utf8',
    timeout: 20_000,
    env: { PATH: '/usr/bin:/bin', OPENAI_API_KEY: 'sk-worker-secret-123' },
  });
  return stdout;
}
const run = (code: string) => runAssertionCode(tools, functionBody(code), 'the answer', { vars: {} });

describe('javascript assertions are confined', () => {
  let server: net.Server;
  let port = 0;
  const connections: string[] = [];
  beforeAll(async () => {
    fs.mkdirSync(projectDir, { recursive: true });
    fs.mkdirSync(path.join(home, '.ssh'), { recursive: true });
    fs.writeFileSync(path.join(ws, 'notes.txt'), SECRET);
    fs.writeFileSync(path.join(ws, '.env'), `OPENAI_API_KEY=${SECRET}`);
    fs.writeFileSync(path.join(home, '.ssh', 'id_ed25519'), SECRET);
    fs.writeFileSync(path.join(projectDir, 'token'), SECRET);
    server = net.createServer((s) => {
      connections.push('connected');
      s.on('error', () => {}); // the control hangs up at once
      s.end('hello');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as net.AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('runs the code: its answer and inputs in, its verdict out', async () => {
    const r = await runAssertionCode(tools, functionBody("output.startsWith('the') && context.vars.n === 2"), 'the x', {
      vars: { n: 2 },
    });
    expect(r).toEqual({ ok: true, value: true });
  });

  it("cannot read the user's workspace (its .env), home or project directory, or the harness's code", async () => {
    for (const file of [
      path.join(ws, 'notes.txt'),
      path.join(ws, '.env'),
      path.join(home, '.ssh', 'id_ed25519'),
      path.join(projectDir, 'token'),
      path.join(process.cwd(), 'package.json'),
    ]) {
      const body = `process.getBuiltinModule('fs').readFileSync(${JSON.stringify(file)}, 'utf8')`;
      expect(await unconfined(body), `control: ${file}`).toMatch(
        file.endsWith('package.json') ? /vloop-harness/ : SECRET,
      );
      const r = await run(body);
      expect(JSON.stringify(r), file).not.toContain(SECRET);
      expect(JSON.stringify(r), file).not.toContain('vloop-harness');
      expect(r.ok).toBe(false);
    }
  });

  it('sees no directory of the machine but the system libraries and its own /tmp', async () => {
    const body = "process.getBuiltinModule('fs').readdirSync('/').sort().join(',')";
    expect(await unconfined(body), 'control').toContain('etc');
    const r = await run(body);
    expect(r.ok, JSON.stringify(r)).toBe(true);
    const shown = String((r as { value: unknown }).value).split(',');
    expect(
      shown.filter((d) => !['bin', 'dev', 'lib', 'lib32', 'lib64', 'libx32', 'proc', 'tmp', 'usr'].includes(d)),
    ).toEqual([]);
  });

  it('cannot write into the workspace', async () => {
    const target = path.join(ws, 'planted.sh');
    const body = `process.getBuiltinModule('fs').writeFileSync(${JSON.stringify(target)}, 'rm -rf ~') ?? true`;
    const r = await run(body);
    expect(fs.existsSync(target), JSON.stringify(r)).toBe(false);
    await unconfined(body);
    expect(fs.existsSync(target), 'control').toBe(true);
  });

  it('cannot connect to a port on this machine (the API of the harness that runs it)', async () => {
    const body = `new Promise((resolve) => { const s = process.getBuiltinModule('net').connect(${port}, '127.0.0.1'); s.on('connect', () => { s.destroy(); resolve('connected'); }); s.on('error', (e) => resolve(e.code)); })`;
    const r = await run(body);
    expect(r, JSON.stringify(r)).toMatchObject({ ok: true });
    expect((r as { value: unknown }).value).not.toBe('connected');
    expect(connections).toEqual([]);
    expect(await unconfined(body), 'control').toContain('connected');
    await until(() => connections.length === 1, 'the control to be seen connecting');
    expect(connections).toEqual(['connected']);
  });

  it("does not see the worker's environment", async () => {
    const body = 'JSON.stringify(process.env)';
    expect(await unconfined(body), 'control').toContain('sk-worker-secret-123');
    const r = await run(body);
    expect(JSON.stringify(r)).not.toContain('sk-worker-secret-123');
  });

  it('is stopped when it runs forever', async () => {
    const r = await run('while (true) {}\nreturn true');
    expect(r).toEqual({ ok: false, error: 'the code was stopped after 10 s' });
  }, 30_000);
});
