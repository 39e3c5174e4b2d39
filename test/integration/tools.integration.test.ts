// Escape attempts at the tool registry, with real files: the check right before running fails closed.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretSet } from '../../core/secrets.js';
import { runFilesystem } from '../../activities/tools/filesystem.js';
import { createRunTool, type RunToolInput, type RunToolResult } from '../../activities/tools/registry.js';
import { runTerminal } from '../../activities/tools/terminal.js';
import { EscapeError } from '../../activities/tools/workspace.js';
import type { ToolCall } from '../../core/policy.js';
import { makeWorkspace } from '../helpers/agent-setup.js';
import { testConfig } from '../helpers/config.js';
import { processAlive, until } from '../helpers/processes.js';

describe('tool registry', () => {
  let ws: string;
  let outside: string;
  let project: string;
  const appended: unknown[] = [];
  let runTool: ReturnType<typeof createRunTool>;
  const run = (call: ToolCall, approved = false) =>
    new MockActivityEnvironment().run(runTool, {
      runId: 'r',
      callId: `c${appended.length}`,
      call,
      approved,
    } satisfies RunToolInput);

  beforeAll(() => {
    ws = makeWorkspace({ 'ok.txt': 'fine', 'data/file.txt': 'inside' });
    outside = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'vloop-outside-')));
    fs.writeFileSync(path.join(outside, 'secret.txt'), 'outside secret');
    fs.mkdirSync(`${ws}-evil`, { recursive: true });
    fs.writeFileSync(`${ws}-evil/x.txt`, 'sibling');
    fs.symlinkSync(outside, path.join(ws, 'link'));
    project = path.join(ws, '.vloop');
    fs.mkdirSync(project);
    runTool = createRunTool({
      events: { append: async (_runId, events) => (appended.push(...events), 0) },
      secrets: new SecretSet({}),
      tools: testConfig({ dir: project, workspace: ws }).tools,
    });
    fs.writeFileSync(
      path.join(project, 'policy.json'),
      JSON.stringify({
        rules: [
          { tool: 'filesystem', action: 'allow' },
          { tool: 'terminal', action: 'allow' },
        ],
        connections: { app: { url: 'sqlite:app.db' } },
      }),
    );
    const db = new Database(path.join(ws, 'app.db'));
    db.exec("create table t (a text); insert into t values ('one')");
    db.close();
  });
  afterAll(() => {
    fs.rmSync(ws, { recursive: true, force: true });
    fs.rmSync(`${ws}-evil`, { recursive: true, force: true });
    fs.rmSync(outside, { recursive: true, force: true });
  });

  it('runs an allowed call', async () => {
    expect(await run({ tool: 'filesystem', args: { op: 'read', path: 'ok.txt' } })).toMatchObject({
      ok: true,
      output: 'fine',
    });
  });

  it.each([
    ['../x.txt', 'a parent escape'],
    ['/etc/hostname', 'an absolute path'],
    ['link/secret.txt', 'a symlink pointing out'],
  ])('refuses %s (%s)', async (p) => {
    await expect(run({ tool: 'filesystem', args: { op: 'read', path: p } })).rejects.toThrow(
      /refused right before running \(builtin:outside-workspace\)/,
    );
  });

  it('runs a call approved "for this run" only while the re-check finds the kind approved, and logs a refusal', async () => {
    const policyFile = path.join(project, 'policy.json');
    const saved = fs.readFileSync(policyFile, 'utf8');
    fs.writeFileSync(policyFile, JSON.stringify({ rules: [] }));
    try {
      const write = (remembered: string, p: string) =>
        new MockActivityEnvironment().run(runTool, {
          runId: 'r',
          callId: `c${appended.length}`,
          call: { tool: 'filesystem', args: { op: 'write', path: p, content: 'x' } },
          approved: false,
          remembered,
        } satisfies RunToolInput);
      await expect(write('filesystem:write:data', 'data/new.txt')).resolves.toMatchObject({ ok: true });
      await expect(write('filesystem:write:data', 'ok-new.txt')).rejects.toThrow(
        /refused right before running \(default:write-asks\)/,
      );
      expect(appended.at(-1)).toMatchObject({
        type: 'log',
        data: { level: 'warn', message: expect.stringMatching(/refused right before running/) },
      });
      expect(fs.existsSync(path.join(ws, 'ok-new.txt'))).toBe(false);
    } finally {
      fs.writeFileSync(policyFile, saved);
    }
  });

  it('refuses the sibling directory that shares the root prefix', async () => {
    await expect(run({ tool: 'filesystem', args: { op: 'read', path: `${ws}-evil/x.txt` } })).rejects.toThrow(
      /outside-workspace/,
    );
  });

  it('refuses writing the policy file and .vloop, whatever the rules say', async () => {
    await expect(
      run({ tool: 'filesystem', args: { op: 'write', path: '.vloop/policy.json', content: '{}' } }, true),
    ).rejects.toThrow(/builtin:harness-dir/);
    await expect(run({ tool: 'terminal', args: { command: 'echo {} > .vloop/policy.json' } }, true)).rejects.toThrow(
      /builtin:harness-dir/,
    );
    expect(JSON.parse(fs.readFileSync(path.join(project, 'policy.json'), 'utf8')).rules).toHaveLength(2);
  });

  it('catches a symlink swapped in after the check', () => {
    const checked = path.join(ws, 'swap', 'file.txt');
    fs.symlinkSync(outside, path.join(ws, 'swap'));
    fs.writeFileSync(path.join(outside, 'file.txt'), 'outside');
    expect(() =>
      runFilesystem({ workspace: ws, protectedPaths: [] }, checked, { op: 'read', path: 'swap/file.txt' }),
    ).toThrow(EscapeError);
    expect(() =>
      runFilesystem({ workspace: ws, protectedPaths: [] }, checked, {
        op: 'write',
        path: 'swap/file.txt',
        content: 'x',
      }),
    ).toThrow(EscapeError);
    expect(fs.readFileSync(path.join(outside, 'file.txt'), 'utf8')).toBe('outside');
  });

  it('refuses an INSERT on a read-only connection, and the database would refuse it too', async () => {
    await expect(
      run({ tool: 'database', args: { connection: 'app', sql: "insert into t values ('two')" } }),
    ).rejects.toThrow(/builtin:read-only-connection/);
    await expect(
      run({
        tool: 'database',
        args: { connection: 'app', sql: "with x as (select 1) insert into t select 'two' from x" },
      }),
    ).rejects.toThrow(/read-only-connection/);
    expect(await run({ tool: 'database', args: { connection: 'app', sql: 'select a from t' } })).toMatchObject({
      output: '[{"a":"one"}]',
    });
    const { runQuery } = await import('../../activities/tools/database.js');
    await expect(
      runQuery(
        { url: 'sqlite:app.db', write: false },
        "insert into t values ('sneaky')",
        { workspace: ws, protectedPaths: [] },
        { readOnly: false },
      ),
    ).rejects.toThrow(/readonly/);
  });

  it('refuses a browser visit to a host the policy does not allow', async () => {
    await expect(run({ tool: 'browser', args: { op: 'open', url: 'https://evil.example/' } })).rejects.toThrow(
      /default:host-not-allowed/,
    );
  });

  it('fails closed when the policy file is malformed', async () => {
    const file = path.join(project, 'policy.json');
    const good = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, '{ not json');
    await expect(run({ tool: 'filesystem', args: { op: 'read', path: 'ok.txt' } })).rejects.toThrow(
      /could not be checked, so it was not run/,
    );
    fs.writeFileSync(file, good);
  });

  it('runs commands with a scrubbed environment and kills the whole process group on timeout', async () => {
    // The configuration hands tools a safe subset of the environment it was built from.
    const tools = testConfig({
      dir: project,
      workspace: ws,
      env: { SOME_API_KEY: 'sk-should-not-leak-1234567890' },
    }).tools;
    const echoed = Date.now();
    const env = await runTerminal('echo "[$SOME_API_KEY][${PATH:+path}]"', ws, {
      env: tools.env,
      timeoutMs: 5000,
      maxBytes: 1000,
    });
    expect(env.output.trim()).toBe('[][path]');
    // What a command costs to start and end here under this moment's load: the timed-out one costs that and its
    // 300 ms, not its 30 s.
    const startCost = Date.now() - echoed;
    const started = Date.now();
    // The background child writes its pid at once; after the timeout it must be gone, not just quiet.
    const slow = await runTerminal('(echo $BASHPID > child.pid; sleep 30) & sleep 30', ws, {
      env: tools.env,
      timeoutMs: 300,
      maxBytes: 1000,
    });
    expect(slow.timedOut).toBe(true);
    expect(Date.now() - started).toBeLessThan(3 * startCost + 300 + 2000);
    const pid = Number(fs.readFileSync(path.join(ws, 'child.pid'), 'utf8'));
    expect(pid).toBeGreaterThan(0);
    await until(() => !processAlive(pid), `the background child ${pid} to be killed with its group`, 20_000);
  });
});

