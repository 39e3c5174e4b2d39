// A project's running `harness up` is found by the project's other commands with no more
// environment than the project directory: `services status` shows its real pids and `harness mcp`
// (stdio, as an MCP client starts it) reaches its backend on whatever port it took.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../helpers/ports.js';
import { spawnHarness, until, type HarnessProcess } from '../helpers/processes.js';

const run = promisify(execFile);
const projectDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vloop-project-stack-'));
let up: HarnessProcess;

/** The Temporal dev servers whose history file is in the project. */
function devServerPids(): number[] {
  return fs
    .readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .filter((pid) => {
      try {
        const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
        return cmdline.includes('start-dev') && cmdline.some((a) => a.startsWith(projectDir));
      } catch {
        return false;
      }
    })
    .map(Number);
}

beforeAll(async () => {
  up = spawnHarness(['up', '--no-example'], {
    HARNESS_PORT: String(await freePort()),
    HARNESS_APPS_PORT: String(await freePort()),
    // No HARNESS_TOKEN: the project's token file is what its MCP client's harness reads.
    HARNESS_TOKEN: '',
    VLOOP_PROJECT_DIR: projectDir,
    // `harness up` starts and owns its dev server, on ports no other stack holds.
    TEMPORAL_ADDRESS: '',
    TEMPORAL_DEV_PORT: String(await freePort()),
    TEMPORAL_DEV_UI_PORT: String(await freePort()),
    TEMPORAL_CLI_PATH: inject('temporalCli'),
    LM_PROVIDER: 'openai',
    OPENAI_API_KEY: 'sk-project-0123456789abcdef',
    OPENAI_BASE_URL: 'http://127.0.0.1:9/v1',
    LM_MODEL: 'fake-model',
    // What `npm start` logs, run starts included.
    LOG_LEVEL: 'info',
  });
  await up.waitFor('running; press Ctrl-C to stop', 90_000);
});

afterAll(async () => {
  await up?.kill('SIGINT');
  for (const pid of devServerPids()) process.kill(pid, 'SIGKILL');
  fs.rmSync(projectDir, { recursive: true, force: true });
});

describe("a project's running stack", () => {
  it('services status shows the pids of harness up and of its dev server', async () => {
    const status = spawnHarness(['services', 'status'], { VLOOP_PROJECT_DIR: projectDir });
    expect(await status.exitCode, status.output()).toBe(0);
    const [devServer] = devServerPids();
    expect(status.output()).toMatch(new RegExp(`^temporal\\s+pid ${devServer}\\s.*healthy$`, 'm'));
    expect(status.output()).toMatch(new RegExp(`^backend\\s+pid ${up.child.pid}\\s.*healthy$`, 'm'));
    expect(status.output()).toMatch(new RegExp(`^web\\s+pid ${up.child.pid}\\s.*healthy$`, 'm'));
  });

  it('harness mcp over stdio reaches its backend with only the project directory', async () => {
    const inspector = path.resolve('node_modules/.bin/mcp-inspector');
    const { stdout } = await run(
      inspector,
      [
        '--cli',
        '-e',
        `VLOOP_PROJECT_DIR=${projectDir}`,
        process.execPath,
        path.resolve('bin/harness.js'),
        'mcp',
        '--method',
        'tools/list',
      ],
      { timeout: 90_000 },
    );
    expect(JSON.parse(stdout)).toHaveProperty('tools');
  });

  it('records where it runs only for its own lifetime, readable by its user alone', () => {
    const record = path.join(projectDir, 'run', 'backend.json');
    expect(fs.statSync(record).mode & 0o777).toBe(0o600);
    expect(JSON.parse(fs.readFileSync(record, 'utf8'))).toMatchObject({
      pid: up.child.pid,
      temporal: { pid: devServerPids()[0] },
    });
  });

  it('prints human lines on the terminal, with the JSON lines in the log file and no alarm about its activity-only worker', async () => {
    const { url } = JSON.parse(fs.readFileSync(path.join(projectDir, 'run', 'backend.json'), 'utf8')) as {
      url: string;
    };
    const token = fs.readFileSync(path.join(projectDir, 'token'), 'utf8').trim();
    const res = await fetch(`${url}/api/pipelines/review-digest/runs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ inputs: { text: 'hello' } }),
    });
    expect(res.status, await res.text()).toBeLessThan(300);
    await until(() => up.output().includes('run started'), "'run started' on the terminal");
    expect(up.output()).toMatch(/^\d\d:\d\d:\d\d info  run started \(run run_\w+\)$/m);
    expect(
      up
        .output()
        .split('\n')
        .filter((l) => l.includes('{"')),
    ).toEqual([]);
    expect(up.output()).not.toContain('No workflows registered');
    expect(fs.readFileSync(path.join(projectDir, 'logs', 'backend.jsonl'), 'utf8')).toMatch(/"msg":"run started"/);
  });
});