describe('the registry runs the terminal under the sandbox, and says so when it cannot', () => {
  let ws: string;
  let home: string;
  const results: Array<{ data: { output: string } }> = [];
  const registry = (env: Record<string, string>) => {
    const project = path.join(ws, '.vloop');
    return createRunTool({
      events: { append: async (_runId, events) => (results.push(...(events as typeof results)), 0) },
      secrets: new SecretSet({}),
      tools: testConfig({ dir: project, workspace: ws, env: { HOME: home, ...env } }).tools,
    });
  };
  const run = (tool: ReturnType<typeof createRunTool>, command: string, approved: boolean): Promise<RunToolResult> =>
    new MockActivityEnvironment().run(tool, {
      runId: 'r',
      callId: `t${results.length}`,
      call: { tool: 'terminal', args: { command } },
      approved,
    } satisfies RunToolInput);

  beforeAll(() => {
    ws = makeWorkspace({ 'ok.txt': 'fine' });
    home = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'vloop-home-')));
    fs.mkdirSync(path.join(home, '.ssh'));
    fs.writeFileSync(path.join(home, '.ssh', 'id_rsa'), 'CANARY-KEY');
    fs.mkdirSync(path.join(ws, '.vloop'));
    fs.writeFileSync(
      path.join(ws, '.vloop', 'policy.json'),
      JSON.stringify({ rules: [{ tool: 'terminal', action: 'allow' }] }),
    );
  });
  afterAll(() => {
    fs.rmSync(ws, { recursive: true, force: true });
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('an approved code-carrying command still cannot read the home directory', async () => {
    const script = "python3 -c \"import os; print(open(os.environ['HOME'] + '/.ssh/id_rsa').read())\"";
    const tool = registry({});
    await expect(run(tool, script, false)).rejects.toThrow(/builtin:code-carrying/);
    const r = await run(tool, script, true);
    expect(r.ok).toBe(false);
    expect(r.output).toMatch(/No such file or directory/);
    expect(r.output).not.toContain('CANARY-KEY');
    expect(r.output).not.toContain('no OS sandbox');
  });

  it('without the sandbox, a command that writes asks, and its result says the sandbox is off', async () => {
    const tool = registry({ HARNESS_SANDBOX: 'off' });
    await expect(run(tool, 'touch made.txt', false)).rejects.toThrow(/builtin:no-sandbox/);
    // The harness directory lies in this workspace: with nothing to hide it, even a read asks.
    await expect(run(tool, 'cat ok.txt', false)).rejects.toThrow(/builtin:no-sandbox/);
    expect(await run(tool, 'cat ok.txt', true)).toMatchObject({ ok: true });
    const r = await run(tool, 'touch made.txt', true);
    expect(r.output).toContain('[no OS sandbox: the sandbox is turned off (HARNESS_SANDBOX=off)]');
    expect(results.at(-1)!.data.output).toContain('no OS sandbox');
    expect(fs.existsSync(path.join(ws, 'made.txt'))).toBe(true);
  });
});
